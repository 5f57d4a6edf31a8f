/**
 * decodeDnstap reuses the label of identity bytes it has just seen (a feed repeats its identity in
 * every message). Frames arrive in reused buffers: the remembered bytes must be a copy, so that the
 * next frame written over the same memory with another identity is read as that one.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeDnstap } from '../../node/dnstap/index.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { encodeDnstap } from './helpers.ts'

function frame(identity: string | Uint8Array, version = 'v1'): Uint8Array {
  const id = typeof identity === 'string' ? Buffer.from(identity) : identity
  return encodeDnstap({ identity: id, version: Buffer.from(version), type: 1, message: { type: 6 } })
}

test('identities read from one reused buffer are each the one written there', () => {
  const rand = prng(11)
  const names = ['resolver-a', 'resolver-b', 'resolver-c', 'bad\u0001name', '']
  // one Buffer, as a connection reuses its frame buffer; every identity has the same length class
  const buf = Buffer.alloc(256)
  for (let i = 0; i < 2000; i++) {
    const name = names[randInt(rand, names.length)]!
    const bytes = frame(name, `v${randInt(rand, 3)}`)
    buf.set(bytes, 0)
    const m = decodeDnstap(buf, 0, bytes.length)
    if (name === '') assert.equal(m.identity, null)
    else if (name.includes('\u0001')) {
      assert.equal(m.identity, null)
      assert.equal(m.identityInvalid, true)
    } else {
      assert.equal(m.identity, name)
      assert.equal(m.identityInvalid, false)
    }
  }
})

test('invalid UTF-8 after a valid identity of the same length is still refused', () => {
  const good = frame('abc')
  const m1 = decodeDnstap(good, 0, good.length)
  assert.equal(m1.identity, 'abc')
  const bad = frame(Uint8Array.of(0x61, 0xff, 0x63))
  const m2 = decodeDnstap(bad, 0, bad.length)
  assert.equal(m2.identity, null)
  assert.equal(m2.identityInvalid, true)
  const again = decodeDnstap(good, 0, good.length)
  assert.equal(again.identity, 'abc')
})
