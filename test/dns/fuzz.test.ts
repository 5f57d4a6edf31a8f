import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Observation } from '../../node/dns/observation.ts'
import { DnsParser } from '../../node/dns/parser.ts'
import { prng as mulberry32 } from '../helpers/prng.ts'
import { info, rawMessage, rr, u16, u32, wireName } from './helpers.ts'

const Q = { name: wireName('www.example.com'), type: 1 }
const seeds: Uint8Array[] = [
  rawMessage({
    question: Q,
    an: [
      rr([0xc0, 12], 5, 1, 60, [3, 0x77, 0x77, 0x32, 0xc0, 16]),
      rr([3, 0x77, 0x77, 0x32, 0xc0, 16], 1, 1, 60, [192, 0, 2, 1]),
    ],
    ns: [rr([0xc0, 16], 2, 1, 3600, [3, 0x6e, 0x73, 0x31, 0xc0, 16])],
    ar: [
      rr([3, 0x6e, 0x73, 0x31, 0xc0, 16], 28, 1, 60, [0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1]),
      rr([0], 41, 1232, 0, []),
    ],
  }),
  rawMessage({
    flags: 0x8183,
    question: Q,
    ns: [
      rr([0xc0, 16], 6, 1, 900, [
        ...wireName('ns1.example.com'),
        0xc0,
        16,
        ...u32(1),
        ...u32(2),
        ...u32(3),
        ...u32(4),
        ...u32(5),
      ]),
    ],
  }),
  rawMessage({
    question: { name: wireName('example.com'), type: 65 },
    an: [
      rr([0xc0, 12], 65, 1, 300, [
        ...u16(1),
        0,
        ...u16(1),
        ...u16(3),
        2,
        0x68,
        0x32,
        ...u16(4),
        ...u16(4),
        1,
        2,
        3,
        4,
      ]),
      rr([0xc0, 12], 46, 1, 300, [
        ...u16(1),
        8,
        2,
        ...u32(60),
        ...u32(2e9),
        ...u32(1.9e9),
        ...u16(7),
        0xc0,
        12,
        1,
        2,
        3,
      ]),
      rr([0xc0, 12], 47, 1, 300, [0xc0, 12, 0, 2, 0x40, 1]),
      rr([0xc0, 12], 16, 1, 300, [3, 0x61, 0x22, 0x5c, 0, 2, 0xff, 0x7f]),
      rr([0xc0, 12], 50, 1, 300, [1, 0, 0, 1, 1, 0xab, 4, 1, 2, 3, 4, 0, 1, 0x40]),
      rr([0xc0, 12], 29, 1, 300, [
        0,
        0x12,
        0x16,
        0x13,
        ...u32(0x88050250),
        ...u32(0x65d2d400),
        ...u32(10000000),
      ]),
    ],
  }),
  rawMessage({
    question: null,
    an: [
      rr([4, 0x68, 0x6f, 0x73, 0x74, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0], 1, 0x8001, 120, [10, 0, 0, 1]),
      rr([0xc0, 12], 33, 0x8001, 120, [0, 0, 0, 0, 0x1f, 0x90, 0xc0, 12]),
      rr([0xc0, 12], 13, 1, 1, [1, 0x78, 1, 0x79]),
      rr([0xc0, 12], 35, 1, 1, [0, 1, 0, 2, 1, 0x73, 0, 0, 0]),
    ],
  }),
]

describe('mutation fuzz', () => {
  it('never throws and emits only well-typed observations under 24,000 seeded mutations', () => {
    const rnd = mulberry32(0x5eed)
    const int = (n: number) => Math.floor(rnd() * n)
    let emitted = 0
    const check = (o: Observation) => {
      emitted++
      assert.equal(typeof o.rrname, 'string')
      assert.equal(typeof o.rrtype, 'string')
      assert.ok(o.rdata === null || typeof o.rdata === 'string')
      assert.equal(typeof o.rcode, 'string')
    }
    const parser = new DnsParser({ clientAddresses: true }, check)
    const pi = info()
    const N = 24_000
    for (let i = 0; i < N; i++) {
      const seed = seeds[int(seeds.length)]!
      let m = Uint8Array.from(seed)
      const ops = 1 + int(4)
      for (let k = 0; k < ops; k++) {
        switch (int(6)) {
          case 0: // bit flips
            for (let f = 1 + int(4); f > 0; f--) m[int(m.length)]! ^= 1 << int(8)
            break
          case 1: // truncation
            m = m.subarray(0, int(m.length + 1))
            break
          case 2: // header count overwrite
            if (m.length >= 12) {
              const c = 4 + 2 * int(4)
              const v = [0, 1, 2, 3, 255, 65535, int(65536)][int(7)]!
              m[c] = v >> 8
              m[c + 1] = v & 255
            }
            break
          case 3: // 16-bit length-ish overwrite (RDLENGTH or a pointer) at a random place
            if (m.length >= 2) {
              const at = int(m.length - 1)
              const v = [0, 1, 0xffff, 0xc000 | int(m.length), 0xc00c, int(65536)][int(6)]!
              m[at] = v >> 8
              m[at + 1] = v & 255
            }
            break
          case 4: // label-length byte set to a reserved type, a pointer or a big length
            if (m.length) m[int(m.length)] = [0x40, 0x80, 0xc0, 63, 0xff][int(5)]!
            break
          default: // splice random bytes at the end
            m = Uint8Array.from([...m, ...Array.from({ length: int(20) }, () => int(256))])
        }
      }
      parser.parse(m, 0, m.length, pi)
    }
    assert.equal(parser.messages, N)
    assert.equal(parser.anomalies.get('parser.internal_error'), 0)
    assert.ok(emitted > N / 4, `only ${emitted} observations`)
    assert.ok(parser.anomalies.total() > 0)
  })
})
