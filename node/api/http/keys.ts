/**
 * API keys: `<data>/api-keys.json` (mode 0600, rewritten atomically) holds each key's name, the
 * SHA-256 of the key, and its own rate and result limit. The key itself is 256 random bits, shown once
 * by `pdns-mesh apikey create` and never stored: a fast hash is enough, since nobody can guess a
 * 256-bit preimage, and it lets a request be checked with one hash and one map lookup.
 *
 * The node reads the file at start and again when it changes (checked at most once per
 * KEY_FILE_CHECK_MS, on the next request): `apikey create` and `apikey revoke` work while it runs.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { PdnsError } from '../../errors.ts'
import { MAX_API_KEYS, MAX_API_RATE_PER_MIN, MAX_KEY_FILE_BYTES } from './limits.ts'

export const KEY_FILE = 'api-keys.json'
const FILE_VERSION = 1
/** How stale the node's view of the key file may be, ms (a revoked key works at most this long). */
export const KEY_FILE_CHECK_MS = 1_000
/** Keys start so, which makes a leaked one easy to recognise (secret scanners). */
const KEY_PREFIX = 'pdm_'
/** Names appear in metrics labels and logs, and are the basic-auth user: a narrow alphabet. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export interface ApiKeyEntry {
  name: string
  /** hex SHA-256 of the key */
  sha256: string
  /** epoch seconds */
  created: number
  /** requests per minute; absent: api.rate */
  rate?: number
  /** most records per query; absent: api.max_limit */
  maxLimit?: number
}

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE)
}

function hashKey(key: string): Buffer {
  // the one-shot hash: no Hash object per request
  return hash('sha256', key, 'buffer')
}

export function isKeyName(name: string): boolean {
  return NAME_RE.test(name)
}

/** Reads the key file; a missing file is no keys. */
export async function readKeyFile(path: string): Promise<ApiKeyEntry[]> {
  let text: string
  try {
    const s = await stat(path)
    if (s.size > MAX_KEY_FILE_BYTES) {
      throw new PdnsError('ERR_API_KEYS', `${path} is over ${MAX_KEY_FILE_BYTES} bytes`)
    }
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    if (err instanceof PdnsError) throw err
    throw new PdnsError('ERR_API_KEYS', `cannot read ${path}: ${(err as Error).message}`, { cause: err })
  }
  return parseKeyFile(text, path)
}

function parseKeyFile(text: string, path: string): ApiKeyEntry[] {
  const bad = (why: string) => new PdnsError('ERR_API_KEYS', `${path}: ${why}`)
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw bad('not JSON')
  }
  const o = v as { version?: unknown; keys?: unknown }
  if (typeof o !== 'object' || o === null || o.version !== FILE_VERSION || !Array.isArray(o.keys)) {
    throw bad(`not a key file of version ${FILE_VERSION}`)
  }
  const out: ApiKeyEntry[] = []
  for (const k of o.keys as Record<string, unknown>[]) {
    if (
      typeof k !== 'object' ||
      k === null ||
      typeof k.name !== 'string' ||
      !isKeyName(k.name) ||
      typeof k.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(k.sha256) ||
      typeof k.created !== 'number' ||
      (k.rate !== undefined && !positiveInt(k.rate, MAX_API_RATE_PER_MIN)) ||
      (k.maxLimit !== undefined && !positiveInt(k.maxLimit, Number.MAX_SAFE_INTEGER))
    ) {
      throw bad('holds an entry that is not a key')
    }
    const e: ApiKeyEntry = { name: k.name, sha256: k.sha256, created: k.created }
    if (k.rate !== undefined) e.rate = k.rate as number
    if (k.maxLimit !== undefined) e.maxLimit = k.maxLimit as number
    out.push(e)
  }
  return out
}

function positiveInt(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max
}

