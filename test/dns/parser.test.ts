import assert from 'node:assert/strict'
import { SocketAddress } from 'node:net'
import { describe, it } from 'node:test'
import { DnsParser } from '../../node/dns/parser.ts'
import { ipv6 } from '../../node/dns/rdata/address.ts'
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

  it('bailiwick: the authority SOA/NS owner for names at or below it, else null', () => {
    const msg = rawMessage({
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
      assert.equal(parser.anomalies.total(), 1)
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

  it('IPv6 text matches node:net (inet_ntop) on seeded random addresses', () => {
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
      assert.equal(ipv6(b, 0), new SocketAddress({ address: words, family: 'ipv6' }).address, words)
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
