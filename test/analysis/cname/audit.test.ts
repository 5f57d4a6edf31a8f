import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { cnameAudit } from '../../../node/analysis/cname/audit.ts'
import { MAX_CNAME_DEPTH } from '../../../node/analysis/cname/limits.ts'
import { loadProviders, providerTable, readProviders } from '../../../node/analysis/cname/providers.ts'
import { tempDir } from '../../store/helpers.ts'
import { DAY, NOW, type Row, storeWith } from '../lookalikes/store-fixture.ts'

const providers = loadProviders()
const cname = (name: string, target: string, first: number, last: number): Row => ({
  name,
  type: 'CNAME',
  rdata: target,
  first,
  last,
})
const a = (name: string, first: number, last: number): Row => ({
  name,
  type: 'A',
  rdata: '192.0.2.7',
  first,
  last,
})
const nx = (name: string, first: number, last: number): Row => ({
  name,
  type: 'A',
  kind: 'nxdomain',
  first,
  last,
})

async function audit(rows: Row[], zone = 'example.com', staleAfter?: number) {
  const s = await storeWith(rows)
  try {
    const r = await cnameAudit(
      { backend: s.backend, providers },
      { zone, now: NOW, ...(staleAfter === undefined ? {} : { staleAfter }) },
    )
    return new Map(r.findings.map((f) => [f.name, f]))
  } finally {
    await s.cleanup()
  }
}

test('dangling, stale and ok CNAMEs, with provider and chain', async () => {
  const f = await audit([
    // healthy: CNAME to a CDN name that resolves today
    cname('www.example.com', 'd111.cloudfront.net', NOW - 100 * DAY, NOW),
    a('d111.cloudfront.net', NOW - 100 * DAY, NOW),
    // dangling: the S3 bucket's name answers NXDOMAIN after the CNAME appeared
    cname('assets.example.com', 'assets.s3.amazonaws.com', NOW - 200 * DAY, NOW - DAY),
    a('assets.s3.amazonaws.com', NOW - 200 * DAY, NOW - 60 * DAY),
    nx('assets.s3.amazonaws.com', NOW - 50 * DAY, NOW - 2 * DAY),
    // stale: the Heroku app last resolved 90 days ago, the CNAME is still seen
    cname('app.example.com', 'brand.herokuapp.com', NOW - 300 * DAY, NOW - DAY),
    a('brand.herokuapp.com', NOW - 300 * DAY, NOW - 90 * DAY),
    // dangling: never seen resolving
    cname('blog.example.com', 'brand.github.io', NOW - 10 * DAY, NOW - 5 * DAY),
    // not in the zone
    cname('www.other.org', 'gone.example.net', NOW - 10 * DAY, NOW),
  ])
  assert.deepEqual([...f.keys()].sort(), [
    'app.example.com',
    'assets.example.com',
    'blog.example.com',
    'www.example.com',
  ])
  const www = f.get('www.example.com')!
  assert.equal(www.status, 'ok')
  assert.equal(www.provider?.name, 'AWS CloudFront')
  assert.deepEqual(www.chain, ['www.example.com', 'd111.cloudfront.net'])
  const assets = f.get('assets.example.com')!
  assert.equal(assets.status, 'dangling')
  assert.match(assets.reason, /NXDOMAIN/)
  assert.equal(assets.provider?.takeover, 'vulnerable')
  assert.equal(assets.first, NOW - 200 * DAY)
  assert.equal(assets.last, NOW - DAY)
  const app = f.get('app.example.com')!
  assert.equal(app.status, 'stale')
  assert.match(app.reason, /90 days ago/)
  assert.equal(app.provider?.name, 'Heroku')
  const blog = f.get('blog.example.com')!
  assert.equal(blog.status, 'dangling')
  assert.match(blog.reason, /never seen resolving/)
  assert.equal(blog.provider?.name, 'GitHub Pages')
})

test('an NXDOMAIN older than the CNAME, or followed by answers, does not make it dangling', async () => {
  const f = await audit([
    cname('a.example.com', 'x.azurewebsites.net', NOW - 10 * DAY, NOW),
    nx('x.azurewebsites.net', NOW - 40 * DAY, NOW - 30 * DAY),
    a('x.azurewebsites.net', NOW - 10 * DAY, NOW),
    cname('b.example.com', 'y.azurewebsites.net', NOW - 60 * DAY, NOW),
    nx('y.azurewebsites.net', NOW - 40 * DAY, NOW - 30 * DAY),
    a('y.azurewebsites.net', NOW - 20 * DAY, NOW),
  ])
  assert.equal(f.get('a.example.com')!.status, 'ok')
  assert.equal(f.get('b.example.com')!.status, 'ok')
})

