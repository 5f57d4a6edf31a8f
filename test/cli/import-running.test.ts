/**
 * `pdns-mesh import` into a data directory whose node runs: the node does the work (it reads the
 * files, writes through its store and feed) while the CLI shows progress and the summary. Real nodes
 * in child processes, real files (the shared corpus, the sample capture, seeded COF), real RocksDB.
 * Every wait is on an event or a state the node reports, never on a sleep.
 */
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { RemoteBackend } from '../../node/api/client.ts'
import { importThroughNode } from '../../node/api/import-client.ts'
import { ControlServer } from '../../node/api/server.ts'
import { controlSocketPath } from '../../node/api/socket-path.ts'
import { ImportRunner } from '../../node/daemon/import-runner.ts'
import type { ImportEvent } from '../../node/ingest/index.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { Store } from '../../node/store/store.ts'
import { type NodeProcess, startNode, until, writeConfig } from '../e2e/node-process.ts'
import { capturedLog } from '../helpers/captured-log.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO, runCli, startCli } from '../helpers/run-cli.ts'
import { CORPUS_DIR, readManifest, requireCorpus } from '../helpers/shared.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'pdns-import-running-'))
}

/** A node without live capture or HTTP API; its window is written only when an import ends (or at the cap). */
async function runningNode(dir: string): Promise<NodeProcess> {
  const config = writeConfig(dir, '[store]\nflush_interval = "1h"\n')
  return await startNode(join(dir, 'data'), ['--no-capture', '--config', config])
}

/** Every record as export prints it, sorted (COF lines carry the origin as sensor_id). */
async function exportLines(data: string): Promise<string[]> {
  const r = await runCli(['export', '--data', data])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .sort()
}

// biome-ignore lint/suspicious/noExplicitAny: the summary JSON is checked field by field
function summaryOf(stderr: string): Record<string, any> {
  const line = stderr.split('\n').find((l) => l.startsWith('{'))
  assert.ok(line !== undefined, `no JSON summary in:\n${stderr}`)
  return JSON.parse(line)
}

/** The node's import state (its status, through the control socket). */
async function importStatus(data: string) {
  const s = await new RemoteBackend(controlSocketPath(data)).status()
  return s.components.import as {
    running: { files: number; file: number; bytes: number; total: number } | null
    jobs: number
    busy: number
  }
}

/** `n` distinct COF A records (seeded), two sensors: a file of some megabytes. */
async function writeCof(file: string, n: number, seed: number): Promise<Set<string>> {
  const rand = prng(seed)
  const lines: string[] = []
  const keys = new Set<string>()
  for (let i = 0; i < n; i++) {
    const rrname = `h${i.toString(36)}x${randInt(rand, 1e6).toString(36)}.zone${randInt(rand, 50)}.example.org`
    const rdata = `10.${randInt(rand, 256)}.${randInt(rand, 256)}.${randInt(rand, 256)}`
    const first = 1_767_225_600 + randInt(rand, 86_400 * 30)
    const sensor = rand() < 0.5 ? 'east' : 'west'
    keys.add(`${rrname} ${rdata} cof:${sensor}`)
    lines.push(
      JSON.stringify({
        rrname,
        rrtype: 'A',
        rdata,
        time_first: first,
        time_last: first + randInt(rand, 86_400),
        count: 1 + randInt(rand, 100),
        sensor_id: sensor,
      }),
    )
  }
  await writeFile(file, `${lines.join('\n')}\n`)
  return keys
}

/** Records of COF origins in an export, as writeCof's keys. */
function cofKeys(lines: readonly string[]): string[] {
  return lines
    .map((l) => JSON.parse(l) as { rrname: string; rdata?: string[]; sensor_id: string })
    .filter((o) => o.sensor_id.startsWith('cof:'))
    .map((o) => `${o.rrname} ${(o.rdata ?? []).join(' ')} ${o.sensor_id}`)
}

