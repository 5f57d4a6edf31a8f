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

/** Every child of a root logger (children keep the level they were made with: reload must reach them). */
const families = new WeakMap<Logger, Set<WeakRef<Logger>>>()

export function createLogger(options: LoggerOptions): Logger {
  const family = new Set<WeakRef<Logger>>()
  const dest = options.destination ?? 2
  // Synchronous writes to a descriptor or file: the last lines before an exit (a fatal error, the
  // shutdown summary) reach the file even when the process ends right after logging them. The node
  // logs events, not packets, so the cost of a write(2) per line does not matter.
  const stream =
    typeof dest === 'number' || typeof dest === 'string'
      ? pino.destination({ dest, sync: true, append: true, mkdir: false })
      : dest
  const root = pino(
    {
      level: options.level,
      // level names and ISO times: read by people as often as by tools
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      // inherited by children, so grandchildren are tracked too
      onChild: (child) => {
        family.add(new WeakRef(child))
      },
    },
    stream,
  )
  families.set(root, family)
  return root
}

/** Sets the level of a root logger and of every child made from it (`pdns-mesh reload`). */
export function setLogLevel(root: Logger, level: LogLevel): void {
  root.level = level
  const family = families.get(root)
  if (family === undefined) return
  for (const ref of family) {
    const child = ref.deref()
    if (child === undefined) family.delete(ref)
    else child.level = level
  }
}

/** Flushes buffered lines (a no-op for the synchronous destinations createLogger makes). */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve())
  })
}
