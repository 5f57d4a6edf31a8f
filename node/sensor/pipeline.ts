import { PacketDecoder } from '../capture/decode/index.ts'
import { type CaptureFileInfo, type ReadCaptureOptions, readCapture } from '../capture/formats/index.ts'
import { Counters } from '../capture/types.ts'
import type { ObservationSink } from '../dns/observation.ts'
import { DnsParser } from '../dns/parser.ts'

export interface SensorOptions {
  /** UDP/TCP ports carrying DNS */
  ports: ReadonlySet<number>
  /** keep the resolver-side client address in observations (off by default: privacy) */
  clientAddresses: boolean
}

export interface SensorStats {
  frames: number
  dnsMessages: number
  queries: number
  responses: number
  observations: number
  negatives: number
  metaRecords: number
  /** responses to NOTIFY, UPDATE and other non-QUERY opcodes: counted, not decoded */
  otherOpcodes: number
  anomalies: Record<string, number>
  skipped: Record<string, number>
}

/**
 * The one sensor path: frames (from a file, later from libpcap) → link/IP/UDP/TCP decoding →
 * DNS parser → observations. Files and live capture share it so they cannot drift apart.
 */
export class Sensor {
  readonly #decoder: PacketDecoder
  readonly #parser: DnsParser

  constructor(options: SensorOptions, emit: ObservationSink) {
    this.#parser = new DnsParser({ clientAddresses: options.clientAddresses }, emit)
    const parser = this.#parser
    this.#decoder = new PacketDecoder({ ports: options.ports }, (buf, off, len, info) =>
      parser.parse(buf, off, len, info),
    )
  }

  /** Frame entry point, for sources other than files (live capture). */
  get onFrame() {
    return this.#decoder.decode
  }

  /**
   * Reads one capture file through the pipeline. On a damaged file the frames before the damage
   * are processed, then the PdnsError is thrown.
   */
  async ingestFile(path: string, opts: ReadCaptureOptions = {}): Promise<CaptureFileInfo> {
    return await readCapture(path, this.#decoder.decode, opts)
  }

  /** Frames seen so far: cheap, for progress display (stats() builds the whole picture). */
  get frames(): number {
    return this.#decoder.frames
  }

  /** End of input: settle pending reassembly state so its leftovers are counted. */
  flush(): void {
    this.#decoder.flush()
  }

  stats(): SensorStats {
    const p = this.#parser
    const anomalies = new Counters()
    anomalies.addAll(this.#decoder.anomalies)
    anomalies.addAll(p.anomalies)
    return {
      frames: this.#decoder.frames,
      dnsMessages: p.messages,
      queries: p.queries,
      responses: p.responses,
      observations: p.observations,
      negatives: p.negatives,
      metaRecords: p.metaRecords,
      otherOpcodes: p.otherOpcodes,
      anomalies: anomalies.toJSON(),
      skipped: this.#decoder.skipped.toJSON(),
    }
  }
}
