/**
 * The confusable skeleton of Unicode TR39 (UTS #39 §4): two strings that look alike have the same
 * skeleton. skeleton(s) = NFD(map every character through confusables.txt (NFD(s))). The mapping is
 * the subset of confusables.txt shipped in data/confusables.tsv (every character whose prototype is
 * ASCII letters, digits or hyphen: what a look-alike of a host name imitates). Host names are
 * case-insensitive, so the input is lower-cased first and the skeleton lower-cased after (TR39 itself
 * is case-sensitive: `0` → `O`, and we want `0` ≡ `o`).
 */
import { readFileSync } from 'node:fs'

let table: Map<number, string> | null = null

function confusables(): Map<number, string> {
  if (table !== null) return table
  const map = new Map<number, string>()
  const text = readFileSync(new URL('./data/confusables.tsv', import.meta.url), 'utf8')
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const [src, dst] = line.split('\t')
    const from = src!.trim().split(' ')
    // single code points only: confusables.txt maps one character to its prototype
    if (from.length !== 1) continue
    const to = dst!
      .trim()
      .split(' ')
      .map((h) => String.fromCodePoint(Number.parseInt(h, 16)))
      .join('')
    map.set(Number.parseInt(from[0]!, 16), to.toLowerCase())
  }
  table = map
  return map
}

/** The ASCII characters whose skeleton is not themselves (m → rn, 0 → o, 1 → l), and theirs. */
let asciiMapped: { re: RegExp; to: Map<string, string> } | null = null
const NON_ASCII = /[^ -~]/u

/** The TR39 skeleton of a label (Unicode, not punycode), case-folded. */
export function skeleton(label: string): string {
  if (!NON_ASCII.test(label)) {
    // ASCII is already in NFD and only a few of its characters map elsewhere: the scan meets ASCII
    // labels almost always, and most of them are their own skeleton
    if (asciiMapped === null) {
      const to = new Map<string, string>()
      for (let c = 0x20; c < 0x7f; c++) {
        const ch = String.fromCharCode(c).toLowerCase()
        const sk = slowSkeleton(ch)
        if (sk !== ch) to.set(ch, sk)
      }
      const cls = [...to.keys()].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
      asciiMapped = { re: new RegExp(`[${cls}]`, 'g'), to }
    }
    const lower = label.toLowerCase()
    const m = asciiMapped
    m.re.lastIndex = 0
    return m.re.test(lower) ? lower.replace(m.re, (c) => m.to.get(c)!) : lower
  }
  return slowSkeleton(label)
}

function slowSkeleton(label: string): string {
  const map = confusables()
  let out = ''
  for (const ch of label.toLowerCase().normalize('NFD')) {
    const m = map.get(ch.codePointAt(0)!)
    out += m ?? ch
  }
  return out.normalize('NFD').toLowerCase()
}
