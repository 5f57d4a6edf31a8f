import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { answerWith, parseOne, rawMessage, rr, wireName } from './helpers.ts'

const A = [192, 0, 2, 1]

describe('name decoding', () => {
  it('follows a compression pointer to the question name', () => {
    const { obs } = parseOne(rawMessage({ an: [rr([0xc0, 12], 1, 1, 60, A)] }))
    assert.equal(obs[0]!.rrname, 'example.com')
    assert.equal(obs[0]!.qname, 'example.com')
  })

  it('joins in-place labels with a pointed-to suffix', () => {
    // "www" + pointer to "example.com" at 12
    const { obs } = parseOne(rawMessage({ an: [rr([3, 119, 119, 119, 0xc0, 12], 1, 1, 60, A)] }))
    assert.equal(obs[0]!.rrname, 'www.example.com')
  })

  it('follows a pointer into the middle of an earlier name and chains of pointers', () => {
    // offset 12: 3www7example3com0 ; "com" starts at 12+4+8 = 24
    const q = { name: wireName('www.example.com'), type: 1 }
    const msg = rawMessage({
      question: q,
      an: [rr([0xc0, 24], 1, 1, 60, A), rr([1, 120, 0xc0, 16], 5, 1, 60, [0xc0, 12])],
    })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs[0]!.rrname, 'com')
    assert.equal(obs[1]!.rrname, 'x.example.com')
    assert.equal(obs[1]!.rdata, 'www.example.com')
    assert.equal(parser.anomalies.total(), 0)
  })

  it('lower-cases ASCII and drops the trailing dot', () => {
    const { obs } = parseOne(rawMessage({ question: { name: wireName('WwW.ExAmPlE.COM'), type: 1 } }))
    assert.equal(obs.length, 1) // NODATA
    assert.equal(obs[0]!.rrname, 'www.example.com')
  })

  it('writes the root as "."', () => {
    const { obs } = parseOne(
      rawMessage({
        question: { name: [0], type: 2 },
        an: [rr([0], 2, 1, 60, wireName('a.root-servers.net'))],
      }),
    )
    assert.equal(obs[0]!.rrname, '.')
    assert.equal(obs[0]!.qname, '.')
  })

  it('escapes special characters and non-printable octets in master-file form', () => {
    const label = [4, 0x61, 0x2e, 0x20, 0xe2, 6, 0x5c, 0x22, 0x3b, 0x28, 0x29, 0x40, 1, 0x24, 0]
    const { obs } = parseOne(
      rawMessage({ question: { name: label, type: 1 }, an: [rr([0xc0, 12], 1, 1, 1, A)] }),
    )
    assert.equal(obs[0]!.rrname, 'a\\.\\032\\226.\\\\\\"\\;\\(\\)\\@.\\$')
  })

  it('escapes DEL and control octets as \\DDD and keeps other printable ASCII', () => {
    const { obs } = parseOne(
      rawMessage({ question: { name: [5, 0x7f, 0x00, 0x21, 0x7e, 0x2d, 0], type: 1 } }),
    )
    assert.equal(obs[0]!.rrname, '\\127\\000!~-')
  })

  it('rejects a pointer loop without hanging and keeps earlier RRs', () => {
    // second RR owner: pointer to itself
    const first = rr([0xc0, 12], 1, 1, 60, A)
    const selfOff = 12 + 17 + first.length
    const msg = rawMessage({ an: [first, rr([0xc0, selfOff], 1, 1, 60, A)] })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs.filter((o) => o.kind === 'rr').length, 1)
    assert.equal(parser.anomalies.get('name.pointer_loop'), 1)
    assert.equal(parser.anomalies.get('name.forward_pointer'), 1)
  })

  it('rejects a two-pointer loop', () => {
    const first = rr([0xc0, 12], 1, 1, 60, A)
    const at = 12 + 17 + first.length
    // at: pointer to at+2; at+2: pointer to at
    const msg = rawMessage({ an: [first], trailing: [0xc0, at + 2, 0xc0, at], counts: [1, 2, 0, 0] })
    const { parser } = parseOne(msg)
    assert.equal(parser.anomalies.get('name.pointer_loop'), 1)
  })

  it('a pointer loop through long labels stops once 255 octets are read (name.too_long), not after MAX_POINTER_HOPS rounds', () => {
    // RR1 (NULL) holds two names, each 4 labels of 61 octets then a pointer to the other: a loop
    // whose every round adds 248 octets. RR2's owner enters it. The length limit, counted across
    // pointers as the walk goes, ends it after two rounds; the hop limit alone would read 64.
    const r = 12 + 11 // RDATA of RR1 (owner root)
    const half = 4 * 62 + 2
    const long = (to: number) => {
      const out: number[] = []
      for (let i = 0; i < 4; i++) out.push(61, ...new Array<number>(61).fill(0x61))
      return [...out, 0xc0 | (to >> 8), to & 255]
    }
    const data = [...long(r + half), ...long(r)]
    const msg = rawMessage({
      question: null,
      an: [rr([0], 10, 1, 1, data), rr([0xc0 | (r >> 8), r & 255], 1, 1, 1, A)],
    })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs.length, 1)
    assert.equal(parser.anomalies.get('name.too_long'), 1)
    assert.equal(parser.anomalies.get('name.pointer_loop'), 0)
  })

  /** RR1 (NULL) carries "a" then `hops` pointers, each to the previous; RR2's owner points at the last. */
  function chainMessage(hops: number): Uint8Array {
    const r = 12 + 11 // RDATA of RR1 (owner root)
    const data = [1, 0x61, 0]
    for (let i = 0; i < hops; i++) {
      const prev = i === 0 ? r : r + 3 + 2 * (i - 1)
      data.push(0xc0 | (prev >> 8), prev & 255)
    }
    const last = r + 3 + 2 * (hops - 1)
    return rawMessage({
      question: null,
      an: [rr([0], 10, 1, 1, data), rr([0xc0 | (last >> 8), last & 255], 1, 1, 1, A)],
    })
  }

  it('follows a chain of backward pointers within MAX_POINTER_HOPS', () => {
    const { obs, parser } = parseOne(chainMessage(60))
    assert.equal(obs[1]!.rrname, 'a')
    assert.equal(parser.anomalies.total(), 0)
  })

  it('rejects a chain of more than MAX_POINTER_HOPS backward pointers, keeping earlier RRs', () => {
    const { obs, parser } = parseOne(chainMessage(70))
    assert.equal(obs.length, 1)
    assert.equal(obs[0]!.rrtype, 'NULL')
    assert.equal(parser.anomalies.get('name.pointer_chain_too_long'), 1)
    assert.equal(parser.anomalies.get('name.pointer_loop'), 0)
  })

  it('rejects names longer than 255 octets', () => {
    const labels: number[] = []
    for (let i = 0; i < 5; i++) labels.push(63, ...new Array(63).fill(0x61))
    labels.push(0)
    const { obs, parser } = parseOne(rawMessage({ question: { name: labels, type: 1 } }))
    assert.equal(obs.length, 0)
    assert.equal(parser.anomalies.get('name.too_long'), 1)
  })

  it('accepts a name of exactly 255 octets', () => {
    const labels: number[] = []
    for (let i = 0; i < 3; i++) labels.push(63, ...new Array(63).fill(0x62))
    labels.push(61, ...new Array(61).fill(0x63), 0) // 3×64 + 62 + 1 = 255
    const { obs, parser } = parseOne(rawMessage({ question: { name: labels, type: 1 } }))
    assert.equal(parser.anomalies.total(), 0)
    assert.equal(obs[0]!.rrname.length, 3 * 64 + 61)
  })

  it('rejects the reserved label types 0x40 and 0x80', () => {
    for (const bad of [0x41, 0x80]) {
      const { obs, parser } = parseOne(rawMessage({ question: { name: [bad, 0x61, 0], type: 1 } }))
      assert.equal(obs.length, 0)
      assert.equal(parser.anomalies.get('name.bad_label_type'), 1)
    }
  })

  it('rejects names running past the message end', () => {
    const { parser } = parseOne(
      rawMessage({ question: null, counts: [1, 0, 0, 0], trailing: [5, 0x61, 0x62] }),
    )
    assert.equal(parser.anomalies.get('name.out_of_bounds'), 1)
  })

  it('follows a forward pointer (as tshark does) but counts it', () => {
    // answer owner points forward to a name placed after the RR
    const ansLen = 2 + 10 + 4
    const target = 12 + 17 + ansLen
    const msg = rawMessage({ an: [rr([0xc0, target], 1, 1, 60, A)], trailing: wireName('fwd.example') })
    const { obs, parser } = parseOne(msg)
    assert.equal(obs[0]!.rrname, 'fwd.example')
    assert.equal(parser.anomalies.get('name.forward_pointer'), 1)
    assert.equal(parser.anomalies.get('message.trailing_bytes'), 1)
  })

  it('keeps a name inside its RDATA: a CNAME target overrunning RDLENGTH is malformed', () => {
    // rdata "\x03foo" + root would need 5 octets; RDLENGTH 4 cuts it
    const msg = answerWith(5, [3, 0x66, 0x6f, 0x6f])
    const { obs, parser } = parseOne(msg)
    assert.equal(obs[0]!.rdata, '\\# 4 03666F6F')
    assert.equal(parser.anomalies.get('rdata.malformed:CNAME'), 1)
  })
})
