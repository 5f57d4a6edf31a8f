/** Only files at least this large get a progress bar: small ones finish before it would be seen. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024
const REDRAW_EVERY_MS = 100
const BAR_WIDTH = 30

/** A one-line progress bar on a terminal; silent when `enabled` is false. */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream
  readonly #label: string
  readonly #unit: string
  readonly #start = performance.now()
  #last = 0
  #drawn = false

  /** `unit` names what `items` counts: packets for captures, lines for COF */
  constructor(out: NodeJS.WriteStream, label: string, unit = 'pkt') {
    this.#out = out
    this.#label = label
    this.#unit = unit
  }

  update(done: number, total: number, items: number): void {
    const now = performance.now()
    if (now - this.#last < REDRAW_EVERY_MS) return
    this.#last = now
    const frac = total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(frac * BAR_WIDTH)
    const rate = items / Math.max(1e-3, (now - this.#start) / 1000)
    const line = `${this.#label} [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(total)} MiB ${formatRate(rate)} ${this.#unit}/s`
    this.#out.write(`\r${line.slice(0, (this.#out.columns ?? 100) - 1)}`)
    this.#drawn = true
  }

  clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[2K')
    this.#drawn = false
  }
}

function mib(n: number): string {
  return (n / 1048576).toFixed(1)
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`
  return perSecond.toFixed(0)
}
