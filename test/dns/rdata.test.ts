import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Answer } from 'dns-packet'
import { answerWith, packet, parseOne, rawMessage, rdataOf, rr, u16, u32, wireName } from './helpers.ts'

/** One-answer response via dns-packet; returns the rendered rdata. */
function viaPacket(answer: Record<string, unknown>): string | null {
  return rdataOf(
    packet({ questions: [{ name: 'example.com', type: 'A' }], answers: [answer as unknown as Answer] }),
  )
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))
const cstr = (s: string) => [s.length, ...ascii(s)]

describe('rdata presentation (tshark forms)', () => {
  it('A: dotted quad', () => {
    assert.equal(viaPacket({ type: 'A', name: 'example.com', data: '10.0.255.1' }), '10.0.255.1')
  })

  it('AAAA: RFC 5952 text', () => {
    assert.equal(
      viaPacket({ type: 'AAAA', name: 'example.com', data: '2001:db8:0:0:1:0:0:1' }),
      '2001:db8::1:0:0:1',
    )
    assert.equal(viaPacket({ type: 'AAAA', name: 'example.com', data: '::ffff:1.2.3.4' }), '::ffff:1.2.3.4')
  })

  it('NS, CNAME, PTR, DNAME: one name, lower-cased', () => {
    for (const type of ['NS', 'CNAME', 'PTR', 'DNAME']) {
      assert.equal(viaPacket({ type, name: 'example.com', data: 'Target.Example.NET' }), 'target.example.net')
    }
  })

  it('MB, MG, MR, MD, MF: one name', () => {
    for (const type of [7, 8, 9, 3, 4])
      assert.equal(rdataOf(answerWith(type, wireName('mail.example'))), 'mail.example')
  })

  it('MX, AFSDB, RT, KX: preference and name', () => {
    assert.equal(
      viaPacket({ type: 'MX', name: 'example.com', data: { preference: 10, exchange: 'mx.example.com' } }),
      '10 mx.example.com',
    )
    for (const type of [18, 21, 36])
      assert.equal(rdataOf(answerWith(type, [...u16(5), ...wireName('h.example')])), '5 h.example')
  })

  it('SOA: mname rname serial refresh retry expire minimum', () => {
    const data = {
      mname: 'ns1.example.com',
      rname: 'hostmaster.example.com',
      serial: 4294967295,
      refresh: 7200,
      retry: 900,
      expire: 1209600,
      minimum: 300,
    }
    assert.equal(
      viaPacket({ type: 'SOA', name: 'example.com', data }),
      'ns1.example.com hostmaster.example.com 4294967295 7200 900 1209600 300',
    )
  })

  it('SRV: priority weight port target', () => {
    assert.equal(
      viaPacket({
        type: 'SRV',
        name: 'example.com',
        data: { priority: 0, weight: 5, port: 5060, target: 'sip.example.com' },
      }),
      '0 5 5060 sip.example.com',
    )
  })

  it('TXT and SPF: quoted character-strings with escapes, one space between', () => {
    const r = viaPacket({
      type: 'TXT',
      name: 'example.com',
      data: [Buffer.from('v=spf1 -all'), Buffer.from('a"b\\c'), Buffer.from([0x00, 0xff]), Buffer.alloc(0)],
    })
    assert.equal(r, '"v=spf1 -all" "a\\"b\\\\c" "\\000\\255" ""')
    assert.equal(rdataOf(answerWith(99, cstr('v=spf1 mx'))), '"v=spf1 mx"')
  })

  it('HINFO: cpu and os quoted', () => {
    assert.equal(
      viaPacket({ type: 'HINFO', name: 'example.com', data: { cpu: 'INTEL-386', os: 'Windows' } }),
      '"INTEL-386" "Windows"',
    )
  })

  it('NAPTR: order pref "flags" "services" "regexp" replacement', () => {
    const data = {
      order: 100,
      preference: 10,
      flags: 's',
      services: 'SIPS+D2T',
      regexp: '',
      replacement: '_sips._tcp.example.com',
    }
    assert.equal(
      viaPacket({ type: 'NAPTR', name: 'example.com', data }),
      '100 10 "s" "SIPS+D2T" "" _sips._tcp.example.com',
    )
  })

  it('CAA: flags tag "value"', () => {
    assert.equal(
      viaPacket({
        type: 'CAA',
        name: 'example.com',
        data: { flags: 0, tag: 'issue', value: 'ca.example.net' },
      }),
      '0 issue "ca.example.net"',
    )
  })

  it('RP and MINFO: two names', () => {
    assert.equal(
      viaPacket({
        type: 'RP',
        name: 'example.com',
        data: { mbox: 'admin.example.com', txt: 'info.example.com' },
      }),
      'admin.example.com info.example.com',
    )
    assert.equal(
      rdataOf(answerWith(14, [...wireName('a.example'), ...wireName('b.example')])),
      'a.example b.example',
    )
  })

  it('PX: preference map822 mapx400', () => {
    assert.equal(
      rdataOf(answerWith(26, [...u16(10), ...wireName('a.example'), ...wireName('b.example')])),
      '10 a.example b.example',
    )
  })

  it('X25 and ISDN: quoted strings', () => {
    assert.equal(rdataOf(answerWith(19, cstr('311061700956'))), '"311061700956"')
    assert.equal(
      rdataOf(answerWith(20, [...cstr('150862028003217'), ...cstr('004')])),
      '"150862028003217" "004"',
    )
  })

  it('character-string counts out of bounds are malformed (HINFO 2, X25 1, ISDN 1–2, TXT 1+, NAPTR 3)', () => {
    const malformed = (type: number, rdata: number[]) =>
      parseOne(answerWith(type, rdata)).obs[0]!.rdata!.startsWith('\\# ')
    assert.ok(malformed(13, cstr('cpu')))
    assert.ok(malformed(13, [...cstr('a'), ...cstr('b'), ...cstr('c')]))
    assert.ok(malformed(19, [...cstr('1'), ...cstr('2')]))
    assert.ok(malformed(20, [...cstr('1'), ...cstr('2'), ...cstr('3')]))
    assert.ok(malformed(16, []))
    assert.ok(malformed(16, [5, 0x61]))
    // NAPTR: a string length reaching into the replacement name's place, then past the end
    assert.ok(malformed(35, [...u16(1), ...u16(2), ...cstr('s'), ...cstr(''), 9, 0]))
    assert.ok(malformed(35, [...u16(1), ...u16(2), ...cstr('s'), ...cstr('')]))
    assert.equal(
      rdataOf(answerWith(35, [...u16(1), ...u16(2), ...cstr('s'), ...cstr('x'), ...cstr(''), 0])),
      '1 2 "s" "x" "" .',
    )
  })

  it('WKS: address protocol ports from the bitmap', () => {
    assert.equal(rdataOf(answerWith(11, [192, 168, 0, 1, 6, 0xe0, 0, 0x05])), '192.168.0.1 6 0 1 2 21 23')
  })

  it('WKS: a bitmap past port 65535 is malformed, kept in generic form', () => {
    const full = [192, 168, 0, 1, 6, ...new Array<number>(8192).fill(0)]
    full[full.length - 1] = 1
    assert.match(rdataOf(answerWith(11, full))!, / 65535$/)
    const { parser } = parseOne(answerWith(11, [...full, 0x80]))
    assert.equal(parser.anomalies.get('rdata.malformed:WKS'), 1)
  })

  it('NSAP: 0x and hex', () => {
    assert.equal(rdataOf(answerWith(22, [0x47, 0x00, 0x05, 0x80])), '0x47000580')
  })

  it('DS: keytag alg digesttype upper-case hex digest', () => {
    const data = {
      keyTag: 57355,
      algorithm: 8,
      digestType: 2,
      digest: Buffer.from('95a57c3bab7849db', 'hex'),
    }
    assert.equal(viaPacket({ type: 'DS', name: 'example.com', data }), '57355 8 2 95A57C3BAB7849DB')
    assert.equal(rdataOf(answerWith(59, [...u16(1), 13, 2, 0xab])), '1 13 2 AB') // CDS
  })

  it('DNSKEY and CDNSKEY: flags protocol alg unbroken base64', () => {
    const key = Buffer.alloc(100, 7)
    const r = viaPacket({ type: 'DNSKEY', name: 'example.com', data: { flags: 257, algorithm: 13, key } })
    assert.equal(r, `257 3 13 ${key.toString('base64')}`)
    assert.equal(rdataOf(answerWith(60, [...u16(256), 3, 8, 1, 2, 3])), '256 3 8 AQID')
  })

  it('RRSIG: covered alg labels origttl YYYYMMDDHHMMSS times keytag signer base64', () => {
    const data = {
      typeCovered: 'AAAA',
      algorithm: 10,
      labels: 3,
      originalTTL: 60,
      expiration: Date.UTC(2019, 5, 16, 15, 2, 20) / 1000,
      inception: Date.UTC(2019, 4, 17, 14, 2, 20) / 1000,
      keyTag: 36935,
      signersName: 'Weberlab.de',
      signature: Buffer.from([1, 2, 3, 4]),
    }
    assert.equal(
      viaPacket({ type: 'RRSIG', name: 'example.com', data }),
      'AAAA 10 3 60 20190616150220 20190517140220 36935 weberlab.de AQIDBA==',
    )
  })

  it('NSEC: next name and type mnemonics (TYPEnnn when unknown)', () => {
    assert.equal(
      viaPacket({
        type: 'NSEC',
        name: 'example.com',
        data: { nextDomain: 'b.example.com', rrtypes: ['A', 'TXT', 'RRSIG', 'NSEC'] },
      }),
      'b.example.com A TXT RRSIG NSEC',
    )
    // window 1, type 256+2 = 258 (AVC), and window 2 type 512 unknown
    assert.equal(
      rdataOf(answerWith(47, [...wireName('n.example'), 0, 1, 0x40, 1, 1, 0x20, 2, 1, 0x80])),
      'n.example A AVC TYPE512',
    )
  })

  it('NSEC3: alg flags iterations salt base32hex-next types; "-" for empty salt', () => {
    const hash = Buffer.from('6556c6e7e5a04bbbf21b0c9e17327b2c', 'hex')
    const data = [1, 0, ...u16(10), 2, 0x7f, 0x6f, hash.length, ...hash, 0, 1, 0x20]
    assert.equal(rdataOf(answerWith(50, data)), '1 0 10 7F6F CLBCDPV5K15RNSGR1IF1ECJR5G NS')
    const noSalt = [1, 1, ...u16(0), 0, 1, 0xff]
    assert.equal(rdataOf(answerWith(50, noSalt)), '1 1 0 - VS')
  })

  it('NSEC3PARAM: alg flags iterations salt', () => {
    assert.equal(rdataOf(answerWith(51, [1, 0, ...u16(20), 2, 0x7b, 0x1a])), '1 0 20 7B1A')
    assert.equal(rdataOf(answerWith(51, [1, 0, ...u16(0), 0])), '1 0 0 -')
  })

  it('TLSA and SMIMEA: usage selector mtype hex', () => {
    assert.equal(
      viaPacket({
        type: 'TLSA',
        name: 'example.com',
        data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.from([0xde, 0xad]) },
      }),
      '3 1 1 DEAD',
    )
    assert.equal(rdataOf(answerWith(53, [3, 0, 1, 0xbe, 0xef])), '3 0 1 BEEF')
  })

  it('SSHFP: alg fptype hex', () => {
    assert.equal(
      viaPacket({
        type: 'SSHFP',
        name: 'example.com',
        data: {
          algorithm: 1,
          hash: 1,
          fingerprint: '198c34a92fc0b2ab1da52b688c2f191d2d960c09',
        },
      }),
      '1 1 198C34A92FC0B2AB1DA52B688C2F191D2D960C09',
    )
  })

  it('ZONEMD: serial scheme alg hex digest', () => {
    assert.equal(
      rdataOf(answerWith(63, [...u32(2025), 1, 1, ...new Array(12).fill(0xaa)])),
      `2025 1 1 ${'AA'.repeat(12)}`,
    )
  })

  it('CSYNC: serial flags types', () => {
    assert.equal(rdataOf(answerWith(62, [...u32(66), ...u16(3), 0, 1, 0x60])), '66 3 A NS')
  })

  it('OPENPGPKEY and DHCID: base64', () => {
    assert.equal(rdataOf(answerWith(61, [1, 2, 3])), 'AQID')
    assert.equal(rdataOf(answerWith(49, [0xff])), '/w==')
  })

  it('CERT: type keytag alg base64', () => {
    assert.equal(rdataOf(answerWith(37, [...u16(1), ...u16(12345), 8, 1, 2, 3])), '1 12345 8 AQID')
  })

  it('IPSECKEY: precedence gwtype alg gateway key', () => {
    assert.equal(rdataOf(answerWith(45, [10, 1, 2, 192, 0, 2, 38, 1, 2, 3])), '10 1 2 192.0.2.38 AQID')
    assert.equal(rdataOf(answerWith(45, [10, 0, 2, 1, 2, 3])), '10 0 2 . AQID')
    assert.equal(rdataOf(answerWith(45, [10, 3, 0, ...wireName('gw.example')])), '10 3 0 gw.example')
  })

  it('HIP: alg HIT base64-key rendezvous servers', () => {
    assert.equal(
      rdataOf(answerWith(55, [2, 2, ...u16(3), 0xab, 0xcd, 1, 2, 3, ...wireName('rvs.example')])),
      '2 ABCD AQID rvs.example',
    )
  })

  it('SVCB/HTTPS: priority target key=value with unquoted values', () => {
    const params = [
      ...u16(0),
      ...u16(4),
      ...u16(1),
      ...u16(4), // mandatory=alpn,ipv4hint
      ...u16(1),
      ...u16(6),
      2,
      0x68,
      0x33,
      2,
      0x68,
      0x32, // alpn=h3,h2
      ...u16(2),
      ...u16(0), // no-default-alpn
      ...u16(3),
      ...u16(2),
      ...u16(8443), // port
      ...u16(4),
      ...u16(8),
      104,
      18,
      10,
      118,
      104,
      18,
      11,
      118, // ipv4hint
      ...u16(5),
      ...u16(3),
      1,
      2,
      3, // ech
      ...u16(6),
      ...u16(16),
      0x26,
      0x06,
      0x47,
      0,
      ...new Array(10).fill(0),
      0x0a,
      0x76, // ipv6hint
      ...u16(65000),
      ...u16(2),
      0x68,
      0x69, // unknown key
    ]
    assert.equal(
      rdataOf(answerWith(65, [...u16(1), 0, ...params])),
      '1 . mandatory=alpn,ipv4hint alpn=h3,h2 no-default-alpn port=8443 ipv4hint=104.18.10.118,104.18.11.118 ech=AQID ipv6hint=2606:4700::a76 key65000=hi',
    )
    assert.equal(rdataOf(answerWith(64, [...u16(0), ...wireName('foo.example.com')])), '0 foo.example.com')
  })

  it('SVCB with a malformed alpn length: generic form and rdata.malformed:HTTPS', () => {
    const msg = answerWith(65, [...u16(1), 0, ...u16(1), ...u16(6), 2, 0x68, 0x32, 8, 0x68, 0x33])
    const { obs, parser } = parseOne(msg)
    assert.equal(obs[0]!.rdata, '\\# 13 00010000010006026832086833')
    assert.equal(parser.anomalies.get('rdata.malformed:HTTPS'), 1)
  })

  it('LOC: RFC 1876 text form', () => {
    const data = Buffer.from('001215138805025065d2d40000989680', 'hex')
    assert.equal(
      rdataOf(answerWith(29, [...data])),
      '37 22 26.000 N 121 59 28.000 W 0.00m 1.00m 1000.00m 10.00m',
    )
  })

  it('URI: priority weight "target"', () => {
    assert.equal(
      rdataOf(answerWith(256, [...u16(10), ...u16(1), ...ascii('ftp://ftp1.example.com/public')])),
      '10 1 "ftp://ftp1.example.com/public"',
    )
  })

  it('APL: [!]afi:address/prefix items', () => {
    assert.equal(
      rdataOf(answerWith(42, [...u16(1), 24, 3, 192, 168, 32, ...u16(2), 64, 0x80 | 2, 0x20, 0x01])),
      '1:192.168.32.0/24 !2:2001::/64',
    )
  })

  it('EUI48, EUI64: hex pairs with dashes', () => {
    assert.equal(rdataOf(answerWith(108, [0, 0, 0x5e, 0, 0x53, 0x2a])), '00-00-5e-00-53-2a')
    assert.equal(rdataOf(answerWith(109, [0, 0, 0x5e, 0xef, 0x10, 0, 0, 0x2a])), '00-00-5e-ef-10-00-00-2a')
  })

  it('NID, L64, L32, LP (ILNP)', () => {
    assert.equal(
      rdataOf(answerWith(104, [...u16(10), 0, 0x14, 0x4f, 0xff, 0xff, 0x20, 0xee, 0x64])),
      '10 0014:4fff:ff20:ee64',
    )
    assert.equal(
      rdataOf(answerWith(106, [...u16(20), 0x20, 0x01, 0x0d, 0xb8, 0x14, 0x14, 0, 0])),
      '20 2001:0db8:1414:0000',
    )
    assert.equal(rdataOf(answerWith(105, [...u16(10), 10, 1, 2, 0])), '10 10.1.2.0')
    assert.equal(rdataOf(answerWith(107, [...u16(10), ...wireName('l64.example')])), '10 l64.example')
  })

  it('NULL and unknown types: RFC 3597 \\# len HEX; empty: \\# 0', () => {
    assert.equal(
      viaPacket({ type: 'NULL', name: 'example.com', data: Buffer.from('VACKD') }),
      '\\# 5 5641434B44',
    )
    assert.equal(rdataOf(answerWith(65534, [0x07, 0x7d, 0x12, 0, 1])), '\\# 5 077D120001')
    const { obs } = parseOne(answerWith(7953, []))
    assert.equal(obs[0]!.rdata, '\\# 0')
    assert.equal(obs[0]!.rrtype, 'TYPE7953')
  })

  it('malformed RDATA with sane RDLENGTH: generic form and rdata.malformed:<TYPE>', () => {
    const { obs, parser } = parseOne(answerWith(1, [1, 2, 3]))
    assert.equal(obs[0]!.rdata, '\\# 3 010203')
    assert.equal(parser.anomalies.get('rdata.malformed:A'), 1)
    const mx = parseOne(answerWith(15, [0, 10, ...wireName('mx.example'), 0xff]))
    assert.equal(mx.parser.anomalies.get('rdata.malformed:MX'), 1)
  })

  it('empty RDATA with class ANY or NONE (UPDATE deletion) is generic but not an anomaly', () => {
    for (const cls of [254, 255]) {
      const msg = rawMessage({
        question: { name: wireName('example.com'), type: 1 },
        an: [rr([0xc0, 12], 1, cls, 0, [])],
      })
      const { obs, parser } = parseOne(msg)
      assert.equal(obs[0]!.rdata, '\\# 0')
      assert.equal(parser.anomalies.total(), 0)
    }
    assert.equal(parseOne(answerWith(1, [])).parser.anomalies.get('rdata.malformed:A'), 1)
  })
})
