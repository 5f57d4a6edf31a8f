import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import { LocalBackend } from '../../../node/query/local.ts'
import { DOMAIN_RANGE, metaKey } from '../../../node/store/keys.ts'
import { Store } from '../../../node/store/store.ts'
import { DAY, NOW, storeWith } from './store-fixture.ts'

const names = [
  'www.example.com',
  'mail.example.com',
  'a.b.example.co.uk',
  'x.paypal-login.github.io',
  '4.3.2.1.in-addr.arpa',
]

test('apply keeps one DOMAIN key per registered domain of the names it adds', async (t) => {
  const s = await storeWith(
    names.map((n) => ({ name: n, type: 'A', rdata: '192.0.2.1', first: NOW - DAY, last: NOW })),
  )
  t.after(s.cleanup)
  const page = await s.backend.domains({})
  assert.deepEqual(page, {
    domains: ['example.co.uk', 'example.com', 'paypal-login.github.io'],
    cursor: null,
  })
  const first = await s.backend.domains({ limit: 2 })
  assert.deepEqual(first, { domains: ['example.co.uk', 'example.com'], cursor: 'example.com' })
  assert.deepEqual(await s.backend.domains({ after: first.cursor! }), {
    domains: ['paypal-login.github.io'],
    cursor: null,
  })
})

test('a store written before the DOMAIN index gets it at its next open, once', async (t) => {
  const s = await storeWith(
    names.map((n) => ({ name: n, type: 'A', rdata: '192.0.2.1', first: NOW - DAY, last: NOW })),
  )
  const dir = s.store.dir
  // what an older build left: no DOMAIN keys, no marker
  const dels = [...s.store.range(DOMAIN_RANGE, { values: false })].map(([k]) => ({ del: k }))
  s.store.apply([], { extra: [...dels, { del: metaKey('domain-index') }] })
  assert.equal(s.store.hasDomainIndex, false)
  const answer = await s.backend.domains({})
  // without the index the domains still come, from the names
  assert.deepEqual(answer.domains.sort(), ['example.co.uk', 'example.com', 'paypal-login.github.io'])
  await s.store.close()
  const reopened = await Store.open(dir, { create: false })
  t.after(async () => {
    await reopened.close()
    rmSync(dir, { recursive: true, force: true })
  })
  assert.equal(reopened.hasDomainIndex, true)
  const b = LocalBackend.over(reopened, null)
  assert.deepEqual((await b.domains({})).domains, ['example.co.uk', 'example.com', 'paypal-login.github.io'])
})
