import assert from 'node:assert/strict'
import { SocketAddress } from 'node:net'
import { describe, it } from 'node:test'
import { DnsParser } from '../../node/dns/parser.ts'
import { ipv4, ipv6 } from '../../node/dns/rdata/address.ts'
import { ANY_COUNT, characterStrings, generic, quoted } from '../../node/dns/rdata/encoding.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { pick } from '../store/helpers.ts'
import { info, parseOne, rawMessage, rr, u32, wireName } from './helpers.ts'

const A = [192, 0, 2, 1]
const Q = { name: wireName('www.example.com'), type: 1 }
/** SOA at example.com (pointer to offset 16 inside the question name), TTL and MINIMUM given. */
function soa(ttl: number, minimum: number): number[] {
  const rdata = [
    ...wireName('ns1.example.com'),
    ...wireName('hostmaster.example.com'),
    ...u32(1),
    ...u32(7200),
    ...u32(900),
    ...u32(1209600),
    ...u32(minimum),
  ]
  return rr([0xc0, 16], 6, 1, ttl, rdata)
}
const OPT = (ttl: number) => rr([0], 41, 1232, ttl, [])

describe('DnsParser', () => {
  it('counts queries and skips them without output', () => {
    const { parser, obs } = parseOne(rawMessage({ flags: 0x0100, an: [rr([0xc0, 12], 1, 1, 1, A)] }))
    assert.equal(parser.queries, 1)
    assert.equal(parser.responses, 0)
    assert.equal(obs.length, 0)
  })

  it('emits one rr observation per record with every field', () => {
    const { obs, parser } = parseOne(rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 300, A)] }), {
      clientAddresses: true,
    })
    assert.deepEqual(obs, [
      {
        kind: 'rr',
        time: 1_700_000_000_000_000,
        rrname: 'www.example.com',
        rrtype: 'A',
        rrclass: 'IN',
        rdata: '192.0.2.1',
        ttl: 300,
        section: 'answer',
        rcode: 'NOERROR',
        qname: 'www.example.com',
        qtype: 'A',
        bailiwick: null,
        transport: 'udp',
        client: '198.51.100.7',
      },
    ])
    assert.equal(parser.observations, 1)
  })

  it('creates every observation with the same key order (one hidden class)', () => {
    const msg = rawMessage({ flags: 0x8183, question: Q, ns: [soa(300, 60)] })
    const { obs } = parseOne(msg)
    const keys = obs.map((o) => Object.keys(o).join(','))
    assert.equal(new Set(keys).size, 1)
  })

  it('formats an IPv6 client address and leaves client null unless enabled', () => {
    const pi = info({
      ipVersion: 6,
      dstOff: 0,
      addrBuf: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]),
    })
    assert.equal(
      parseOne(rawMessage({ an: [rr([0xc0, 12], 1, 1, 1, A)] }), { clientAddresses: true }, pi).obs[0]!
        .client,
      '2001:db8::1',
    )
    assert.equal(parseOne(rawMessage({ an: [rr([0xc0, 12], 1, 1, 1, A)] })).obs[0]!.client, null)
  })

  it('NXDOMAIN: one nxdomain observation with the negative TTL min(SOA TTL, MINIMUM) and the SOA as rr', () => {
    const { obs, parser } = parseOne(rawMessage({ flags: 0x8183, question: Q, ns: [soa(3600, 300)] }))
    assert.equal(obs.length, 2)
    assert.equal(obs[0]!.kind, 'rr')
    assert.equal(obs[0]!.rrtype, 'SOA')
    assert.equal(obs[0]!.section, 'authority')
    assert.equal(obs[0]!.bailiwick, 'example.com')
    assert.deepEqual(
      { ...obs[1]! },
      {
        kind: 'nxdomain',
        time: 1_700_000_000_000_000,
        rrname: 'www.example.com',
        rrtype: 'A',
        rrclass: 'IN',
        rdata: null,
        ttl: 300,
        section: null,
        rcode: 'NXDOMAIN',
        qname: 'www.example.com',
        qtype: 'A',
        bailiwick: 'example.com',
        transport: 'udp',
        client: null,
      },
    )
    assert.equal(parser.negatives, 1)
    assert.equal(parseOne(rawMessage({ flags: 0x8183, question: Q, ns: [soa(60, 300)] })).obs[1]!.ttl, 60)
  })

  it('NXDOMAIN without SOA: ttl null', () => {
    const { obs } = parseOne(rawMessage({ flags: 0x8183, question: Q }))
    assert.equal(obs.length, 1)
    assert.equal(obs[0]!.kind, 'nxdomain')
    assert.equal(obs[0]!.ttl, null)
    assert.equal(obs[0]!.bailiwick, null)
  })

  it('NODATA: NOERROR without an answer of the qtype', () => {
    const { obs } = parseOne(
      rawMessage({ question: { name: wireName('www.example.com'), type: 28 }, ns: [soa(300, 30)] }),
    )
    assert.equal(obs.at(-1)!.kind, 'nodata')
    assert.equal(obs.at(-1)!.rrtype, 'AAAA')
    assert.equal(obs.at(-1)!.ttl, 30)
  })

  it('no NODATA for an answer, a CNAME chain, a referral, or a truncated (TC) response', () => {
    const answered = rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)] })
    const chain = rawMessage({ question: Q, an: [rr([0xc0, 12], 5, 1, 1, wireName('other.example'))] })
    const referral = rawMessage({ question: Q, ns: [rr([0xc0, 16], 2, 1, 1, wireName('ns.example.com'))] })
    const tc = rawMessage({ flags: 0x8380, question: Q })
    for (const m of [answered, chain, referral, tc]) {
      const { obs, parser } = parseOne(m)
      assert.ok(obs.every((o) => o.kind === 'rr'))
      assert.equal(parser.negatives, 0)
    }
  })

  it('bailiwick: the authority NS owner of an authoritative (AA) answer for names at or below it, else null', () => {
    const msg = rawMessage({
      flags: 0x8580,
      question: Q,
      an: [rr([0xc0, 12], 1, 1, 1, A)],
      ns: [rr([0xc0, 16], 2, 1, 1, wireName('ns1.example.com'))],
      ar: [
        rr(wireName('ns1.example.com'), 1, 1, 1, A),
        rr(wireName('ns.other.net'), 1, 1, 1, A),
        rr(wireName('deep.ns1.example.com'), 1, 1, 1, A),
      ],
    })
    const { obs } = parseOne(msg)
    assert.deepEqual(
      obs.map((o) => o.bailiwick),
      ['example.com', 'example.com', 'example.com', null, 'example.com'],
    )
  })

  it('bailiwick ignores an escaped dot that only looks like a label boundary', () => {
    // owner is the single label "a.com" under the root: not below "com"
    const msg = rawMessage({
      flags: 0x8580,
      question: { name: wireName('com'), type: 2 },
      ns: [rr([0xc0, 12], 2, 1, 1, wireName('ns.com'))],
      ar: [rr([5, 0x61, 0x2e, 0x63, 0x6f, 0x6d, 0], 1, 1, 1, A)],
    })
    const { obs } = parseOne(msg)
    assert.equal(obs[1]!.rrname, 'a\\.com')
    assert.equal(obs[1]!.bailiwick, null)
  })

  it('OPT carries the upper RCODE bits (BADVERS = 16) and is counted, not emitted', () => {
    const msg = rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)], ar: [OPT(0x01000000)] })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs.length, 1)
    assert.equal(obs[0]!.rcode, 'BADVERS')
    assert.equal(parser.metaRecords, 1)
    const odd = parseOne(
      rawMessage({ flags: 0x8182, question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)], ar: [OPT(0xff000000)] }),
    )
    assert.equal(odd.obs[0]!.rcode, 'RCODE4082')
  })

  it('TSIG and TKEY are meta-RRs: counted, never emitted', () => {
    const msg = rawMessage({
      question: Q,
      an: [rr([0xc0, 12], 1, 1, 1, A), rr([0xc0, 12], 249, 255, 0, [1, 2])],
      ar: [rr(wireName('key'), 250, 255, 0, [0, 0])],
    })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs.length, 1)
    assert.equal(parser.metaRecords, 2)
  })

  it('counts opt.multiple and opt.misplaced', () => {
    const { parser } = parseOne(rawMessage({ question: Q, an: [OPT(0)], ar: [OPT(0), OPT(0)] }))
    assert.equal(parser.anomalies.get('opt.misplaced'), 1)
    assert.equal(parser.anomalies.get('opt.multiple'), 1)
  })

  it('rcode mnemonics for the header codes', () => {
    const names = [
      'NOERROR',
      'FORMERR',
      'SERVFAIL',
      'NXDOMAIN',
      'NOTIMP',
      'REFUSED',
      'YXDOMAIN',
      'YXRRSET',
      'NXRRSET',
      'NOTAUTH',
      'NOTZONE',
      'DSOTYPENI',
      'RCODE12',
    ]
    names.forEach((name, code) => {
      const { obs } = parseOne(
        rawMessage({ flags: 0x8180 | code, question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)] }),
      )
      assert.equal(obs[0]!.rcode, name)
    })
  })

  it('class mnemonics and the mDNS cache-flush bit on port 5353', () => {
    const msg = rawMessage({
      question: null,
      an: [
        rr(wireName('host.local'), 1, 0x8001, 120, A),
        rr(wireName('x'), 1, 3, 1, A),
        rr(wireName('y'), 1, 77, 1, A),
      ],
    })
    const mdns = parseOne(msg, {}, info({ srcPort: 5353, dstPort: 5353 })).obs
    assert.deepEqual(
      mdns.map((o) => o.rrclass),
      ['IN', 'CH', 'CLASS77'],
    )
    assert.equal(parseOne(msg).obs[0]!.rrclass, 'CLASS32769')
    assert.equal(parseOne(msg, { mdns: false }, info({ srcPort: 5353 })).obs[0]!.rrclass, 'CLASS32769')
  })

  it('a truncated message keeps the RRs before the damage', () => {
    const full = rawMessage({
      question: Q,
      an: [rr([0xc0, 12], 1, 1, 1, A), rr([0xc0, 12], 1, 1, 1, [192, 0, 2, 2])],
    })
    for (let cut = full.length - 1; cut > full.length - 16; cut--) {
      const obs: unknown[] = []
      const parser = new DnsParser({ clientAddresses: false }, (o) => obs.push(o))
      parser.parse(full, 0, cut, info())
      assert.equal(obs.length, 1, `cut at ${cut}`)
      // the damage itself, and the OPT that could extend the rcode was never reached
      assert.equal(parser.anomalies.get('rcode.uncertain'), 1)
      assert.equal(parser.anomalies.total(), 2)
    }
  })

  it('rdata.overrun and rr.truncated stop the walk with earlier RRs kept', () => {
    const over = parseOne(
      rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 1, A), rr([0xc0, 12], 1, 1, 1, A, 400)] }),
    )
    assert.equal(over.obs.length, 1)
    assert.equal(over.parser.anomalies.get('rdata.overrun'), 1)
    const cut = parseOne(
      rawMessage({
        question: Q,
        an: [rr([0xc0, 12], 1, 1, 1, A)],
        counts: [1, 2, 0, 0],
        trailing: [0xc0, 12, 0, 1],
      }),
    )
    assert.equal(cut.obs.length, 1)
    assert.equal(cut.parser.anomalies.get('rr.truncated'), 1)
  })

  it('absurd counts: walks only what the bytes hold', () => {
    const { obs, parser } = parseOne(
      rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)], counts: [1, 65535, 65535, 65535] }),
    )
    assert.equal(obs.length, 1)
    assert.equal(parser.anomalies.get('count.exceeds_message'), 1)
    const qd = parseOne(rawMessage({ question: Q, counts: [65535, 0, 0, 0] }))
    assert.equal(qd.obs.length, 0)
  })

  it('short headers and trailing bytes are anomalies', () => {
    assert.equal(parseOne(Uint8Array.from([0, 1, 0x81, 0x80, 0])).parser.anomalies.get('header.truncated'), 1)
    assert.equal(parseOne(Uint8Array.from([0, 1])).parser.anomalies.get('header.truncated'), 1)
    const t = parseOne(rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)], trailing: [0, 0] }))
    assert.equal(t.obs.length, 1)
    assert.equal(t.parser.anomalies.get('message.trailing_bytes'), 1)
  })

  it('parses a message at an offset inside a larger buffer', () => {
    const msg = rawMessage({ question: Q, an: [rr([0xc0, 12], 1, 1, 1, A)] })
    const big = new Uint8Array(msg.length + 100).fill(0xc0)
    big.set(msg, 37)
    const obs: { rrname: string }[] = []
    new DnsParser({ clientAddresses: false }, (o) => obs.push(o)).parse(big, 37, msg.length, info())
    assert.equal(obs[0]!.rrname, 'www.example.com')
  })

  it('IPv6 text matches node:net (inet_ntop) on seeded random addresses, seen once and again', () => {
    let seed = 42
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed >>> 16
    }
    const b = new Uint8Array(16)
    for (let i = 0; i < 3000; i++) {
      for (let w = 0; w < 8; w++) {
        const v = rnd() % 4 === 0 ? rnd() : 0 // many zero words: exercises the :: choice
        b[2 * w] = v >> 8
        b[2 * w + 1] = v & 255
      }
      if (i % 7 === 0) b.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 0)
      const words = Array.from({ length: 8 }, (_, w) => ((b[2 * w]! << 8) | b[2 * w + 1]!).toString(16)).join(
        ':',
      )
      const want = new SocketAddress({ address: words, family: 'ipv6' }).address
      assert.equal(ipv6(b, 0), want, words)
      // again, from the table of recent addresses
      assert.equal(ipv6(b, 0), want, words)
    }
  })

  it('IPv4 text is the dotted quad, whatever its table of recent addresses holds (seeded, colliding slots)', () => {
    const rand = prng(4)
    // a few hot addresses seen again and again, among many that evict each other from the table
    const hot = Array.from({ length: 16 }, () => randInt(rand, 2 ** 32))
    const b = new Uint8Array(8)
    for (let i = 0; i < 200_000; i++) {
      const a = i % 3 === 0 ? hot[randInt(rand, hot.length)]! : randInt(rand, 2 ** 32)
      const at = i % 5
      b[at] = a >>> 24
      b[at + 1] = (a >>> 16) & 255
      b[at + 2] = (a >>> 8) & 255
      b[at + 3] = a & 255
      const want = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`
      assert.equal(ipv4(b, at), want)
    }
  })
})

describe('opcodes', () => {
  it('responses to UPDATE and NOTIFY are counted, never read as answers', () => {
    for (const opcode of [4, 5]) {
      const msg = rawMessage({
        flags: 0x8000 | (opcode << 11),
        question: Q,
        an: [rr([0xc0, 12], 1, 1, 300, A)],
      })
      const { obs, parser } = parseOne(msg)
      assert.deepEqual(obs, [])
      assert.equal(parser.otherOpcodes, 1)
      assert.equal(parser.responses, 1)
    }
  })
})

/** SOA of zone (owner written out), TTL 3600, MINIMUM 300: negative TTL 300. */
function soaOf(zone: string): number[] {
  const rdata = [
    ...wireName(`ns1.${zone}`),
    ...wireName(`hostmaster.${zone}`),
    ...u32(1),
    ...u32(7200),
    ...u32(900),
    ...u32(1209600),
    ...u32(300),
  ]
  return rr(wireName(zone), 6, 1, 3600, rdata)
}
const nsOf = (zone: string) => rr(wireName(zone), 2, 1, 3600, wireName(`ns1.${zone}`))
const cname = (owner: string, target: string) => rr(wireName(owner), 5, 1, 60, wireName(target))
const negatives = (obs: { kind: string; rrname: string; rrtype: string }[]) =>
  obs.filter((o) => o.kind !== 'rr').map((o) => `${o.kind} ${o.rrname} ${o.rrtype}`)

describe('negative answers', () => {
  it('qtype ANY answered by any record, even only an RRSIG, is not NODATA', () => {
    const any = { name: wireName('example.com'), type: 255 }
    const rrsig = [0, 1, 8, 2, ...u32(60), ...u32(2), ...u32(1), 0, 1, ...wireName('example.com'), 1, 2, 3]
    for (const answer of [rr([0xc0, 12], 1, 1, 60, A), rr([0xc0, 12], 46, 1, 60, rrsig)]) {
      const { obs, parser } = parseOne(
        rawMessage({ question: any, an: [answer], ns: [soaOf('example.com')] }),
      )
      assert.deepEqual(negatives(obs), [])
      assert.equal(parser.negatives, 0)
    }
    // an empty ANY answer with the zone's SOA still says the name holds no data
    const empty = parseOne(rawMessage({ question: any, ns: [soaOf('example.com')] }))
    assert.deepEqual(negatives(empty.obs), ['nodata example.com ANY'])
  })

  it('meta qtypes (AXFR, TKEY) with answers are not NODATA', () => {
    const axfr = rawMessage({
      question: { name: wireName('example.com'), type: 252 },
      an: [soaOf('example.com'), nsOf('example.com')],
    })
    const tkey = rawMessage({
      question: { name: wireName('key.example'), type: 249 },
      an: [rr(wireName('key.example'), 249, 255, 0, [1, 2])],
    })
    for (const m of [axfr, tkey]) assert.deepEqual(negatives(parseOne(m).obs), [])
  })

  it('NODATA with SOA and NS in the authority (RFC 2308 §2.2.1 NODATA type 1) is NODATA, not a referral', () => {
    const { obs } = parseOne(
      rawMessage({
        flags: 0x8580,
        question: { name: wireName('www.example.com'), type: 28 },
        ns: [soaOf('example.com'), nsOf('example.com')],
      }),
    )
    const neg = obs.at(-1)!
    assert.deepEqual(
      [neg.kind, neg.rrname, neg.rrtype, neg.ttl, neg.bailiwick],
      ['nodata', 'www.example.com', 'AAAA', 300, 'example.com'],
    )
  })

  it("NXDOMAIN behind a CNAME chain is filed under the chain's last name (RFC 6604 §2.1)", () => {
    // chain written out of order: the walk follows owner → target, not the record order
    const msg = rawMessage({
      flags: 0x8183,
      question: Q,
      an: [cname('mid.example.org', 'gone.example.net'), cname('www.example.com', 'mid.example.org')],
      ns: [soaOf('example.net')],
    })
    const { obs, parser } = parseOne(msg)
    const neg = obs.at(-1)!
    assert.deepEqual(
      [neg.kind, neg.rrname, neg.rrtype, neg.qname, neg.ttl, neg.bailiwick],
      ['nxdomain', 'gone.example.net', 'A', 'www.example.com', 300, 'example.net'],
    )
    assert.equal(parser.negatives, 1)
  })

  it("NODATA behind a CNAME is filed under the target when an SOA of the target's zone says so", () => {
    const msg = (ns: number[][]) =>
      rawMessage({ question: Q, an: [cname('www.example.com', 'edge.cdn.example.net')], ns })
    assert.deepEqual(negatives(parseOne(msg([soaOf('cdn.example.net')])).obs), [
      'nodata edge.cdn.example.net A',
    ])
    // an authoritative server answering only the CNAME into a zone it does not serve: not NODATA
    assert.deepEqual(negatives(parseOne(msg([])).obs), [])
    assert.deepEqual(negatives(parseOne(msg([soaOf('example.com')])).obs), [])
  })

  it('no negative when the chain ends in an answer, loops, or cannot be followed', () => {
    const answered = rawMessage({
      flags: 0x8183,
      question: Q,
      an: [cname('www.example.com', 'x.example.net'), rr(wireName('x.example.net'), 1, 1, 60, A)],
    })
    const loop = rawMessage({
      flags: 0x8183,
      question: Q,
      an: [cname('www.example.com', 'b.example.com'), cname('b.example.com', 'www.example.com')],
    })
    const badTarget = rawMessage({
      flags: 0x8183,
      question: Q,
      an: [rr(wireName('www.example.com'), 5, 1, 60, [0x40, 0])],
    })
    const tc = rawMessage({
      flags: 0x8383,
      question: Q,
      an: [cname('www.example.com', 'x.example.net')],
    })
    for (const m of [answered, loop, badTarget, tc]) assert.deepEqual(negatives(parseOne(m).obs), [])
  })

  it('a long CNAME chain in reverse order is followed to its end', () => {
    const an: number[][] = []
    for (let i = 20; i > 0; i--)
      an.push(cname(i === 1 ? 'www.example.com' : `c${i - 1}.example.net`, `c${i}.example.net`))
    const { obs } = parseOne(rawMessage({ flags: 0x8183, question: Q, an }))
    assert.deepEqual(negatives(obs), ['nxdomain c20.example.net A'])
  })

  it('DNAME: followed through its synthesized CNAME, undecidable without one', () => {
    const dname = rr(wireName('example.com'), 39, 1, 60, wireName('example.org'))
    const synthesized = rawMessage({
      flags: 0x8183,
      question: Q,
      an: [dname, cname('www.example.com', 'www.example.org')],
      ns: [soaOf('example.org')],
    })
    assert.deepEqual(negatives(parseOne(synthesized).obs), ['nxdomain www.example.org A'])
    const bare = rawMessage({ flags: 0x8183, question: Q, an: [dname], ns: [soaOf('example.org')] })
    assert.deepEqual(negatives(parseOne(bare).obs), [])
    const bareNodata = rawMessage({ question: Q, an: [dname], ns: [soaOf('example.org')] })
    assert.deepEqual(negatives(parseOne(bareNodata).obs), [])
  })

  it('negative TTL only from an SOA whose RDATA parsed', () => {
    // 22 octets of SOA RDATA that are not two names and five numbers
    const broken = rr(wireName('example.com'), 6, 1, 3600, [0x40, ...new Array(21).fill(0)])
    const { obs, parser } = parseOne(rawMessage({ flags: 0x8183, question: Q, ns: [broken] }))
    assert.equal(obs.at(-1)!.kind, 'nxdomain')
    assert.equal(obs.at(-1)!.ttl, null)
    assert.equal(parser.anomalies.get('rdata.malformed:SOA'), 1)
  })

  it('no NXDOMAIN when the walk stopped before the OPT RR: low bits 3 may be BADTIME (19)', () => {
    const msg = rawMessage({
      flags: 0x8183,
      question: Q,
      ns: [soaOf('example.com')],
      ar: [rr(wireName('x'), 1, 1, 1, A, 400), OPT(0x01000000)],
    })
    const { obs, parser } = parseOne(msg)
    assert.deepEqual(negatives(obs), [])
    assert.equal(parser.anomalies.get('rcode.uncertain'), 1)
  })

  it('no NODATA when the walk stopped before the OPT RR that could extend the rcode', () => {
    // BADVERS (16): header rcode 0, the upper bits in the OPT behind a damaged additional RR
    const msg = rawMessage({
      question: Q,
      ns: [soaOf('example.com')],
      ar: [rr(wireName('x'), 1, 1, 1, A, 400), OPT(0x01000000)],
    })
    const { obs, parser } = parseOne(msg)
    assert.deepEqual(negatives(obs), [])
    assert.equal(obs[0]!.rcode, 'NOERROR')
    assert.equal(parser.anomalies.get('rcode.uncertain'), 1)
    // the same message whole: the OPT is read, the rcode is final
    const whole = parseOne(rawMessage({ question: Q, ns: [soaOf('example.com')], ar: [OPT(0x01000000)] }))
    assert.equal(whole.obs[0]!.rcode, 'BADVERS')
    assert.equal(whole.parser.anomalies.get('rcode.uncertain'), 0)
  })
})

describe('bailiwick', () => {
  it('a referral (NS, no SOA, AA clear) gives no bailiwick: the server does not serve the child zone', () => {
    const { obs } = parseOne(
      rawMessage({
        flags: 0x8000,
        question: { name: wireName('www.child.example.com'), type: 1 },
        ns: [nsOf('child.example.com')],
        ar: [rr(wireName('ns1.child.example.com'), 1, 1, 60, A)],
      }),
    )
    assert.deepEqual(
      obs.map((o) => [o.rrname, o.bailiwick]),
      [
        ['child.example.com', null],
        ['ns1.child.example.com', null],
      ],
    )
  })

  it('an authoritative CNAME into a delegated child (RFC 1034 4.3.2 3b) is a referral: no child bailiwick', () => {
    const { obs } = parseOne(
      rawMessage({
        flags: 0x8400,
        question: Q,
        an: [rr([0xc0, 12], 5, 1, 300, wireName('www.sub.example.com'))],
        ns: [nsOf('sub.example.com')],
        ar: [rr(wireName('ns1.sub.example.com'), 1, 1, 300, A)],
      }),
    )
    assert.deepEqual(
      obs.map((o) => o.bailiwick),
      [null, null, null],
    )
  })

  it("a resolver's answer (AA clear) with the zone's NS beside it takes that zone as its best guess", () => {
    const answer = rr(wireName('www.example.com'), 1, 1, 60, A)
    const { obs } = parseOne(
      rawMessage({ flags: 0x8180, question: Q, an: [answer], ns: [nsOf('example.com')] }),
    )
    assert.deepEqual(
      obs.map((o) => o.bailiwick),
      ['example.com', 'example.com'],
    )
  })

  it('an authoritative answer (AA) keeps its NS-derived zone; an SOA gives the zone with or without AA', () => {
    const answer = rr(wireName('www.example.com'), 1, 1, 60, A)
    const aa = parseOne(rawMessage({ flags: 0x8400, question: Q, an: [answer], ns: [nsOf('example.com')] }))
    assert.deepEqual(
      aa.obs.map((o) => o.bailiwick),
      ['example.com', 'example.com'],
    )
    const soaFirst = parseOne(
      rawMessage({ flags: 0x8183, question: Q, ns: [nsOf('example.com'), soaOf('example.com')] }),
    )
    assert.ok(soaFirst.obs.every((o) => o.bailiwick === 'example.com'))
  })
})

describe('sink and message size', () => {
  it('an exception thrown by the sink reaches the caller unchanged, not as a parser error', () => {
    const boom = new Error('store is full')
    let calls = 0
    // the store takes the SOA, then fails on the NXDOMAIN observation
    const parser = new DnsParser({ clientAddresses: false }, () => {
      if (++calls === 2) throw boom
    })
    const msg = rawMessage({ flags: 0x8183, question: Q, ns: [soa(3600, 300)] })
    assert.throws(
      () => parser.parse(msg, 0, msg.length, info()),
      (err) => err === boom,
    )
    assert.equal(parser.anomalies.get('parser.internal_error'), 0)
    // counters say what the sink actually took
    assert.equal(parser.observations, 1)
    assert.equal(parser.negatives, 0)
  })

  it('a message longer than 65535 octets counts message.too_long and is read up to that length', () => {
    const msg = rawMessage({
      question: Q,
      an: [rr([0xc0, 12], 1, 1, 1, A)],
      trailing: new Array(70000).fill(0),
    })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs.length, 1)
    assert.equal(parser.anomalies.get('message.too_long'), 1)
  })
})

describe('text written byte by byte', () => {
  // the forms as they were first written, one string per octet: the reference
  const qchar = (c: number) =>
    c === 0x22 || c === 0x5c
      ? `\\${String.fromCharCode(c)}`
      : c < 0x20 || c > 0x7e
        ? `\\${String(c).padStart(3, '0')}`
        : String.fromCharCode(c)
  const quotedRef = (b: Uint8Array) => `"${Array.from(b, qchar).join('')}"`

  it('quoted, character-strings and the generic form equal their plain definitions (seeded bytes)', () => {
    const rand = prng(7)
    for (let i = 0; i < 2000; i++) {
      const len = pick(rand, [0, 1, 5, 63, 255])
      const bytes = Uint8Array.from({ length: len }, () =>
        rand() < 0.7 ? 0x20 + randInt(rand, 95) : randInt(rand, 256),
      )
      const padded = new Uint8Array(len + 3)
      padded.set(bytes, 2)
      assert.equal(quoted(padded, 2, 2 + len), quotedRef(bytes))
      const hex = Buffer.from(bytes).toString('hex').toUpperCase()
      assert.equal(generic(padded, 2, 2 + len), len === 0 ? '\\# 0' : `\\# ${len} ${hex}`)
      // the same bytes cut into length-prefixed strings
      const parts: Uint8Array[] = []
      for (let p = 0; p < len; ) {
        const n = Math.min(len - p, randInt(rand, 70))
        parts.push(bytes.subarray(p, p + n))
        p += n
        if (n === 0) p++
      }
      const wire = Buffer.concat(parts.map((x) => Buffer.concat([Buffer.of(x.length), x])))
      const want = parts.length === 0 ? null : parts.map(quotedRef).join(' ')
      assert.equal(characterStrings(wire, 0, wire.length, 1, ANY_COUNT), want)
    }
  })
})
