import assert from 'node:assert/strict'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type TestContext, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { DnstapIngest, readDnstapFile } from '../../node/dnstap/index.ts'
import { runCli } from '../helpers/run-cli.ts'
import { requireCorpus } from '../helpers/shared.ts'
import { DNSTAP_DIR } from './helpers.ts'

const DOTDOH = resolve(DNSTAP_DIR, 'dsc/dotdoh.dnstap')
const COLLECTOR = resolve(DNSTAP_DIR, 'go-dnscollector/dnstap.fstrm')
const KDIG = resolve(DNSTAP_DIR, 'dsc/test.dnstap')
const NOT_DNSTAP = resolve(DNSTAP_DIR, 'fstrm/test.fstrm')

interface JsonRecord {
  rrname: string
  rrtype: string
  rdata: string
  first: number
  last: number
  count: number
  vantages: { origin: string; count: number }[]
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-import-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function rrset(data: string, name: string): Promise<JsonRecord[]> {
  const r = await runCli(['query', 'rrset', name, '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JsonRecord)
}

/** What the files hold for the store, computed through the library: rrname → rdata → [first, last, count]. */
async function expected(files: string[], messageTypes?: string[]) {
  const out = new Map<string, Map<string, [number, number, number]>>()
  const ingest = new DnstapIngest(
    {
      sinkFor: () => (o) => {
        if (o.kind !== 'rr') return
        const t = Math.floor(o.time / 1e6)
        const byName = out.get(o.rrname) ?? new Map<string, [number, number, number]>()
        out.set(o.rrname, byName)
        const cur = byName.get(o.rdata!)
        byName.set(
          o.rdata!,
          cur === undefined ? [t, t, 1] : [Math.min(cur[0], t), Math.max(cur[1], t), cur[2] + 1],
        )
      },
    },
    messageTypes === undefined ? {} : { messageTypes },
  )
  for (const f of files) await readDnstapFile(f, ingest.frame)
  return out
}

async function exists(path: string): Promise<boolean> {
  return await access(path).then(
    () => true,
    () => false,
  )
}

test('pdns-mesh import reads dnstap files (plain and gzip) into the local origin; query rrset gives them back', async (t) => {
  if (!requireCorpus(t, 'dnstap import')) return
  const dir = await tempDir(t)
  const data = join(dir, 'db')
  const gz = join(dir, 'collector.dnstap.gz')
  await writeFile(gz, gzipSync(await readFile(COLLECTOR)))
  const r = await runCli(['import', '--data', data, '--summary-json', DOTDOH, gz, KDIG])
  assert.equal(r.code, 0, r.stderr)
  const summary = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>
  assert.equal(summary.dnstapFiles, 3)
  let frames = 0
  for (const f of [DOTDOH, COLLECTOR, KDIG]) frames += (await readDnstapFile(f, () => {})).frames
  assert.equal(summary.dnstapFrames, frames)
  assert.deepEqual(summary.errors, [])

  const want = await expected([DOTDOH, COLLECTOR, KDIG])
  assert.ok(want.size >= 2)
  const stats = await runCli(['stats', '--data', data, '--format', 'json'])
  const origins = (JSON.parse(stats.stdout) as { origins: { label: string; local: boolean }[] }).origins
  assert.equal(origins.length, 1)
  assert.ok(origins[0]!.local, 'dnstap records belong to the node itself, as captures do')
  for (const [name, byRdata] of want) {
    const got = await rrset(data, name)
    assert.deepEqual(
      Object.fromEntries(got.map((g) => [g.rdata, [g.first, g.last, g.count]])),
      Object.fromEntries(byRdata),
      name,
    )
    for (const g of got)
      assert.deepEqual(
        g.vantages.map((v) => v.origin),
        [origins[0]!.label],
      )
  }
  // the kdig file holds only TOOL_RESPONSE: not taken by default
  assert.deepEqual(
    (await rrset(data, 'google.com')).map((g) => g.rdata).sort(),
    [...want.get('google.com')!.keys()].sort(),
  )
  assert.ok(!want.get('google.com')!.has('216.58.211.14'))

  // counts add, as for captures: a second import of the same file doubles them
  const again = await runCli(['import', '--data', data, '--quiet', COLLECTOR])
  assert.equal(again.code, 0, again.stderr)
  const [www] = await rrset(data, 'www.google.com')
  assert.equal(www!.count, 2 * want.get('www.google.com')!.get('216.58.213.68')![2])
})

test('--dnstap-type chooses the message types recorded; an unknown one is a usage error', async (t) => {
  if (!requireCorpus(t, 'dnstap import types')) return
  const dir = await tempDir(t)
  const data = join(dir, 'db')
  const r = await runCli(['import', '--data', data, '--quiet', '--dnstap-type', 'TOOL_RESPONSE', KDIG])
  assert.equal(r.code, 0, r.stderr)
  const want = await expected([KDIG], ['TOOL_RESPONSE'])
  assert.deepEqual(
    (await rrset(data, 'google.com')).map((g) => g.rdata),
    [...want.get('google.com')!.keys()],
  )
  const bad = await runCli(['import', '--data', data, '--dnstap-type', 'CLIENT_RESPONS', KDIG])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--dnstap-type: unknown dnstap message type 'CLIENT_RESPONS'/)
})

test('a Frame Streams file that is not dnstap is refused by name and content type; nothing is imported', async (t) => {
  if (!requireCorpus(t, 'non-dnstap import refusal')) return
  const dir = await tempDir(t)
  const data = join(dir, 'db')
  const r = await runCli(['import', '--data', data, DOTDOH, NOT_DNSTAP])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /test\.fstrm: Frame Streams content type "test:hello" is not dnstap/)
  assert.match(r.stderr, /nothing was imported/)
  assert.equal(await exists(data), false, 'the database was not even created')
})

test('a dnstap file cut inside a frame imports what came before it and exits 1', async (t) => {
  if (!requireCorpus(t, 'truncated dnstap import')) return
  const dir = await tempDir(t)
  const data = join(dir, 'db')
  const cut = join(dir, 'cut.dnstap')
  const bytes = await readFile(DOTDOH)
  await writeFile(cut, bytes.subarray(0, bytes.length - 40))
  const r = await runCli(['import', '--data', data, '--summary-json', cut])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /cut\.dnstap: truncated dnstap file: it ends inside a frame/)
  // the DoH response (6th frame) is whole before the cut: its record is stored
  const full = await expected([DOTDOH])
  const got = await rrset(data, 'google.com')
  assert.ok(got.length > 0)
  for (const g of got) assert.ok(full.get('google.com')!.has(g.rdata))
})
