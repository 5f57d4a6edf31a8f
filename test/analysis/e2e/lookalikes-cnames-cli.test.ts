/**
 * End to end: a COF file with a known history over months (look-alikes of a brand beside unrelated
 * names; dangling, stale and healthy CNAMEs) imported with `pdns-mesh import`, then `lookalikes` and
 * `cname-audit` run as a user runs them, their JSON checked; bad input exits 2 before reading.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { runCli } from '../../helpers/run-cli.ts'
import { brandCorpus } from '../brand-corpus.ts'

let dir: string
let data: string
let now: number

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdns-q67-'))
  data = join(dir, 'data')
  now = Math.floor(Date.now() / 1000)
  const lines = brandCorpus(now).map((l) => JSON.stringify(l))
  const cof = join(dir, 'history.cof')
  await writeFile(cof, `${lines.join('\n')}\n`)
  const r = await runCli(['import', '--data', data, cof])
  assert.equal(r.code, 0, r.stderr)
})

after(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function json(args: string[]): Promise<unknown> {
  const r = await runCli([...args, '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('lookalikes lists the brand look-alikes, newest first, and none of the unrelated names', async () => {
  const a = (await json(['lookalikes', 'examplebank.com'])) as {
    brand: string
    candidates: { name: string; techniques: string[]; resolves: boolean; vantages: string[]; last: number }[]
  }
  assert.equal(a.brand, 'examplebank.com')
  assert.deepEqual(
    a.candidates.map((c) => c.name),
    // the brand's own S3 bucket and Shopify store are registered under private public suffixes
    // (s3.amazonaws.com, myshopify.com): the store cannot tell them from a stranger's, so they are listed
    [
      'examplebank.co',
      'examp1ebank.com',
      'examplebank-static.s3.amazonaws.com',
      'examplebank-login.net',
      'examplebnak.com',
      'examplebank.myshopify.com',
    ],
  )
  assert.deepEqual(a.candidates.find((c) => c.name === 'examplebank.myshopify.com')!.techniques, ['tld-swap'])
  const by = new Map(a.candidates.map((c) => [c.name, c]))
  assert.ok(by.get('examp1ebank.com')!.techniques.includes('homoglyph'))
  assert.ok(by.get('examplebnak.com')!.techniques.includes('transposition'))
  assert.deepEqual(by.get('examplebank-login.net')!.techniques, ['contains'])
  assert.deepEqual(by.get('examplebank-login.net')!.vantages, ['cof:west'])
  assert.ok(by.get('examplebank.co')!.techniques.includes('tld-swap'))
  assert.equal(by.get('examplebnak.com')!.resolves, true)
  const recent = (await json(['lookalikes', 'examplebank.com', '--since', '-30d'])) as {
    candidates: { name: string }[]
  }
  assert.deepEqual(
    recent.candidates.map((c) => c.name),
    // the bucket's name answered NXDOMAIN 3 days ago: a sighting too
    ['examplebank.co', 'examp1ebank.com', 'examplebank-static.s3.amazonaws.com'],
  )
})

test('cname-audit tells the dangling, stale and healthy CNAMEs apart', async () => {
  const a = (await json(['cname-audit', 'examplebank.com'])) as {
    zone: string
    findings: {
      name: string
      target: string
      status: string
      provider: { name: string } | null
      reason: string
    }[]
  }
  assert.equal(a.zone, 'examplebank.com')
  assert.deepEqual(
    a.findings.map((f) => [f.name, f.status, f.provider?.name ?? null]),
    [
      ['static.examplebank.com', 'dangling', 'AWS S3 (website and bucket endpoints)'],
      ['shop.examplebank.com', 'stale', 'Shopify'],
      ['www.examplebank.com', 'ok', 'AWS CloudFront'],
    ],
  )
})

test('tables for people: aligned columns with UTC dates and reasons in words', async () => {
  const r = await runCli(['cname-audit', 'examplebank.com', '--data', data, '--format', 'table'])
  assert.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  assert.match(
    lines[0]!,
    /^status\s+name\s+chain\s+provider\s+first seen \(UTC\)\s+last seen \(UTC\)\s+reason$/,
  )
  assert.match(lines[1]!, /^dangling\s+static\.examplebank\.com .* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d .*NXDOMAIN/)
  const l = await runCli(['lookalikes', 'examplebank.com', '--data', data, '--format', 'table'])
  assert.equal(l.code, 0, l.stderr)
  assert.match(
    l.stdout.split('\n')[0]!,
    /^last seen \(UTC\)\s+first seen \(UTC\)\s+resolves\s+edits\s+vantages\s+name\s+found by$/,
  )
})

test('bad input exits 2 with one message and reads nothing', async () => {
  const missing = join(dir, 'no-such-data')
  for (const args of [
    ['lookalikes', 'not a domain'],
    ['lookalikes', 'com'],
    ['lookalikes', 'examplebank.com', '--max-distance', '9'],
    ['lookalikes', 'examplebank.com', '--since', 'yesterday'],
    ['lookalikes', 'examplebank.com', '--format', 'cof'],
    ['lookalikes'],
    ['cname-audit', 'bad..zone'],
    ['cname-audit', 'example.com', '--stale-after', 'soon'],
    ['cname-audit', 'example.com', '--providers', join(dir, 'nope.json')],
  ]) {
    const r = await runCli([...args, '--data', missing])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.equal(r.stdout, '')
  }
})
