/**
 * The questions operators ask of passive DNS, answered over a QueryBackend (above node/query/,
 * below node/cli/): each analysis is a file of its own; this file names the public surface.
 */
export { parseDuration } from './duration.ts'
export { type Freshness, freshness, renderFreshSummary } from './freshness.ts'
export { DEFAULT_ACTIVE_WITHIN_SECONDS, DEFAULT_NEW_SINCE_SECONDS } from './limits.ts'
export { NEW_NAMES_TABLE_HEADER, type NewNamesAsked, newNamesToJson, newNamesToTable } from './new-names.ts'
