/** A real pino logger (node/log) whose NDJSON lines a test can read back. */
import { PassThrough } from 'node:stream'
import { createLogger, type Logger } from '../../node/log/index.ts'

/** A logger at debug level writing into memory; `lines()` parses what it wrote so far. */
export function capturedLog(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = []
  const sink = new PassThrough()
  let pending = ''
  sink.setEncoding('utf8').on('data', (d: string) => {
    pending += d
    const parts = pending.split('\n')
    pending = parts.pop()!
    lines.push(...parts)
  })
  return {
    log: createLogger({ level: 'debug', destination: sink }),
    lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}
