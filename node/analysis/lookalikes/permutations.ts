/**
 * Permutations of a brand domain, as dnstwist generates them: each fuzzer of fuzzers.ts applied to
 * the registrable label (IDNA-decoded, so homoglyphs of an IDN brand work on its letters), plus the
 * dictionary words, the TLD swaps and dnstwist's "various" forms (`paypalcom.com`, `paypal-de.com`).
 * Every result is encoded back with IDNA (punycode) and kept only when it is a valid host name, so
 * each can be looked up in the store exactly as it would be observed on the wire.
 */
import { readFileSync } from 'node:fs'
import { domainToASCII, domainToUnicode } from 'node:url'
import { parse } from 'tldts'
import { PdnsError } from '../../errors.ts'
import { dictionary, LABEL_FUZZERS } from './fuzzers.ts'
import { MAX_PERMUTATIONS, MAX_WORD_LIST_ENTRIES } from './limits.ts'

/** dnstwist's own validity test for a generated name (its VALID_FQDN_REGEX). */
const VALID_FQDN = /(?=^.{4,253}$)(^((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z0-9-]{2,63}$)/i

/** A brand split as the fuzzers need it. */
export interface Brand {
  /** the domain as given, IDNA-encoded (ASCII, lower case) */
  domain: string
  /** labels left of the registrable domain ('' when none) */
  subdomain: string
  /** the registrable label, IDNA-decoded (Unicode) */
  label: string
  /** the public suffix (`com`, `co.uk`) */
  suffix: string
}

/** Splits a brand domain with the Public Suffix List; ERR_BAD_ARGUMENT when it has no registrable part. */
export function parseBrand(text: string): Brand {
  const ascii = domainToASCII(text.trim().replace(/\.$/, '').toLowerCase())
  const p = ascii === '' ? null : parse(ascii, { allowPrivateDomains: false })
  if (
    p === null ||
    p.domain === null ||
    p.domainWithoutSuffix === null ||
    p.publicSuffix === null ||
    p.isIp === true ||
    !VALID_FQDN.test(ascii)
  ) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `not a registrable domain: ${JSON.stringify(text)} (a name under a public suffix, e.g. example.com)`,
    )
  }
  return {
    domain: ascii,
    subdomain: p.subdomain ?? '',
    label: domainToUnicode(p.domainWithoutSuffix),
    suffix: p.publicSuffix,
  }
}

/** Word lists (dictionary words, TLDs): one entry a line, `#` comments, blank lines skipped. */
export function readWordList(path: string, what: string): string[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new PdnsError('ERR_BAD_ARGUMENT', `${what} ${path}: cannot be read (${(cause as Error).message})`, {
      cause,
    })
  }
  const out: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim().toLowerCase()
    if (line === '') continue
    if (out.length === MAX_WORD_LIST_ENTRIES) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `${what} ${path}: more than ${MAX_WORD_LIST_ENTRIES} entries`)
    }
    out.push(line)
  }
  return out
}

const DATA = new URL('./data/', import.meta.url)
/** The built-in dictionary words and TLD list (node/analysis/lookalikes/data/). */
export const BUILTIN_DICTIONARY = new URL('dictionary.txt', DATA)
export const BUILTIN_TLDS = new URL('tlds.txt', DATA)

let builtins: { words: string[]; tlds: string[] } | null = null
export function builtinLists(): { words: string[]; tlds: string[] } {
  builtins ??= {
    words: readWordList(BUILTIN_DICTIONARY.pathname, 'dictionary'),
    tlds: readWordList(BUILTIN_TLDS.pathname, 'TLD list'),
  }
  return builtins
}

export interface PermutationOptions {
  /** dictionary words (default: the built-in list); only letters and digits are used, as dnstwist */
  words?: readonly string[]
  /** TLDs for the swap (default: the built-in list) */
  tlds?: readonly string[]
}

/**
 * Every permutation of the brand: ASCII (punycode) name → the techniques that produce it, in the
 * order of first generation. The brand itself is not included.
 */
export function permutations(brand: Brand, opts: PermutationOptions = {}): Map<string, string[]> {
  const lists = opts.words === undefined || opts.tlds === undefined ? builtinLists() : null
  const words = (opts.words ?? lists!.words).filter((w) => /^[a-z0-9]+$/.test(w))
  const tlds = (opts.tlds ?? lists!.tlds).filter((t) => /^[a-z0-9-]{2,63}(\.[a-z0-9-]{2,63})?$/.test(t))
  const out = new Map<string, string[]>()
  const sub = brand.subdomain
  const join = (...parts: string[]) => parts.filter((p) => p !== '').join('.')
  const add = (technique: string, unicodeName: string) => {
    // IDNA 2008 refuses a label that starts or ends with a hyphen before encoding (Node's UTS #46
    // encoder would let `-ünchen` through as `xn---nchen-3ya`)
    if (unicodeName.split('.').some((l) => l.startsWith('-') || l.endsWith('-'))) return
    const name = domainToASCII(unicodeName)
    if (name === '' || name === brand.domain || !VALID_FQDN.test(name)) return
    const ts = out.get(name)
    if (ts === undefined) {
      if (out.size >= MAX_PERMUTATIONS) return
      out.set(name, [technique])
    } else if (!ts.includes(technique)) ts.push(technique)
  }
  for (const [technique, fuzz] of LABEL_FUZZERS) {
    for (const v of fuzz(brand.label)) add(technique, join(sub, v, brand.suffix))
  }
  for (const v of dictionary(brand.label, words)) add('dictionary', join(sub, v, brand.suffix))
  for (const t of tlds) if (t !== brand.suffix) add('tld-swap', join(sub, brand.label, t))
  // dnstwist's "various": the suffix run into the label, or moved under .com
  const d = brand.label
  const tld = brand.suffix
  if (tld.includes('.')) {
    add('various', join(sub, d, tld.split('.').at(-1)!))
    add('various', join(sub, d + tld))
  } else {
    add('various', join(sub, d + tld, tld))
    if (tld !== 'com') add('various', join(sub, `${d}-${tld}`, 'com'))
  }
  if (sub !== '') {
    add('various', join(sub + d, tld))
    add('various', join(sub.replaceAll('.', '') + d, tld))
    add('various', join(`${sub}-${d}`, tld))
    add('various', join(`${sub.replaceAll('.', '-')}-${d}`, tld))
  }
  return out
}
