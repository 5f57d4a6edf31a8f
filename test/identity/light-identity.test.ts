/**
 * node/identity reads and writes the identity file without libp2p for the commands that need only
 * the peer id or a signature. What it gives must be exactly what libp2p gives for the same file: the
 * same peer id, the same signatures, files each side can read, and libp2p's answer for any file
 * of another shape.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  ed25519KeyOfFile,
  ed25519PeerId,
  ed25519Signer,
  IDENTITY_FILE,
  loadIdentity,
  loadSigner,
  newEd25519KeyFile,
  readPeerId,
} from '../../node/identity/index.ts'
import { sealEntry, verifyEntry } from '../../protocol/index.ts'
import { prng } from '../helpers/prng.ts'
import { tempDir } from '../store/helpers.ts'

function bytesOf(rand: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256))
}

describe('identity without libp2p', () => {
  it("gives libp2p's peer id and signatures for keys libp2p generated", async () => {
    const rand = prng(11)
    for (let i = 0; i < 20; i++) {
      const libp2pKey = await generateKeyPair('Ed25519')
      const file = privateKeyToProtobuf(libp2pKey)
      const key = ed25519KeyOfFile(file)
      assert.ok(key, 'an Ed25519 key file as libp2p writes it is decoded')
      assert.equal(ed25519PeerId(key.publicKey), peerIdFromPrivateKey(libp2pKey).toString())
      const data = bytesOf(rand, 1 + Math.floor(rand() * 300))
      assert.deepEqual(
        Buffer.from(ed25519Signer(key).sign(data) as Uint8Array),
        Buffer.from(libp2pKey.sign(data) as Uint8Array),
      )
    }
  })

  it('writes key files that libp2p reads to the same peer id', () => {
    for (let i = 0; i < 20; i++) {
      const file = newEd25519KeyFile()
      const libp2pKey = privateKeyFromProtobuf(file)
      assert.equal(libp2pKey.type, 'Ed25519')
      assert.deepEqual(privateKeyToProtobuf(libp2pKey), file, 'the same bytes as libp2p would write')
      assert.equal(
        ed25519PeerId(ed25519KeyOfFile(file)!.publicKey),
        peerIdFromPrivateKey(libp2pKey).toString(),
      )
    }
  })

  it("seals entries that verify under the author's peer id", () => {
    const key = ed25519KeyOfFile(newEd25519KeyFile())!
    const author = ed25519PeerId(key.publicKey)
    const record = {
      label: '',
      kind: 0 as const,
      rrtype: 1,
      rrname: 'www.example.com',
      bailiwick: null,
      rdata: '192.0.2.1',
      first: 1_700_000_000,
      last: 1_700_000_100,
      count: 3,
    }
    const sealed = sealEntry(ed25519Signer(key), author, 1, new Uint8Array(0), 1_700_000_200, [record])
    assert.equal(verifyEntry(sealed.signed).entry.author, author)
    const other = ed25519PeerId(ed25519KeyOfFile(newEd25519KeyFile())!.publicKey)
    const forged = sealEntry(ed25519Signer(key), other, 1, new Uint8Array(0), 1_700_000_200, [record])
    assert.throws(() => verifyEntry(forged.signed), { reason: 'bad-signature' })
  })

  it('creates the identity once, readable by loadIdentity, and reads it back', async () => {
    const t = tempDir('identity')
    try {
      assert.equal(await readPeerId(t.dir, { create: false }), null, 'no file, no create: no identity')
      assert.equal(await loadSigner(t.dir), null)
      const id = await readPeerId(t.dir, { create: true })
      assert.match(id!, /^12D3KooW/)
      const path = join(t.dir, IDENTITY_FILE)
      const mode = spawnSync('stat', ['-c', '%a', path], { encoding: 'utf8' }).stdout.trim()
      assert.equal(mode, '600')
      const before = readFileSync(path)
      assert.equal(await readPeerId(t.dir, { create: true }), id, 'an existing identity is kept')
      assert.deepEqual(readFileSync(path), before)
      assert.equal((await loadIdentity(t.dir, { create: false }))!.peerId, id)
      assert.equal((await loadSigner(t.dir))!.peerId, id)
    } finally {
      t.cleanup()
    }
  })

  it('leaves files of another shape to libp2p: its key types, its refusals', async () => {
    const t = tempDir('identity-other')
    try {
      const path = join(t.dir, IDENTITY_FILE)
      // libp2p's older Ed25519 form (the public key repeated): 96 bytes of key data
      const ed = await generateKeyPair('Ed25519')
      const raw = privateKeyToProtobuf(ed).subarray(4)
      const legacy = Uint8Array.of(0x08, 0x01, 0x12, 0x60, ...raw, ...raw.subarray(32))
      assert.equal(ed25519KeyOfFile(legacy), null)
      writeFileSync(path, legacy)
      assert.equal(await readPeerId(t.dir, { create: false }), peerIdFromPrivateKey(ed).toString())
      const signer = await loadSigner(t.dir)
      assert.equal(signer!.peerId, peerIdFromPrivateKey(ed).toString())
      assert.deepEqual(
        Buffer.from(signer!.signer.sign(Uint8Array.of(1, 2, 3)) as Uint8Array),
        Buffer.from(ed.sign(Uint8Array.of(1, 2, 3)) as Uint8Array),
      )

      const secp = await generateKeyPair('secp256k1')
      writeFileSync(path, privateKeyToProtobuf(secp))
      assert.equal(await readPeerId(t.dir, { create: false }), peerIdFromPrivateKey(secp).toString())

      writeFileSync(path, Buffer.from('not a key at all'))
      await assert.rejects(readPeerId(t.dir, { create: true }), { code: 'ERR_DB_CORRUPT' })
      await assert.rejects(loadSigner(t.dir), { code: 'ERR_DB_CORRUPT' })
      if (process.getuid?.() !== 0) {
        chmodSync(path, 0)
        await assert.rejects(readPeerId(t.dir, { create: false }), { code: 'ERR_FILE_UNREADABLE' })
      }
    } finally {
      t.cleanup()
    }
  })
})
