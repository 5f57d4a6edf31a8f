import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nsHistory, providerOf, sideOf } from '../../node/analysis/ns-history.ts'
import { type Rec, storeWith } from './store.ts'

const T = Date.UTC(2026, 0, 1) / 1000
const DAY = 86_400

const ns = (host: string, first: number, last: number, bailiwick: string | null, origin = 'east'): Rec => ({
  rrname: 'shop.com',
  rrtype: 'NS',
  rdata: host,
  first,
  last,
  bailiwick,
  origin,
})

describe('ns-history', () => {
  it('tells parent-side from child-side NS by bailiwick and names the providers of a move', async () => {
    const s = await storeWith([
      ns('ns1.domaincontrol.com', T, T + 30 * DAY - 1, 'com'),
      ns('ns2.domaincontrol.com', T, T + 30 * DAY - 1, 'com'),
      ns('ns1.domaincontrol.com', T + 60, T + 30 * DAY - 1, 'shop.com', 'west'),
      ns('kim.ns.cloudflare.com', T + 30 * DAY, T + 60 * DAY, 'com'),
      ns('kim.ns.cloudflare.com', T + 30 * DAY + 60, T + 60 * DAY, 'shop.com', 'west'),
    ])
    try {
      const a = await nsHistory({ backend: s.backend }, { domain: 'shop.com' })
      assert.deepEqual(
        a.periods.map((p) => [p.side, p.ns.join(' '), p.first - T]),
        [
          ['parent', 'ns1.domaincontrol.com ns2.domaincontrol.com', 0],
          ['child', 'ns1.domaincontrol.com', 60],
          ['parent', 'kim.ns.cloudflare.com', 30 * DAY],
          ['child', 'kim.ns.cloudflare.com', 30 * DAY + 60],
        ],
      )
      assert.deepEqual(a.periods[1]!.vantages, ['west'])
      assert.equal(a.changes.length, 2)
      for (const c of a.changes) {
        assert.deepEqual(c.providers_from, ['domaincontrol.com'])
        assert.deepEqual(c.providers_to, ['cloudflare.com'])
      }
      assert.equal(a.changes[0]!.side, 'parent')
      assert.equal(a.changes[0]!.time, T + 30 * DAY)
      assert.equal(a.limited, false)
    } finally {
      await s.close()
    }
  })

  it('shows an NS set that returns to an earlier one as the other set coming and going beside it', async () => {
    // A and B in use for months; C only in the middle (a failed move, rolled back). The store keeps
    // one window per record, so A and B look present throughout.
    const s = await storeWith([
      ns('a.dns-one.net', T, T + 90 * DAY, 'com'),
      ns('b.dns-one.net', T, T + 90 * DAY, 'com'),
      ns('c.dns-two.org', T + 30 * DAY, T + 40 * DAY, 'com'),
    ])
    try {
      const a = await nsHistory({ backend: s.backend }, { domain: 'shop.com' })
      const sets = a.periods.map((p) => p.ns.join(' '))
      assert.deepEqual(sets, [
        'a.dns-one.net b.dns-one.net',
        'a.dns-one.net b.dns-one.net c.dns-two.org',
        'a.dns-one.net b.dns-one.net',
      ])
      assert.deepEqual(
        a.changes.map((c) => [c.time - T, c.providers_from.join(), c.providers_to.join()]),
        [
          [30 * DAY, 'dns-one.net', 'dns-one.net,dns-two.org'],
          [40 * DAY + 1, 'dns-one.net,dns-two.org', 'dns-one.net'],
        ],
      )
    } finally {
      await s.close()
    }
  })

  it('reports a single sighting as one period of one second, with no change', async () => {
    const s = await storeWith([ns('ns.only.net', T + 5, T + 5, null)])
    try {
      const a = await nsHistory({ backend: s.backend }, { domain: 'shop.com' })
      assert.deepEqual(a.periods, [
        { ns: ['ns.only.net'], first: T + 5, last: T + 5, vantages: ['east'], side: 'unknown' },
      ])
      assert.deepEqual(a.changes, [])
    } finally {
      await s.close()
    }
  })

  it('reports SOA MNAME and RNAME changes, not serial changes', async () => {
    const soa = (mname: string, rname: string, serial: number, first: number, last: number): Rec => ({
      rrname: 'shop.com',
      rrtype: 'SOA',
      rdata: `${mname} ${rname} ${serial} 7200 3600 1209600 300`,
      first,
      last,
      bailiwick: 'shop.com',
    })
    const s = await storeWith([
      soa('ns1.old.net', 'admin.old.net', 1, T, T + DAY),
      soa('ns1.old.net', 'admin.old.net', 2, T + DAY, T + 2 * DAY),
      soa('ns1.old.net', 'hostmaster.shop.com', 3, T + 3 * DAY, T + 4 * DAY),
      soa('ns.new.org', 'hostmaster.shop.com', 4, T + 5 * DAY, T + 6 * DAY),
    ])
    try {
      const a = await nsHistory({ backend: s.backend }, { domain: 'shop.com' })
      assert.deepEqual(
        a.soa.map((x) => [x.mname, x.rname, x.serials]),
        [
          ['ns1.old.net', 'admin.old.net', 2],
          ['ns1.old.net', 'hostmaster.shop.com', 1],
          ['ns.new.org', 'hostmaster.shop.com', 1],
        ],
      )
      assert.deepEqual(
        a.soa_changes.map((c) => [c.field, c.from, c.to, c.time - T]),
        [
          ['rname', 'admin.old.net', 'hostmaster.shop.com', 3 * DAY],
          ['mname', 'ns1.old.net', 'ns.new.org', 5 * DAY],
        ],
      )
    } finally {
      await s.close()
    }
  })

  it('does not take SOAs seen side by side (each server naming itself as MNAME) for changes', async () => {
    const s = await storeWith(
      ['ns1', 'ns2', 'ns3'].map((h) => ({
        rrname: 'shop.com',
        rrtype: 'SOA',
        rdata: `${h}.shop.com hostmaster.shop.com 7 7200 3600 1209600 300`,
        first: T,
        last: T + DAY,
      })),
    )
    try {
      const a = await nsHistory({ backend: s.backend }, { domain: 'shop.com' })
      assert.equal(a.soa.length, 3)
      assert.deepEqual(a.soa_changes, [])
    } finally {
      await s.close()
    }
  })

  it('keeps only what the fence and the vantage allow', async () => {
    const s = await storeWith([
      ns('ns1.early.net', T, T + DAY, 'com', 'east'),
      ns('ns1.late.net', T + 10 * DAY, T + 11 * DAY, 'com', 'west'),
    ])
    try {
      const fenced = await nsHistory(
        { backend: s.backend },
        { domain: 'shop.com', fence: { firstAfter: T + 5 * DAY } },
      )
      assert.deepEqual(
        fenced.periods.map((p) => p.ns[0]),
        ['ns1.late.net'],
      )
      const east = await nsHistory({ backend: s.backend }, { domain: 'shop.com', origin: 'east' })
      assert.deepEqual(
        east.periods.map((p) => p.ns[0]),
        ['ns1.early.net'],
      )
    } finally {
      await s.close()
    }
  })

  it('names sides and providers from the bailiwick and the Public Suffix List', () => {
    assert.equal(sideOf('a.b.example.co.uk', 'example.co.uk'), 'parent')
    assert.equal(sideOf('example.co.uk', 'example.co.uk'), 'child')
    assert.equal(sideOf('example.co.uk', 'other.co.uk'), 'unknown')
    assert.equal(providerOf('ns1.example.co.uk'), 'example.co.uk')
    assert.equal(providerOf('b.ns.cloudflare.com'), 'cloudflare.com')
  })
})
