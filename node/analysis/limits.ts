/** Bounds and defaults of the analyses (docs/LIMITS.md is generated from these comments). */

/** `new` without --since lists the names first seen in this many seconds before now (a day: the usual newly-observed-domains window). */
export const DEFAULT_NEW_SINCE_SECONDS = 86_400

/** `query name` calls a name active when it was last seen within this many seconds of now, unless --active-within says otherwise (a week, DNSDB Scout's "recently seen"). */
export const DEFAULT_ACTIVE_WITHIN_SECONDS = 7 * 86_400