const SUMMARY_KEYS = [
  'dataDir',
  'files',
  'captures',
  'cofFiles',
  'dnstapFiles',
  'dnstapFrames',
  'frames',
  'observations',
  'cofLines',
  'badLines',
  'logFiles',
  'logLines',
  'logBadLines',
  'records',
  'inserted',
  'updated',
  'unchanged',
  'skipped',
  'seconds',
  'interrupted',
  'errors',
]

test('an import into a running node stores exactly what a stopped import stores, under the same origins, with the same summary', async (t) => {
  if (!requireCorpus(t, 'import into a running node vs a stopped import')) return
  const dir = await tempDir()
  const cof = join(dir, 'sensors.cof')
  await writeCof(cof, 500, 11)
  // every corpus capture and dnstap file (one Frame Streams file of another content type left out:
  // it would refuse the whole import, as it should), a COF file with sensor_ids, a Suricata EVE
  // file and a passivedns log
  const files = [
    ...readManifest()
      .map((r) => r.local)
      .filter((p) => !p.endsWith('fstrm/test.fstrm'))
      .map((p) => resolve(CORPUS_DIR, p)),
    cof,
    join(REPO, 'test/fixtures/logs/suricata/eve-dns-4.1.4.log'),
    join(REPO, 'test/fixtures/logs/passivedns/ndpi_dns_ambiguous_names.log'),
  ]
  const node = await runningNode(dir)
  let running: Record<string, unknown>
  try {
    const r = await runCli(['import', '--data', node.dataDir, '--summary-json', ...files])
    assert.equal(r.code, 0, r.stderr)
    running = summaryOf(r.stderr)
    // the records are written when the import ends, not at the node's next flush
    assert.ok((await node.stats()).records > 0)
  } finally {
    assert.equal((await node.stop()).code, 0)
  }
  // the same identity: the node's own origin is its peer id
  const stopped = join(dir, 'stopped')
  await mkdir(stopped)
  await copyFile(join(node.dataDir, 'identity.key'), join(stopped, 'identity.key'))
  const r = await runCli(['import', '--data', stopped, '--summary-json', '--flush-interval', '0', ...files])
  assert.equal(r.code, 0, r.stderr)
  const local = summaryOf(r.stderr)
  assert.deepEqual(Object.keys(running).sort(), [...SUMMARY_KEYS].sort())
  for (const k of ['dataDir', 'seconds']) {
    delete running[k]
    delete local[k]
  }
  assert.deepEqual(running, local)
  assert.ok(local.captures > 200 && local.dnstapFiles === 3 && local.cofFiles === 1 && local.logFiles === 2)
  const a = await exportLines(node.dataDir)
  const b = await exportLines(stopped)
  assert.ok(a.length > 1000)
  assert.deepEqual(a, b)
  // the node sealed its own records into its feed as it wrote them, as a stopped import does
  const statsOf = async (data: string) => {
    const s = await runCli(['stats', '--data', data, '--format', 'json'])
    assert.equal(s.code, 0, s.stderr)
    const j = JSON.parse(s.stdout) as { origins: { label: string }[]; feeds: { entries: number }[] }
    return { origins: j.origins.map((o) => o.label).sort(), sealed: j.feeds.length > 0 }
  }
  assert.deepEqual(await statsOf(node.dataDir), await statsOf(stopped))
})

