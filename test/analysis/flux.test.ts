import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AsnTable } from '../../node/analysis/asn-table.ts'
import { fluxRank } from '../../node/analysis/flux-rank.ts'
import { type AddressSpell, assessFlux, HOLZ_THRESHOLD } from '../../node/analysis/flux-score.ts'
import { ipHistory } from '../../node/analysis/ip-history.ts'
import { parseIP } from '../../node/store/ip.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { type Rec, storeWith } from './store.ts'

const T = Date.UTC(2026, 3, 1) / 1000
const DAY = 86_400

/** `perDay` fresh addresses a day for `days` days, each living a few hours; `ip` draws one. */
function rotating(
  name: string,
  days: number,
  perDay: number,
  ip: (r: () => number) => string,
  seed: number,
): Rec[] {
  const rand = prng(seed)
  const out: Rec[] = []
  for (let d = 0; d < days; d++) {
    for (let k = 0; k < perDay; k++) {
      // answers of four: the records of one response share their first second
      const first = T + d * DAY + Math.floor(k / 4) * 3600
      out.push({
        rrname: name,
        rrtype: 'A',
        rdata: ip(rand),
        first,
        last: first + 1800 + randInt(rand, 7200),
      })
    }
  }
  return out
}
const anywhere = (r: () => number) =>
  `${11 + randInt(r, 200)}.${randInt(r, 256)}.${randInt(r, 256)}.${1 + randInt(r, 254)}`
const twoNetworks = (r: () => number) =>
  `${r() < 0.5 ? '203.0' : '198.18'}.${randInt(r, 256)}.${1 + randInt(r, 254)}`

const spell = (ip: string, first: number, last: number, ttl?: [number, number]): AddressSpell => ({
  address: ip,
  bytes: parseIP(ip)!,
  first,
  last,
  count: 1,
  ...(ttl === undefined ? {} : { ttlMin: ttl[0], ttlMax: ttl[1] }),
})

