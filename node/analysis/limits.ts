/** Bounds and defaults of the analyses (docs/LIMITS.md is generated from these comments). */

/** `new` without --since lists the names first seen in this many seconds before now (a day: the usual newly-observed-domains window). */
export const DEFAULT_NEW_SINCE_SECONDS = 86_400

/** `query name` calls a name active when it was last seen within this many seconds of now, unless --active-within says otherwise (a week, DNSDB Scout's "recently seen"). */
export const DEFAULT_ACTIVE_WITHIN_SECONDS = 7 * 86_400

/** Records one history question (ip, ns-history, ip-history) reads per lookup, page after page; past it the answer says `limited: true` and covers what was read (a name with more history than this is rare: it is the flux hunter's job to find them). */
export const MAX_HISTORY_RESULTS = 100_000
/** Page size the analyses ask the backend for while they collect a lookup (bounds one page's memory; a mesh answers one page). */
export const HISTORY_PAGE_SIZE = 10_000
/** `flux`: A records and, again, AAAA records read under the zone, each in name order; past it the ranking says `limited: true` and covers the names read. */
export const MAX_FLUX_SCAN = 200_000
/** `flux --limit`: most names ranked in one answer. */
export const MAX_FLUX_RANK_LIMIT = 10_000
/** `ip-history`: most UTC days listed in `daily` (the days with a change, newest kept); the features still cover every day. */
export const MAX_HISTORY_DAYS = 3_660
/** `--asn-table`: largest IP-to-ASN file read (iptoasn.com's combined table is about 30 MiB, RouteViews pfx2as about 20 MiB); a larger one is ERR_BAD_ARGUMENT. */
export const MAX_ASN_TABLE_BYTES = 512 * 1024 * 1024
