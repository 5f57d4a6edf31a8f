/**
 * Feed entries: sealing (pack, compress, sign) and opening (verify, decompress, unpack). An entry is
 * valid for an author only when its Ed25519 signature verifies against the public key inside the
 * author's peer id; nothing else about a sender matters, so a forwarded entry verifies exactly as
 * one from its author.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { WireError } from './errors.ts'
import { ENTRY_SIGNATURE_CONTEXT } from './ids.ts'
import { MAX_ENTRY_BYTES } from './limits.ts'
import { decodeEntry, type Entry, encodeEntry, type SignedEntry } from './messages.ts'
import {
  type BlockRecord,
  compressBlock,
  decompressBlock,
  packRecords,
  unpackRecords,
} from './records-block.ts'

const CONTEXT = Buffer.from(ENTRY_SIGNATURE_CONTEXT, 'utf8')

export function sha256(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest()
}

function signedBytes(entry: Uint8Array): Buffer {
  return Buffer.concat([CONTEXT, entry])
}

/**
 * What signs an author's entries: a libp2p private key, or node/identity's own Ed25519 signer
 * (the same bytes: Ed25519 signatures are deterministic). Signing must be synchronous.
 */
export interface EntrySigner {
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>
}

/**
 * libp2p's peer-id module, loaded at the first entry verified: a thread that only seals (an
 * import's writer) never loads libp2p (about 130 modules). require() of this ES module is
 * synchronous (its `module-sync` export), as verifyEntry is.
 */
let peerIds: typeof import('@libp2p/peer-id') | null = null
function peerIdFromString(text: string): ReturnType<typeof import('@libp2p/peer-id').peerIdFromString> {
  peerIds ??= createRequire(import.meta.url)('@libp2p/peer-id') as typeof import('@libp2p/peer-id')
  return peerIds.peerIdFromString(text)
}

export interface SealedEntry {
  signed: SignedEntry
  /** sha256 of the Entry bytes: the next entry's `prev`, and this seq's head hash */
  hash: Buffer
}

/** An entry sealed outside any checkpoint (its fields are then left out of the Entry bytes). */
export const NO_CHECKPOINT = { base: 0, complete: false } as const

/** Packs, compresses and signs records as entry `seq` of `author` (signing is synchronous: Ed25519 in node:crypto). */
export function sealEntry(
  key: EntrySigner,
  author: string,
  seq: number,
  prev: Uint8Array,
  time: number,
  records: readonly BlockRecord[],
  checkpoint: { base: number; complete: boolean } = NO_CHECKPOINT,
): SealedEntry {
  const entry: Entry = {
    author,
    seq,
    prev,
    time,
    records: records.length,
    block: compressBlock(packRecords(records)),
    base: checkpoint.base,
    complete: checkpoint.complete,
  }
  const bytes = encodeEntry(entry)
  const signature = key.sign(signedBytes(bytes))
  if (!(signature instanceof Uint8Array)) throw new TypeError('entry signing must be synchronous (Ed25519)')
  if (bytes.length + signature.length > MAX_ENTRY_BYTES) {
    throw new RangeError(`an entry of ${records.length} records exceeds MAX_ENTRY_BYTES; seal fewer`)
  }
  return { signed: { entry: bytes, signature }, hash: sha256(bytes) }
}

/** Public keys by author: verifying thousands of entries of one author parses its peer id once. */
const keys = new Map<string, { verify(data: Uint8Array, sig: Uint8Array): boolean | Promise<boolean> }>()

function authorKey(author: string) {
  let k = keys.get(author)
  if (k !== undefined) return k
  let pid: ReturnType<typeof peerIdFromString>
  try {
    pid = peerIdFromString(author)
  } catch (cause) {
    throw new WireError('bad-author', `entry author ${JSON.stringify(author)} is not a peer id`, { cause })
  }
  if (pid.type !== 'Ed25519' || pid.publicKey === undefined || pid.toString() !== author) {
    throw new WireError('bad-author', `entry author ${author} is not an Ed25519 peer id in canonical form`)
  }
  k = pid.publicKey
  if (keys.size > 4096) keys.clear()
  keys.set(author, k)
  return k
}

export interface OpenedEntry {
  entry: Entry
  hash: Buffer
}

/** Decodes the entry and checks its signature; throws WireError('bad-signature') when it does not verify. */
export function verifyEntry(signed: SignedEntry): OpenedEntry {
  const entry = decodeEntry(signed.entry)
  const ok = authorKey(entry.author).verify(signedBytes(signed.entry), signed.signature)
  if (ok !== true) {
    throw new WireError('bad-signature', `entry ${entry.author}#${entry.seq}: the signature does not verify`)
  }
  return { entry, hash: sha256(signed.entry) }
}

/** The records of a verified entry; their number must match what the author signed. */
export function entryRecords(entry: Entry): BlockRecord[] {
  const records = unpackRecords(decompressBlock(entry.block))
  if (records.length !== entry.records) {
    throw new WireError('bad-block', `entry ${entry.author}#${entry.seq}: record count does not match`)
  }
  return records
}
