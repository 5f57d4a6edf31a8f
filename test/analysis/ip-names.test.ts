import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ipNames } from '../../node/analysis/ip-names.ts'
import { addressOfReverse, formatAddress, reverseName, reverseZoneOf } from '../../node/analysis/ip-prefix.ts'
import { parseRdataTarget } from '../../node/query/parse.ts'
import { parseIP } from '../../node/store/ip.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { type Rec, storeWith } from './store.ts'

const T = Date.UTC(2026, 0, 1) / 1000

const a = (name: string, ip: string, first = T, last = T + 100): Rec => ({
  rrname: name,
  rrtype: ip.includes(':') ? 'AAAA' : 'A',
  rdata: ip,
  first,
  last,
})
const ptr = (ip: string, name: string, first = T, last = T + 100): Rec => ({
  rrname: reverseName(parseIP(ip)!),
  rrtype: 'PTR',
  rdata: name,
  first,
  last,
})

async function ask(records: Rec[], query: string, fence?: { lastAfter: number }) {
  const s = await storeWith(records)
  try {
    const t = parseRdataTarget(query)
    assert.equal(t.kind, 'address')
    if (t.kind !== 'address') throw new Error('unreachable')
    return await ipNames({ backend: s.backend }, { lo: t.lo, hi: t.hi, query, ...(fence ? { fence } : {}) })
  } finally {
    await s.close()
  }
}

describe('ip (names on an address, prefix or range)', () => {
  it('marks forward names without a PTR and PTRs without a forward name, inside the prefix only', async () => {
    const r = await ask(
      [
        a('www.shop.com', '192.0.2.10'),
        ptr('192.0.2.10', 'www.shop.com'),
        a('mail.shop.com', '192.0.2.25'),
        ptr('192.0.2.25', 'host25.hoster.net'),
        ptr('192.0.2.30', 'orphan.shop.com'),
        // same reverse zone (2.0.192.in-addr.arpa), outside the /27
        ptr('192.0.2.200', 'far.shop.com'),
        a('far.shop.com', '192.0.2.200'),
      ],
      '192.0.2.0/27',
    )
    assert.deepEqual(
      r.addresses.map((x) => [
        x.address,
        x.agree,
        x.forward.map((f) => `${f.name}:${f.ptr}`).join(),
        x.ptr.map((p) => `${p.name}:${p.forward}`).join(),
      ]),
      [
        ['192.0.2.10', true, 'www.shop.com:true', 'www.shop.com:true'],
        ['192.0.2.25', false, 'mail.shop.com:false', 'host25.hoster.net:false'],
        ['192.0.2.30', false, '', 'orphan.shop.com:false'],
      ],
    )
    assert.deepEqual(
      r.names.map((n) => [n.name, n.addresses.join()]),
      [
        ['mail.shop.com', '192.0.2.25'],
        ['www.shop.com', '192.0.2.10'],
      ],
    )
    assert.equal(r.limited, false)
  })

  it('answers an IPv6 address with its ip6.arpa PTR', async () => {
    const r = await ask(
      [
        a('v6.shop.com', '2001:db8::1'),
        ptr('2001:db8::1', 'v6.shop.com'),
        a('other.shop.com', '2001:db8::2'),
      ],
      '2001:db8::1',
    )
    assert.deepEqual(r.addresses.length, 1)
    assert.equal(r.addresses[0]!.address, '2001:db8::1')
    assert.equal(r.addresses[0]!.agree, true)
  })

  it('reads a range across reverse zones', async () => {
    const r = await ask(
      [a('x.shop.com', '198.51.100.255'), ptr('198.51.101.0', 'y.shop.com'), a('z.shop.com', '198.51.102.0')],
      '198.51.100.200-198.51.101.10',
    )
    assert.deepEqual(
      r.addresses.map((x) => x.address),
      ['198.51.100.255', '198.51.101.0'],
    )
  })

  it('keeps first and last of each name and applies the fence', async () => {
    const r = await ask(
      [a('old.shop.com', '192.0.2.1', T, T + 10), a('new.shop.com', '192.0.2.2', T + 500, T + 900)],
      '192.0.2.0/24',
      { lastAfter: T + 100 },
    )
    assert.deepEqual(
      r.names.map((n) => [n.name, n.first - T, n.last - T]),
      [['new.shop.com', 500, 900]],
    )
  })

  it('maps addresses to reverse names and back, and finds the reverse zone of a range', () => {
    const rand = prng(3)
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: i % 2 === 0 ? 4 : 16 }, () => randInt(rand, 256))
      const back = addressOfReverse(reverseName(bytes))
      assert.ok(back !== null)
      assert.equal(formatAddress(back), formatAddress(bytes))
    }
    const zone = (q: string) => {
      const t = parseRdataTarget(q)
      if (t.kind !== 'address') throw new Error(q)
      return reverseZoneOf(t.lo, t.hi)
    }
    assert.deepEqual(zone('10.1.2.0/24'), { name: '2.1.10.in-addr.arpa', exact: false })
    assert.deepEqual(zone('10.1.2.0/23'), { name: '1.10.in-addr.arpa', exact: false })
    assert.deepEqual(zone('0.0.0.0/0'), { name: 'in-addr.arpa', exact: false })
    assert.deepEqual(zone('2001:db8::/32'), { name: '8.b.d.0.1.0.0.2.ip6.arpa', exact: false })
    assert.equal(zone('192.0.2.1').exact, true)
    assert.equal(addressOfReverse('0/25.2.0.192.in-addr.arpa'), null)
  })
})
