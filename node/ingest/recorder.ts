/**
 * Observations → records: the sensor's output becomes window entries of the local origin. Only class
 * IN is kept (as dnstable does); names the store cannot key are counted, not stored.
 */
import { Counters } from '../capture/types.ts'
import { typeNumber } from '../dns/constants.ts'
import type { Observation } from '../dns/observation.ts'
import { isValidName, type RecordId } from '../store/keys.ts'
import { MAX_TTL } from '../store/ttl.ts'
import { MAX_STORED_TIME } from '../store/value.ts'
import type { AggregationWindow } from './window.ts'

export interface RecorderComponents {
  window: AggregationWindow
}

export class Recorder {
  readonly #window: AggregationWindow
  readonly #counters = new Counters()
  /** observations taken since `counters` was last read (a field: this runs per observation) */
  #records = 0
  /** type numbers by the parser's mnemonics (the same few strings again and again) */
  readonly #types = new Map<string, number | null>()
  /** the identity of the observation at hand, reused: a record seen again costs no allocation */
  readonly #probe: RecordId = { kind: 'rr', rrname: '', rrtype: 0, bailiwick: null, rdata: '', origin: 0 }

  constructor(components: RecorderComponents, origin: number) {
    this.#window = components.window
    this.#probe.origin = origin
  }

  /** The sensor's ObservationSink. */
  readonly observe = (obs: Observation): void => {
    if (obs.rrclass !== 'IN') {
      this.counters.inc('skipped.class')
      return
    }
    let rrtype = this.#types.get(obs.rrtype)
    if (rrtype === undefined) {
      rrtype = typeNumber(obs.rrtype)
      this.#types.set(obs.rrtype, rrtype)
    }
    if (rrtype === null) {
      this.counters.inc('skipped.type')
      return
    }
    const t = Math.floor(obs.time / 1e6)
    // the store keeps u32 epoch seconds: a capture clock before 1970 or after 2106 (a pcapng
    // if_tsoffset can say anything) is counted, never wrapped into a wrong time
    if (!(t >= 0 && t <= MAX_STORED_TIME)) {
      this.counters.inc(validNames(obs) ? 'skipped.time' : 'skipped.name')
      return
    }
    // negatives carry the SOA's negative-caching TTL (RFC 2308), null when there was none
    const ttl = obs.ttl
    const ttlOk = ttl !== null && Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL
    const probe = this.#probe
    probe.kind = obs.kind
    probe.rrname = obs.rrname
    probe.rrtype = rrtype
    probe.bailiwick = obs.bailiwick
    probe.rdata = obs.kind === 'rr' ? (obs.rdata ?? '') : ''
    // a record the window holds already had its names checked when it came first
    if (!this.#window.merge(probe, t, t, 1, 'add', ttlOk ? ttl : -1, ttlOk ? ttl : -1)) {
      if (!validNames(obs)) {
        this.counters.inc('skipped.name')
        return
      }
      const id: RecordId = { ...probe }
      if (ttlOk) this.#window.add(id, t, t, 1, 'add', { min: ttl, max: ttl })
      else this.#window.add(id, t, t, 1, 'add')
    }
    this.#records++
  }

  /** observations taken (`records`), and skipped ones by reason */
  get counters(): Counters {
    if (this.#records > 0) {
      this.#counters.inc('records', this.#records)
      this.#records = 0
    }
    return this.#counters
  }
}

/** Whether the store can key the observation's names. */
function validNames(obs: Observation): boolean {
  return isValidName(obs.rrname) && (obs.bailiwick === null || isValidName(obs.bailiwick))
}
