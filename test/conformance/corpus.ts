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
