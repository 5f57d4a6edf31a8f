/**
 * Which origin (vantage) a local observation is recorded under. Everything this node sees is its own:
 * packets from libpcap go to the node's peer id; a dnstap feed that names itself (the resolver's
 * dnstap `identity`) goes to `<peer id>/<identity>`, so queries can tell the resolvers apart while
 * every label stays under the node's key — no record is attributed to a vantage that did not sign it.
 */
import type { ObservationSink } from '../dns/observation.ts'
import { isLabel, isMeshLabel } from '../store/labels.ts'
import type { Store } from '../store/store.ts'
import { Recorder } from './recorder.ts'
import type { AggregationWindow } from './window.ts'

export interface SensorOriginsComponents {
  store: Store
  window: AggregationWindow
}

/**
 * The sensor name of dnstap feeds that carry no usable identity (unbound sends none unless
 * `dnstap-send-identity: yes`; an identity may also be invalid, or one too many): they are still
 * resolvers, kept apart from the node's own packet capture so that nothing is counted twice under one
 * vantage.
 */
export const UNNAMED_DNSTAP_SENSOR = 'dnstap'

/** The origin label of a named sensor of the node `peerId`. */
export function sensorLabel(peerId: string, sensor: string | null): string {
  return sensor === null ? peerId : `${peerId}/${sensor}`
}

/** Whether an origin label belongs to the node `peerId` (its own label or one of its sensors'). */
export function isLocalLabel(peerId: string, label: string): boolean {
  return label === peerId || label.startsWith(`${peerId}/`)
}

/**
 * Whether an origin label is peers' data: another mesh node's (`<peer id>` or `<peer id>/…`), as
 * against this node's own and imports (`cof:…`), which the operator brought in. `peerId` null: no
 * identity, every mesh label is a peer's.
 */
export function isPeersLabel(peerId: string | null, label: string): boolean {
  return isMeshLabel(label) && (peerId === null || !isLocalLabel(peerId, label))
}

export class SensorOrigins {
  readonly #components: SensorOriginsComponents
  readonly #peerId: string
  readonly #recorders = new Map<string | null, Recorder>()

  constructor(components: SensorOriginsComponents, peerId: string) {
    this.#components = components
    this.#peerId = peerId
  }

  /**
   * The observation sink of one sensor (null: the node's own packet capture). A sensor name that
   * cannot be a label (the dnstap reader bounds and checks identities first; this is the last guard)
   * goes to the unnamed dnstap sensor, never to the node's own origin.
   */
  sinkFor(sensor: string | null): ObservationSink {
    const name =
      sensor === null || isLabel(sensorLabel(this.#peerId, sensor)) ? sensor : UNNAMED_DNSTAP_SENSOR
    let r = this.#recorders.get(name)
    if (r === undefined) {
      const origin = this.#components.store.originId(sensorLabel(this.#peerId, name))
      r = new Recorder({ window: this.#components.window }, origin)
      this.#recorders.set(name, r)
    }
    return r.observe
  }

  /** Records taken and skipped, per sensor label. */
  stats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const [name, r] of this.#recorders) out[sensorLabel(this.#peerId, name)] = r.counters.toJSON()
    return out
  }
}
