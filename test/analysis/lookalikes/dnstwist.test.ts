/**
 * Conformance of the permutation half of `lookalikes` with dnstwist, the reference tool: for a few
 * brands (ASCII, a short one, a multi-label suffix, an IDN), the names we generate and those of
 * `dnstwist --format list` with the same dictionary and TLD files must be the same sets, apart from
 * the `plural` technique (newer than the Debian package) and the listed known differences.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'
import {
  BUILTIN_DICTIONARY,
  BUILTIN_TLDS,
  parseBrand,
  permutations,
  readWordList,
} from '../../../node/analysis/lookalikes/permutations.ts'
import { skipOrFail } from '../../helpers/unprivileged.ts'
import { tempDir } from '../../store/helpers.ts'

const BRANDS = ['paypal.com', 'example.com', 'ab.io', 'bbc.co.uk', 'münchen.de']

function knownDifferences(): Set<string> {
  const text = readFileSync(new URL('./dnstwist-known-differences.tsv', import.meta.url), 'utf8')
  const out = new Set<string>()
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const [brand, name, side] = line.split('\t')
    out.add(`${brand}\t${name}\t${side}`)
  }
  return out
}

test('permutations equal dnstwist --format list for the same brands, dictionary and TLDs', (t) => {
  const probe = spawnSync('dnstwist', ['--help'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) {
    skipOrFail(t, 'dnstwist is not installed (apt-get install dnstwist): conformance not checked')
    return
  }
  const words = readWordList(BUILTIN_DICTIONARY.pathname, 'dictionary')
  const tlds = readWordList(BUILTIN_TLDS.pathname, 'TLD list')
  const tmp = tempDir('dnstwist')
  t.after(tmp.cleanup)
  writeFileSync(`${tmp.dir}/dict.txt`, `${words.join('\n')}\n`)
  writeFileSync(`${tmp.dir}/tlds.txt`, `${tlds.join('\n')}\n`)
  const known = knownDifferences()
  const unexplained: string[] = []
  for (const b of BRANDS) {
    const brand = parseBrand(b)
    const ours = permutations(brand, { words, tlds })
    const out = execFileSync(
      'dnstwist',
      ['--format', 'list', '--dictionary', `${tmp.dir}/dict.txt`, '--tld', `${tmp.dir}/tlds.txt`, b],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    )
    const theirs = new Set(out.split('\n').filter((l) => l !== '' && l !== brand.domain))
    assert.ok(theirs.size > 100, `dnstwist printed ${theirs.size} names for ${b}`)
    for (const [name, techniques] of ours) {
      if (theirs.has(name)) continue
      if (techniques.includes('plural')) continue
      if (!known.has(`${b}\t${name}\tours`))
        unexplained.push(`${b}: only ours: ${name} (${techniques.join(',')})`)
    }
    for (const name of theirs) {
      if (!ours.has(name) && !known.has(`${b}\t${name}\ttheirs`))
        unexplained.push(`${b}: only dnstwist: ${name}`)
    }
  }
  assert.deepEqual(unexplained, [])
})

test('an IDN brand is fuzzed on its Unicode letters and encoded back as punycode', () => {
  const perms = permutations(parseBrand('münchen.de'), { words: [], tlds: [] })
  assert.ok(perms.has('xn--mnchen-3ya.com') === false)
  // omission of ü gives plain ASCII; a homoglyph of n gives another IDN
  assert.deepEqual(perms.get('mnchen.de'), ['omission'])
  assert.ok([...perms.keys()].some((n) => n.startsWith('xn--') && perms.get(n)!.includes('homoglyph')))
  for (const n of perms.keys()) assert.match(n, /^[a-z0-9.-]+$/)
})

test('a name that is not under a public suffix is refused as a brand', () => {
  for (const bad of ['com', 'localhost', '192.0.2.1', '', 'a..b.com'])
    assert.throws(() => parseBrand(bad), { code: 'ERR_BAD_ARGUMENT' })
})
