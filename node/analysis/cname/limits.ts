/** Bounds of the CNAME audit (docs/LIMITS.md is generated from these comments). */

/** Hops of a CNAME chain followed through the store (BIND's resolver gives up after 16 too); a longer chain is reported dangling, as resolvers fail on it. */
export const MAX_CNAME_DEPTH = 16

/** CNAME records at or below the zone audited in one run; more is ERR_BAD_ARGUMENT (audit a smaller zone). */
export const MAX_AUDITED_CNAMES = 100_000

/** Records read of each name along a chain; a name with more is judged on these. */
export const MAX_RECORDS_PER_HOP = 1000

/** CNAME records asked of the backend per page while the zone's are listed. */
export const CNAME_PAGE = 10_000

/** Default --stale-after, seconds (30 days). */
export const DEFAULT_STALE_AFTER = 30 * 86_400

/** Largest providers file accepted, bytes. */
export const MAX_PROVIDERS_FILE_BYTES = 4 * 1024 * 1024
