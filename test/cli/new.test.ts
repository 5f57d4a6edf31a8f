/**
 * `pdns-mesh new` and `query name`'s freshness through the real CLI: COF records at times relative to
 * now are imported once; bad input exits 2 with one message before any database is opened.
 */
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { runCli } from '../helpers/run-cli.ts'

const DAY = 86_400
let data: string
let now: number

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-new-'))
  data = join(dir, 'data')
  now = Math.floor(Date.now() / 1000)
  const rec = (rrname: string, rrtype: string, rdata: string, first: number, last: number, sensor: string) =>
    JSON.stringify({ rrname, rrtype, rdata, time_first: first, time_last: last, count: 2, sensor_id: sensor })
  const lines = [
    rec('old.example.net', 'A', '198.51.100.1', now - 60 * DAY, now - 30 * DAY, 'a'),
    rec('stale-but-new.example.net', 'A', '198.51.100.2', now - 3 * DAY, now - 3 * DAY, 'a'),
    rec('today.example.net', 'A', '198.51.100.3', now - 3600, now - 60, 'a'),
    rec('today.example.net', 'AAAA', '2001:db8::3', now - 1800, now - 60, 'b'),
    rec('hour.example.org', 'MX', '10 mx.example.org', now - 7200, now - 7200, 'b'),
    rec('old.example.net', 'AAAA', '2001:db8::1', now - 600, now - 600, 'b'),
  ]
  const cof = join(dir, 'timed.cof')
  await writeFile(cof, `${lines.join('\n')}\n`)
  const r = await runCli(['import', '--data', data, cof])
  assert.equal(r.code, 0, r.stderr)
})

async function json(args: string[]) {
  const r = await runCli([...args, '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

describe('pdns-mesh new', () => {
  it('lists the names first seen in the last day by default, newest first, as one JSON object', async () => {
    const a = await json(['new'])
    assert.deepEqual(
      a.names.map((n: { name: string }) => n.name),
      ['today.example.net', 'hour.example.org'],
    )
    assert.ok(Math.abs(a.since - (now - DAY)) < 60)
    assert.equal(a.under, null)
    assert.equal(a.rrtype, null)
    assert.equal(a.cursor, null)
    const today = a.names[0]
    assert.deepEqual(today.rrtypes, ['A', 'AAAA'])
    assert.equal(today.count, 4)
    assert.equal(today.records, 2)
    assert.equal(today.age_days, 0)
    assert.deepEqual(
      today.vantages.map((v: { origin: string }) => v.origin),
      ['cof:a', 'cof:b'],
    )
    assert.match(today.first_seen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('takes --since (relative too), --under and --type', async () => {
    const week = await json(['new', '--since', '-7d'])
    assert.deepEqual(
      week.names.map((n: { name: string }) => n.name),
      ['today.example.net', 'hour.example.org', 'stale-but-new.example.net'],
    )
    const under = await json(['new', '--since', '-7d', '--under', 'Example.NET.'])
    assert.equal(under.under, 'example.net')
    assert.deepEqual(
      under.names.map((n: { name: string }) => n.name),
      ['today.example.net', 'stale-but-new.example.net'],
    )
    // old.example.net's first AAAA is new, its A is not
    const aaaa = await json(['new', '--type', 'aaaa'])
    assert.equal(aaaa.rrtype, 'AAAA')
    assert.deepEqual(
      aaaa.names.map((n: { name: string }) => n.name),
      ['old.example.net', 'today.example.net'],
    )
  })

  it('pages with --limit and --cursor (next: on stderr) and draws a table', async () => {
    const r = await runCli(['new', '--since', '-7d', '--limit', '2', '--data', data, '--format', 'table'])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /^first seen \(UTC\)\s+last seen \(UTC\)\s+name\s+types\s+count\s+vantages$/)
    assert.equal(lines.length, 3)
    assert.match(lines[1]!, /today\.example\.net\s+A,AAAA\s+4\s+2$/)
    const cursor = /next: --cursor (\S+)/.exec(r.stderr)?.[1]
    assert.ok(cursor !== undefined, r.stderr)
    const rest = await json(['new', '--since', '-7d', '--limit', '2', '--cursor', cursor])
    assert.deepEqual(
      rest.names.map((n: { name: string }) => n.name),
      ['stale-but-new.example.net'],
    )
  })

  it('says so on stderr when no name is new, and exits 0', async () => {
    const r = await runCli(['new', '--since', '-1s', '--data', data, '--format', 'table'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /no name first seen/)
  })

  for (const [what, args, message] of [
    ['a --since in the future', ['--since', '2100-01-01'], /--since: '2100-01-01' is in the future/],
    ['a --since that is no time', ['--since', 'yesterday'], /--since: 'yesterday' is not a time/],
    ['a malformed zone', ['--under', 'a..b'], /under/],
    ['an unknown type', ['--type', 'NOPE'], /NOPE/],
    ['a bad limit', ['--limit', '0'], /--limit/],
    ['--mesh with a cursor', ['--mesh', '--cursor', 'x'], /--cursor does not apply to --mesh/],
    ['--mesh-timeout without --mesh', ['--mesh-timeout', '5'], /--mesh-timeout applies to --mesh/],
    ['an argument', ['example.com'], /new takes no arguments/],
    ['a bad format', ['--format', 'cof'], /--format/],
  ] as const) {
    it(`exits 2 on ${what} with one message, before opening any database`, async () => {
      const r = await runCli(['new', ...args, '--data', join(data, 'does-not-exist')])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, message)
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
      assert.equal(r.stdout, '')
    })
  }
})

describe('query name: active and age_days', () => {
  it('adds active (last seen within 7 days) and age_days to the JSON and the table', async () => {
    const fresh = await json(['query', 'name', 'today.example.net'])
    assert.equal(fresh.active, true)
    assert.equal(fresh.age_days, 0)
    const old = await json(['query', 'name', 'old.example.net'])
    assert.equal(old.active, true, 'its AAAA was seen ten minutes ago')
    assert.equal(old.age_days, 60)
    const stale = await json(['query', 'name', 'stale-but-new.example.net'])
    assert.equal(stale.active, true)
    assert.equal(stale.age_days, 3)
    const r = await runCli([
      'query',
      'name',
      'stale-but-new.example.net',
      '--data',
      data,
      '--format',
      'table',
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^active\s+yes \(seen within 7d\)$/m)
    assert.match(r.stdout, /^age\s+3 days since first seen$/m)
  })

  it('judges active by --active-within', async () => {
    const stale = await json(['query', 'name', 'stale-but-new.example.net', '--active-within', '2d'])
    assert.equal(stale.active, false)
    const r = await runCli(['query', 'name', 'hour.example.org', '--active-within', '3600', '--data', data])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).active, false, 'last seen two hours ago')
  })

  it('exits 2 on a bad --active-within, or one given to another query', async () => {
    for (const args of [
      ['query', 'name', 'x.example', '--active-within', 'soon'],
      ['query', 'rrset', 'x.example', '--active-within', '7d'],
    ]) {
      const r = await runCli([...args, '--data', join(data, 'does-not-exist')])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /--active-within/)
    }
  })
})
