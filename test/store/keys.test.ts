import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  decodeFwdKey,
  decodeOriginKey,
  decodeRdataKey,
  decodeRrsetKey,
  decodeSeenKey,
  fwdKey,
  fwdPrefixRange,
  originKey,
  type RecordId,
  rdataAddressRange,
  rdataKey,
  rdataNameRange,
  rrsetKey,
  rrsetNameRange,
  rrsetTypeRange,
  seenKey,
  seenRange,
} from '../../node/store/keys.ts'
import { parseName } from '../../node/store/names.ts'
import { prng, randInt } from '../helpers/prng.ts'
import {
  compareLabels,
  compareOctets,
  isAtOrBelow,
  KIND_CODE,
  pick,
  present,
  type Rand,
  type Rec,
  randomLabels,
  randomOrigin,
  randomRdata,
  randomRec,
  relatedLabels,
  spell,
  TYPES,
} from './helpers.ts'

const SEED = 0x6b65_7973
const te = new TextEncoder()

const inRange = (key: Buffer, r: { gte: Buffer; lt: Buffer }): boolean =>
  Buffer.compare(key, r.gte) >= 0 && Buffer.compare(key, r.lt) < 0

/** What decoding must give back: names in the parser's (canonical) form, no rdata for negatives. */
function canonical(rec: Rec): RecordId {
  return {
    ...rec.id,
    rrname: present(rec.owner),
    bailiwick: rec.bw === null ? null : present(rec.bw),
    rdata: rec.id.kind === 'rr' ? rec.id.rdata : '',
  }
}

// ---------------------------------------------------------------- the intended order, modelled

/** Rdata as RRSET keys hold it: address octets for A/AAAA, else the presentation text. */
function storedRdata(rec: Rec): Uint8Array {
  if (rec.id.kind !== 'rr') return new Uint8Array(0)
  if (rec.addr !== null && rec.addr.length === (rec.id.rrtype === 1 ? 4 : rec.id.rrtype === 28 ? 16 : -1))
    return rec.addr
  return te.encode(rec.id.rdata)
}

/** Length-prefixed byte strings: shorter first, then octet by octet. */
function compareLengthFirst(a: Uint8Array, b: Uint8Array): number {
  return a.length - b.length || compareOctets(a, b)
}

