/**
 * The permutation fuzzers of dnstwist (github.com/elceef/dnstwist, Apache-2.0), written again from
 * their published definitions so that `lookalikes` generates what operators already know from
 * dnstwist: each takes the brand's registrable label (Unicode, IDNA-decoded) and yields variants of
 * it. Differences from the Debian package's version (20221213) are listed in
 * docs/QUESTIONS.md and test/analysis/lookalikes/dnstwist-known-differences.tsv.
 */

/** Keys next to each key, per layout (dnstwist's tables: qwerty, qwertz, azerty). */
const QWERTY: Record<string, string> = {
  '1': '2q',
  '2': '3wq1',
  '3': '4ew2',
  '4': '5re3',
  '5': '6tr4',
  '6': '7yt5',
  '7': '8uy6',
  '8': '9iu7',
  '9': '0oi8',
  '0': 'po9',
  q: '12wa',
  w: '3esaq2',
  e: '4rdsw3',
  r: '5tfde4',
  t: '6ygfr5',
  y: '7uhgt6',
  u: '8ijhy7',
  i: '9okju8',
  o: '0plki9',
  p: 'lo0',
  a: 'qwsz',
  s: 'edxzaw',
  d: 'rfcxse',
  f: 'tgvcdr',
  g: 'yhbvft',
  h: 'ujnbgy',
  j: 'ikmnhu',
  k: 'olmji',
  l: 'kop',
  z: 'asx',
  x: 'zsdc',
  c: 'xdfv',
  v: 'cfgb',
  b: 'vghn',
  n: 'bhjm',
  m: 'njk',
}
const QWERTZ: Record<string, string> = {
  '1': '2q',
  '2': '3wq1',
  '3': '4ew2',
  '4': '5re3',
  '5': '6tr4',
  '6': '7zt5',
  '7': '8uz6',
  '8': '9iu7',
  '9': '0oi8',
  '0': 'po9',
  q: '12wa',
  w: '3esaq2',
  e: '4rdsw3',
  r: '5tfde4',
  t: '6zgfr5',
  z: '7uhgt6',
  u: '8ijhz7',
  i: '9okju8',
  o: '0plki9',
  p: 'lo0',
  a: 'qwsy',
  s: 'edxyaw',
  d: 'rfcxse',
  f: 'tgvcdr',
  g: 'zhbvft',
  h: 'ujnbgz',
  j: 'ikmnhu',
  k: 'olmji',
  l: 'kop',
  y: 'asx',
  x: 'ysdc',
  c: 'xdfv',
  v: 'cfgb',
  b: 'vghn',
  n: 'bhjm',
  m: 'njk',
}
const AZERTY: Record<string, string> = {
  '1': '2a',
  '2': '3za1',
  '3': '4ez2',
  '4': '5re3',
  '5': '6tr4',
  '6': '7yt5',
  '7': '8uy6',
  '8': '9iu7',
  '9': '0oi8',
  '0': 'po9',
  a: '2zq1',
  z: '3esqa2',
  e: '4rdsz3',
  r: '5tfde4',
  t: '6ygfr5',
  y: '7uhgt6',
  u: '8ijhy7',
  i: '9okju8',
  o: '0plki9',
  p: 'lo0m',
  q: 'zswa',
  s: 'edxwqz',
  d: 'rfcxse',
  f: 'tgvcdr',
  g: 'yhbvft',
  h: 'ujnbgy',
  j: 'iknhu',
  k: 'olji',
  l: 'kopm',
  m: 'lp',
  w: 'sxq',
  x: 'wsdc',
  c: 'xdfv',
  v: 'cfgb',
  b: 'vghn',
  n: 'bhj',
}
const KEYBOARDS = [QWERTY, QWERTZ, AZERTY]

