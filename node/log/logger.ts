/**
 * The node's structured log: NDJSON lines (pino) on stderr, one child logger per component
 * (`log.child({ component: 'dnstap' })`), so stdout stays free for command output and a service
 * manager (journald, docker) collects the log as it is.
 */
import { pino } from 'pino'
import type { LogLevel } from './levels.ts'

/** What components take in their `components` argument. */
export type Logger = pino.Logger

export interface LoggerOptions {
  level: LogLevel
  /**
   * Where lines go: a file descriptor (default 2, stderr), a file path (appended to), or a writable
   * stream (tests).
   */
  destination?: number | string | NodeJS.WritableStream
}

export function createLogger(options: LoggerOptions): Logger {
  const dest = options.destination ?? 2
  // Synchronous writes to a descriptor or file: the last lines before an exit (a fatal error, the
  // shutdown summary) reach the file even when the process ends right after logging them. The node
  // logs events, not packets, so the cost of a write(2) per line does not matter.
  const stream =
    typeof dest === 'number' || typeof dest === 'string'
      ? pino.destination({ dest, sync: true, append: true, mkdir: false })
      : dest
  return pino(
    {
      level: options.level,
      // level names and ISO times: read by people as often as by tools
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
    },
    stream,
  )
}

/** Flushes buffered lines (a no-op for the synchronous destinations createLogger makes). */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve())
  })
}
