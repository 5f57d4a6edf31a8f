import assert from 'node:assert/strict'
import { test } from 'node:test'
import { boundedDamerau } from '../../../node/analysis/lookalikes/distance.ts'
import { lookalikes } from '../../../node/analysis/lookalikes/lookalikes.ts'
import { skeleton } from '../../../node/analysis/lookalikes/skeleton.ts'
import type { QueryBackend } from '../../../node/query/types.ts'
import { registeredDomain } from '../../../node/store/registered-domain.ts'
import { DAY, NOW, storeWith } from './store-fixture.ts'

const A = (name: string, first: number, last: number, origin?: string) => ({
  name,
  type: 'A',
  rdata: '192.0.2.1',
  first,
  last,
  ...(origin === undefined ? {} : { origin }),
})

test('look-alikes found by permutation and by scan, newest first, unrelated names left out', async (t) => {
  const s = await storeWith([
    A('paypal.com', NOW - 90 * DAY, NOW),
    A('paypa1.com', NOW - 5 * DAY, NOW - DAY),
    A('www.paypal-secure-login.net', NOW - 20 * DAY, NOW - 10 * DAY, 'cof:b'),
    { name: 'paypall.org', type: 'NS', rdata: 'ns1.bad.example', first: NOW - 3 * DAY, last: NOW - 2 * DAY },
    { name: 'paypol.com', type: 'TXT', rdata: '"v=spf1 -all"', first: NOW - 40 * DAY, last: NOW - 30 * DAY },
    A('unrelated.org', NOW - DAY, NOW),
    A('pineapple.com', NOW - DAY, NOW),
  ])
  t.after(s.cleanup)
  const a = await lookalikes({ backend: s.backend }, { domain: 'paypal.com' })
  assert.equal(a.brand, 'paypal.com')
  assert.deepEqual(
    a.candidates.map((c) => c.name),
    ['paypa1.com', 'paypall.org', 'paypal-secure-login.net', 'paypol.com'],
  )
  const by = new Map(a.candidates.map((c) => [c.name, c]))
  assert.deepEqual(by.get('paypa1.com'), {
    name: 'paypa1.com',
    techniques: ['distance', 'homoglyph', 'skeleton'],
    distance: 1,
    first: NOW - 5 * DAY,
    last: NOW - DAY,
    resolves: true,
    vantages: ['cof:a'],
  })
  assert.deepEqual(by.get('paypal-secure-login.net')!.techniques, ['contains'])
  assert.deepEqual(by.get('paypal-secure-login.net')!.vantages, ['cof:b'])
  // an NS answer resolves; a TXT answer alone does not
  assert.equal(by.get('paypall.org')!.resolves, true)
  assert.equal(by.get('paypol.com')!.resolves, false)
  assert.ok(by.get('paypol.com')!.techniques.includes('vowel-swap'))
})

test('--since drops candidates last seen before it; --max-distance 0 keeps only exact-technique hits', async (t) => {
  const s = await storeWith([
    A('paypa1.com', NOW - 5 * DAY, NOW - DAY),
    A('paypxyl.com', NOW - 50 * DAY, NOW - 40 * DAY),
  ])
  t.after(s.cleanup)
  const recent = await lookalikes({ backend: s.backend }, { domain: 'paypal.com', since: NOW - 7 * DAY })
  assert.deepEqual(
    recent.candidates.map((c) => c.name),
    ['paypa1.com'],
  )
  const near = await lookalikes({ backend: s.backend }, { domain: 'paypal.com', maxDistance: 2 })
  assert.deepEqual(near.candidates.map((c) => c.name).sort(), ['paypa1.com', 'paypxyl.com'])
  const exact = await lookalikes({ backend: s.backend }, { domain: 'paypal.com', maxDistance: 0 })
  assert.deepEqual(
    exact.candidates.map((c) => c.name),
    ['paypa1.com'],
  )
})

