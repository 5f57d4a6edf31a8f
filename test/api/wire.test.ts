import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeRdataQuery,
  decodeRrsetQuery,
  encodeRdataQuery,
  encodeRrsetQuery,
} from '../../node/api/wire.ts'
import { PdnsError } from '../../node/errors.ts'
import { fingerprint } from '../../node/query/cursor.ts'
import { parseNamePattern, parseRawHex, parseRdataTarget, parseType } from '../../node/query/parse.ts'
import type { RdataQuery, RrsetQuery } from '../../node/query/types.ts'
import { formatName } from '../../node/store/names.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { randomLabels } from '../store/helpers.ts'

/** What the CLI's parser makes of a text, or null where it refuses it (such a query is never sent). */
function cli<T>(parse: () => T): T | null {
  try {
    return parse()
  } catch (err) {
    if (err instanceof PdnsError) return null
    throw err
  }
}

/** Through JSON, as the socket carries it. */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v))

test('queries the CLI builds come out of the wire as the same objects, with the same cursor fingerprint', () => {
  const rand = prng(99)
  const rrsets: RrsetQuery[] = []
  const rdatas: RdataQuery[] = []
  for (let i = 0; i < 500; i++) {
    const labels = randomLabels(rand)
    if (labels.length === 0) continue
    // names with escapes, odd octets and the occasional upper case, as a user might type them
    const text = formatName(labels)
    const typed = rand() < 0.3 ? text.toUpperCase() : text
    const forms = [typed, `*.${typed}`, `+.${typed}`, `${typed}.*`]
    const name = cli(() => parseNamePattern(forms[randInt(rand, forms.length)]!))
    if (name === null) continue
    const q: RrsetQuery = { name }
    if (rand() < 0.5) q.rrtype = parseType(['A', 'AAAA', 'NS', 'TYPE65', 'ANY'][randInt(rand, 5)]!)
    if (rand() < 0.3) q.fence = { lastAfter: randInt(rand, 2e9), firstBefore: randInt(rand, 2e9) }
    if (rand() < 0.3) q.limit = 1 + randInt(rand, 1000)
    if (rand() < 0.2)
      q.bailiwick = parseNamePattern(typed).kind === 'exact' ? text.toLowerCase() : 'example.com'
    rrsets.push(q)
    const target = cli(() => parseRdataTarget(rand() < 0.5 ? typed : `*.${typed}`))
    if (target !== null) rdatas.push({ target, origin: 'cof:east' })
  }
  for (const t of ['192.0.2.1', '10.0.0.0/8', '2001:db8::/33', '192.0.2.10-192.0.2.20', '.']) {
    rdatas.push({ target: parseRdataTarget(t), limit: 7 })
  }
  for (const h of ['c0000201', '20010db8000000000000000000000001', '0377777700', 'deadbeef01']) {
    rdatas.push({ target: parseRawHex(h) })
  }
  assert.ok(rrsets.length > 300 && rdatas.length > 300, `${rrsets.length} and ${rdatas.length} queries`)
  for (const q of rrsets) {
    const back = decodeRrsetQuery(viaJson(encodeRrsetQuery(q)))
    assert.deepEqual(back, q)
    assert.equal(fingerprint(back), fingerprint(q))
  }
  for (const q of rdatas) {
    const back = decodeRdataQuery(viaJson(encodeRdataQuery(q)))
    assert.deepEqual(back, q)
    assert.equal(fingerprint(back), fingerprint(q))
  }
})

test('a field order the client chose is kept, since the cursor fingerprint depends on it', () => {
  const q = { limit: 5, name: { name: 'example.com', kind: 'exact' }, rrtype: 1 }
  const back = decodeRrsetQuery(viaJson(q))
  assert.deepEqual(Object.keys(back), ['limit', 'name', 'rrtype'])
  assert.deepEqual(Object.keys(back.name), ['name', 'kind'])
  assert.equal(fingerprint(back), fingerprint(q))
})

test('names are canonicalised on the node as the CLI would have', () => {
  const back = decodeRrsetQuery({ name: { kind: 'exact', name: 'WWW.Example.COM.' } })
  assert.deepEqual(back.name, { kind: 'exact', name: 'www.example.com' })
})
