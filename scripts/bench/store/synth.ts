/**
 * Synthetic unique records for the store benchmark, a pure function of their index so that any
 * record (its name, its address) can be rebuilt later without keeping millions in memory.
 *
 *   owner     h<i>.z<zone>.example                   every owner name is new: every record is unique
 *   A (88 %)  10.x.y.z, hashed over the whole 10/8     so a /16 holds about 1/256 of the A records
 *   CNAME 4 % h<j>.z<zone'>.example
 *   MX    4 % 10 mail<k>.z<zone>.example
 *   NS    4 % ns<k>.z<zone>.example
 *
 * Half the records carry a bailiwick (their zone), half none, as a resolver-side sensor sees them.
 * Times fall in a 30-day span, counts 1–100.
 */
import type { RecordId } from '../../../node/store/keys.ts'

export const ZONES = 50_000
const T0 = 1_735_689_600 // 2025-01-01
const DAY = 86_400

/** lowbias32 (Chris Wellons): a fast, well-mixed 32-bit integer hash. */
export function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0
  x = Math.imul(x, 0x7feb352d) >>> 0
  x = (x ^ (x >>> 15)) >>> 0
  x = Math.imul(x, 0x846ca68b) >>> 0
  return (x ^ (x >>> 16)) >>> 0
}

function zoneOf(i: number): string {
  return `z${mix(i ^ 0x5bd1e995) % ZONES}.example`
}

export function ownerName(i: number): string {
  return `h${i}.${zoneOf(i)}`
}

export interface SynthRecord {
  id: RecordId
  first: number
  last: number
  count: number
}

export function synth(i: number, origin: number): SynthRecord {
  const h = mix(i)
  const zone = zoneOf(i)
  const rrname = `h${i}.${zone}`
  const pick = h % 100
  let rrtype: number
  let rdata: string
  if (pick < 88) {
    const a = mix(h ^ 0x9e3779b9)
    rrtype = 1
    rdata = `10.${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}`
  } else if (pick < 92) {
    rrtype = 5
    rdata = ownerName(mix(h ^ 0x85ebca6b) % Math.max(1, i + 1))
  } else if (pick < 96) {
    rrtype = 15
    rdata = `10 mail${h % 4}.${zone}`
  } else {
    rrtype = 2
    rdata = `ns${h % 4}.${zone}`
  }
  const h2 = mix(h ^ 0xc2b2ae35)
  const first = T0 + (h2 % (30 * DAY))
  return {
    id: { kind: 'rr', rrname, rrtype, bailiwick: (h2 & 1) === 0 ? zone : null, rdata, origin },
    first,
    last: first + (mix(h2) % (7 * DAY)),
    count: 1 + ((h2 >>> 20) % 100),
  }
}
