/**
 * Value checks of the config keys. Each check knows how to describe itself (the type and allowed
 * values docs/CONFIG.md shows), so the validation and the documentation cannot say different things.
 */
import { formatDuration, parseDuration } from './duration.ts'
import { MAX_CONFIG_STRING_BYTES } from './limits.ts'
import { type ListenAddress, parseListenAddress } from './listen.ts'

/** A failed check: what is wrong, and where below the key (`[2]` for a list item). */
export interface Problem {
  problem: string
  at?: string
}

export type Checked<T> = { value: T } | Problem

export interface Check<T> {
  /** the TOML type, for the docs: 'integer', 'list of strings'… */
  readonly type: string
  /** what values are allowed, for the docs, or null when the type says it all */
  readonly allowed: string | null
  parse(raw: unknown): Checked<T>
}

export function failed<T>(c: Checked<T>): c is Problem {
  return 'problem' in c
}

/** A value as an error message shows it: strings quoted, tables and dates named. */
export function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)
  if (raw instanceof Date) return `a date (${raw.toISOString()})`
  if (Array.isArray(raw)) {
    const text = JSON.stringify(raw, (_k, v) => (v instanceof Date ? v.toISOString() : v))
    return text.length > 80 ? `${text.slice(0, 77)}...` : text
  }
  if (typeof raw === 'object' && raw !== null) return 'a table'
  return String(raw)
}

function expected<T>(what: string, raw: unknown): Checked<T> {
  return { problem: `expected ${what}, got ${show(raw)}` }
}

export const boolean: Check<boolean> = {
  type: 'boolean',
  allowed: null,
  parse: (raw) => (typeof raw === 'boolean' ? { value: raw } : expected('true or false', raw)),
}

export function integer(min: number, max: number, noun = 'an integer'): Check<number> {
  return {
    type: 'integer',
    allowed: `${min} to ${max}`,
    parse: (raw) =>
      typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max
        ? { value: raw }
        : expected(`${noun} from ${min} to ${max}`, raw),
  }
}

/** A duration string ("10s", "5m", "1h"); the value is milliseconds. */
export function duration(minS: number, maxS: number): Check<number> {
  const range = `${formatDuration(minS * 1000)} to ${formatDuration(maxS * 1000)}`
  return {
    type: 'duration',
    allowed: range,
    parse: (raw) => {
      const ms = typeof raw === 'string' ? parseDuration(raw) : null
      return ms !== null && ms >= minS * 1000 && ms <= maxS * 1000
        ? { value: ms }
        : expected(`a duration from ${range} ("30s", "5m", "1h")`, raw)
    },
  }
}

/**
 * A retention (store.retention, store.retention_remote): a duration from `minS` seconds to `maxDays`
 * days ("90d", "12h"); the value is seconds. '' is null (off, or for retention_remote: the same as
 * store.retention); `zeroIsOff` also takes "0" as off.
 */
export function retention(minS: number, maxDays: number, zeroIsOff: boolean): Check<number | null> {
  const range = `${formatDuration(minS * 1000)} to ${maxDays}d`
  return {
    type: 'duration',
    allowed: `${range}; empty${zeroIsOff ? ' or "0"' : ''}: ${zeroIsOff ? 'off' : 'the same as store.retention'}`,
    parse: (raw) => {
      if (raw === '' || (zeroIsOff && (raw === '0' || raw === 0))) return { value: null }
      const ms = typeof raw === 'string' ? parseDuration(raw) : null
      return ms !== null && ms >= minS * 1000 && ms <= maxDays * 86_400_000
        ? { value: ms / 1000 }
        : expected(`a duration from ${range} ("90d", "12h")${zeroIsOff ? ', or "0" for off' : ''}`, raw)
    },
  }
}

export function oneOf<V extends string>(values: readonly V[]): Check<V> {
  return {
    type: 'string',
    allowed: `one of ${values.join(', ')}`,
    parse: (raw) =>
      typeof raw === 'string' && (values as readonly string[]).includes(raw)
        ? { value: raw as V }
        : expected(`one of ${values.join(', ')}`, raw),
  }
}