describe('fast-flux assessment', () => {
  it('calls a name flux-suspect when many short-lived addresses a day spread over many networks, and a CDN rotating', async () => {
    const s = await storeWith([
      ...rotating('login.prize.net', 20, 12, anywhere, 1),
      ...rotating('static.cdn.com', 20, 12, twoNetworks, 2),
    ])
    try {
      const flux = await ipHistory({ backend: s.backend }, { name: 'login.prize.net' })
      const cdn = await ipHistory({ backend: s.backend }, { name: 'static.cdn.com' })
      assert.equal(flux.flux.verdict, 'flux-suspect')
      assert.equal(cdn.flux.verdict, 'rotating')
      assert.ok(flux.flux.score > HOLZ_THRESHOLD, `flux score ${flux.flux.score}`)
      assert.ok(cdn.flux.score <= HOLZ_THRESHOLD, `cdn score ${cdn.flux.score}`)
      assert.equal(cdn.flux.features.prefixes_16, 2)
      assert.equal(flux.flux.features.max_daily_addresses, 12)
      assert.equal(flux.flux.features.per_answer.max, 4)
      assert.equal(flux.flux.networks, 'prefix16')
      assert.ok(cdn.flux.reasons.some((r) => r.includes('load balancing or a CDN')))
      assert.equal(flux.addresses.length, 240)
      assert.equal(flux.daily.length, 20)
    } finally {
      await s.close()
    }
  })

  it('applies the Holz et al. flux score: 1.32 per address and 18.54 per network in one day', () => {
    const spells = Array.from({ length: 12 }, (_, i) => spell(`${20 + i}.1.2.3`, T, T + 3600))
    const f = assessFlux(spells)
    assert.equal(f.score, Math.round((1.32 * 12 + 18.54 * 12) * 100) / 100)
    assert.equal(f.threshold, 142.38)
    // all twelve in one answer: the score stands, but no rotation was seen
    assert.ok(f.reasons.some((r) => r.includes('no rotation seen')))
  })

  it('counts ASNs from a table instead of /16s: a CDN spread over many /16s of one AS is rotating', () => {
    const table = AsnTable.parse(
      [
        '# iptoasn.com ip2asn-v4.tsv',
        '20.0.0.0\t20.255.255.255\t64500\tUS\tEXAMPLE-CDN',
        '30.0.0.0\t30.0.0.255\t0\tNone\tNot routed',
      ].join('\n'),
    )
    // a fresh address every ten minutes, each in its own /16
    const spells = Array.from({ length: 12 }, (_, i) => spell(`20.${i}.2.3`, T + i * 600, T + i * 600 + 3600))
    const without = assessFlux(spells)
    const withTable = assessFlux(spells, { asn: table })
    assert.equal(without.verdict, 'flux-suspect')
    assert.equal(withTable.verdict, 'rotating')
    assert.equal(withTable.networks, 'asn')
    assert.equal(withTable.features.asns, 1)
    assert.equal(table.lookup(parseIP('30.0.0.1')!), null)
  })

  it('reads RouteViews pfx2as with the longest prefix winning, and IPv6', () => {
    const t = AsnTable.parse(
      ['10.0.0.0\t8\t100', '10.1.0.0\t16\t200_201', '2001:db8::\t32\t300', '192.0.2.0\t24\t400,401'].join(
        '\n',
      ),
    )
    assert.equal(t.lookup(parseIP('10.2.3.4')!), 100)
    assert.equal(t.lookup(parseIP('10.1.3.4')!), 200)
    assert.equal(t.lookup(parseIP('2001:db8::5')!), 300)
    assert.equal(t.lookup(parseIP('192.0.2.9')!), 400)
    assert.equal(t.lookup(parseIP('11.0.0.1')!), null)
  })

  it('calls a single sighting and a migration stable', async () => {
    const s = await storeWith([
      { rrname: 'once.shop.com', rrtype: 'A', rdata: '192.0.2.99', first: T, last: T },
      { rrname: 'www.shop.com', rrtype: 'A', rdata: '192.0.2.10', first: T, last: T + 90 * DAY - 1 },
      {
        rrname: 'www.shop.com',
        rrtype: 'A',
        rdata: '198.51.100.20',
        first: T + 90 * DAY,
        last: T + 180 * DAY,
      },
    ])
    try {
      const once = await ipHistory({ backend: s.backend }, { name: 'once.shop.com' })
      assert.equal(once.flux.verdict, 'stable')
      assert.equal(once.flux.features.addresses, 1)
      assert.equal(once.flux.features.lifetime_days.max, 0)
      assert.deepEqual(once.daily, [])
      const www = await ipHistory({ backend: s.backend }, { name: 'www.shop.com' })
      assert.equal(www.flux.verdict, 'stable')
      assert.deepEqual(
        www.addresses.map((x) => x.address),
        ['192.0.2.10', '198.51.100.20'],
      )
      assert.deepEqual(
        www.daily.map((d) => [d.day, d.added, d.removed]),
        [
          ['2026-06-29', 0, 1],
          ['2026-06-30', 1, 0],
        ],
      )
      const never = await ipHistory({ backend: s.backend }, { name: 'never.shop.com' })
      assert.equal(never.flux.verdict, 'stable')
      assert.deepEqual(never.addresses, [])
    } finally {
      await s.close()
    }
  })

  it('handles IPv6-only names with /48 and /32 networks', async () => {
    const s = await storeWith([
      { rrname: 'v6.shop.com', rrtype: 'AAAA', rdata: '2001:db8::1', first: T, last: T + DAY },
      { rrname: 'v6.shop.com', rrtype: 'AAAA', rdata: '2001:db8:1::1', first: T, last: T + DAY },
      { rrname: 'v6.shop.com', rrtype: 'AAAA', rdata: '2001:db9::1', first: T, last: T + DAY },
    ])
    try {
      const h = await ipHistory({ backend: s.backend }, { name: 'v6.shop.com' })
      assert.equal(h.flux.features.prefixes_24, 3)
      assert.equal(h.flux.features.prefixes_16, 2)
      assert.equal(h.flux.features.per_answer.max, 3)
      assert.equal(h.flux.verdict, 'stable')
      assert.ok(h.addresses.every((x) => x.rrtype === 'AAAA'))
    } finally {
      await s.close()
    }
  })

  it('assesses a name with more addresses than a call may take as arguments', () => {
    const spells = Array.from({ length: 200_000 }, (_, i) =>
      spell(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, T + i, T + i + 60),
    )
    const f = assessFlux(spells)
    assert.equal(f.features.addresses, 200_000)
    assert.equal(f.features.prefixes_16, 4)
  })

  it('uses TTLs when records carry them', () => {
    const f = assessFlux([spell('192.0.2.1', T, T + DAY, [60, 120])])
    assert.deepEqual(f.features.ttl, { min: 60, max: 120 })
    assert.ok(f.reasons.some((r) => r.includes('TTL as low as 60 s')))
    assert.equal(assessFlux([spell('192.0.2.1', T, T + DAY)]).features.ttl, null)
  })
})

