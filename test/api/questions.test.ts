/**
 * The seven questions over HTTP against a real node: each endpoint's JSON equals what its CLI
 * command prints with --format json for the same data (a COF file with a known history), mesh=1
 * equals --mesh, and bad input is a 4xx with a message; the same with the API on two threads of its
 * own (api.threads = 2).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { T0 } from '../analysis/history-corpus.ts'
import type { NodeProcess } from '../e2e/node-process.ts'
import { runCli } from '../helpers/run-cli.ts'
import { BRAND, type CorpusNode, startCorpusNode } from './question-corpus.ts'

// api.threads 0 (the node's thread) and 2 (threads of their own, mesh=1 asked of the node's thread)
for (const threads of [0, 2])
  describe(`question endpoints against a real node (api.threads ${threads})`, () => {
    let corpus: CorpusNode
    let node: NodeProcess
    let base: string
    let key: string

    before(async () => {
      corpus = await startCorpusNode('questions', threads)
      ;({ node, base, key } = corpus)
    })

    after(async () => {
      await corpus?.stop()
    })

    const cli = async (args: string[]): Promise<unknown> => {
      const r = await runCli([...args, '--data', node.dataDir, '--format', 'json'])
      assert.equal(r.code, 0, r.stderr)
      return JSON.parse(r.stdout)
    }
    const get = (path: string, headers: Record<string, string> = { 'X-API-Key': key }) =>
      fetch(`${base}${path}`, { headers })
    const http = async (path: string): Promise<unknown> => {
      const r = await get(path)
      const text = await r.text()
      assert.equal(r.status, 200, text)
      assert.match(r.headers.get('content-type') ?? '', /application\/json/)
      return JSON.parse(text)
    }

    const same: [string, string[], string][] = [
      ['ns-history', ['ns-history', 'moved-shop.com'], '/api/v1/ns-history/moved-shop.com'],
      ['ip-history', ['ip-history', 'www.moved-shop.com'], '/api/v1/ip-history/www.moved-shop.com'],
      ['ip (a CIDR)', ['ip', '192.0.2.0/24'], '/api/v1/ip/192.0.2.0/24'],
      [
        'ip (one address, fenced)',
        ['ip', '198.51.100.20', '--last-after', String(T0)],
        `/api/v1/ip/198.51.100.20?last_after=${T0}`,
      ],
      ['flux', ['flux', '--limit', '5'], '/api/v1/flux?limit=5'],
      ['lookalikes', ['lookalikes', BRAND], `/api/v1/lookalikes/${BRAND}`],
      ['cname-audit', ['cname-audit', BRAND], `/api/v1/cname-audit/${BRAND}`],
      ['new', ['new', '--since', String(T0), '--limit', '20'], `/api/v1/new?since=${T0}&limit=20`],
    ]
    for (const [what, args, path] of same) {
      test(`${what}: the endpoint answers what the CLI prints with --format json`, async () => {
        const [c, h] = await Promise.all([cli(args), http(path)])
        assert.deepEqual(h, c)
      })
    }

    test('the answers hold the known history (not two empty answers)', async () => {
      const ns = (await http('/api/v1/ns-history/moved-shop.com')) as { changes: unknown[] }
      assert.equal(ns.changes.length, 2)
      const audit = (await http(`/api/v1/cname-audit/${BRAND}`)) as {
        findings: { name: string; status: string }[]
      }
      assert.deepEqual(audit.findings.map((f) => [f.name, f.status]).sort(), [
        [`shop.${BRAND}`, 'stale'],
        [`static.${BRAND}`, 'dangling'],
        [`www.${BRAND}`, 'ok'],
      ])
      const look = (await http(`/api/v1/lookalikes/${BRAND}`)) as { candidates: { name: string }[] }
      assert.ok(look.candidates.some((c) => c.name === 'examp1ebank.com'))
    })

    test('mesh=1 answers what --mesh prints, with the peers in a header', async () => {
      const r = await get('/api/v1/ns-history/moved-shop.com?mesh=1')
      assert.equal(r.status, 200)
      assert.deepEqual(JSON.parse(r.headers.get('x-pdns-mesh-peers') ?? 'null'), [])
      assert.deepEqual(await r.json(), await cli(['ns-history', 'moved-shop.com', '--mesh']))
      const c = await get(`/api/v1/cname-audit/${BRAND}?mesh=1&mesh_timeout=5`)
      assert.equal(c.status, 200)
      assert.deepEqual(await c.json(), await cli(['cname-audit', BRAND, '--mesh']))
    })

    test('a result count is clamped to the key and the engine', async () => {
      const a = (await http('/api/v1/flux?limit=99999999')) as { names: unknown[] }
      assert.ok(a.names.length > 0)
      const n = (await http(`/api/v1/new?since=${T0}&limit=1`)) as { names: unknown[] }
      assert.equal(n.names.length, 1)
    })

    const bad: [string, number, RegExp][] = [
      ['/api/v1/ip/not-an-address', 400, /address/],
      ['/api/v1/ip/', 400, /missing/],
      ['/api/v1/ns-history/bad..name', 400, /./],
      ['/api/v1/ip-history/www.moved-shop.com?first_after=yesterday-ish', 400, /first_after/],
      ['/api/v1/lookalikes/examplebank.com?max_distance=9', 400, /max_distance/],
      ['/api/v1/cname-audit/examplebank.com?stale_after=soon', 400, /stale_after/],
      ['/api/v1/new?since=2099-01-01', 400, /future/],
      ['/api/v1/new?mesh=1&cursor=x', 400, /cursor/],
      ['/api/v1/flux?limit=many', 400, /limit/],
      ['/api/v1/ns-history/moved-shop.com?mesh_timeout=5', 400, /mesh_timeout/],
    ]
    for (const [path, status, message] of bad) {
      test(`bad input ${path} is answered ${status} with a message`, async () => {
        const r = await get(path)
        assert.equal(r.status, status)
        const body = (await r.json()) as { message: string }
        assert.match(body.message, message)
      })
    }

    test('the questions need a key like every other route', async () => {
      assert.equal((await get('/api/v1/ns-history/moved-shop.com', {})).status, 401)
      assert.equal(
        (await get('/api/v1/cname-audit/examplebank.com', { 'X-API-Key': 'pdm_wrong' })).status,
        403,
      )
    })

    test("the web page's files need no key, and no other path does", async () => {
      const page = await get('/', {})
      assert.equal(page.status, 200)
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self' 'sha256-/)
      assert.match(await page.text(), /<script type="module" src="\/web\/app.js">/)
      const chart = await get('/vendor/chart.js/chart.js', {})
      assert.equal(chart.status, 200)
      assert.match(chart.headers.get('content-type') ?? '', /javascript/)
      for (const path of [
        '/web/../package.json',
        '/web/..%2F..%2Fpackage.json',
        '/web/nope.js',
        '/vendor/chart.js/chart.cjs',
      ]) {
        const r = await get(path, {})
        assert.ok(r.status === 401 || r.status === 404, `${path}: ${r.status}`)
      }
    })

    test('/openapi.json lists the seven questions with their parameters', async () => {
      const doc = (await http('/openapi.json')) as {
        paths: Record<string, { get: { parameters: { name: string }[] } }>
      }
      for (const p of [
        'new',
        'ip/{value}',
        'ns-history/{value}',
        'ip-history/{value}',
        'flux',
        'lookalikes/{value}',
        'cname-audit/{value}',
      ]) {
        assert.ok(`/api/v1/${p}` in doc.paths, p)
      }
      const names = doc.paths['/api/v1/lookalikes/{value}']!.get.parameters.map((x) => x.name)
      assert.ok(names.includes('max_distance') && names.includes('mesh'))
    })
  })