/** Look-alike glyphs per character (dnstwist's homoglyph table): ASCII swaps and Latin letters with marks. */
const GLYPHS: Record<string, string[]> = {
  '0': ['o'],
  '1': ['l', 'i'],
  '2': ['ƻ'],
  '3': ['8'],
  '5': ['ƽ'],
  '6': ['9'],
  '8': ['3'],
  '9': ['6'],
  a: ['à', 'á', 'à', 'â', 'ã', 'ä', 'å', 'ɑ', 'ạ', 'ǎ', 'ă', 'ȧ', 'ą', 'ə'],
  b: ['d', 'lb', 'ʙ', 'ɓ', 'ḃ', 'ḅ', 'ḇ', 'ƅ'],
  c: ['e', 'ƈ', 'ċ', 'ć', 'ç', 'č', 'ĉ', 'ᴄ'],
  d: ['b', 'cl', 'dl', 'ɗ', 'đ', 'ď', 'ɖ', 'ḑ', 'ḋ', 'ḍ', 'ḏ', 'ḓ'],
  e: ['c', 'é', 'è', 'ê', 'ë', 'ē', 'ĕ', 'ě', 'ė', 'ẹ', 'ę', 'ȩ', 'ɇ', 'ḛ'],
  f: ['ƒ', 'ḟ'],
  g: ['q', 'ɢ', 'ɡ', 'ġ', 'ğ', 'ǵ', 'ģ', 'ĝ', 'ǧ', 'ǥ'],
  h: ['lh', 'ĥ', 'ȟ', 'ħ', 'ɦ', 'ḧ', 'ḩ', 'ⱨ', 'ḣ', 'ḥ', 'ḫ', 'ẖ'],
  i: ['1', 'l', 'í', 'ì', 'ï', 'ı', 'ɩ', 'ǐ', 'ĭ', 'ỉ', 'ị', 'ɨ', 'ȋ', 'ī', 'ɪ'],
  j: ['ʝ', 'ǰ', 'ɉ', 'ĵ'],
  k: ['lk', 'ik', 'lc', 'ḳ', 'ḵ', 'ⱪ', 'ķ', 'ᴋ'],
  l: ['1', 'i', 'ɫ', 'ł'],
  m: ['n', 'nn', 'rn', 'rr', 'ṁ', 'ṃ', 'ᴍ', 'ɱ', 'ḿ'],
  n: ['m', 'r', 'ń', 'ṅ', 'ṇ', 'ṉ', 'ñ', 'ņ', 'ǹ', 'ň', 'ꞑ'],
  o: ['0', 'ȯ', 'ọ', 'ỏ', 'ơ', 'ó', 'ö', 'ᴏ'],
  p: ['ƿ', 'ƥ', 'ṕ', 'ṗ'],
  q: ['g', 'ʠ'],
  r: ['ʀ', 'ɼ', 'ɽ', 'ŕ', 'ŗ', 'ř', 'ɍ', 'ɾ', 'ȓ', 'ȑ', 'ṙ', 'ṛ', 'ṟ'],
  s: ['ʂ', 'ś', 'ṣ', 'ṡ', 'ș', 'ŝ', 'š', 'ꜱ'],
  t: ['ţ', 'ŧ', 'ṫ', 'ṭ', 'ț', 'ƫ'],
  u: ['ᴜ', 'ǔ', 'ŭ', 'ü', 'ʉ', 'ù', 'ú', 'û', 'ũ', 'ū', 'ų', 'ư', 'ů', 'ű', 'ȕ', 'ȗ', 'ụ'],
  v: ['ṿ', 'ⱱ', 'ᶌ', 'ṽ', 'ⱴ', 'ᴠ'],
  w: ['vv', 'ŵ', 'ẁ', 'ẃ', 'ẅ', 'ⱳ', 'ẇ', 'ẉ', 'ẘ', 'ᴡ'],
  x: ['ẋ', 'ẍ'],
  y: ['ʏ', 'ý', 'ÿ', 'ŷ', 'ƴ', 'ȳ', 'ɏ', 'ỿ', 'ẏ', 'ỵ'],
  z: ['ʐ', 'ż', 'ź', 'ᴢ', 'ƶ', 'ẓ', 'ẕ', 'ⱬ'],
}

/** Latin letters and the Cyrillic letters that look the same (the whole label is swapped at once). */
const LATIN_TO_CYRILLIC: Record<string, string> = {
  a: 'а',
  b: 'ь',
  c: 'с',
  d: 'ԁ',
  e: 'е',
  g: 'ԍ',
  h: 'һ',
  i: 'і',
  j: 'ј',
  k: 'к',
  l: 'ӏ',
  m: 'м',
  o: 'о',
  p: 'р',
  q: 'ԛ',
  s: 'ѕ',
  t: 'т',
  v: 'ѵ',
  w: 'ԝ',
  x: 'х',
  y: 'у',
}

const LDH = 'abcdefghijklmnopqrstuvwxyz0123456789-'
const VOWELS = 'aeiou'

/** A fuzzer: the label (a string of code points) → variants of it. */
export type Fuzzer = (label: string) => Iterable<string>

function chars(label: string): string[] {
  return [...label]
}

export function* addition(label: string): Generator<string> {
  for (const c of '0123456789abcdefghijklmnopqrstuvwxyz') yield label + c
}

/** One bit flipped in one character, where the result is still a hostname character. */
export function* bitsquatting(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 0; i < cs.length; i++) {
    const code = cs[i]!.codePointAt(0)!
    for (let bit = 0; bit < 8; bit++) {
      const b = String.fromCodePoint(code ^ (1 << bit))
      if (LDH.includes(b)) yield [...cs.slice(0, i), b, ...cs.slice(i + 1)].join('')
    }
  }
}

export function* cyrillic(label: string): Generator<string> {
  const cs = chars(label)
  const out = cs.map((c) => LATIN_TO_CYRILLIC[c] ?? c)
  // only a label that has become entirely Cyrillic is a credible whole-script look-alike
  if (out.every((c, i) => c !== cs[i])) yield out.join('')
}

