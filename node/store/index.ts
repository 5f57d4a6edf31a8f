/** Public surface of the store: the database, its key layout and its values (storage only; ingestion is node/ingest). */

export {
  type Cutoffs,
  Expiry,
  type ExpiryStats,
  type PassResult,
  type Retention,
} from './expiry.ts'
export type { RecordId, RecordKind } from './keys.ts'
export * as keys from './keys.ts'
export { isLabel, isMeshLabel } from './labels.ts'
export { type ApplyResult, type RecordUpdate, Store, type StoreOptions } from './store.ts'
export { decodeValue, encodeValue, type MergeMode, type RecordValue } from './value.ts'
