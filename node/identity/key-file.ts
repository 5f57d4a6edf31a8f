/**
 * The identity file itself: read, or created, without libp2p. It holds the key as libp2p writes it
 * (its PrivateKey protobuf), so libp2p's `privateKeyFromProtobuf` reads what is written here and
 * loadIdentity (identity.ts) hands the node's mesh a libp2p key; the commands that only need the
 * peer id or a signature read it through peer-id.ts and signer.ts and never load libp2p (about
 * 130 modules, 90–110 ms of a command's start).
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PdnsError } from '../errors.ts'
import { IDENTITY_FILE } from './constants.ts'

/**
 * libp2p's PrivateKey protobuf of an Ed25519 key: field 1 (Type) = 1 (Ed25519), field 2 (Data) of
 * 64 bytes: the 32-byte seed, then the 32-byte public key.
 */
const ED25519_HEAD = Uint8Array.of(0x08, 0x01, 0x12, 0x40)
const ED25519_FILE_BYTES = ED25519_HEAD.length + 64

export interface Ed25519Key {
  /** the 32-byte private seed (RFC 8032) */
  seed: Uint8Array
  publicKey: Uint8Array
}

/**
 * The key file's bytes; created first (a new Ed25519 key, mode 0600) when there is none and
 * `create` is set. null: no file and `create: false`.
 */
export async function readKeyFile(dataDir: string, options: { create: boolean }): Promise<Uint8Array | null> {
  const path = join(dataDir, IDENTITY_FILE)
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PdnsError('ERR_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
  if (!options.create) return null
  // 'wx': never overwrite an identity another process wrote meanwhile; then read what is there
  await writeFile(path, newEd25519KeyFile(), { mode: 0o600, flag: 'wx' }).catch((e) => {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return
    throw new PdnsError('ERR_DB_IO', `cannot write ${path}: ${(e as Error).message}`, { cause: e })
  })
  try {
    return await readFile(path)
  } catch (err) {
    throw new PdnsError('ERR_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/** A new Ed25519 key in the file's format (node:crypto's generator, as libp2p's own uses on Node). */
export function newEd25519KeyFile(): Uint8Array {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' })
  const seed = Buffer.from(jwk.d!, 'base64url')
  const publicKey = Buffer.from(jwk.x!, 'base64url')
  const out = new Uint8Array(ED25519_FILE_BYTES)
  out.set(ED25519_HEAD)
  out.set(seed, ED25519_HEAD.length)
  out.set(publicKey, ED25519_HEAD.length + 32)
  return out
}

/**
 * The key in file bytes of the Ed25519 shape libp2p writes, or null for any other shape (another key
 * type, libp2p's older 96-byte form, a damaged file): those are left to libp2p (identity.ts).
 */
export function ed25519KeyOfFile(bytes: Uint8Array): Ed25519Key | null {
  if (bytes.length !== ED25519_FILE_BYTES) return null
  for (let i = 0; i < ED25519_HEAD.length; i++) if (bytes[i] !== ED25519_HEAD[i]) return null
  const at = ED25519_HEAD.length
  return { seed: bytes.subarray(at, at + 32), publicKey: bytes.subarray(at + 32, at + 64) }
}
