/**
 * The HTTP API against a real node, with Debian's dnsdbq in both of its modes (-u dnsdb2, -u circl):
 * results equal the CLI's for the same query; keys, rates and bad input are answered with 4xx and a
 * message; /metrics parses and moves.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { type NodeProcess, startNode, until } from '../e2e/node-process.ts'
import { runCli } from '../helpers/run-cli.ts'
import { createApiKey, importSample } from './helpers.ts'
import { parseProm } from './prometheus.ts'

const run = promisify(execFile)

async function hasDnsdbq(): Promise<boolean> {
  try {
    await run('dnsdbq', ['-v'])
    return true
  } catch {
    return false
  }
}

const dnsdbqMissing = !(await hasDnsdbq())
if (dnsdbqMissing && process.env.CI === 'true') throw new Error('dnsdbq is missing (apt-get install dnsdbq)')
const skip = dnsdbqMissing ? 'dnsdbq is not installed (apt-get install dnsdbq)' : false

/** A COF object with sorted keys, so that objects compare whatever their field order. */
function canon(o: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))))
}

function lines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('--') && !l.startsWith('++'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

/** The CLI's answers with negatives left out (they have no rdata, so DNSDB and CIRCL leave them out). */
async function cli(args: string[], data: string): Promise<string[]> {
  const r = await runCli(['query', ...args, '--data', data, '--format', 'cof'])
  assert.equal(r.code, 0, r.stderr)
  return lines(r.stdout)
    .filter((o) => o.negative === undefined)
    .map(canon)
    .sort()
}

describe('HTTP API with dnsdbq against a real node', { skip }, () => {
  let dir: string
  let node: NodeProcess
  let base: string
  let key: string
  let slowKey: string
  let conf: string

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pdns-http-'))
    const data = await importSample(dir, 'data')
    key = await createApiKey(data, 'alice')
    slowKey = await createApiKey(data, 'slow', '--rate', '2/min')
    node = await startNode(data, ['--no-capture', '--no-dnstap', '--api', '127.0.0.1:0'])
    const started = node.logs.find((l) => l.msg === 'node started') as unknown as { api: { api: string } }
    base = started.api.api
    conf = join(dir, 'dnsdbq.conf')
    writeFileSync(
      conf,
      `DNSDB_API_KEY="${key}"\nDNSDB_SERVER="${base}"\nCIRCL_AUTH="alice:${key}"\nCIRCL_SERVER="${base}/pdns/query"\n`,
    )
  })

  after(async () => {
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const dnsdbq = async (args: string[], input?: string): Promise<string[]> => {
    const child = execFile('dnsdbq', ['-j', ...args], { env: { ...process.env, DNSDBQ_CONFIG_FILE: conf } })
    if (input !== undefined) child.stdin!.end(input)
    else child.stdin!.end()
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    assert.equal(code, 0, `dnsdbq ${args.join(' ')} exited ${code}`)
    return lines(out).map(canon).sort()
  }

  for (const mode of ['dnsdb2', 'circl']) {
    test(`${mode}: rrset with a left wildcard equals the CLI's`, async () => {
      const got = await dnsdbq(['-u', mode, '-r', '*.example.com'])
      assert.ok(got.length > 0)
      assert.deepEqual(got, await cli(['rrset', '*.example.com'], node.dataDir))
    })
    test(`${mode}: an exact name equals the CLI's`, async () => {
      assert.deepEqual(
        await dnsdbq(['-u', mode, '-r', 'www.example.com']),
        await cli(['rrset', 'www.example.com'], node.dataDir),
      )
    })
    test(`${mode}: an address prefix (CIDR) equals the CLI's`, async () => {
      const got = await dnsdbq(['-u', mode, '-i', '203.0.113.0/24'])
      assert.ok(got.length > 0)
      assert.deepEqual(got, await cli(['rdata', '203.0.113.0/24'], node.dataDir))
    })
    test(`${mode}: one address equals the CLI's`, async () => {
      assert.deepEqual(
        await dnsdbq(['-u', mode, '-i', '203.0.113.10']),
        await cli(['rdata', '203.0.113.10'], node.dataDir),
      )
    })
  }

  test('dnsdb2: rdata by name, type, time fences and limit', async () => {
    assert.deepEqual(
      await dnsdbq(['-u', 'dnsdb2', '-n', 'ns1.example.com']),
      await cli(['rdata', 'ns1.example.com'], node.dataDir),
    )
    assert.deepEqual(
      await dnsdbq(['-u', 'dnsdb2', '-r', '*.example.com/NS']),
      await cli(['rrset', '*.example.com', '--type', 'NS'], node.dataDir),
    )
    // -A: time_last_after; the sample's records are from 2026-01-01 00:00:00 to 00:00:16
    assert.deepEqual(
      await dnsdbq(['-u', 'dnsdb2', '-r', '*.example.com', '-A', '2026-01-01 00:00:10']),
      await cli(['rrset', '*.example.com', '--last-after', '2026-01-01T00:00:10Z'], node.dataDir),
    )
    assert.equal((await dnsdbq(['-u', 'dnsdb2', '-r', '*.example.com', '-l', '2'])).length, 2)
  })

  test('dnsdb2: batch mode (-f) answers each line as the CLI does', async () => {
    const got = await dnsdbq(['-u', 'dnsdb2', '-f'], 'rrset/name/www.example.com\nrdata/ip/203.0.113.0,24\n')
    const want = [
      ...(await cli(['rrset', 'www.example.com'], node.dataDir)),
      ...(await cli(['rdata', '203.0.113.0/24'], node.dataDir)),
    ].sort()
    assert.deepEqual(got, want)
  })

  test('dnsdb2: summarize is one obj with count, num_results, first and last', async () => {
    const r = await fetch(`${base}/dnsdb/v2/summarize/rrset/name/%2A.example.com`, {
      headers: { 'X-API-Key': key },
    })
    const body = lines(await r.text())
    assert.deepEqual(body[0], { cond: 'begin' })
    assert.deepEqual(Object.keys(body[1]!.obj as object).sort(), [
      'count',
      'num_results',
      'time_first',
      'time_last',
    ])
    assert.deepEqual(body.at(-1), { cond: 'succeeded' })
  })

  test('raw and percent-escaped path values mean the same', async () => {
    const get = async (path: string) =>
      await (
        await fetch(`${base}${path}`, { headers: { 'X-API-Key': key, accept: 'application/x-ndjson' } })
      ).text()
    assert.equal(
      await get('/dnsdb/v2/lookup/rrset/name/*.example.com'),
      await get('/dnsdb/v2/lookup/rrset/name/%2A.example.com'),
    )
    assert.equal(
      await get('/dnsdb/v2/lookup/rdata/ip/203.0.113.0,24'),
      await get('/dnsdb/v2/lookup/rdata/ip/203.0.113.0%2C24'),
    )
    assert.equal(await get('/pdns/query/203.0.113.0/24'), await get('/pdns/query/203.0.113.0%2C24'))
  })

  test('a short answer is NDJSON with a content-length (one write), its type as a stream had it', async () => {
    for (const path of ['/dnsdb/v2/lookup/rrset/name/*.example.com', '/pdns/query/203.0.113.0/24']) {
      const r = await fetch(`${base}${path}`, { headers: { 'X-API-Key': key } })
      const body = await r.text()
      assert.equal(r.headers.get('content-type'), 'application/x-ndjson', path)
      assert.equal(r.headers.get('content-length'), String(Buffer.byteLength(body)), path)
      assert.ok(body.endsWith('\n'), path)
    }
  })

  test('auth: no key 401, a wrong key 403, basic auth works, an over-rate key 429 with Retry-After', async () => {
    const url = `${base}/dnsdb/v2/lookup/rrset/name/www.example.com`
    assert.equal((await fetch(url)).status, 401)
    assert.equal((await fetch(url, { headers: { 'X-API-Key': 'pdm_wrong' } })).status, 403)
    const basic = `Basic ${Buffer.from(`alice:${key}`).toString('base64')}`
    assert.equal(
      (await fetch(`${base}/pdns/query/www.example.com`, { headers: { authorization: basic } })).status,
      200,
    )
    const wrongBasic = `Basic ${Buffer.from(`alice:${slowKey}`).toString('base64')}`
    assert.equal(
      (await fetch(`${base}/pdns/query/www.example.com`, { headers: { authorization: wrongBasic } })).status,
      403,
    )
    const statuses: number[] = []
    let retry: string | null = null
    for (let i = 0; i < 3; i++) {
      const r = await fetch(url, { headers: { 'X-API-Key': slowKey } })
      statuses.push(r.status)
      if (r.status === 429) retry = r.headers.get('retry-after')
      await r.text()
    }
    assert.deepEqual(statuses, [200, 200, 429])
    assert.match(retry ?? '', /^[0-9]+$/)
  })

  test('auth: a revoked key stops working while the node runs', async () => {
    const other = await createApiKey(node.dataDir, 'bob')
    const url = `${base}/api/v1/stats`
    await until(
      'the new key is taken',
      async () => (await fetch(url, { headers: { 'X-API-Key': other } })).status === 200,
    )
    assert.equal((await runCli(['apikey', 'revoke', 'bob', '--data', node.dataDir])).code, 0)
    await until(
      'the revoked key is refused',
      async () => (await fetch(url, { headers: { 'X-API-Key': other } })).status === 403,
    )
  })

  test('bad input is a 4xx with a message, and the node keeps answering', async () => {
    const paths = [
      '/dnsdb/v2/lookup/rrset/name/..%2F..%2Fetc%2Fpasswd',
      '/dnsdb/v2/lookup/rrset/name/../../etc/passwd',
      `/dnsdb/v2/lookup/rrset/name/${'a'.repeat(70)}.com`,
      `/dnsdb/v2/lookup/rrset/name/${'abc.'.repeat(300)}com`,
      '/dnsdb/v2/lookup/rrset/name/exa*mple.com',
      '/dnsdb/v2/lookup/rdata/ip/10.0.0.0,33',
      '/dnsdb/v2/lookup/rdata/ip/300.1.2.3',
      '/dnsdb/v2/lookup/rrset/name/example.com?time_first_after=yesterday',
      '/dnsdb/v2/lookup/rrset/name/example.com?limit=-1',
      `/dnsdb/v2/lookup/rrset/name/example.com?x=${'a'.repeat(10_000)}`,
      '/pdns/query/10.0.0.0%2C99',
      '/pdns/query/%ZZ',
      '/api/v1/rrset/example.com?type=NOPE',
    ]
    for (const p of paths) {
      const r = await fetch(`${base}${p}`, { headers: { 'X-API-Key': key } })
      assert.ok(r.status >= 400 && r.status < 500, `${p.slice(0, 80)}: ${r.status}`)
      assert.ok((await r.text()).length > 0, `${p.slice(0, 80)}: no message`)
    }
    assert.equal(
      (await fetch(`${base}/api/v1/name/example.com`, { headers: { 'X-API-Key': key } })).status,
      200,
    )
  })

  test('contradictory time fences are a 400 naming them, on every route that takes fences', async () => {
    const cases: [string, RegExp][] = [
      [
        '/dnsdb/v2/lookup/rrset/name/*.example.com?time_first_after=1767225700&time_first_before=1767225600',
        /impossible time range: time_first_after \(1767225700\) is later than time_first_before \(1767225600\)/,
      ],
      [
        '/dnsdb/v2/summarize/rdata/ip/203.0.113.0,24?time_last_after=-1d&time_last_before=-2d',
        /time_last_after .* is later than time_last_before/,
      ],
      // dnsdbq -c (strict): a window ending before it starts
      [
        '/dnsdb/v2/lookup/rrset/name/www.example.com?time_first_after=2026-02-01&time_last_before=2026-01-01',
        /time_first_after .* is later than time_last_before/,
      ],
      [
        '/api/v1/rrset/*.example.com?first_after=20&first_before=10',
        /first_after \(20\) is later than first_before/,
      ],
      [
        '/api/v1/rdata/203.0.113.10?first_after=20&last_before=10',
        /first_after \(20\) is later than last_before/,
      ],
      [
        '/api/v1/ns-history/example.com?last_after=20&last_before=10',
        /last_after \(20\) is later than last_before/,
      ],
      [
        '/api/v1/ip/203.0.113.0/24?first_after=-1d&first_before=-2d',
        /first_after .* is later than first_before/,
      ],
    ]
    for (const [path, message] of cases) {
      const r = await fetch(`${base}${path}`, { headers: { 'X-API-Key': key } })
      assert.equal(r.status, 400, path)
      const body = (await r.json()) as { code: string; message: string }
      assert.equal(body.code, 'ERR_BAD_QUERY', path)
      assert.match(body.message, message, path)
    }
    // equal bounds are a one-second window, not a contradiction (fences are inclusive)
    const ok = await fetch(
      `${base}/dnsdb/v2/lookup/rrset/name/*.example.com?time_first_after=1767225600&time_first_before=1767225600`,
      { headers: { 'X-API-Key': key } },
    )
    assert.equal(ok.status, 200)
    assert.deepEqual(lines(await ok.text()).at(-1), { cond: 'succeeded' })
  })

  test('native endpoints answer what the CLI prints with --format json', async () => {
    const r = await fetch(`${base}/api/v1/rrset/%2A.example.com`, { headers: { 'X-API-Key': key } })
    const want = await runCli(['query', 'rrset', '*.example.com', '--data', node.dataDir, '--format', 'json'])
    assert.equal(await r.text(), want.stdout)
    const doc = (await (await fetch(`${base}/openapi.json`, { headers: { 'X-API-Key': key } })).json()) as {
      paths: Record<string, unknown>
    }
    assert.ok('/dnsdb/v2/lookup/rrset/name/{name}' in doc.paths && '/api/v1/rrset/{value}' in doc.paths)
  })

  test('/metrics parses as the Prometheus text format and moves with traffic', async () => {
    // no metrics_listen here: /metrics is on the API listener only, behind a key like every route
    const open = await fetch(`${base}/metrics`)
    assert.equal(open.status, 401)
    await open.text()
    const scrape = async () =>
      parseProm(await (await fetch(`${base}/metrics`, { headers: { 'X-API-Key': key } })).text())
    const before = await scrape()
    const count = (m: Map<string, number>) =>
      [...m].filter(([k]) => k.startsWith('pdns_api_requests_total{')).reduce((n, [, v]) => n + v, 0)
    await (
      await fetch(`${base}/dnsdb/v2/lookup/rrset/name/www.example.com`, { headers: { 'X-API-Key': key } })
    ).text()
    const after = await scrape()
    assert.ok(count(after) > count(before))
    assert.ok(after.has('pdns_store_bytes'))
  })
})
