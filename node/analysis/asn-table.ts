/**
 * An IP-to-ASN table from a local file (none ships: operators point `--asn-table` at one). Two
 * common public formats are read, told apart line by line:
 *
 * - iptoasn.com's `ip2asn-v4.tsv` / `ip2asn-v6.tsv` / `ip2asn-combined.tsv`: `range_start TAB
 *   range_end TAB AS_number TAB country TAB description`, non-overlapping ranges; AS 0 marks
 *   addresses not routed (skipped).
 * - CAIDA's RouteViews prefix-to-AS (`routeviews-rv2-*.pfx2as`): `prefix TAB length TAB AS`, where
 *   AS may be a multi-origin `a_b` or an AS set `a,b` (the first is taken); prefixes nest, so a
 *   lookup takes the longest match.
 */
import { readFile, stat } from 'node:fs/promises'
import { PdnsError } from '../errors.ts'
import { parseIP } from '../store/ip.ts'
import { MAX_ASN_TABLE_BYTES } from './limits.ts'

interface Range {
  lo: Buffer
  hi: Buffer
  asn: number
}

export class AsnTable {
  /** iptoasn ranges per family (4, 16 bytes), sorted by lo */
  readonly #ranges = new Map<number, Range[]>()
  /** pfx2as: family → prefix length → masked address hex → AS */
  readonly #prefixes = new Map<number, Map<number, Map<string, number>>>()
  #lengths = new Map<number, number[]>()
  entries = 0

  /** Reads `path`; ERR_BAD_ARGUMENT when it cannot be read, is too large or holds no entry of either format. */
  static async load(path: string): Promise<AsnTable> {
    let text: string
    try {
      const s = await stat(path)
      if (s.size > MAX_ASN_TABLE_BYTES) {
        throw new PdnsError(
          'ERR_BAD_ARGUMENT',
          `--asn-table ${path}: ${s.size} bytes, above the ${MAX_ASN_TABLE_BYTES}-byte bound`,
        )
      }
      text = await readFile(path, 'utf8')
    } catch (err) {
      if (err instanceof PdnsError) throw err
      throw new PdnsError('ERR_BAD_ARGUMENT', `--asn-table ${path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const t = AsnTable.parse(text)
    if (t.entries === 0) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `--asn-table ${path}: no entries in iptoasn.com (ip2asn-*.tsv) or RouteViews pfx2as format`,
      )
    }
    return t
  }

  static parse(text: string): AsnTable {
    const t = new AsnTable()
    for (const line of text.split('\n')) {
      if (line.length === 0 || line.startsWith('#')) continue
      const f = line.split(/\t|\s+/)
      if (f.length < 3) continue
      const a = parseIP(f[0]!)
      if (a === null) continue
      const b = parseIP(f[1]!)
      const asn = Number.parseInt(f[2]!.split(/[_,]/)[0]!, 10)
      if (!Number.isInteger(asn) || asn <= 0) continue
      if (b !== null && b.length === a.length) {
        t.#addRange(Buffer.from(a), Buffer.from(b), asn)
      } else if (/^[0-9]{1,3}$/.test(f[1]!) && Number(f[1]) <= a.length * 8) {
        t.#addPrefix(a, Number(f[1]), asn)
      }
    }
    for (const rs of t.#ranges.values()) rs.sort((x, y) => Buffer.compare(x.lo, y.lo))
    for (const [fam, m] of t.#prefixes)
      t.#lengths.set(
        fam,
        [...m.keys()].sort((x, y) => y - x),
      )
    return t
  }

  #addRange(lo: Buffer, hi: Buffer, asn: number): void {
    let rs = this.#ranges.get(lo.length)
    if (rs === undefined) {
      rs = []
      this.#ranges.set(lo.length, rs)
    }
    rs.push({ lo, hi, asn })
    this.entries++
  }

  #addPrefix(a: Uint8Array, len: number, asn: number): void {
    let fam = this.#prefixes.get(a.length)
    if (fam === undefined) {
      fam = new Map()
      this.#prefixes.set(a.length, fam)
    }
    let byLen = fam.get(len)
    if (byLen === undefined) {
      byLen = new Map()
      fam.set(len, byLen)
    }
    byLen.set(masked(a, len), asn)
    this.entries++
  }

  /** The AS announcing `a`, or null when the table does not cover it. */
  lookup(a: Uint8Array): number | null {
    for (const len of this.#lengths.get(a.length) ?? []) {
      const asn = this.#prefixes.get(a.length)!.get(len)!.get(masked(a, len))
      if (asn !== undefined) return asn
    }
    const rs = this.#ranges.get(a.length)
    if (rs === undefined) return null
    const key = Buffer.from(a)
    // the last range starting at or below a; ranges do not overlap in this format
    let lo = 0
    let hi = rs.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (Buffer.compare(rs[mid]!.lo, key) <= 0) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    if (found < 0 || Buffer.compare(rs[found]!.hi, key) < 0) return null
    return rs[found]!.asn
  }
}

function masked(a: Uint8Array, len: number): string {
  const n = Buffer.from(a)
  for (let i = 0; i < n.length; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8))
    n[i] = n[i]! & (keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff)
  }
  return n.toString('hex')
}
