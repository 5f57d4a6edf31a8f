/**
 * The history questions end to end: a COF file with six months of known history (history-corpus.ts)
 * imported with `pdns-mesh import`, then each command's JSON through the real CLI; and bad input,
 * which exits 2 with one message before anything is read.
 */
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { corpusText, DAY, END, MOVE, T0 } from '../analysis/history-corpus.ts'
import { runCli } from '../helpers/run-cli.ts'

let data: string
let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdns-history-'))
  data = join(dir, 'db')
  await writeFile(join(dir, 'history.cof'), corpusText())
  const r = await runCli(['import', '--data', data, '--quiet', join(dir, 'history.cof')])
  assert.equal(r.code, 0, r.stderr)
})

async function json<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as T
}

describe('history questions through the CLI', () => {
  it('ns-history: GoDaddy to Cloudflare on both sides, and the SOA with it', async () => {
    const a = await json<{
      domain: string
      periods: { ns: string[]; first: number; last: number; side: string; vantages: string[] }[]
      changes: { time: number; side: string; providers_from: string[]; providers_to: string[] }[]
      soa_changes: { field: string; from: string; to: string; time: number }[]
    }>(['ns-history', 'Moved-Shop.com.'])
    assert.equal(a.domain, 'moved-shop.com')
    assert.deepEqual(
      a.periods.map((p) => [p.side, p.ns.join(' '), p.first, p.last]),
      [
        ['parent', 'ns51.domaincontrol.com ns52.domaincontrol.com', T0, MOVE - 1],
        ['child', 'ns51.domaincontrol.com ns52.domaincontrol.com', T0 + 3600, MOVE - 1],
        ['parent', 'ada.ns.cloudflare.com bob.ns.cloudflare.com', MOVE, END],
        ['child', 'ada.ns.cloudflare.com bob.ns.cloudflare.com', MOVE + 3600, END],
      ],
    )
    assert.deepEqual(
      a.changes.map((c) => [c.side, c.time, c.providers_from.join(), c.providers_to.join()]),
      [
        ['parent', MOVE, 'domaincontrol.com', 'cloudflare.com'],
        ['child', MOVE + 3600, 'domaincontrol.com', 'cloudflare.com'],
      ],
    )
    assert.deepEqual(
      a.soa_changes.map((c) => [c.field, c.to, c.time]),
      [
        ['mname', 'ada.ns.cloudflare.com', MOVE],
        ['rname', 'dns.cloudflare.com', MOVE],
      ],
    )
  })

  it('ip: names in a prefix beside their PTRs, disagreements marked', async () => {
    const a = await json<{
      names: { name: string }[]
      addresses: { address: string; agree: boolean; forward: { name: string }[]; ptr: { name: string }[] }[]
    }>(['ip', '192.0.2.0/24'])
    assert.deepEqual(
      a.names.map((n) => n.name),
      ['mail.moved-shop.com', 'once.moved-shop.com', 'www.moved-shop.com'],
    )
    assert.deepEqual(
      a.addresses.map((x) => [x.address, x.agree]),
      [
        ['192.0.2.10', true],
        ['192.0.2.11', false],
        ['192.0.2.25', false],
        ['192.0.2.99', false],
      ],
    )
    const moved = await json<{ addresses: { ptr: { name: string; forward: boolean }[] }[] }>([
      'ip',
      '198.51.100.20',
    ])
    assert.deepEqual(moved.addresses[0]!.ptr, [
      { ...moved.addresses[0]!.ptr[0]!, name: 'host20.hoster.example', forward: false },
    ])
  })

  it('ip-history: the web server migration is stable, the flux-like name flux-suspect, the CDN rotating', async () => {
    type H = {
      addresses: { address: string; first: number; last: number }[]
      flux: { verdict: string; score: number; reasons: string[] }
    }
    const www = await json<H>(['ip-history', 'www.moved-shop.com'])
    assert.deepEqual(
      www.addresses.map((x) => [x.address, x.first, x.last]),
      [
        ['192.0.2.10', T0, MOVE - 1],
        ['198.51.100.20', MOVE, END],
      ],
    )
    assert.equal(www.flux.verdict, 'stable')
    assert.equal((await json<H>(['ip-history', 'login.flux-prize.net'])).flux.verdict, 'flux-suspect')
    assert.equal((await json<H>(['ip-history', 'static.cdn-fast.com'])).flux.verdict, 'rotating')
    const v6 = await json<H>(['ip-history', 'v6.moved-shop.com'])
    assert.equal(v6.flux.verdict, 'stable')
    assert.equal(v6.addresses.length, 2)
    const fenced = await json<H>(['ip-history', 'www.moved-shop.com', '--first-after', String(MOVE)])
    assert.deepEqual(
      fenced.addresses.map((x) => x.address),
      ['198.51.100.20'],
    )
  })

  it('flux: ranks the flux-like name first and says what it read', async () => {
    const a = await json<{
      scanned: { records: number; names: number }
      limited: boolean
      names: { name: string; verdict: string }[]
    }>(['flux', '--limit', '2'])
    assert.deepEqual(
      a.names.map((n) => [n.name, n.verdict]),
      [
        ['login.flux-prize.net', 'flux-suspect'],
        ['static.cdn-fast.com', 'rotating'],
      ],
    )
    assert.equal(a.limited, false)
    assert.equal(a.scanned.names, 6)
    const com = await json<{ names: { name: string }[] }>([
      'flux',
      '--under',
      'com',
      '--since',
      String(T0 + 140 * DAY),
    ])
    assert.deepEqual(
      com.names.map((n) => n.name),
      // the CDN's last addresses, then single addresses by score and name (www's old one is fenced out)
      ['static.cdn-fast.com', 'v6.moved-shop.com', 'mail.moved-shop.com', 'www.moved-shop.com'],
    )
  })

  it('prints tables for people: verdicts and reasons in words, dates in UTC', async () => {
    const r = await runCli(['ip-history', 'login.flux-prize.net', '--data', data, '--format', 'table'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^login\.flux-prize\.net: FLUX-SUSPECT/)
    assert.match(r.stdout, /Holz flux score/)
    assert.match(r.stdout, /2026-05-\d\d \d\d:\d\d:\d\d/)
  })

  it('refuses bad input with exit status 2 and one message, reading nothing', async () => {
    // a data directory that does not exist: reading it would fail with 1 (no database)
    const none = join(dir, 'absent')
    for (const args of [
      ['ns-history', 'bad..name'],
      ['ns-history', 'shop.com', '--first-after', '2026-02-01', '--first-before', '2026-01-01'],
      ['ns-history', 'shop.com', '--last-after', 'yesterday'],
      ['ip', '192.0.2.0/33'],
      ['ip', 'www.example.com'],
      ['ip', '10.0.0.9-10.0.0.1'],
      ['ip-history', '*.example.com'],
      ['ip-history', 'example.com', '--asn-table', join(dir, 'no-such-table.tsv')],
      ['ip-history', 'example.com', '--format', 'cof'],
      ['flux', '--limit', '0'],
      ['flux', '--under', 'a..b'],
      ['flux', '--since', '-7x'],
      ['flux', 'stray'],
    ]) {
      const r = await runCli([...args, '--data', none])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
      assert.equal(r.stdout, '')
    }
  })
})