test('an IDN brand: punycode look-alikes by homoglyph and skeleton, and its ASCII-folded form', async (t) => {
  const s = await storeWith([
    A('xn--mnchen-3ya.de', NOW - 90 * DAY, NOW),
    A('muenchen.de', NOW - 9 * DAY, NOW - 8 * DAY),
    A('xn--mnchen-2ya.de', NOW - 4 * DAY, NOW - 3 * DAY), // mùnchen
    A('mnchen.de', NOW - 2 * DAY, NOW - DAY),
  ])
  t.after(s.cleanup)
  const a = await lookalikes({ backend: s.backend }, { domain: 'münchen.de' })
  assert.equal(a.brand, 'xn--mnchen-3ya.de')
  const by = new Map(a.candidates.map((c) => [c.name, c]))
  assert.deepEqual([...by.keys()], ['mnchen.de', 'xn--mnchen-2ya.de', 'muenchen.de'])
  assert.ok(by.get('mnchen.de')!.techniques.includes('omission'))
  assert.ok(by.get('xn--mnchen-2ya.de')!.techniques.includes('distance'))
  assert.equal(by.get('xn--mnchen-2ya.de')!.distance, 1)
})

test('a permutation below another registered domain (subdomain technique) is looked up exactly', async (t) => {
  const s = await storeWith([
    A('pay.pal.com', NOW - 2 * DAY, NOW - DAY),
    A('www.pal.com', NOW - 2 * DAY, NOW - DAY),
  ])
  t.after(s.cleanup)
  const a = await lookalikes({ backend: s.backend }, { domain: 'paypal.com' })
  assert.deepEqual(
    a.candidates.map((c) => [c.name, c.techniques]),
    [['pay.pal.com', ['subdomain']]],
  )
})

test('the DOMAIN index holds registered domains by the Public Suffix List, private suffixes included', () => {
  assert.equal(registeredDomain('www.example.co.uk'), 'example.co.uk')
  assert.equal(registeredDomain('login.paypal-secure.github.io'), 'paypal-secure.github.io')
  assert.equal(registeredDomain('_dmarc.example.com'), 'example.com')
  assert.equal(registeredDomain('1.2.0.192.in-addr.arpa'), null)
  assert.equal(registeredDomain('co.uk'), null)
  assert.equal(registeredDomain('we\\032ird.example.com'), null)
})

test('skeletons and bounded Damerau-Levenshtein distances', () => {
  assert.equal(skeleton('paypa1'), skeleton('paypal'))
  assert.equal(skeleton('pаypal'), skeleton('paypal')) // Cyrillic а
  assert.equal(skeleton('rnicrosoft'), skeleton('microsoft'))
  assert.notEqual(skeleton('paypol'), skeleton('paypal'))
  assert.equal(boundedDamerau('paypal', 'paypla', 3), 1)
  assert.equal(boundedDamerau('paypal', 'pyapal', 3), 1)
  assert.equal(boundedDamerau('paypal', 'xxxxxxxxxx', 2), 3)
  assert.equal(boundedDamerau('münchen', 'mnchen', 2), 1)
})

test('the same answer without the local store: permutations by membership in the domain pages, or looked up one by one', async (t) => {
  const s = await storeWith([
    A('paypa1.com', NOW - 5 * DAY, NOW - DAY),
    A('pay.pal.com', NOW - 2 * DAY, NOW - DAY),
    A('www.paypal-secure-login.net', NOW - 20 * DAY, NOW - 10 * DAY, 'cof:b'),
    A('paypol.com', NOW - 3 * DAY, NOW - 2 * DAY),
  ])
  t.after(s.cleanup)
  const b = s.backend
  // what a node's control socket offers: the QueryBackend methods, no store
  const remoteLike: QueryBackend = {
    rrset: (q, o) => b.rrset(q, o),
    rdata: (q, o) => b.rdata(q, o),
    summary: (n, o) => b.summary(n, o),
    export: (o) => b.export(o),
    stats: (o) => b.stats(o),
    domains: (q, o) => b.domains({ ...q, limit: 1 }, o),
    newNames: (q, o) => b.newNames(q, o),
    close: async () => {},
  }
  const local = await lookalikes({ backend: b }, { domain: 'paypal.com' })
  assert.equal(local.candidates.length, 4)
  assert.deepEqual(await lookalikes({ backend: remoteLike }, { domain: 'paypal.com' }), local)
  assert.deepEqual(
    await lookalikes({ backend: remoteLike, exactLookups: true }, { domain: 'paypal.com' }),
    local,
  )
  const east = await lookalikes({ backend: remoteLike }, { domain: 'paypal.com', origin: 'cof:b' })
  assert.deepEqual(
    east.candidates.map((c) => c.name),
    ['paypal-secure-login.net'],
  )
})
