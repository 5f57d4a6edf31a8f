/** What peers share: protocol ids, size limits, messages, feed entries (docs/PROTOCOL.md). */
export * from './entry.ts'
export * from './errors.ts'
export * from './ids.ts'
export * from './limits.ts'
export * from './messages.ts'
export * from './records-block.ts'
