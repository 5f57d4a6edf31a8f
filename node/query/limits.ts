/** Bounds of the query layer (docs/LIMITS.md is generated from these comments). */

/** Largest `limit` a query may ask for (DNSDB's results_max is of this order); a larger one is ERR_BAD_QUERY. A page is held in memory before it is written, so this bounds a query's memory (roughly 0.5 KB per record). */
export const MAX_QUERY_LIMIT = 1_000_000

/** Names whose verdict (new or not, and where in the FIRST scan it is listed) a `new` query keeps while it scans; past this the memo is emptied and names met again are looked up again, so a day of millions of new records cannot fill memory. */
export const NEW_NAMES_MEMO_NAMES = 100_000
/** Most registered domains in one page of `domains` (the look-alike scan's enumeration); a larger limit is ERR_BAD_QUERY. */
export const MAX_DOMAINS_PAGE = 100_000