test('a chain is followed hop by hop; a loop is dangling and named', async () => {
  const f = await audit([
    cname('c.example.com', 'edge.example.net', NOW - 10 * DAY, NOW),
    cname('edge.example.net', 'shop.myshopify.com', NOW - 10 * DAY, NOW),
    a('shop.myshopify.com', NOW - 10 * DAY, NOW),
    cname('loop1.example.com', 'loop2.example.com', NOW - 10 * DAY, NOW),
    cname('loop2.example.com', 'loop1.example.com', NOW - 10 * DAY, NOW),
    cname('self.example.com', 'self.example.com', NOW - 10 * DAY, NOW),
  ])
  const c = f.get('c.example.com')!
  assert.deepEqual(c.chain, ['c.example.com', 'edge.example.net', 'shop.myshopify.com'])
  assert.equal(c.status, 'ok')
  assert.equal(c.provider?.name, 'Shopify')
  const l = f.get('loop1.example.com')!
  assert.equal(l.status, 'dangling')
  assert.match(l.reason, /loops/)
  assert.deepEqual(l.chain, ['loop1.example.com', 'loop2.example.com', 'loop1.example.com'])
  assert.equal(f.get('self.example.com')!.status, 'dangling')
})

test('a chain longer than the depth bound stops there; one longer than the store holds ends unresolved', async () => {
  const rows: Row[] = []
  for (let i = 0; i < MAX_CNAME_DEPTH + 4; i++)
    rows.push(cname(`h${i}.example.com`, `h${i + 1}.example.com`, NOW - DAY, NOW))
  rows.push(cname('short.example.com', 'missing.example.org', NOW - DAY, NOW))
  const f = await audit(rows)
  const h0 = f.get('h0.example.com')!
  assert.equal(h0.status, 'dangling')
  assert.match(h0.reason, /longer than/)
  assert.equal(h0.chain.length, MAX_CNAME_DEPTH + 1)
  const short = f.get('short.example.com')!
  assert.equal(short.status, 'dangling')
  assert.match(short.reason, /never seen resolving/)
  // the last links of the long chain end at h(N) which the store does not hold
  const tail = f.get(`h${MAX_CNAME_DEPTH + 3}.example.com`)!
  assert.match(tail.reason, /never seen resolving/)
})

test('a single sighting of CNAME and target is ok; --stale-after moves the line', async () => {
  const rows = [
    cname('one.example.com', 'one.fastly.net', NOW - DAY, NOW - DAY),
    a('one.fastly.net', NOW - DAY, NOW - DAY),
  ]
  assert.equal((await audit(rows)).get('one.example.com')!.status, 'ok')
  const rows2 = [
    cname('two.example.com', 'two.fastly.net', NOW - 20 * DAY, NOW),
    a('two.fastly.net', NOW - 20 * DAY, NOW - 10 * DAY),
  ]
  assert.equal((await audit(rows2)).get('two.example.com')!.status, 'ok')
  assert.equal((await audit(rows2, 'example.com', 7 * DAY)).get('two.example.com')!.status, 'stale')
})

test('operators extend the providers: their entries come first; a bad file is refused', () => {
  const tmp = tempDir('providers')
  try {
    const file = `${tmp.dir}/p.json`
    writeFileSync(
      file,
      JSON.stringify({
        providers: [
          {
            name: 'Internal CDN',
            suffixes: ['cdn.corp.example'],
            takeover: 'not vulnerable',
            fingerprint: '',
            source: 'our wiki',
            date: '2026-12-01',
          },
          {
            name: 'Mine',
            suffixes: ['herokuapp.com'],
            takeover: 'vulnerable',
            fingerprint: 'x',
            source: 'us',
            date: '2026-12-01',
          },
        ],
      }),
    )
    const t = loadProviders(file)
    assert.equal(t.classify('a.cdn.corp.example')?.name, 'Internal CDN')
    assert.equal(t.classify('x.herokuapp.com')?.name, 'Mine')
    assert.equal(
      t.classify('bucket.s3-website-us-east-1.amazonaws.com')?.name,
      'AWS S3 (website and bucket endpoints)',
    )
    assert.equal(
      t.classify('bucket.s3.eu-west-1.amazonaws.com')?.name,
      'AWS S3 (website and bucket endpoints)',
    )
    assert.equal(t.classify('example.org'), null)
    writeFileSync(
      file,
      JSON.stringify({
        providers: [
          { name: 'x', suffixes: ['a.b'], takeover: 'maybe', fingerprint: '', source: 's', date: 'd' },
        ],
      }),
    )
    assert.throws(() => readProviders(file), { code: 'ERR_BAD_ARGUMENT' })
    assert.equal(providerTable([]).classify('a.herokuapp.com'), null)
  } finally {
    tmp.cleanup()
  }
})

test('every built-in provider names its source and date', () => {
  for (const e of readProviders(
    new URL('../../../node/analysis/cname/data/providers.json', import.meta.url).pathname,
  )) {
    assert.ok(e.source.length > 10, e.name)
    assert.match(e.date, /^\d{4}-\d{2}-\d{2}$/, e.name)
  }
})