/** Every window of the label with one of its characters swapped for a glyph, twice over (as dnstwist). */
export function homoglyph(label: string): Set<string> {
  const mix = (s: string, into: Set<string>) => {
    const cs = chars(s)
    for (let w = 1; w < cs.length; w++) {
      for (let i = 0; i + w <= cs.length; i++) {
        const pre = cs.slice(0, i).join('')
        const win = cs.slice(i, i + w)
        const suf = cs.slice(i + w).join('')
        for (const c of new Set(win)) {
          for (const g of GLYPHS[c] ?? []) into.add(pre + win.map((x) => (x === c ? g : x)).join('') + suf)
        }
      }
    }
  }
  const first = new Set<string>()
  mix(label, first)
  const second = new Set<string>()
  for (const r of first) mix(r, second)
  for (const r of first) second.add(r)
  return second
}

export function* hyphenation(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 1; i < cs.length; i++) yield `${cs.slice(0, i).join('')}-${cs.slice(i).join('')}`
}

/** A neighbouring key typed before or after a character (not the first or last). */
export function* insertion(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 1; i < cs.length - 1; i++) {
    const pre = cs.slice(0, i).join('')
    const o = cs[i]!
    const suf = cs.slice(i + 1).join('')
    for (const kb of KEYBOARDS) {
      for (const c of kb[o] ?? '') {
        yield pre + c + o + suf
        yield pre + o + c + suf
      }
    }
  }
}

export function* omission(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 0; i < cs.length; i++) yield [...cs.slice(0, i), ...cs.slice(i + 1)].join('')
}

export function* repetition(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 0; i < cs.length; i++) yield [...cs.slice(0, i), cs[i]!, ...cs.slice(i)].join('')
}

/** One character replaced by a key next to it. */
export function* replacement(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 0; i < cs.length; i++) {
    for (const kb of KEYBOARDS) {
      for (const r of kb[cs[i]!] ?? '') yield [...cs.slice(0, i), r, ...cs.slice(i + 1)].join('')
    }
  }
}

/** A dot inserted inside the label: `pay.pal.com` (the brand's head becomes a subdomain). */
export function* subdomain(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 1; i < cs.length - 1; i++) {
    if (!'-.'.includes(cs[i]!) && !'-.'.includes(cs[i - 1]!)) {
      yield `${cs.slice(0, i).join('')}.${cs.slice(i).join('')}`
    }
  }
}

export function* transposition(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 0; i < cs.length - 1; i++) {
    yield [...cs.slice(0, i), cs[i + 1]!, cs[i]!, ...cs.slice(i + 2)].join('')
  }
}

export function* vowelSwap(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 0; i < cs.length; i++) {
    if (!VOWELS.includes(cs[i]!)) continue
    for (const v of VOWELS) yield [...cs.slice(0, i), v, ...cs.slice(i + 1)].join('')
  }
}

/**
 * The plural or singular a reader's eye skips over: `s` (`es` after s, x, z) at the end and after
 * each inner character (newer dnstwist's `plural`).
 */
export function* plural(label: string): Generator<string> {
  const cs = chars(label)
  for (let i = 2; i < cs.length - 2; i++) {
    const c = cs[i]!
    yield [...cs.slice(0, i + 1), 'sxz'.includes(c) ? 'es' : 's', ...cs.slice(i + 1)].join('')
  }
  const last = cs[cs.length - 1] ?? ''
  yield label + ('sxz'.includes(last) ? 'es' : 's')
}

/** The brand joined to a word (before or after, with or without a hyphen); a hyphenated brand's first or last part replaced by it. */
export function dictionary(label: string, words: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const w of words) {
    if (label.startsWith(w) && label.endsWith(w)) continue
    out.add(`${label}-${w}`)
    out.add(label + w)
    out.add(`${w}-${label}`)
    out.add(w + label)
  }
  if (label.includes('-')) {
    const parts = label.split('-')
    for (const w of words) {
      out.add(`${parts.slice(0, -1).join('-')}-${w}`)
      out.add(`${w}-${parts.slice(1).join('-')}`)
    }
  }
  return out
}

/** Technique names as dnstwist prints them (its `fuzzer` column), plus `plural`. */
export const LABEL_FUZZERS: ReadonlyMap<string, Fuzzer> = new Map<string, Fuzzer>([
  ['addition', addition],
  ['bitsquatting', bitsquatting],
  ['cyrillic', cyrillic],
  ['homoglyph', homoglyph],
  ['hyphenation', hyphenation],
  ['insertion', insertion],
  ['omission', omission],
  ['repetition', repetition],
  ['replacement', replacement],
  ['subdomain', subdomain],
  ['transposition', transposition],
  ['vowel-swap', vowelSwap],
  ['plural', plural],
])
