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
  readonly #origin: number
  /** observations taken, and skipped ones by reason */
  readonly counters = new Counters()

  constructor(components: RecorderComponents, origin: number) {
    this.#window = components.window
    this.#origin = origin
  }

  /** The sensor's ObservationSink. */
  readonly observe = (obs: Observation): void => {
    if (obs.rrclass !== 'IN') {
      this.counters.inc('skipped.class')
      return
    }
    const rrtype = typeNumber(obs.rrtype)
    if (rrtype === null) {
      this.counters.inc('skipped.type')
      return
    }
    if (!isValidName(obs.rrname) || (obs.bailiwick !== null && !isValidName(obs.bailiwick))) {
      this.counters.inc('skipped.name')
      return
    }
    const id: RecordId = {
      kind: obs.kind,
      rrname: obs.rrname,
      rrtype,
      bailiwick: obs.bailiwick,
      rdata: obs.kind === 'rr' ? (obs.rdata ?? '') : '',
      origin: this.#origin,
    }
    const t = Math.floor(obs.time / 1e6)
    // the store keeps u32 epoch seconds: a capture clock before 1970 or after 2106 (a pcapng
    // if_tsoffset can say anything) is counted, never wrapped into a wrong time
    if (!(t >= 0 && t <= MAX_STORED_TIME)) {
      this.counters.inc('skipped.time')
      return
    }
    // negatives carry the SOA's negative-caching TTL (RFC 2308), null when there was none
    const ttl = obs.ttl
    if (ttl !== null && Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL) {
      this.#window.add(id, t, t, 1, 'add', { min: ttl, max: ttl })
    } else {
      this.#window.add(id, t, t, 1, 'add')
    }
    this.counters.inc('records')
  }
}
