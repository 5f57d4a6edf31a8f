/**
 * The HTTP API on threads of its own (api.threads = 2), against a real node: connections are spread
 * over both threads (the node's status counts each thread's answers), both answer what the node's
 * own thread would, a key's rate and an address's failed authentications are one budget across the
 * threads (per-thread buckets would let through up to twice as many), /metrics adds up the threads'
 * requests, a key made or revoked while the node runs is seen by every thread, so are a reload's
 * log level and default rate, and the node stops cleanly. The question endpoints and mesh=1 on
 * threads are in questions.test.ts, HTTPS in listeners.test.ts.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { MAX_AUTH_FAILURES_PER_MIN } from '../../node/api/http/index.ts'
import { KEY_FILE_CHECK_MS } from '../../node/api/http/keys.ts'
import { type NodeProcess, startNode, until, writeConfig } from '../e2e/node-process.ts'
import { runCli } from '../helpers/run-cli.ts'
import { createApiKey, importSample, tempDir } from './helpers.ts'
import { parseProm } from './prometheus.ts'

/**
 * One request on a connection of its own (no keep-alive): the kernel picks a thread for each.
 * `from`: the client's loopback address (rate state is per address).
 */
function fresh(
  base: string,
  path: string,
  headers: Record<string, string>,
  from = '127.0.0.1',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { headers: { ...headers, connection: 'close' }, agent: false, localAddress: from },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          body += d
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

interface StatsJson {
  node: { components: { api: { threads: number; answered: number[]; restarts: number } | null } }
}

describe('the HTTP API on two threads of its own', () => {
  let cleanup: () => Promise<void>
  let data: string
  let node: NodeProcess
  let base: string
  let metricsBase: string
  let key: string
  let slowKey: string
  let config: string
  const LOOKUP = '/dnsdb/v2/lookup/rrset/name/example.com'

  before(async () => {
    const t = await tempDir('threads')
    cleanup = t.cleanup
    data = await importSample(t.dir)
    key = await createApiKey(data, 'analyst')
    slowKey = await createApiKey(data, 'slow', '--rate', '5/min')
    config = writeConfig(t.dir, '[api]\nthreads = 2\nmetrics_listen = "127.0.0.1:0"\n')
    node = await startNode(data, ['--config', config, '--no-capture', '--no-dnstap', '--api', '127.0.0.1:0'])
    const started = node.logs.find((l) => l.msg === 'node started') as unknown as {
      api: { api: string; metrics: string }
    }
    base = started.api.api
    metricsBase = started.api.metrics
  })

  after(async () => {
    await node?.stop()
    await cleanup?.()
  })

  const stats = async (): Promise<StatsJson> => {
    const r = await runCli(['stats', '--data', data, '--format', 'json'])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as StatsJson
  }

  test('connections are spread over both threads, and each answers as the node would', async () => {
    const before = (await stats()).node.components.api
    assert.equal(before?.threads, 2)
    const answers = await Promise.all(
      Array.from({ length: 64 }, () => fresh(base, LOOKUP, { 'x-api-key': key })),
    )
    for (const a of answers) assert.equal(a.status, 200, a.body)
    // every thread answered the same bytes, and they hold the records the CLI finds
    assert.equal(new Set(answers.map((a) => a.body)).size, 1)
    const lines = answers[0]!.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepEqual(lines[0], { cond: 'begin' })
    assert.deepEqual(lines.at(-1), { cond: 'succeeded' })
    assert.ok(lines.length - 2 > 0, 'the lookup found records')
    const after = (await stats()).node.components.api!
    const answered = after.answered.map((n, i) => n - before!.answered[i]!)
    assert.equal(
      answered.reduce((a, b) => a + b, 0),
      64,
    )
    // 64 connections from as many source ports, spread by the kernel: all on one thread would be a
    // chance of 2^-63
    assert.ok(
      answered.every((n) => n > 0),
      `each thread answered some: ${answered}`,
    )
    assert.equal(after.restarts, 0)
  })

  test("a key's rate is one budget across the threads", async () => {
    const started = performance.now()
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => fresh(base, LOOKUP, { 'x-api-key': slowKey })),
    )
    // 5 a minute: 5 at once, then one every 12 s (more only if this took that long)
    const refilled = Math.floor((performance.now() - started) / 12_000)
    const ok = answers.filter((a) => a.status === 200).length
    const limited = answers.filter((a) => a.status === 429).length
    assert.equal(ok + limited, 16)
    assert.ok(ok >= 5 && ok <= 5 + refilled, `${ok} answered at 5/min (+${refilled} refilled)`)
  })

  test("/metrics adds up the threads' requests, on the API listener and on metrics_listen", async () => {
    const count = async (url: string, headers: Record<string, string> = {}) => {
      const r = await fresh(url, '/metrics', headers)
      assert.equal(r.status, 200, r.body)
      const m = parseProm(r.body)
      let n = 0
      for (const [k, v] of m) {
        if (k.startsWith('pdns_api_requests_total{') && k.includes('route="dnsdb/rate_limit"')) n += v
      }
      return { n, m }
    }
    const before = await count(metricsBase)
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => fresh(base, '/dnsdb/v2/rate_limit', { 'x-api-key': key })),
    )
    for (const a of answers) assert.equal(a.status, 200, a.body)
    const after = await count(metricsBase)
    assert.equal(after.n - before.n, 24)
    // the node's own metrics are there too, once
    assert.ok(after.m.has('pdns_window_flushes_total'))
    const viaApi = await count(base, { 'x-api-key': key })
    assert.equal(viaApi.n, after.n)
  })

  test('a key made or revoked while the node runs is seen by every thread', async () => {
    // each thread re-reads a changed key file on its first request KEY_FILE_CHECK_MS after its last look
    const settle = () => new Promise((r) => setTimeout(r, KEY_FILE_CHECK_MS + 50))
    const round = () =>
      Promise.all(Array.from({ length: 16 }, () => fresh(base, LOOKUP, { 'x-api-key': doomed }, '127.0.0.2')))
    const doomed = await createApiKey(data, 'doomed')
    await settle()
    for (const a of await round()) assert.equal(a.status, 200, a.body)
    const r = await runCli(['apikey', 'revoke', 'doomed', '--data', data])
    assert.equal(r.code, 0, r.stderr)
    await settle()
    for (const a of await round()) assert.equal(a.status, 403, a.body)
  })

  test("a reload's log level and default rate reach every thread", async () => {
    writeFileSync(
      config,
      '[log]\nlevel = "debug"\n[api]\nthreads = 2\nmetrics_listen = "127.0.0.1:0"\nrate = 777\n',
    )
    const r = await runCli(['reload', '--data', data])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const answers = await Promise.all(
      Array.from({ length: 16 }, () =>
        fresh(base, '/dnsdb/v2/rate_limit', { 'x-api-key': key }, '127.0.0.4'),
      ),
    )
    for (const a of answers) {
      assert.equal(a.status, 200, a.body)
      assert.equal((JSON.parse(a.body) as { rate: { burst_size: number } }).rate.burst_size, 777)
    }
    await Promise.all(
      Array.from({ length: 16 }, () => fresh(base, LOOKUP, { 'x-api-key': key }, '127.0.0.4')),
    )
    // the DNSDB route logs each answer at debug level, tagged with the thread that answered it
    await until('both threads log at debug level', () => {
      const threads = new Set(node.logs.filter((l) => l.msg === 'DNSDB answer ended').map((l) => l.thread))
      return threads.has(0) && threads.has(1)
    })
  })

  // after the tests that authenticate: from here on this address is limited
  test("an address's failed authentications are one budget across the threads", async () => {
    const started = performance.now()
    const n = MAX_AUTH_FAILURES_PER_MIN + 20
    const answers: number[] = []
    // one after the other: each failure is counted before the next one is asked
    // from an address of its own: the other tests' refusals (a revoked key) count for 127.0.0.1
    for (let i = 0; i < n; i++)
      answers.push((await fresh(base, LOOKUP, { 'x-api-key': 'pdm_wrong' }, '127.0.0.3')).status)
    const refilled = Math.floor(((performance.now() - started) * MAX_AUTH_FAILURES_PER_MIN) / 60_000)
    const refused = answers.filter((s) => s === 403).length
    assert.equal(refused + answers.filter((s) => s === 429).length, n)
    assert.ok(
      refused >= MAX_AUTH_FAILURES_PER_MIN && refused <= MAX_AUTH_FAILURES_PER_MIN + refilled,
      `${refused} refused before the address was limited`,
    )
  })

  test('the node stops cleanly with its API threads, and its store checks out', async () => {
    const pending = Array.from({ length: 8 }, () =>
      fresh(base, LOOKUP, { 'x-api-key': key }).catch(() => null),
    )
    const { code } = await node.stop()
    await Promise.all(pending)
    assert.equal(code, 0)
    assert.ok(
      !node.logs.some((l) => l.level === 'error'),
      JSON.stringify(node.logs.filter((l) => l.level === 'error')),
    )
    const check = await runCli(['check', '--data', data])
    assert.equal(check.code, 0, check.stdout + check.stderr)
  })
})
