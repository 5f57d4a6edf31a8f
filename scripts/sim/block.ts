/**
 * Wire sizes of the mesh's feed entries, measured with the protocol's own code (protocol/): the
 * packed records block, its zstd compression and the SignedEntry around it. The signature is a
 * 64-byte stand-in (only its size matters here), so no key is needed.
 */
import {
  type BlockRecord,
  compressBlock,
  encodeEntry,
  encodeSignedEntry,
  encodeSyncRequest,
  packRecords,
} from '../../protocol/index.ts'

/** A peer id as the store labels a node's origin (base58btc of an ed25519 identity multihash). */
export const PEER_ID = '12D3KooWGzBh3qK7WPx5uU1dJ6Zq3v8fXnEw1c2Lr9sTtYbHaM4N'

/** A record as the simulation makes it: the block's record, with its whole origin label. */
export type WireRecord = Omit<BlockRecord, 'label'> & { origin: string }

function blockRecord(r: WireRecord): BlockRecord {
  const label =
    r.origin === PEER_ID
      ? ''
      : r.origin.startsWith(`${PEER_ID}/`)
        ? r.origin.slice(PEER_ID.length + 1)
        : r.origin
  return { ...r, label }
}

/** Bytes one FeedHead adds to a have-vector (a SyncRequest with one head, less an empty one). */
export function feedHeadBytes(seq: number): number {
  const one = encodeSyncRequest({ have: [{ author: PEER_ID, seq, hash: new Uint8Array(32) }], push: [] })
  return one.length - encodeSyncRequest({ have: [], push: [] }).length
}

export interface WireSize {
  records: number
  packed: number
  compressed: number
  /** the whole SignedEntry */
  entry: number
}

/** Sizes of one batch sent as one signed entry. */
export function measureBatch(records: readonly WireRecord[], seq = 123_456): WireSize {
  const packed = packRecords(records.map(blockRecord))
  const block = compressBlock(packed)
  const entry = encodeEntry({
    author: PEER_ID,
    seq,
    prev: new Uint8Array(32).fill(9),
    time: 1_767_225_600,
    records: records.length,
    block,
    base: 0,
    complete: false,
  })
  const signed = encodeSignedEntry({ entry, signature: new Uint8Array(64) })
  return { records: records.length, packed: packed.length, compressed: block.length, entry: signed.length }
}

/** Summed sizes of batches, each sent as one signed entry. */
export function measureBatches(batches: readonly (readonly WireRecord[])[]): WireSize {
  const sum: WireSize = { records: 0, packed: 0, compressed: 0, entry: 0 }
  for (const b of batches) {
    const m = measureBatch(b)
    sum.records += m.records
    sum.packed += m.packed
    sum.compressed += m.compressed
    sum.entry += m.entry
  }
  return sum
}
