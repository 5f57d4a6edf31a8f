/**
 * The CLI beside a running node: `query`, `export` and `stats` find `<data>/control.sock` and ask the
 * node. The test process plays the node — it holds the database open (so a CLI that opened it itself
 * would fail with ERR_DB_LOCKED) and serves a real ControlServer on the data directory's socket.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { controlSocketPath } from '../../node/api/index.ts'
import { runCli } from '../helpers/run-cli.ts'
import { importSample, startTestNode, type TestNode, tempDir } from './helpers.ts'

let parent: string
let cleanup: () => Promise<void>
let data: string
let node: TestNode

before(async () => {
  const t = await tempDir('cli')
  parent = t.dir
  cleanup = t.cleanup
  data = await importSample(parent)
  node = await startTestNode(data)
})

after(async () => {
  await node.close()
  await cleanup()
})

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

test('query rrset goes through the node: the database is locked by it, yet the answer comes', async () => {
  const before = node.server.stats().requests
  const r = await runCli(['query', 'rrset', '*.example.com', '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const got = lines(r.stdout).map((x) => `${x.rrname} ${x.rrtype} ${x.rdata}`)
  const want = (await node.local.rrset({ name: { kind: 'below', name: 'example.com' } })).records.map(
    (x) => `${x.rrname} ${x.rrtype} ${x.rdata}`,
  )
  assert.deepEqual(got, want)
  assert.equal(got.length, 8)
  // a ping, then the query
  assert.equal(node.server.stats().requests, before + 2)
})

test('query rdata and query name answer as the node does', async () => {
  const rd = await runCli(['query', 'rdata', '203.0.113.0/24', '--data', data, '--format', 'json'])
  assert.equal(rd.code, 0, rd.stderr)
  const want = await node.local.rdata({
    target: { kind: 'address', lo: Uint8Array.of(203, 0, 113, 0), hi: Uint8Array.of(203, 0, 113, 255) },
  })
  assert.deepEqual(
    lines(rd.stdout).map((x) => x.rdata),
    want.records.map((x) => x.rdata),
  )
  const name = await runCli(['query', 'name', 'example.com', '--data', data, '--format', 'json'])
  assert.equal(name.code, 0, name.stderr)
  // first_seen/last_seen (ISO text) and the freshness (of the asker's clock) are the CLI's additions
  const { first_seen, last_seen, active, age_days, ...summary } = JSON.parse(name.stdout)
  assert.deepEqual([first_seen, last_seen], ['2026-01-01T00:00:05Z', '2026-01-01T00:00:16Z'])
  assert.equal(typeof active, 'boolean')
  assert.ok(Number.isInteger(age_days))
  assert.deepEqual(summary, await node.local.summary('example.com'))
})

test('a limited page through the node prints the same next-page cursor as the node gives', async () => {
  const r = await runCli([
    'query',
    'rrset',
    '*.example.com',
    '--limit',
    '3',
    '--data',
    data,
    '--format',
    'json',
  ])
  assert.equal(r.code, 0, r.stderr)
  const page = await node.local.rrset({ name: { kind: 'below', name: 'example.com' }, limit: 3 })
  assert.equal(lines(r.stdout).length, 3)
  assert.match(r.stderr, new RegExp(`next: --cursor ${page.cursor!.replaceAll('.', '\\.')}`))
})

test('export through the node writes every record, in order', async () => {
  const r = await runCli(['export', '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const want: string[] = []
  for await (const x of node.local.export()) want.push(`${x.rrname} ${x.rrtype} ${x.rdata} ${x.kind}`)
  assert.deepEqual(
    lines(r.stdout).map((x) => `${x.rrname} ${x.rrtype} ${x.rdata} ${x.kind}`),
    want,
  )
})

test('stats through the node adds the node status: in JSON under "node", in the table as rows', async () => {
  const json = await runCli(['stats', '--data', data, '--format', 'json'])
  assert.equal(json.code, 0, json.stderr)
  assert.deepEqual(JSON.parse(json.stdout), { ...(await node.local.stats()), node: node.status })
  const table = await runCli(['stats', '--data', data, '--format', 'table'])
  assert.equal(table.code, 0, table.stderr)
  assert.match(table.stdout, /^records +11 \(answers 9, negative answers 2\)$/m)
  assert.match(table.stdout, /^peer id +12D3KooWtest$/m)
  assert.match(table.stdout, /^capture\.eth0\.dropped +3$/m)
  assert.match(table.stdout, /^dnstap\.connections +1$/m)
})

test("a query the node refuses exits 2 with the node's message, as it would locally", async () => {
  const r = await runCli(['query', 'rrset', 'www.example.com', '--origin', 'cof:nobody', '--data', data])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /unknown origin \(vantage\): "cof:nobody"/)
})

test("without the control socket the CLI opens the database itself, and the node's lock stops it", async () => {
  await node.server.stop()
  try {
    const r = await runCli(['query', 'rrset', 'www.example.com', '--data', data])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /in use by another process/)
  } finally {
    await node.server.start()
  }
  const again = await runCli(['query', 'rrset', 'www.example.com', '--data', data, '--format', 'json'])
  assert.equal(again.code, 0, again.stderr)
})

test('a stale socket (its node killed) is passed over: the CLI reads the database itself', async () => {
  const other = await importSample(parent, 'stale')
  const path = controlSocketPath(other)
  const script = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('ready'))`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.on('close', resolve))
  const r = await runCli(['query', 'rrset', 'www.example.com', '--data', other, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(lines(r.stdout).length, 1)
})

test('a socket that accepts but does not answer as a node: ERR_NODE_UNREACHABLE, exit 1', async () => {
  const dir = join(parent, 'impostor')
  await mkdir(dir)
  const server = createServer((s) => {
    s.on('error', () => {})
    s.end('220 smtp.example ESMTP\r\n')
  })
  await new Promise<void>((resolve) => server.listen(controlSocketPath(dir), resolve))
  try {
    for (const args of [['query', 'rrset', 'www.example.com'], ['stats'], ['export']]) {
      const r = await runCli([...args, '--data', dir])
      assert.equal(r.code, 1, args.join(' '))
      assert.match(
        r.stderr,
        /control\.sock: does not answer as a pdns-mesh node should \(its answer is not HTTP\)/,
      )
    }
  } finally {
    server.close()
  }
})
