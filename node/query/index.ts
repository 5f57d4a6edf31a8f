/** Public surface of the query layer: the model, parsing of query text, and the local backend. */
export { decodeCursor, encodeCursor, fingerprint } from './cursor.ts'
export { QueryEngine } from './engine.ts'
export { LocalBackend } from './local.ts'
export {
  normalizeName,
  parseNamePattern,
  parseRawHex,
  parseRdataTarget,
  parseType,
  prefixBounds,
} from './parse.ts'
export { recordTtls } from './ttl.ts'
export * from './types.ts'