/** A string of at most MAX_CONFIG_STRING_BYTES, without NUL bytes; `pattern` narrows it further. */
export function text(opts: { empty: boolean; pattern?: { re: RegExp; what: string } }): Check<string> {
  const what = opts.pattern?.what ?? (opts.empty ? 'a string' : 'a non-empty string')
  return {
    type: 'string',
    allowed: opts.pattern?.what ?? null,
    parse: (raw) => {
      if (typeof raw !== 'string' || (!opts.empty && raw.length === 0)) return expected(what, raw)
      if (Buffer.byteLength(raw) > MAX_CONFIG_STRING_BYTES) {
        return { problem: `longer than ${MAX_CONFIG_STRING_BYTES} bytes` }
      }
      if (raw.includes('\0')) return { problem: 'holds a NUL byte' }
      if (opts.pattern !== undefined && !opts.pattern.re.test(raw)) return expected(what, raw)
      return { value: raw }
    },
  }
}

export const listenAddress: Check<ListenAddress> = {
  type: 'string',
  allowed: 'unix:PATH or tcp:HOST:PORT',
  parse: (raw) => {
    if (typeof raw !== 'string') return expected('unix:PATH or tcp:HOST:PORT', raw)
    if (Buffer.byteLength(raw) > MAX_CONFIG_STRING_BYTES) {
      return { problem: `longer than ${MAX_CONFIG_STRING_BYTES} bytes` }
    }
    const a = parseListenAddress(raw)
    return typeof a === 'string' ? { problem: a } : { value: a }
  },
}

/** HOST:PORT of a TCP listener (an IPv6 host in brackets), or '' for none. */
export const hostPort: Check<{ host: string; port: number } | null> = {
  type: 'string',
  allowed: 'HOST:PORT (an IPv6 host in brackets), or empty: off',
  parse: (raw) => {
    if (raw === '') return { value: null }
    if (typeof raw !== 'string' || Buffer.byteLength(raw) > MAX_CONFIG_STRING_BYTES) {
      return expected('HOST:PORT', raw)
    }
    const a = parseListenAddress(`tcp:${raw}`)
    if (typeof a === 'string')
      return { problem: a.replace('tcp:HOST:PORT', 'HOST:PORT').replace('tcp:[', '[') }
    if (a.transport !== 'tcp') return expected('HOST:PORT', raw)
    return { value: { host: a.host, port: a.port } }
  },
}

/** A list of `item`s, `min` to `max` long; `unique`: no value twice (compared as written). */
export function listOf<T>(item: Check<T>, opts: { min: number; max: number; unique: boolean }): Check<T[]> {
  const noun = item.type === 'integer' ? 'integers' : 'strings'
  const bounds = opts.min > 0 ? `${opts.min} to ${opts.max} items` : `at most ${opts.max} items`
  return {
    type: `list of ${noun}`,
    allowed: `${item.allowed === null ? '' : `each ${item.allowed}; `}${bounds}${opts.unique ? ', no duplicates' : ''}`,
    parse: (raw) => {
      if (!Array.isArray(raw)) return expected(`a list of ${noun}`, raw)
      if (raw.length < opts.min || raw.length > opts.max) {
        return expected(
          `a list of ${opts.min > 0 ? `${opts.min} to ${opts.max}` : `at most ${opts.max}`} items`,
          raw,
        )
      }
      const out: T[] = []
      for (let i = 0; i < raw.length; i++) {
        const c = item.parse(raw[i])
        if (failed(c)) return { problem: c.problem, at: `[${i}]` }
        if (opts.unique && raw.indexOf(raw[i]) < i) {
          return { problem: `${show(raw[i])} is listed twice`, at: `[${i}]` }
        }
        out.push(c.value)
      }
      return { value: out }
    },
  }
}
