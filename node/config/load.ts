/**
 * loadConfig: the config file, then $PDNS_MESH_DATA, then the `start` flags, each replacing what
 * came before, checked against the key table (schema.ts) and resolved into a frozen NodeConfig.
 * Every problem found is reported at once, one per line, each naming its key and where it came from.
 */
import { resolve } from 'node:path'
import { controlSocketPath, unixPathProblem } from '../api/socket-path.ts'
import { resolveGroupId } from '../dnstap/socket-access.ts'
import { PdnsError } from '../errors.ts'
import { failed, show } from './checks.ts'
import type { ListenAddress } from './listen.ts'
import { readTomlFile, type TomlTree } from './read-file.ts'
import {
  API_LISTEN_ENV,
  DATA_DIR_ENV,
  KEY_LIST,
  KEYS,
  type KeySpec,
  leafOf,
  SECTIONS,
  sectionOf,
} from './schema.ts'
import { tlsFileProblems } from './tls-files.ts'
import type { LoadConfigOptions, NodeConfig } from './types.ts'

const MIB = 1024 * 1024

/** A validated value and the place it came from, as messages name it. */
interface Setting {
  value: unknown
  where: string
}

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<NodeConfig> {
  const cwd = opts.cwd ?? process.cwd()
  const env = opts.env ?? process.env
  const flags = opts.flags ?? {}
  const problems: string[] = []
  const settings = new Map<KeySpec<unknown>, Setting>()

  const set = (spec: KeySpec<unknown>, raw: unknown, where: string) => {
    const c = spec.check.parse(raw)
    // a repeated flag's values are not numbered as a file's list items are: the message quotes the value
    if (failed(c)) problems.push(`${where}${where.startsWith('--') ? '' : (c.at ?? '')}: ${c.problem}`)
    else settings.set(spec, { value: c.value, where })
  }

  let file: string | null = null
  if (opts.file !== undefined) {
    file = resolve(cwd, opts.file)
    const tree = await readTomlFile(opts.file, file)
    const prefix = `config ${opts.file}: `
    walkTree(
      tree,
      (spec, raw, path) => set(spec, raw, `${prefix}${path}`),
      (path, problem) => problems.push(`${prefix}${path}: ${problem}`),
    )
  }

  const envDir = env[DATA_DIR_ENV]
  if (envDir !== undefined && envDir !== '') set(KEYS.dataDir, envDir, `$${DATA_DIR_ENV}`)
  if (flags.dataDir !== undefined) set(KEYS.dataDir, flags.dataDir, '--data')
  if (flags.interfaces !== undefined) {
    set(KEYS.captureInterfaces, [...flags.interfaces], '--interface')
    // naming an interface on the command line asks for capture on it, whatever the file says
    if (flags.interfaces.length > 0 && flags.captureEnabled === undefined) {
      set(KEYS.captureEnabled, true, '--interface')
    }
  }
  // set but empty is meaningful here: no HTTP API (test harnesses run many nodes at once)
  const apiEnv = env[API_LISTEN_ENV]
  if (apiEnv !== undefined) set(KEYS.apiListen, apiEnv, `$${API_LISTEN_ENV}`)
  if (flags.apiListen !== undefined)
    set(KEYS.apiListen, flags.apiListen, flags.apiListen === '' ? '--no-api' : '--api')
  if (flags.dnstapListen !== undefined) set(KEYS.dnstapListen, [...flags.dnstapListen], '--dnstap')
  if (flags.logLevel !== undefined) set(KEYS.logLevel, flags.logLevel, '--log-level')
  if (flags.captureEnabled !== undefined) {
    set(KEYS.captureEnabled, flags.captureEnabled, flags.captureEnabled ? '--capture' : '--no-capture')
    if (!flags.captureEnabled && (flags.interfaces?.length ?? 0) > 0) {
      problems.push('--no-capture: contradicts --interface (capture off, yet interfaces named)')
    }
  }

  // a setting may be null (api.listen empty: off), which is not the same as unset
  const get = <T>(spec: KeySpec<T>): T =>
    (settings.has(spec) ? settings.get(spec)!.value : defaultValue(spec)) as T
  const whereOf = (spec: KeySpec<unknown>) => settings.get(spec)?.where ?? `${spec.path} (default)`

  const dataDir = resolve(cwd, get(KEYS.dataDir))
  const controlSocket = controlSocketPath(dataDir)
  const socketProblem = unixPathProblem(controlSocket)
  if (socketProblem !== null) {
    problems.push(`${whereOf(KEYS.dataDir)}: too long for the node's control socket: ${socketProblem}`)
  }
  const listen = get(KEYS.dnstapListen).map((a, i): ListenAddress => {
    if (a.transport !== 'unix') return a
    const path = resolve(dataDir, a.path)
    const p = unixPathProblem(path)
    if (p !== null) problems.push(`${whereOf(KEYS.dnstapListen)}[${i}]: ${p}`)
    return { transport: 'unix', path }
  })
  const groupText = get(KEYS.dnstapSocketGroup)
  let socketGroup: number | null = null
  if (groupText !== '') {
    try {
      socketGroup = await resolveGroupId(groupText)
    } catch (err) {
      problems.push(`${whereOf(KEYS.dnstapSocketGroup)}: ${(err as Error).message}`)
    }
  }
  const allow = new Set(get(KEYS.meshAllow))
  for (const addr of get(KEYS.meshPeers)) {
    const id = addr.slice(addr.lastIndexOf('/p2p/') + 5)
    if (!allow.has(id)) problems.push(`${whereOf(KEYS.meshPeers)}: ${addr}: peer ${id} is not in mesh.allow`)
  }
  if (get(KEYS.meshListen).length === 0 && get(KEYS.meshPeers).length > 0) {
    problems.push(
      `${whereOf(KEYS.meshPeers)}: peers are configured but mesh.listen is empty (the mesh is off)`,
    )
  }
  const tlsCert = get(KEYS.apiTlsCert)
  const tlsKey = get(KEYS.apiTlsKey)
  if ((tlsCert === '') !== (tlsKey === '')) {
    problems.push(
      `${whereOf(tlsCert === '' ? KEYS.apiTlsKey : KEYS.apiTlsCert)}: api.tls_cert and api.tls_key go together`,
    )
  } else if (tlsCert !== '' && get(KEYS.apiListen) !== null) {
    problems.push(
      ...(await tlsFileProblems(
        { path: resolve(dataDir, tlsCert), where: whereOf(KEYS.apiTlsCert) },
        { path: resolve(dataDir, tlsKey), where: whereOf(KEYS.apiTlsKey) },
      )),
    )
  }
  const retentionS = get(KEYS.storeRetention)
  const retentionRemoteS = get(KEYS.storeRetentionRemote) ?? retentionS
  if (retentionS !== null && retentionRemoteS !== null && retentionRemoteS > retentionS) {
    problems.push(
      `${whereOf(KEYS.storeRetentionRemote)}: longer than store.retention: peers' data is kept at most as long as the node's own (leave it empty for the same)`,
    )
  }
  if (problems.length > 0) throw new PdnsError('ERR_CONFIG', problems.join('\n'))

  const interfaces = get(KEYS.captureInterfaces)
  const filter = get(KEYS.captureFilter)
  return deepFreeze<NodeConfig>({
    file,
    dataDir,
    controlSocket,
    shutdownTimeoutMs: get(KEYS.shutdownTimeout),
    log: { level: get(KEYS.logLevel) },
    capture: {
      enabled: get(KEYS.captureEnabled),
      interfaces,
      interfacesExplicit: interfaces.length > 0,
      ports: get(KEYS.capturePorts),
      snaplen: get(KEYS.captureSnaplen),
      promiscuous: get(KEYS.capturePromiscuous),
      bufferBytes: get(KEYS.captureBufferMb) * MIB,
      filter: filter === '' ? null : filter,
    },
    dnstap: {
      listen,
      messageTypes: get(KEYS.dnstapMessageTypes),
      maxFrameBytes: get(KEYS.dnstapMaxFrameBytes),
      socketMode: get(KEYS.dnstapSocketMode),
      socketGroup,
    },
    store: {
      flushIntervalMs: get(KEYS.storeFlushInterval),
      windowMaxBytes: get(KEYS.storeWindowMb) * MIB,
      retentionS,
      retentionRemoteS,
    },
    mesh: {
      listen: get(KEYS.meshListen),
      peers: get(KEYS.meshPeers),
      allow: [...allow],
      pskFile: get(KEYS.meshPskFile) === '' ? null : resolve(dataDir, get(KEYS.meshPskFile)),
      share: get(KEYS.meshShare),
      updateIntervalMs: get(KEYS.meshUpdateInterval),
      checkpointRecords: get(KEYS.meshCheckpointRecords),
    },
    api: {
      listen: get(KEYS.apiListen),
      tlsCert: tlsCert === '' ? null : resolve(dataDir, tlsCert),
      tlsKey: tlsKey === '' ? null : resolve(dataDir, tlsKey),
      metricsListen: get(KEYS.apiMetricsListen),
      threads: get(KEYS.apiThreads),
      ratePerMin: get(KEYS.apiRate),
      maxLimit: get(KEYS.apiMaxLimit),
    },
  })
}

