/**
 * Mnemonic tables for RR types, classes and RCODEs. Lookups are array indexing; the RFC 3597 fallback
 * strings (TYPEnnn, CLASSnnn) are built on first use and kept, so the hot path never formats numbers.
 */
import { lazyTable } from './lazy-table.ts'

/** IANA "Resource Record (RR) TYPEs" registry (mnemonics as registered). */
const TYPE_LIST: ReadonlyArray<readonly [number, string]> = [
  [1, 'A'],
  [2, 'NS'],
  [3, 'MD'],
  [4, 'MF'],
  [5, 'CNAME'],
  [6, 'SOA'],
  [7, 'MB'],
  [8, 'MG'],
  [9, 'MR'],
  [10, 'NULL'],
  [11, 'WKS'],
  [12, 'PTR'],
  [13, 'HINFO'],
  [14, 'MINFO'],
  [15, 'MX'],
  [16, 'TXT'],
  [17, 'RP'],
  [18, 'AFSDB'],
  [19, 'X25'],
  [20, 'ISDN'],
  [21, 'RT'],
  [22, 'NSAP'],
  [23, 'NSAP-PTR'],
  [24, 'SIG'],
  [25, 'KEY'],
  [26, 'PX'],
  [27, 'GPOS'],
  [28, 'AAAA'],
  [29, 'LOC'],
  [30, 'NXT'],
  [31, 'EID'],
  [32, 'NIMLOC'],
  [33, 'SRV'],
  [34, 'ATMA'],
  [35, 'NAPTR'],
  [36, 'KX'],
  [37, 'CERT'],
  [38, 'A6'],
  [39, 'DNAME'],
  [40, 'SINK'],
  [41, 'OPT'],
  [42, 'APL'],
  [43, 'DS'],
  [44, 'SSHFP'],
  [45, 'IPSECKEY'],
  [46, 'RRSIG'],
  [47, 'NSEC'],
  [48, 'DNSKEY'],
  [49, 'DHCID'],
  [50, 'NSEC3'],
  [51, 'NSEC3PARAM'],
  [52, 'TLSA'],
  [53, 'SMIMEA'],
  [55, 'HIP'],
  [56, 'NINFO'],
  [57, 'RKEY'],
  [58, 'TALINK'],
  [59, 'CDS'],
  [60, 'CDNSKEY'],
  [61, 'OPENPGPKEY'],
  [62, 'CSYNC'],
  [63, 'ZONEMD'],
  [64, 'SVCB'],
  [65, 'HTTPS'],
  [66, 'DSYNC'],
  [67, 'HHIT'],
  [68, 'BRID'],
  [99, 'SPF'],
  [100, 'UINFO'],
  [101, 'UID'],
  [102, 'GID'],
  [103, 'UNSPEC'],
  [104, 'NID'],
  [105, 'L32'],
  [106, 'L64'],
  [107, 'LP'],
  [108, 'EUI48'],
  [109, 'EUI64'],
  [128, 'NXNAME'],
  [249, 'TKEY'],
  [250, 'TSIG'],
  [251, 'IXFR'],
  [252, 'AXFR'],
  [253, 'MAILB'],
  [254, 'MAILA'],
  [255, 'ANY'],
  [256, 'URI'],
  [257, 'CAA'],
  [258, 'AVC'],
  [259, 'DOA'],
  [260, 'AMTRELAY'],
  [261, 'RESINFO'],
  [262, 'WALLET'],
  [263, 'CLA'],
  [264, 'IPN'],
  [32768, 'TA'],
  [32769, 'DLV'],
]

/** Type numbers the parser branches on. */
export const T_A = 1
export const T_NS = 2
export const T_CNAME = 5
export const T_SOA = 6
export const T_AAAA = 28
export const T_DNAME = 39
export const T_OPT = 41
export const T_TKEY = 249
export const T_TSIG = 250

/** Mnemonic of an RR type (0–65535), or TYPEnnn (RFC 3597 §5). */
export const typeName: (t: number) => string = lazyTable(65536, (t) => `TYPE${t}`, TYPE_LIST)

const TYPE_BY_NAME = new Map<string, number>(TYPE_LIST.map(([n, name]) => [name, n]))

/** Type number of a mnemonic (any case) or of TYPEnnn; null when it names no type. */
export function typeNumber(text: string): number | null {
  const upper = text.toUpperCase()
  const known = TYPE_BY_NAME.get(upper)
  if (known !== undefined) return known
  const m = /^TYPE([0-9]{1,5})$/.exec(upper)
  if (m === null) return null
  const n = Number(m[1])
  return n <= 65535 ? n : null
}

/** Mnemonic of a class (0–65535), or CLASSnnn (RFC 3597 §5). */
export const className: (c: number) => string = lazyTable(65536, (c) => `CLASS${c}`, [
  [1, 'IN'],
  [3, 'CH'],
  [4, 'HS'],
  [254, 'NONE'],
  [255, 'ANY'],
])

/**
 * IANA "DNS RCODEs". 16 is BADVERS when it comes from the OPT RR (the only way the parser forms a code
 * above 15); BADSIG shares the number but lives only in TSIG's error field.
 */
const RCODE_LIST: ReadonlyArray<readonly [number, string]> = [
  [0, 'NOERROR'],
  [1, 'FORMERR'],
  [2, 'SERVFAIL'],
  [3, 'NXDOMAIN'],
  [4, 'NOTIMP'],
  [5, 'REFUSED'],
  [6, 'YXDOMAIN'],
  [7, 'YXRRSET'],
  [8, 'NXRRSET'],
  [9, 'NOTAUTH'],
  [10, 'NOTZONE'],
  [11, 'DSOTYPENI'],
  [16, 'BADVERS'],
  [17, 'BADKEY'],
  [18, 'BADTIME'],
  [19, 'BADMODE'],
  [20, 'BADNAME'],
  [21, 'BADALG'],
  [22, 'BADTRUNC'],
  [23, 'BADCOOKIE'],
]

/** Mnemonic of a (12-bit extended) RCODE, 0–4095, or RCODEnnn. */
export const rcodeName: (r: number) => string = lazyTable(4096, (r) => `RCODE${r}`, RCODE_LIST)
