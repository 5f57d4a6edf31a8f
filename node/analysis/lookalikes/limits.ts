/** Bounds of the look-alike analysis (docs/LIMITS.md is generated from these comments). */

/** Most permutations generated for one brand; further ones are dropped (dnstwist's full set for a 12-letter label is about 6 000). */
export const MAX_PERMUTATIONS = 50_000

/** Most entries of a dictionary or TLD list file; a longer file is ERR_BAD_ARGUMENT. */
export const MAX_WORD_LIST_ENTRIES = 100_000

/** Largest --max-distance (Damerau–Levenshtein edits) the scan accepts: beyond it nearly every short label matches. */
export const MAX_LOOKALIKE_DISTANCE = 4

/** Default --max-distance. */
export const DEFAULT_LOOKALIKE_DISTANCE = 2

/** Default --limit: candidates returned, newest first. */
export const DEFAULT_LOOKALIKE_LIMIT = 1000

/** Largest --limit. */
export const MAX_LOOKALIKE_LIMIT = 100_000

/** Records read per candidate (at and below its name) to give its first/last, resolves and vantages; a name with more is described by these. */
export const MAX_RECORDS_PER_CANDIDATE = 2000

/** Permutations looked up at a time through a backend that is not the local store (a node's control socket, the mesh). */
export const LOOKUP_CONCURRENCY = 16

/** Registered domains asked of a backend per page while the scan enumerates them. */
export const DOMAINS_PAGE = 50_000

/** A brand label shorter than this is not searched for inside other labels (a 2-letter brand is inside half of all names). */
export const MIN_CONTAINED_LABEL = 4
