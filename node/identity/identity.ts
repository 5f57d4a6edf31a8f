/**
 * The node's identity: an Ed25519 key pair whose libp2p peer id names this node's origin (vantage) in
 * the store and on the mesh, as a libp2p key for the node's mesh. Kept in `<data>/identity.key`
 * (libp2p protobuf, mode 0600) and created on first use (key-file.ts). Commands that need only the
 * peer id or a signature use peer-id.ts and signer.ts, which do not load libp2p.
 */

import { join } from 'node:path'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PdnsError } from '../errors.ts'
import { IDENTITY_FILE } from './constants.ts'
import { readKeyFile } from './key-file.ts'

export { IDENTITY_FILE }

export interface Identity {
  privateKey: PrivateKey
  /** base58 libp2p peer id (12D3KooW…) */
  peerId: string
}

export async function loadIdentity(dataDir: string, options: { create: boolean }): Promise<Identity | null> {
  const bytes = await readKeyFile(dataDir, options)
  return bytes === null ? null : identityOfKeyFile(dataDir, bytes)
}

/** The identity in the key file's bytes, as libp2p decodes them; ERR_DB_CORRUPT when they are no key. */
export function identityOfKeyFile(dataDir: string, bytes: Uint8Array): Identity {
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(bytes)
  } catch (cause) {
    throw new PdnsError('ERR_DB_CORRUPT', `${join(dataDir, IDENTITY_FILE)} is not a libp2p private key`, {
      cause,
    })
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() }
}
