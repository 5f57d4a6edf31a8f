/**
 * The cloud and SaaS providers a CNAME target may belong to, with their takeover status and
 * fingerprint (data/providers.json: each entry names its public source and date). Loaded at run time
 * so that operators extend it: `--providers FILE` adds the entries of a file of the same format
 * (its entries are tried first, so an operator's entry overrides a built-in one).
 */
import { readFileSync, statSync } from 'node:fs'
import { PdnsError } from '../../errors.ts'
import { MAX_PROVIDERS_FILE_BYTES } from './limits.ts'

export interface ProviderEntry {
  name: string
  /** host-name suffixes (`herokuapp.com` matches it and every name below) */
  suffixes: string[]
  /** regular expressions over the whole (lower-case) host name */
  patterns?: string[]
  /** as can-i-take-over-xyz classifies the service */
  takeover: 'vulnerable' | 'edge case' | 'not vulnerable'
  /** what an unclaimed resource answers (HTTP body text, or NXDOMAIN) */
  fingerprint: string
  source: string
  date: string
  note?: string
}

export interface Provider {
  name: string
  takeover: ProviderEntry['takeover']
  fingerprint: string
  source: string
}

export interface ProviderTable {
  classify(host: string): Provider | null
  readonly size: number
}

export const BUILTIN_PROVIDERS = new URL('./data/providers.json', import.meta.url)

function bad(path: string, why: string): PdnsError {
  return new PdnsError('ERR_BAD_ARGUMENT', `providers file ${path}: ${why}`)
}

export function readProviders(path: string): ProviderEntry[] {
  let text: string
  try {
    if (statSync(path).size > MAX_PROVIDERS_FILE_BYTES)
      throw bad(path, `over ${MAX_PROVIDERS_FILE_BYTES} bytes`)
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    if (cause instanceof PdnsError) throw cause
    throw new PdnsError('ERR_BAD_ARGUMENT', `providers file ${path}: ${(cause as Error).message}`, { cause })
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (cause) {
    throw bad(path, `not JSON (${(cause as Error).message})`)
  }
  const list = (doc as { providers?: unknown }).providers
  if (!Array.isArray(list)) throw bad(path, 'no "providers" array')
  return list.map((e, i) => checkEntry(path, i, e))
}

const TAKEOVER = new Set(['vulnerable', 'edge case', 'not vulnerable'])

function checkEntry(path: string, i: number, e: unknown): ProviderEntry {
  const o = e as Record<string, unknown>
  const where = `providers[${i}]`
  const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '')
  if (typeof o !== 'object' || o === null) throw bad(path, `${where} is not an object`)
  if (typeof o.name !== 'string' || o.name === '') throw bad(path, `${where}.name: a non-empty string`)
  if (!isStrings(o.suffixes)) throw bad(path, `${where}.suffixes: an array of host-name suffixes`)
  if (o.patterns !== undefined && !isStrings(o.patterns))
    throw bad(path, `${where}.patterns: an array of regular expressions`)
  for (const p of (o.patterns as string[] | undefined) ?? []) {
    try {
      new RegExp(p)
    } catch {
      throw bad(path, `${where}.patterns: ${JSON.stringify(p)} is not a regular expression`)
    }
  }
  if (typeof o.takeover !== 'string' || !TAKEOVER.has(o.takeover))
    throw bad(path, `${where}.takeover: vulnerable, edge case or not vulnerable`)
  for (const k of ['fingerprint', 'source', 'date']) {
    if (typeof o[k] !== 'string') throw bad(path, `${where}.${k}: a string`)
  }
  if ((o.source as string) === '') throw bad(path, `${where}.source: say where the facts come from`)
  return o as unknown as ProviderEntry
}

export function providerTable(entries: readonly ProviderEntry[]): ProviderTable {
  const bySuffix = new Map<string, Provider>()
  const patterns: { re: RegExp; p: Provider }[] = []
  for (const e of entries) {
    const p: Provider = { name: e.name, takeover: e.takeover, fingerprint: e.fingerprint, source: e.source }
    for (const s of e.suffixes) {
      const k = s.toLowerCase().replace(/^\.+|\.+$/g, '')
      // the first entry for a suffix wins: operators' files come first
      if (!bySuffix.has(k)) bySuffix.set(k, p)
    }
    for (const re of e.patterns ?? []) patterns.push({ re: new RegExp(re), p })
  }
  return {
    size: entries.length,
    classify(host) {
      const h = host.toLowerCase()
      // longest suffix first: walk the name from its full length down, label by label
      for (let i = 0; i >= 0 && i < h.length; i = h.indexOf('.', i) + 1 || -1) {
        const p = bySuffix.get(h.slice(i))
        if (p !== undefined) return p
      }
      for (const { re, p } of patterns) if (re.test(h)) return p
      return null
    },
  }
}

/** The built-in table, with an operator's file's entries first. */
export function loadProviders(extraFile?: string): ProviderTable {
  const extra = extraFile === undefined ? [] : readProviders(extraFile)
  return providerTable([...extra, ...readProviders(BUILTIN_PROVIDERS.pathname)])
}
