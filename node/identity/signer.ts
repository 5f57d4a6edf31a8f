/**
 * A signer of feed entries from the identity file, without libp2p (key-file.ts says why): an
 * import's writer thread seals entries, and loaded libp2p's keys only to sign. Ed25519 signatures
 * are deterministic (RFC 8032): node:crypto's are the bytes libp2p's key gives, which uses the same
 * node:crypto on Node.
 */
import { createPrivateKey, sign } from 'node:crypto'
import type { EntrySigner } from '../../protocol/index.ts'
import { type Ed25519Key, ed25519KeyOfFile, readKeyFile } from './key-file.ts'
import { ed25519PeerId } from './peer-id.ts'

/** An Ed25519 key's signer. */
export function ed25519Signer(key: Ed25519Key): EntrySigner {
  const privateKey = createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: Buffer.from(key.seed).toString('base64url'),
      x: Buffer.from(key.publicKey).toString('base64url'),
    },
  })
  return { sign: (data: Uint8Array) => sign(null, data, privateKey) }
}

/**
 * The node's peer id and a signer for its entries; an identity file of another shape than the usual
 * Ed25519 one is read by libp2p (identityOfKeyFile). null: no identity.
 */
export async function loadSigner(dataDir: string): Promise<{ peerId: string; signer: EntrySigner } | null> {
  const bytes = await readKeyFile(dataDir, { create: false })
  if (bytes === null) return null
  const key = ed25519KeyOfFile(bytes)
  if (key !== null) return { peerId: ed25519PeerId(key.publicKey), signer: ed25519Signer(key) }
  const { identityOfKeyFile } = await import('./identity.ts')
  const identity = identityOfKeyFile(dataDir, bytes)
  return { peerId: identity.peerId, signer: identity.privateKey }
}
