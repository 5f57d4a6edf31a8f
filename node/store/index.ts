/** Public surface of the store: the database, its write path and its key layout. */

export type { RecordId, RecordKind } from './keys.ts'
export * as keys from './keys.ts'
export { Recorder } from './recorder.ts'
export { type ApplyResult, type RecordUpdate, Store, type StoreOptions } from './store.ts'
export { decodeValue, encodeValue, type MergeMode, type RecordValue } from './value.ts'
export { AggregationWindow, type WindowOptions, type WindowStats } from './window.ts'