/** The typed default of a key (the table's defaults are checked by the same check as file values). */
export function defaultValue<T>(spec: KeySpec<T>): T {
  const c = spec.check.parse(spec.default)
  if (failed(c)) throw new Error(`config key ${spec.path}: its default is invalid: ${c.problem}`)
  return c.value
}

const TOP_KEYS = new Map(KEY_LIST.filter((s) => sectionOf(s) === null).map((s) => [leafOf(s), s]))
const SECTION_KEYS = new Map(
  SECTIONS.map((sec) => [
    sec.name,
    new Map(KEY_LIST.filter((s) => sectionOf(s) === sec.name).map((s) => [leafOf(s), s])),
  ]),
)

/** A key as a path shows it: bare when TOML allows it bare, else quoted. */
function keyText(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

/**
 * Hands each known key of the file to `onKey` and reports the rest: unknown keys (at the top, in a
 * section, or nested below one) and sections that are not tables.
 */
function walkTree(
  tree: TomlTree,
  onKey: (spec: KeySpec<unknown>, raw: unknown, path: string) => void,
  report: (path: string, problem: string) => void,
): void {
  for (const [k, v] of Object.entries(tree)) {
    const keys = SECTION_KEYS.get(k)
    if (keys !== undefined) {
      if (!isTable(v)) {
        report(keyText(k), `expected a table ([${k}]), got ${show(v)}`)
        continue
      }
      for (const [k2, v2] of Object.entries(v)) {
        const path = `${k}.${keyText(k2)}`
        const spec = keys.get(k2)
        if (spec === undefined) report(path, unknownKey(k2, k))
        else onKey(spec, v2, path)
      }
      continue
    }
    const spec = TOP_KEYS.get(k)
    if (spec === undefined) report(keyText(k), unknownKey(k, null))
    else onKey(spec, v, keyText(k))
  }
}

/** "unknown key" with the likeliest intended key, or the keys that exist there. */
function unknownKey(leaf: string, section: string | null): string {
  const elsewhere = KEY_LIST.filter((s) => leafOf(s) === leaf && sectionOf(s) !== section)
  if (elsewhere.length > 0) {
    return `unknown key here (did you mean ${elsewhere.map((s) => s.path).join(' or ')}?)`
  }
  const scope =
    section === null ? [...TOP_KEYS.keys(), ...SECTION_KEYS.keys()] : [...SECTION_KEYS.get(section)!.keys()]
  const near = scope.filter(
    (k) => editDistance(k, leaf) <= 2 || (leaf.length >= 3 && (k.startsWith(leaf) || leaf.startsWith(k))),
  )
  const full = (k: string) => (section === null ? k : `${section}.${k}`)
  if (near.length > 0) return `unknown key (did you mean ${near.map(full).join(' or ')}?)`
  return section === null
    ? `unknown key (top-level keys: ${[...TOP_KEYS.keys()].join(', ')}; sections: ${[...SECTION_KEYS.keys()].map((s) => `[${s}]`).join(', ')})`
    : `unknown key (the [${section}] keys: ${scope.join(', ')})`
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
