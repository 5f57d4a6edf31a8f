/**
 * The node's identity: an Ed25519 key pair whose libp2p peer id names this node's origin (vantage) in
 * the store and, later, on the mesh. Kept in `<data>/identity.key` (libp2p protobuf, mode 0600) and
 * created on first use.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PdnsError } from '../errors.ts'

export const IDENTITY_FILE = 'identity.key'

export interface Identity {
  privateKey: PrivateKey
  /** base58 libp2p peer id (12D3KooW…) */
  peerId: string
}

export async function loadIdentity(dataDir: string, options: { create: boolean }): Promise<Identity | null> {
  const path = join(dataDir, IDENTITY_FILE)
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PdnsError('ERR_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    if (!options.create) return null
    const privateKey = await generateKeyPair('Ed25519')
    // 'wx': never overwrite an identity another process wrote meanwhile
    await writeFile(path, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' }).catch(async (e) => {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return
      throw new PdnsError('ERR_DB_IO', `cannot write ${path}: ${(e as Error).message}`, { cause: e })
    })
    bytes = await readFile(path)
  }
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(bytes)
  } catch (cause) {
    throw new PdnsError('ERR_DB_CORRUPT', `${path} is not a libp2p private key`, { cause })
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() }
}