test('a running node streams progress per file and ends with the summary; --origin and its checks apply as in a stopped import', async () => {
  const dir = await tempDir()
  const cof = join(dir, 'c.cof')
  await writeCof(cof, 20_000, 3)
  const node = await runningNode(dir)
  try {
    const socket = controlSocketPath(node.dataDir)
    const events: ImportEvent[] = []
    const r = await importThroughNode(
      socket,
      { files: [SAMPLE, cof], origin: null, ports: [53], dnstapTypes: null },
      { onEvent: (e) => events.push(e) },
    )
    assert.deepEqual(r.errors, [])
    assert.equal(r.nodeStopped, false)
    assert.equal(r.summary.files, 2)
    assert.equal(r.summary.captures, 1)
    assert.equal(r.summary.cofLines, 20_000)
    assert.deepEqual(
      events.filter((e) => e.event === 'file'),
      [
        { event: 'file', index: 0, file: SAMPLE, kind: 'capture', unit: 'pkt' },
        { event: 'file', index: 1, file: cof, kind: 'cof', unit: 'line' },
      ],
    )
    const progress = events.filter((e) => e.event === 'progress' && e.index === 1) as Extract<
      ImportEvent,
      { event: 'progress' }
    >[]
    assert.ok(progress.length >= 1)
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.bytes >= progress[i - 1]!.bytes)
    const last = progress.at(-1)!
    assert.equal(last.bytes, last.total, 'the last progress line says the file was read through')
    assert.equal(last.items, 20_000)

    // the text summary of a local import; relative paths are the CLI's, resolved for the node
    const text = await runCli([
      'import',
      '--data',
      node.dataDir,
      '--origin',
      'site-a',
      'test/fixtures/sample.pcap',
    ])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stderr, /^files 1 \(captures 1, COF 0\): packets 17, observations 13$/m)
    assert.match(text.stderr, /^records inserted 11, updated 0, unchanged 0 /m)
    const s = await node.stats()
    assert.ok(s.origins.some((o: { label: string }) => o.label === 'site-a'))

    // another node's origin is refused, as in a stopped import; options of a local import are explained
    const other = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
    const refused = await runCli(['import', '--data', node.dataDir, '--origin', other, SAMPLE])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /another node's origin/)
    for (const option of ['--window-mb', '--flush-interval']) {
      const o = await runCli(['import', '--data', node.dataDir, option, '5', SAMPLE])
      assert.equal(o.code, 2)
      assert.match(
        o.stderr,
        new RegExp(`^pdns-mesh import: ${option}: a node runs on .* leave ${option} out`),
      )
    }
  } finally {
    assert.equal((await node.stop()).code, 0)
  }
})

test("Ctrl-C of the CLI stops the node's import, keeps what was read, and leaves the node running; a second import meanwhile is refused (ERR_IMPORT_BUSY)", async () => {
  const dir = await tempDir()
  const cof = join(dir, 'big.cof')
  const keys = await writeCof(cof, 60_000, 5)
  const node = await runningNode(dir)
  try {
    // the file many times over: the import is still running whenever the signal arrives
    const copies = Array.from({ length: 40 }, () => cof)
    const a = startCli(['import', '--data', node.dataDir, '--summary-json', ...copies])
    await until(
      'the node to be importing',
      async () => ((await importStatus(node.dataDir)).running?.bytes ?? 0) > 0,
    )

    const b = await runCli(['import', '--data', node.dataDir, SAMPLE])
    assert.equal(b.code, 1)
    assert.match(
      b.stderr,
      /^pdns-mesh import: the node is already importing \(file \d+ of 40, started .*\); one import at a time$/m,
    )

    a.child.kill('SIGINT')
    const r = await a.done
    assert.equal(r.code, 130, r.stderr)
    const summary = summaryOf(r.stderr)
    assert.equal(summary.interrupted, true)
    assert.ok(summary.files >= 1 && summary.files < 40)
    assert.deepEqual(summary.errors, [])
    assert.match(r.stderr, /interrupted; what was read is imported \(the node runs on\)/)

    // the node runs on, idle, and holds what was read: records of the file, one each
    const st = await importStatus(node.dataDir)
    assert.deepEqual(st, { running: null, jobs: 1, busy: 1 })
    const got = cofKeys(await exportLines(node.dataDir))
    assert.ok(got.length > 0)
    assert.equal(got.length, summary.inserted)
    assert.equal(new Set(got).size, got.length)
    for (const k of got) assert.ok(keys.has(k), `${k} is not a record of the file`)
    // and takes the next import
    const c = await runCli(['import', '--data', node.dataDir, SAMPLE])
    assert.equal(c.code, 0, c.stderr)
  } finally {
    assert.equal((await node.stop()).code, 0)
  }
})

