import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CORPUS_DIR } from '../helpers/shared.ts'

/** One line of a `*.tshark.jsonl` gold (schema in the corpus README). */
export interface GoldLine {
  frame: number
  /** frame.time_epoch as a string, truncated to microseconds */
  ts: string
  qname: string | null
  rcode: string
  class: string | null
  ttl: number
  transport: 'udp' | 'tcp'
  port: number
  proto: 'dns' | 'mdns' | 'llmnr'
  via: string | null
  section: 'answer' | 'authority' | 'additional'
  rrname: string
  rrtype: string
  rdata: string | null
  malformed: boolean
  incomplete: boolean
}

export function readGold(capture: string): GoldLine[] {
  const text = readFileSync(resolve(CORPUS_DIR, `${capture}.tshark.jsonl`), 'utf8')
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as GoldLine)
}

/** Meta-RRs carry no data a passive DNS database keeps (RFC 6895 §3.1); the sensor counts and drops them. */
export const META_TYPES = new Set(['OPT', 'TSIG', 'TKEY'])

/**
 * Which gold lines the comparison holds us to: complete, well-formed responses carried in plain
 * DNS over UDP/TCP, with rdata tshark could render. The corpus README says to treat the others
 * as tshark-specific.
 */
export function comparable(g: GoldLine): boolean {
  return g.rdata !== null && !g.malformed && !g.incomplete && g.via === null && !META_TYPES.has(g.rrtype)
}

export function tupleKey(section: string, rrname: string, rrtype: string, rdata: string): string {
  return `${section}\t${rrname}\t${rrtype}\t${rdata}`
}

/** One entry of known-differences.tsv; `used` counts the differences it covered. */
export interface Allowance {
  capture: string
  direction: string
  pattern: string[]
  reason: string
  used: number
}

export function readAllowances(): Allowance[] {
  const text = readFileSync(new URL('./known-differences.tsv', import.meta.url), 'utf8')
  const out: Allowance[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const f = line.split('\t')
    if (f.length !== 7) throw new Error(`known-differences.tsv: want 7 tab-separated fields: ${line}`)
    const [capture, direction, section, rrname, rrtype, rdata, reason] = f as [string, ...string[]]
    if (!reason) throw new Error(`known-differences.tsv: an entry without a reason: ${line}`)
    out.push({
      capture,
      direction: direction!,
      pattern: [section!, rrname!, rrtype!, rdata!],
      reason,
      used: 0,
    })
  }
  return out
}

/** `*` matches anything; a pattern ending in `*` matches by prefix; anything else exactly. */
export function matches(pattern: string, value: string): boolean {
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1))
  return pattern === value
}

export function allowed(list: Allowance[], capture: string, direction: string, key: string): boolean {
  const fields = key.split('\t')
  for (const a of list) {
    if (a.capture !== capture || a.direction !== direction) continue
    if (a.pattern.every((p, i) => matches(p, fields[i]!))) {
      a.used++
      return true
    }
  }
  return false
}
