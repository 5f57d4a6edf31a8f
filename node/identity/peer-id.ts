/**
 * The node's peer id from its identity file, without libp2p (key-file.ts says why). The usual file,
 * an Ed25519 key as libp2p writes it, is decoded here; any other is decoded (or refused) by libp2p,
 * exactly as the node's loadIdentity does.
 */
import { base58btc } from 'multiformats/bases/base58'
import { ed25519KeyOfFile, readKeyFile } from './key-file.ts'

/**
 * The peer id's bytes: an identity multihash (code 0x00, length 36) of the PublicKey protobuf,
 * Type = 1 (Ed25519), Data of 32 bytes.
 */
const ED25519_PEER_ID_HEAD = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)

/** The peer id text (12D3KooW…) of an Ed25519 public key: base58btc without its multibase prefix. */
export function ed25519PeerId(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes')
  const bytes = new Uint8Array(ED25519_PEER_ID_HEAD.length + 32)
  bytes.set(ED25519_PEER_ID_HEAD)
  bytes.set(publicKey, ED25519_PEER_ID_HEAD.length)
  return base58btc.baseEncode(bytes)
}

/**
 * This node's peer id, as `loadIdentity(dataDir, options)` gives it (the identity is created when
 * missing and `create` is set). null: no identity and `create: false`.
 */
export async function readPeerId(dataDir: string, options: { create: boolean }): Promise<string | null> {
  const bytes = await readKeyFile(dataDir, options)
  if (bytes === null) return null
  const key = ed25519KeyOfFile(bytes)
  if (key !== null) return ed25519PeerId(key.publicKey)
  const { identityOfKeyFile } = await import('./identity.ts')
  return identityOfKeyFile(dataDir, bytes).peerId
}