test('a node stopping during an import cuts it short, says so in the summary, and keeps what was read', async () => {
  const dir = await tempDir()
  const cof = join(dir, 'big.cof')
  const keys = await writeCof(cof, 60_000, 6)
  const node = await runningNode(dir)
  const a = startCli([
    'import',
    '--data',
    node.dataDir,
    '--summary-json',
    ...Array.from({ length: 40 }, () => cof),
  ])
  await until(
    'the node to be importing',
    async () => ((await importStatus(node.dataDir)).running?.bytes ?? 0) > 0,
  )
  const stopped = node.stop()
  const r = await a.done
  assert.equal((await stopped).code, 0)
  assert.equal(r.code, 1, r.stderr)
  const summary = summaryOf(r.stderr)
  assert.equal(summary.interrupted, true)
  assert.ok(summary.files < 40)
  assert.match(summary.errors.at(-1), /^the node stopped during the import: it read \d+ of 40 file\(s\)/)
  assert.doesNotMatch(r.stderr, /the node runs on/)
  const got = cofKeys(await exportLines(node.dataDir))
  assert.equal(got.length, summary.inserted)
  for (const k of got) assert.ok(keys.has(k))
})

test('files the node cannot read are refused by name before anything is imported; the node is unharmed', async () => {
  const dir = await tempDir()
  const node = await runningNode(dir)
  try {
    const junk = join(dir, 'junk.bin')
    await writeFile(junk, 'not a capture\n\u0000\u0001')
    const missing = join(dir, 'missing.pcap')
    // a directory: unreadable as a file for any user, root included
    const r = await runCli(['import', '--data', node.dataDir, SAMPLE, missing, dir, junk])
    assert.equal(r.code, 1)
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines.length, 4, r.stderr)
    assert.match(
      lines[0]!,
      /^pdns-mesh import: .*missing\.pcap: cannot open: ENOENT.*\(the node reads the files itself, as uid \d+\)$/,
    )
    assert.match(
      lines[1]!,
      /^pdns-mesh import: .*: cannot open: EISDIR.*\(the node reads the files itself, as uid \d+\)$/,
    )
    assert.match(lines[2]!, /^pdns-mesh import: .*junk\.bin: content is neither a capture/)
    assert.equal(lines[3], 'pdns-mesh import: nothing was imported')
    assert.equal((await node.stats()).records, 0)
    assert.deepEqual(await importStatus(node.dataDir), { running: null, jobs: 0, busy: 0 })
    const ok = await runCli(['import', '--data', node.dataDir, SAMPLE])
    assert.equal(ok.code, 0, ok.stderr)
  } finally {
    assert.equal((await node.stop()).code, 0)
  }
})

test('an import reaching a node that is stopping is refused (ERR_NODE_STOPPING) and writes nothing', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const store = await Store.open(data, { create: true })
  const { log } = capturedLog()
  const imports = new ImportRunner(
    { store, log, onWindowError: (err) => assert.fail(String(err)) },
    { peerId: '12D3KooWtest', dataDir: data, flushIntervalMs: 0, windowMaxBytes: 1 << 20 },
  )
  const server = new ControlServer(
    {
      backend: LocalBackend.over(store, null),
      imports,
      status: () => ({
        version: '0.0.0-test',
        pid: process.pid,
        peerId: '12D3KooWtest',
        startedAt: 0,
        dataDir: data,
        components: {},
      }),
      log,
    },
    { socketPath: controlSocketPath(data) },
  )
  await server.start()
  try {
    // the node's stop begins with its imports: from then on, until its control socket closes
    await imports.stop()
    const r = await runCli(['import', '--data', data, SAMPLE])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'pdns-mesh import: the node is stopping: it takes no import now\n')
    assert.equal(imports.status().jobs, 0)
  } finally {
    await server.stop()
    await store.close()
  }
})
