import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isValidName } from '../../node/store/keys.ts'
import { encodeName, formatName, parseName, readName, readNameText } from '../../node/store/names.ts'
import { prng, randInt } from '../helpers/prng.ts'
import {
  compareLabels,
  isAtOrBelow,
  present,
  randomLabels,
  relatedLabels,
  spell,
  wireLength,
} from './helpers.ts'

const SEED = 0x5eed_4e41

const enc = (labels: readonly Uint8Array[], reversed = true, terminate = true): Buffer =>
  Buffer.from(encodeName(present(labels), reversed, terminate)!)

describe('name presentation', () => {
  it('parses the parser form back to the same labels and formats them the same way', () => {
    const rand = prng(SEED)
    for (let n = 0; n < 3000; n++) {
      const labels = randomLabels(rand)
      const text = present(labels)
      assert.deepEqual(parseName(text), labels, text)
      assert.equal(formatName(labels), text)
    }
  })

  it('reads any spelling of a name (case, \\DDD, \\X, raw octets, trailing dot) as its lower-cased labels', () => {
    const rand = prng(SEED + 1)
    for (let n = 0; n < 3000; n++) {
      const labels = randomLabels(rand)
      const text = spell(rand, labels)
      assert.deepEqual(parseName(text), labels, JSON.stringify(text))
    }
    assert.deepEqual(parseName('WWW.Example.COM.'), parseName('www.example.com'))
    assert.deepEqual(parseName('a\\.b.c'), [Uint8Array.of(0x61, 0x2e, 0x62), Uint8Array.of(0x63)])
    assert.deepEqual(parseName('a\\032b'), [Uint8Array.of(0x61, 0x20, 0x62)])
    assert.deepEqual(parseName('\\065'), [Uint8Array.of(0x61)])
    assert.deepEqual(parseName('\\000\\001\\255'), [Uint8Array.of(0, 1, 255)])
    assert.deepEqual(parseName('.'), [])
  })

  it('accepts 63-octet labels and 255-octet names, and rejects anything longer', () => {
    const l63 = 'a'.repeat(63)
    assert.ok(isValidName(`${l63}.${l63}`))
    assert.ok(!isValidName(`${'a'.repeat(64)}.com`))
    // 4 × 63-octet labels = 256 wire octets; 3 × 63 + one of 61 = 255
    assert.ok(isValidName([l63, l63, l63, 'a'.repeat(61)].join('.')))
    assert.ok(!isValidName([l63, l63, l63, 'a'.repeat(62)].join('.')))
    assert.ok(!isValidName([l63, l63, l63, l63].join('.')))
  })

  it('rejects text that is not a name', () => {
    for (const bad of ['', '..', 'a..b', '.a', 'a\\', 'a\\256', 'caf\u0100', '\u{1f600}.com']) {
      assert.equal(parseName(bad), null, JSON.stringify(bad))
      assert.equal(isValidName(bad), false)
    }
  })

  it('validates text exactly as parsing does, without building the name (the fast check)', () => {
    const rand = prng(0x5eed)
    const alphabet = ['a', 'B', '0', '-', '.', '\\', '1', '2', '5', '9', 'é', '\u0100', ' ']
    let valid = 0
    for (let i = 0; i < 50_000; i++) {
      let text = ''
      const n = randInt(rand, 12)
      for (let k = 0; k < n; k++) text += alphabet[randInt(rand, alphabet.length)]
      if (rand() < 0.3) text += '.'
      assert.equal(isValidName(text), parseName(text) !== null, JSON.stringify(text))
      if (parseName(text) !== null) valid++
    }
    for (const text of [
      'a'.repeat(63),
      'a'.repeat(64),
      `${'a'.repeat(63)}.`.repeat(4),
      `${'a.'.repeat(126)}a`,
      `${'a.'.repeat(127)}a`,
    ]) {
      assert.equal(isValidName(text), parseName(text) !== null, text.slice(0, 20))
    }
    assert.ok(valid > 1000, `only ${valid} valid names generated`)
  })

  it('takes a trailing dot after an escaped backslash as the end of the name', () => {
    // label `a\` is written a\\ ; with the optional trailing dot that is a\\. (a\\ and a\\. are one name)
    assert.deepEqual(parseName('a\\\\'), [Uint8Array.of(0x61, 0x5c)])
    assert.deepEqual(parseName('a\\\\.'), [Uint8Array.of(0x61, 0x5c)])
  })
})

