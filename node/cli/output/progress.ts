/** Only files at least this large get a progress bar: small ones finish before it would be seen. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024
const REDRAW_EVERY_MS = 100
const BAR_WIDTH = 30

/** What the lines read the time from, ms (monotonic); tests pass their own. */
export type Clock = () => number

const monotonic: Clock = () => performance.now()

/**
 * One line on a terminal, redrawn in place: the first draw is at once, later ones at most every
 * `everyMs`; clear() erases it. The time base is the clock's, whatever its origin: a process younger
 * than `everyMs` (performance.now() counts from its start) still draws its first line.
 */
export class RedrawnLine {
  readonly #out: NodeJS.WriteStream
  readonly #everyMs: number
  readonly #clock: Clock
  readonly #start: number
  #last: number | null = null
  #drawn = false

  constructor(out: NodeJS.WriteStream, everyMs: number, clock: Clock = monotonic) {
    this.#out = out
    this.#everyMs = everyMs
    this.#clock = clock
    this.#start = clock()
  }

  /** Seconds since the line was made, as of `due()`'s answer, or null when no redraw is due yet. */
  due(): number | null {
    const now = this.#clock()
    if (this.#last !== null && now - this.#last < this.#everyMs) return null
    this.#last = now
    return (now - this.#start) / 1000
  }

  /** Writes `text` over the line, cut to the terminal's width. */
  draw(text: string): void {
    this.#out.write(`\r${text.slice(0, (this.#out.columns ?? 100) - 1)}`)
    this.#drawn = true
  }

  clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[2K')
    this.#drawn = false
  }
}

/** A one-line progress bar on a terminal. */
export class ProgressBar {
  readonly #line: RedrawnLine
  readonly #label: string
  readonly #unit: string
  readonly #amounts: 'bytes' | 'count'

  /**
   * `unit` names what `items` counts: packets for captures, lines for COF; `amounts` says what
   * `done` and `total` are: bytes (shown in MiB) or a count of items
   */
  constructor(
    out: NodeJS.WriteStream,
    label: string,
    unit = 'pkt',
    clock: Clock = monotonic,
    amounts: 'bytes' | 'count' = 'bytes',
  ) {
    this.#line = new RedrawnLine(out, REDRAW_EVERY_MS, clock)
    this.#label = label
    this.#unit = unit
    this.#amounts = amounts
  }

  update(done: number, total: number, items: number): void {
    const elapsed = this.#line.due()
    if (elapsed === null) return
    const frac = total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(frac * BAR_WIDTH)
    const rate = items / Math.max(1e-3, elapsed)
    const amount = this.#amounts === 'bytes' ? `${mib(done)}/${mib(total)} MiB` : `${done}/${total}`
    this.#line.draw(
      `${this.#label} [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${amount} ${formatRate(rate)} ${this.#unit}/s`,
    )
  }

  clear(): void {
    this.#line.clear()
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