function compareBailiwick(a: Uint8Array[] | null, b: Uint8Array[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1
  return compareLabels(a, b)
}

/** RRSET: owner (canonical), rrtype, kind, bailiwick (unknown first), rdata, origin. */
function intendedRrsetOrder(a: Rec, b: Rec): number {
  return (
    compareLabels(a.owner, b.owner) ||
    a.id.rrtype - b.id.rrtype ||
    KIND_CODE[a.id.kind] - KIND_CODE[b.id.kind] ||
    compareBailiwick(a.bw, b.bw) ||
    compareLengthFirst(storedRdata(a), storedRdata(b)) ||
    a.id.origin - b.id.origin
  )
}

/** The RDATA index's first field: addresses (v4, then v6), then target names, then other rdata text. */
function rdataClass(rec: Rec): { cls: number; addr?: bigint; name?: Uint8Array[]; text?: Uint8Array } {
  const s = storedRdata(rec)
  if (rec.id.rrtype === 1 && s.length === 4) return { cls: 0, addr: big(s) }
  if (rec.id.rrtype === 28 && s.length === 16) return { cls: 1, addr: big(s) }
  if (rec.target !== null) return { cls: 2, name: rec.target }
  return { cls: 3, text: te.encode(rec.id.rdata) }
}

/** The full rdata an RDATA key carries after the owner: for a target type, unless the rdata is the name. */
function fullRdata(rec: Rec): Uint8Array {
  return rec.target !== null && present(rec.target) !== rec.id.rdata
    ? te.encode(rec.id.rdata)
    : new Uint8Array(0)
}

/** RDATA: address (numeric) / target name (canonical) / text; then rrtype, owner, bailiwick, rdata, origin. */
function intendedRdataOrder(a: Rec, b: Rec): number {
  const ca = rdataClass(a)
  const cb = rdataClass(b)
  let c = ca.cls - cb.cls
  if (c === 0 && ca.addr !== undefined) c = ca.addr < cb.addr! ? -1 : ca.addr > cb.addr! ? 1 : 0
  if (c === 0 && ca.name !== undefined) c = compareLabels(ca.name, cb.name!)
  if (c === 0 && ca.text !== undefined) c = compareOctets(ca.text, cb.text!)
  return (
    c ||
    a.id.rrtype - b.id.rrtype ||
    compareLabels(a.owner, b.owner) ||
    compareBailiwick(a.bw, b.bw) ||
    compareLengthFirst(fullRdata(a), fullRdata(b)) ||
    a.id.origin - b.id.origin
  )
}

function big(b: Uint8Array): bigint {
  let n = 0n
  for (const x of b) n = (n << 8n) | BigInt(x)
  return n
}

function bytesOf(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}

/**
 * A record like `a` up to a random field (owner, rrtype, kind, bailiwick, rdata, origin) and free after
 * it, so that pairs differ at every depth of the key.
 */
function nearRec(rand: Rand, a: Rec, maxText: number): Rec {
  const depth = randInt(rand, 7)
  const owner = depth === 0 ? (rand() < 0.5 ? relatedLabels(rand, a.owner) : randomLabels(rand)) : a.owner
  const rrtype = depth <= 1 ? pick(rand, TYPES) : a.id.rrtype
  const kind = depth <= 2 ? pick(rand, ['rr', 'rr', 'nxdomain', 'nodata'] as const) : a.id.kind
  const bw = depth <= 3 ? (rand() < 0.4 ? null : owner.slice(randInt(rand, owner.length + 1))) : a.bw
  const keepRdata = depth > 4 && kind === a.id.kind && rrtype === a.id.rrtype
  const rd =
    kind !== 'rr'
      ? { rdata: '', target: null, addr: null }
      : keepRdata
        ? { rdata: a.id.rdata, target: a.target, addr: a.addr }
        : randomRdata(rand, rrtype, maxText)
  return {
    id: {
      kind,
      rrname: present(owner),
      rrtype,
      bailiwick: bw === null ? null : present(bw),
      rdata: rd.rdata,
      origin: depth <= 5 ? randomOrigin(rand) : a.id.origin,
    },
    owner,
    bw,
    target: rd.target,
    addr: rd.addr ?? null,
  }
}

const describePair = (a: Rec, b: Rec) => `\n  ${JSON.stringify(a.id)}\n  ${JSON.stringify(b.id)}`

// ---------------------------------------------------------------- round trips

describe('key round trips', () => {
  it('decodes RRSET keys to the record, names lower-cased and in the parser form', () => {
    const rand = prng(SEED)
    for (let n = 0; n < 5000; n++) {
      const rec = randomRec(rand)
      // the name as input may come: any case, any escapes, a trailing dot
      const id = {
        ...rec.id,
        rrname: spell(rand, rec.owner),
        bailiwick: rec.bw === null ? null : spell(rand, rec.bw),
      }
      const key = rrsetKey(id)
      assert.deepEqual(decodeRrsetKey(key), canonical(rec), JSON.stringify(id))
      assert.ok(rrsetKey(canonical(rec)).equals(key), 'every spelling of a record has one key')
    }
  })

  it('decodes RDATA keys of positive records to the same record', () => {
    const rand = prng(SEED + 1)
    for (let n = 0; n < 5000; n++) {
      const rec = randomRec(rand, { kinds: ['rr'], maxText: 200 })
      const id = { ...rec.id, rrname: spell(rand, rec.owner) }
      assert.deepEqual(decodeRdataKey(rdataKey(id)), canonical(rec), JSON.stringify(id))
    }
  })

  it('decodes FWD keys to the name and type', () => {
    const rand = prng(SEED + 2)
    for (let n = 0; n < 3000; n++) {
      const owner = randomLabels(rand)
      const rrtype = randInt(rand, 65536)
      assert.deepEqual(decodeFwdKey(fwdKey(spell(rand, owner), rrtype)), { rrname: present(owner), rrtype })
    }
  })

  it('decodes SEEN keys to the time and the RRSET key', () => {
    const rand = prng(SEED + 3)
    for (let n = 0; n < 3000; n++) {
      const key = rrsetKey(randomRec(rand).id)
      const t = pick(rand, [0, 1, 0xffffffff, randInt(rand, 2 ** 32)])
      assert.deepEqual(decodeSeenKey(seenKey(t, key)), { lastSeen: t, rrset: key })
    }
    assert.equal(decodeOriginKey(originKey(0xffffffff)), 0xffffffff)
  })

  it('gives back the rdata of A and AAAA records that hold no address (RFC 3597 form)', () => {
    // the parser writes a malformed A/AAAA (wrong RDLENGTH) as \# len hex; an empty one is `\# 0`
    for (const [rrtype, rdata] of [
      [1, '\\# 0'],
      [1, '\\# 3 010203'],
      [1, '\\# 5 0102030405'],
      [28, '\\# 0'],
      [28, '\\# 5 0102030405'],
      [28, '\\# 4 01020304'],
    ] as const) {
      const id: RecordId = { kind: 'rr', rrname: 'a.example', rrtype, bailiwick: null, rdata, origin: 1 }
      assert.equal(decodeRrsetKey(rrsetKey(id))?.rdata, rdata, `RRSET, type ${rrtype}`)
      assert.equal(decodeRdataKey(rdataKey(id))?.rdata, rdata, `RDATA, type ${rrtype}`)
      const real: RecordId = { ...id, rdata: rrtype === 1 ? '92.35.32.48' : '::1' }
      assert.ok(!rrsetKey(real).equals(rrsetKey(id)), 'an address and a malformed rdata share a key')
    }
  })
})

// ---------------------------------------------------------------- order

describe('key order', () => {
  it('sorts RRSET keys by owner (canonical), rrtype, kind, bailiwick, rdata, origin', () => {
    const rand = prng(SEED + 10)
    let compared = 0
    for (let n = 0; n < 20000; n++) {
      // rdata under 128 octets: see the next test for longer
      const a = randomRec(rand, { maxText: 10, maxLabels: 3 })
      const b = nearRec(rand, a, 10)
      if (storedRdata(a).length >= 128 || storedRdata(b).length >= 128) continue
      compared++
      const want = Math.sign(intendedRrsetOrder(a, b))
      assert.equal(Math.sign(Buffer.compare(rrsetKey(a.id), rrsetKey(b.id))), want, describePair(a, b))
    }
    assert.ok(compared > 10000)
  })

  it('sorts RRSET keys with rdata of 128 octets or more shorter rdata first, like shorter ones', () => {
    const rec = (len: number): Rec => ({
      id: {
        kind: 'rr',
        rrname: 'example',
        rrtype: 16,
        bailiwick: null,
        rdata: `"${'x'.repeat(len - 2)}"`,
        origin: 1,
      },
      owner: [te.encode('example')],
      bw: null,
      target: null,
      addr: null,
    })
    for (const [x, y] of [
      [127, 128],
      [200, 256],
      [255, 300],
      [16383, 16384],
    ] as const) {
      assert.equal(Math.sign(intendedRrsetOrder(rec(x), rec(y))), -1)
      assert.equal(Buffer.compare(rrsetKey(rec(x).id), rrsetKey(rec(y).id)), -1, `${x} octets vs ${y}`)
    }
  })

  it('keeps the keys of one record (all origins) together and apart from every other record', () => {
    const rand = prng(SEED + 11)
    for (let n = 0; n < 5000; n++) {
      const a = randomRec(rand)
      const b = nearRec(rand, a, 300)
      const ka = rrsetKey(a.id)
      const kb = rrsetKey(b.id)
      const sameRecord = rrsetKey({ ...b.id, origin: a.id.origin }).equals(ka)
      // the key without its origin is a prefix of the other key only for the same record
      assert.equal(kb.subarray(0, ka.length - 4).equals(ka.subarray(0, ka.length - 4)), sameRecord)
    }
  })

  it('sorts RDATA keys by address (numeric) or target (canonical) or text, then type, owner, bailiwick', () => {
    const rand = prng(SEED + 12)
    let compared = 0
    for (let n = 0; n < 20000; n++) {
      const a = randomRec(rand, { kinds: ['rr'], maxText: 10, maxLabels: 3 })
      const b = nearRec(rand, a, 10)
      if (b.id.kind !== 'rr' || fullRdata(a).length >= 128 || fullRdata(b).length >= 128) continue
      compared++
      const want = Math.sign(intendedRdataOrder(a, b))
      assert.equal(Math.sign(Buffer.compare(rdataKey(a.id), rdataKey(b.id))), want, describePair(a, b))
    }
    assert.ok(compared > 5000)
  })
})

// ---------------------------------------------------------------- ranges

describe('key ranges', () => {
  it('a CIDR range of RDATA keys holds exactly the addresses inside it', () => {
    const rand = prng(SEED + 20)
    for (let n = 0; n < 400; n++) {
      const len = rand() < 0.5 ? 4 : 16
      const bits = len * 8
      const prefix = randInt(rand, bits + 1)
      const base = big(Uint8Array.from({ length: len }, () => randInt(rand, 256)))
      const hostMask = (1n << BigInt(bits - prefix)) - 1n
      const lo = base & ~hostMask & ((1n << BigInt(bits)) - 1n)
      const hi = lo | hostMask
      const range = rdataAddressRange(bytesOf(lo, len), bytesOf(hi, len))
      const max = (1n << BigInt(bits)) - 1n
      const candidates = [lo, hi, lo - 1n, hi + 1n, 0n, max]
      for (let i = 0; i < 40; i++) {
        const r = big(Uint8Array.from({ length: len }, () => randInt(rand, 256)))
        // inside (random host bits), or anywhere
        candidates.push(i % 2 === 0 ? lo | (r & hostMask) : r)
      }
      for (const addr of candidates) {
        if (addr < 0n || addr > max) continue
        for (const family of [4, 16]) {
          const text = family === 4 ? [...bytesOf(addr & 0xffffffffn, 4)].join('.') : null
          const rec = randomRec(rand, { kinds: ['rr'] })
          const rdata = family === 4 ? text! : aaaaText(bytesOf(addr & ((1n << 128n) - 1n), 16))
          const key = rdataKey({ ...rec.id, rrtype: family === 4 ? 1 : 28, rdata })
          const a = family === 4 ? addr & 0xffffffffn : addr
          const want = family === len && a >= lo && a <= hi
          assert.equal(inRange(key, range), want, `${rdata} in /${prefix} of ${len}-byte ${lo}`)
        }
      }
    }
  })

  it('a left wildcard RRSET range holds exactly the names at or below its name', () => {
    const rand = prng(SEED + 21)
    for (let n = 0; n < 300; n++) {
      const zone = randomLabels(rand, 3)
      const below = rrsetNameRange(spell(rand, zone), true)
      const exact = rrsetNameRange(present(zone), false)
      for (let i = 0; i < 30; i++) {
        const rec = randomRec(rand)
        const owner = rand() < 0.5 ? [...randomLabels(rand, 2), ...zone].slice(-6) : relatedLabels(rand, zone)
        if (parseName(present(owner)) === null) continue
        const id = { ...rec.id, rrname: present(owner) }
        const key = rrsetKey(id)
        assert.equal(inRange(key, below), isAtOrBelow(owner, zone), `${id.rrname} below ${present(zone)}`)
        assert.equal(inRange(key, exact), compareLabels(owner, zone) === 0)
        const typed = rrsetTypeRange(present(zone), id.rrtype)
        assert.equal(inRange(key, typed), compareLabels(owner, zone) === 0)
        assert.equal(inRange(key, rrsetTypeRange(present(zone), (id.rrtype + 1) & 0xffff)), false)
      }
    }
  })

  it('an RDATA name range holds exactly the records pointing at (or below) the name', () => {
    const rand = prng(SEED + 22)
    for (let n = 0; n < 300; n++) {
      const zone = randomLabels(rand, 3)
      const below = rdataNameRange(present(zone), true)
      const exact = rdataNameRange(present(zone), false)
      for (let i = 0; i < 20; i++) {
        const target =
          rand() < 0.5 ? [...randomLabels(rand, 2), ...zone].slice(-6) : relatedLabels(rand, zone)
        if (parseName(present(target)) === null) continue
        const rrtype = pick(rand, [2, 5, 15, 33, 64])
        const rdata =
          rrtype === 15
            ? `10 ${present(target)}`
            : rrtype === 33
              ? `1 2 3 ${present(target)}`
              : rrtype === 64
                ? `1 ${present(target)}`
                : present(target)
        const key = rdataKey({ kind: 'rr', rrname: 'x', rrtype, bailiwick: null, rdata, origin: 7 })
        assert.equal(inRange(key, below), isAtOrBelow(target, zone), `${rdata} below ${present(zone)}`)
        assert.equal(inRange(key, exact), compareLabels(target, zone) === 0)
      }
    }
  })

  it('a right wildcard FWD range holds the names that continue its labels, and only those', () => {
    const range = fwdPrefixRange('www.example')
    const has = (name: string) => inRange(fwdKey(name, 1), range)
    assert.ok(has('www.example.com'))
    assert.ok(has('www.example.co.uk'))
    assert.ok(has('www.example.\\000'))
    assert.ok(!has('www.example'))
    assert.ok(!has('www.examples.com'))
    assert.ok(!has('www.exampl.com'))
    assert.ok(!has('a.www.example.com'))
    assert.ok(!has('wwww.example.com'))
    const rand = prng(SEED + 23)
    for (let n = 0; n < 300; n++) {
      const lead = randomLabels(rand, 3)
      if (lead.length === 0) continue
      const r = fwdPrefixRange(spell(rand, lead))
      for (let i = 0; i < 20; i++) {
        const name =
          rand() < 0.5 ? [...lead, ...randomLabels(rand, 2)].slice(0, 6) : relatedLabels(rand, lead).reverse()
        if (parseName(present(name)) === null) continue
        const continues = name.length > lead.length && lead.every((l, j) => compareOctets(l, name[j]!) === 0)
        assert.equal(inRange(fwdKey(present(name), randInt(rand, 65536)), r), continues, present(name))
      }
    }
  })

  it('a SEEN range holds exactly the entries last seen within it', () => {
    const rand = prng(SEED + 24)
    const time = () =>
      pick(rand, [0, 1, 0xfffffffe, 0xffffffff, randInt(rand, 2 ** 32), 1_700_000_000 + randInt(rand, 1000)])
    for (let n = 0; n < 500; n++) {
      const a = time()
      const b = rand() < 0.5 ? time() : a + randInt(rand, 100)
      const [from, to] = a <= b ? [a, b] : [b, a]
      const range = seenRange(from, to)
      for (let i = 0; i < 20; i++) {
        const t =
          rand() < 0.5 ? time() : Math.min(0xffffffff, Math.max(0, from - 2 + randInt(rand, to - from + 5)))
        const key = seenKey(t, rrsetKey(randomRec(rand).id))
        assert.equal(inRange(key, range), t >= from && t <= to, `${t} in [${from}, ${to}]`)
      }
    }
  })
})

// ---------------------------------------------------------------- hostile keys

const DECODERS = {
  rrset: decodeRrsetKey,
  rdata: decodeRdataKey,
  fwd: decodeFwdKey,
  seen: decodeSeenKey,
} as const

function validKeys(rand: Rand): Record<keyof typeof DECODERS, Buffer> {
  const rec = randomRec(rand, { kinds: ['rr'] })
  const rrset = rrsetKey(rec.id)
  return {
    rrset,
    rdata: rdataKey(rec.id),
    fwd: fwdKey(rec.id.rrname, rec.id.rrtype),
    seen: seenKey(randInt(rand, 2 ** 32), rrset),
  }
}

describe('key decoders on hostile input', () => {
  for (const [kind, decode] of Object.entries(DECODERS)) {
    it(`${kind}: returns null on every truncation of a valid key`, () => {
      const rand = prng(SEED + 30)
      for (let n = 0; n < 500; n++) {
        const key = validKeys(rand)[kind as keyof typeof DECODERS]
        for (let cut = 0; cut < key.length; cut++) {
          assert.equal(decode(key.subarray(0, cut)), null, `${key.toString('hex')} cut at ${cut}`)
        }
      }
    })

    it(`${kind}: returns null on keys of the other tables`, () => {
      const rand = prng(SEED + 31)
      for (let n = 0; n < 2000; n++) {
        const keys = validKeys(rand)
        for (const [other, key] of Object.entries(keys)) {
          if (other !== kind) assert.equal(decode(key), null, `${other} key ${key.toString('hex')}`)
        }
      }
    })

    it(`${kind}: never throws on damaged keys or random bytes`, () => {
      const rand = prng(SEED + 32)
      for (let n = 0; n < 5000; n++) {
        const valid = validKeys(rand)[kind as keyof typeof DECODERS]
        const bad = Buffer.from(valid)
        for (let k = 1 + randInt(rand, 3); k > 0; k--) bad[randInt(rand, bad.length)] = randInt(rand, 256)
        decode(bad)
        const noise = Buffer.from(Array.from({ length: randInt(rand, 48) }, () => randInt(rand, 256)))
        if (noise.length > 0) noise[0] = valid[0]!
        decode(noise)
        decode(Buffer.concat([valid, Uint8Array.of(randInt(rand, 256))]))
      }
    })
  }
})

/** AAAA text of 16 bytes, uncompressed (eight groups; parseIPv6 takes it as the parser form would). */
function aaaaText(addr: Uint8Array): string {
  const parts: string[] = []
  for (let i = 0; i < 16; i += 2) parts.push(((addr[i]! << 8) | addr[i + 1]!).toString(16))
  return parts.join(':')
}