describe('flux ranking', () => {
  const records = [
    ...rotating('login.prize.net', 10, 12, anywhere, 1),
    ...rotating('static.cdn.com', 10, 12, twoNetworks, 2),
    { rrname: 'www.shop.com', rrtype: 'A', rdata: '192.0.2.10', first: T, last: T + DAY },
    { rrname: 'v6.shop.com', rrtype: 'AAAA', rdata: '2001:db8::1', first: T, last: T + DAY },
  ]

  it('ranks the flux-like name first, the same under a zone and over the whole store', async () => {
    const s = await storeWith(records)
    try {
      const all = await fluxRank({ backend: s.backend }, { limit: 10 })
      assert.deepEqual(
        all.names.map((n) => [n.name, n.verdict]),
        [
          ['login.prize.net', 'flux-suspect'],
          ['static.cdn.com', 'rotating'],
          ['v6.shop.com', 'stable'],
          ['www.shop.com', 'stable'],
        ],
      )
      assert.equal(all.limited, false)
      assert.deepEqual(all.scanned, { records: records.length, names: 4 })
      const net = await fluxRank({ backend: s.backend }, { limit: 10, under: 'net' })
      assert.deepEqual(
        net.names.map((n) => n.name),
        ['login.prize.net'],
      )
      assert.equal(net.names[0]!.score, all.names[0]!.score)
      const top = await fluxRank({ backend: s.backend }, { limit: 1, since: T + 5 * DAY })
      assert.deepEqual(
        top.names.map((n) => n.name),
        ['login.prize.net'],
      )
    } finally {
      await s.close()
    }
  })

  it('says limited when the scan reaches its bound', async () => {
    const s = await storeWith(records)
    try {
      const r = await fluxRank({ backend: s.backend }, { limit: 10, under: 'com', maxScan: 50 })
      assert.equal(r.limited, true)
      assert.equal(r.scanned.records, 51)
    } finally {
      await s.close()
    }
  })
})

describe('ip-history reads TTLs the store keeps', () => {
  it('reports the lowest and highest TTL the store kept for the name as a feature', async () => {
    const s = await storeWith([
      {
        rrname: 'ttl.example.com',
        rrtype: 'A',
        rdata: '192.0.2.1',
        first: T,
        last: T + DAY,
        ttl: { min: 30, max: 300 },
      },
      {
        rrname: 'ttl.example.com',
        rrtype: 'A',
        rdata: '192.0.2.2',
        first: T + DAY,
        last: T + 2 * DAY,
        ttl: { min: 60, max: 60 },
      },
    ])
    try {
      const a = await ipHistory({ backend: s.backend }, { name: 'ttl.example.com' })
      assert.deepEqual(a.flux.features.ttl, { min: 30, max: 300 })
    } finally {
      await s.close()
    }
  })
})