describe('name encoding', () => {
  it('round-trips labels in both orders and reports where the name ends', () => {
    const rand = prng(SEED + 2)
    for (let n = 0; n < 3000; n++) {
      const labels = randomLabels(rand)
      for (const reversed of [true, false]) {
        const tail = Uint8Array.of(0xab, 0x00)
        const bytes = Buffer.concat([enc(labels, reversed), tail])
        const r = readName(bytes, 0, reversed)
        assert.ok(r !== null)
        assert.deepEqual(r.labels, labels)
        assert.equal(r.next, bytes.length - tail.length)
      }
    }
  })

  it('never writes a 00 inside a label, so names are self-delimiting', () => {
    const rand = prng(SEED + 3)
    for (let n = 0; n < 1000; n++) {
      const labels = randomLabels(rand)
      const bytes = enc(labels, false)
      // zeros: one after each label and the final one
      assert.equal(bytes.filter((b) => b === 0).length, labels.length + 1)
    }
  })

  it('sorts reversed encodings in RFC 4034 canonical name order', () => {
    const rand = prng(SEED + 4)
    const fixed = [
      '.',
      'a',
      'z.a',
      'a.b',
      '\\000.a',
      '\\001.a',
      '\\002.a',
      'a\\000.a',
      'a\\001.a',
      'yljkjljk.a',
    ]
      .concat(['*.z.a', '\\200.z.a', 'zabc.a', 'z.a.b', 'example', 'a.example', 'b.a.example'])
      .map((t) => parseName(t)!)
    const pairs: [Uint8Array[], Uint8Array[]][] = []
    for (const a of fixed) for (const b of fixed) pairs.push([a, b])
    for (let n = 0; n < 20000; n++) {
      const a = randomLabels(rand)
      pairs.push([a, relatedLabels(rand, a)])
    }
    for (const [a, b] of pairs) {
      const want = Math.sign(compareLabels(a, b))
      const got = Math.sign(Buffer.compare(enc(a), enc(b)))
      assert.equal(got, want, `${present(a)} vs ${present(b)}`)
    }
  })

  it('gives, unterminated, a prefix of exactly the names at or below the name', () => {
    const rand = prng(SEED + 5)
    for (let n = 0; n < 5000; n++) {
      const zone = randomLabels(rand, 3)
      const name = rand() < 0.5 ? [...randomLabels(rand, 2), ...zone].slice(-8) : relatedLabels(rand, zone)
      if (wireLength(name) > 255) continue
      const prefix = enc(zone, true, false)
      const full = enc(name)
      const hasPrefix = full.subarray(0, prefix.length).equals(prefix)
      assert.equal(hasPrefix, isAtOrBelow(name, zone), `${present(name)} under ${present(zone)}`)
    }
  })

  it('reads an encoding straight to the same text as readName + formatName, in both orders', () => {
    const rand = prng(0x7e47)
    for (let i = 0; i < 5000; i++) {
      const labels = randomLabels(rand)
      for (const reversed of [true, false]) {
        const enc = encodeName(formatName(labels), reversed)!
        const slow = readName(enc, 0, reversed)!
        assert.deepEqual(readNameText(enc, 0, reversed), { text: formatName(slow.labels), next: slow.next })
      }
    }
    assert.equal(readNameText(Uint8Array.of(0x61, 0x00), 0, true), null)
  })

  it('returns null, never throws, on truncated or damaged encodings', () => {
    const rand = prng(SEED + 6)
    for (let n = 0; n < 2000; n++) {
      const labels = randomLabels(rand)
      const reversed = rand() < 0.5
      const bytes = enc(labels, reversed)
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.equal(readName(bytes.subarray(0, cut), 0, reversed), null, `cut at ${cut}`)
      }
      const bad = Uint8Array.from(bytes)
      for (let k = 0; k < 3; k++) bad[randInt(rand, bad.length)] = randInt(rand, 256)
      const r = readName(bad, 0, reversed)
      if (r !== null) assert.ok(r.next <= bad.length)
    }
    // 01 must be followed by 01 or 02
    assert.equal(readName(Uint8Array.of(0x61, 0x01, 0x03, 0x00, 0x00), 0, true), null)
    assert.equal(readName(Uint8Array.of(0x61, 0x01), 0, true), null)
  })
})