/** Writes the file whole: a temporary file (0600 from its creation), fsynced, renamed over the old one. */
export async function writeKeyFile(path: string, keys: readonly ApiKeyEntry[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  const text = `${JSON.stringify({ version: FILE_VERSION, keys }, null, 2)}\n`
  try {
    const fh = await open(tmp, 'w', 0o600)
    try {
      await fh.writeFile(text)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw new PdnsError('ERR_API_KEYS', `cannot write ${path}: ${(err as Error).message}`, { cause: err })
  }
}

/** A new key and its entry (the key is returned once, to be shown once). */
export function newKey(
  name: string,
  limits: { rate?: number; maxLimit?: number },
): { key: string; entry: ApiKeyEntry } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const entry: ApiKeyEntry = {
    name,
    sha256: hashKey(key).toString('hex'),
    created: Math.floor(Date.now() / 1000),
    ...limits,
  }
  return { key, entry }
}

export async function createKey(
  dataDir: string,
  name: string,
  limits: { rate?: number; maxLimit?: number },
): Promise<string> {
  if (!isKeyName(name)) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `a key name is 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit): ${JSON.stringify(name)}`,
    )
  }
  const path = keyFilePath(dataDir)
  const keys = await readKeyFile(path)
  if (keys.some((k) => k.name === name)) {
    throw new PdnsError('ERR_API_KEYS', `a key named ${name} exists (revoke it first)`)
  }
  if (keys.length >= MAX_API_KEYS) throw new PdnsError('ERR_API_KEYS', `already ${MAX_API_KEYS} keys`)
  const { key, entry } = newKey(name, limits)
  await writeKeyFile(path, [...keys, entry])
  return key
}

export async function revokeKey(dataDir: string, name: string): Promise<void> {
  const path = keyFilePath(dataDir)
  const keys = await readKeyFile(path)
  if (!keys.some((k) => k.name === name))
    throw new PdnsError('ERR_API_KEYS', `no key named ${JSON.stringify(name)}`)
  await writeKeyFile(
    path,
    keys.filter((k) => k.name !== name),
  )
}

/** The node's view of the key file: what a request's key or basic-auth pair belongs to. */
export class ApiKeys {
  readonly #path: string
  #byHash = new Map<string, ApiKeyEntry>()
  #byName = new Map<string, ApiKeyEntry>()
  /** what the file was when read: a change of any of these means re-read it */
  #seen = ''
  #checkedAt = 0
  #checking: Promise<void> | null = null
  #onError: (err: unknown) => void

  constructor(dataDir: string, onError: (err: unknown) => void = () => {}) {
    this.#path = keyFilePath(dataDir)
    this.#onError = onError
  }

  get size(): number {
    return this.#byName.size
  }

  /** Reads the file now (at start: a damaged key file stops the start). */
  async load(): Promise<void> {
    const s = await stat(this.#path).catch(() => null)
    const keys = await readKeyFile(this.#path)
    this.#set(keys, s === null ? '' : `${s.ino}:${s.mtimeMs}:${s.size}`)
    this.#checkedAt = Date.now()
  }

  /** Re-reads the file if it changed since the last look (at most once per KEY_FILE_CHECK_MS). */
  async refresh(): Promise<void> {
    // a look under way: wait for it, or a request arriving meanwhile would be judged by the old keys
    // (a revoked key let through, a new one refused)
    if (this.#checking !== null) return this.#checking
    if (Date.now() - this.#checkedAt < KEY_FILE_CHECK_MS) return
    this.#checking = this.#check().finally(() => {
      this.#checking = null
    })
    await this.#checking
  }

  async #check(): Promise<void> {
    this.#checkedAt = Date.now()
    const s = await stat(this.#path).catch(() => null)
    const seen = s === null ? '' : `${s.ino}:${s.mtimeMs}:${s.size}`
    if (seen === this.#seen) return
    try {
      this.#set(await readKeyFile(this.#path), seen)
    } catch (err) {
      // a damaged file: keep no keys rather than stale ones (a revocation must not be undone)
      this.#set([], seen)
      this.#onError(err)
    }
  }

  #set(keys: readonly ApiKeyEntry[], seen: string): void {
    this.#byHash = new Map(keys.map((k) => [k.sha256, k]))
    this.#byName = new Map(keys.map((k) => [k.name, k]))
    this.#seen = seen
  }

  /** The entry of an X-API-Key value, or null. */
  byKey(key: string): ApiKeyEntry | null {
    return this.#byHash.get(hash('sha256', key, 'hex')) ?? null
  }

  /** The entry of a basic-auth pair (user = key name, password = key), or null. */
  byNameAndKey(name: string, key: string): ApiKeyEntry | null {
    const e = this.#byName.get(name)
    if (e === undefined) return null
    return timingSafeEqual(hashKey(key), Buffer.from(e.sha256, 'hex')) ? e : null
  }
}
