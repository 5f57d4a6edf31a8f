/**
 * Shared material of the control-channel tests: data directories imported through the real CLI, and
 * a node's control side in the test process (a real ControlServer over a real LocalBackend on
 * RocksDB, on a real unix socket), with its log captured.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ControlServer,
  type ControlTimeouts,
  controlSocketPath,
  type NodeStatus,
} from '../../node/api/index.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { capturedLog } from '../helpers/captured-log.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'

export const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `pdns-api-${prefix}-`))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Imports the sample capture into `<parent>/<name>` with the CLI; returns the data directory. */
export async function importSample(parent: string, name = 'sample'): Promise<string> {
  const dir = join(parent, name)
  const r = await runCli(['import', '--data', dir, SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  return dir
}

/** Creates API key `name` in `data` with the CLI (`opts`: --rate, --max-limit); returns the key. */
export async function createApiKey(data: string, name: string, ...opts: string[]): Promise<string> {
  const r = await runCli(['apikey', 'create', name, ...opts, '--data', data])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.trim().split('\n').at(-1)!
}

/**
 * Imports the sample and `records` more A records (seeded, two COF sensors) into `<parent>/<name>`:
 * an export of it is many socket buffers long.
 */
export async function importLarge(parent: string, records: number, seed = 7): Promise<string> {
  const dir = await importSample(parent, 'large')
  const rand = prng(seed)
  const lines: string[] = []
  for (let i = 0; i < records; i++) {
    const label = `h${i.toString(36)}x${randInt(rand, 1e6).toString(36)}`
    const first = 1_767_225_600 + randInt(rand, 86_400 * 30)
    lines.push(
      JSON.stringify({
        rrname: `${label}.zone${randInt(rand, 50)}.example.org`,
        rrtype: 'A',
        rdata: `10.${randInt(rand, 256)}.${randInt(rand, 256)}.${randInt(rand, 256)}`,
        time_first: first,
        time_last: first + randInt(rand, 86_400),
        count: 1 + randInt(rand, 100),
        sensor_id: rand() < 0.5 ? 'east' : 'west',
      }),
    )
  }
  const cof = join(parent, 'large.cof')
  await writeFile(cof, `${lines.join('\n')}\n`)
  const r = await runCli(['import', '--data', dir, cof])
  assert.equal(r.code, 0, r.stderr)
  return dir
}

export interface TestNode {
  local: LocalBackend
  server: ControlServer
  socketPath: string
  status: NodeStatus
  /** log lines written so far (parsed NDJSON) */
  logs: () => Record<string, unknown>[]
  /** stops the server and closes the backend */
  close: () => Promise<void>
}

/** The control side of a node over `dataDir`, started; its log is captured at debug level. */
export async function startTestNode(
  dataDir: string,
  timeouts: Partial<ControlTimeouts> = {},
): Promise<TestNode> {
  const local = await LocalBackend.open(dataDir)
  const { log, lines } = capturedLog()
  const status: NodeStatus = {
    version: '0.0.0-test',
    pid: process.pid,
    peerId: '12D3KooWtest',
    startedAt: 1_767_225_600,
    dataDir,
    components: { capture: { eth0: { received: 10, dropped: 3 } }, dnstap: { connections: 1 } },
  }
  const socketPath = controlSocketPath(dataDir)
  const server = new ControlServer(
    { backend: local, status: () => status, log: log.child({ component: 'control' }) },
    { socketPath, timeouts },
  )
  try {
    await server.start()
  } catch (err) {
    await local.close()
    throw err
  }
  return {
    local,
    server,
    socketPath,
    status,
    logs: lines,
    close: async () => {
      await server.stop()
      await local.close()
    },
  }
}

/** Every item of an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
