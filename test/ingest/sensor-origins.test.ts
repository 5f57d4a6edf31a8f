/**
 * Which vantage a local observation is recorded under: the node's packets under its peer id, each
 * dnstap identity under `<peer id>/<identity>`, and feeds without a usable identity under
 * `<peer id>/dnstap` — never mixed into the node's own capture.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { makeObservation } from '../../node/dns/observation.ts'
import { isLocalLabel, SensorOrigins, UNNAMED_DNSTAP_SENSOR } from '../../node/ingest/index.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { Store } from '../../node/store/store.ts'

const PEER = '12D3KooWtestpeer'

test('observations land under the node, a named resolver, or the unnamed dnstap sensor', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-origins-'))
  const store = await Store.open(dir, { create: true })
  t.after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const window = new AggregationWindow(store, { flushIntervalMs: 0 })
  const origins = new SensorOrigins({ store, window }, PEER)
  const obs = (name: string) =>
    makeObservation(
      'rr',
      1_767_225_600e6,
      name,
      'A',
      'IN',
      '192.0.2.1',
      60,
      'answer',
      'NOERROR',
      name,
      'A',
      null,
      'udp',
      null,
    )
  origins.sinkFor(null)(obs('own.example'))
  origins.sinkFor('resolver-1')(obs('named.example'))
  origins.sinkFor(UNNAMED_DNSTAP_SENSOR)(obs('unnamed.example'))
  origins.sinkFor('bad\u0001identity')(obs('invalid.example'))
  window.stop()

  const labels = [...store.origins.values()].sort()
  assert.deepEqual(labels, [PEER, `${PEER}/dnstap`, `${PEER}/resolver-1`].sort())
  for (const l of labels) assert.ok(isLocalLabel(PEER, l))
  assert.equal(isLocalLabel(PEER, `${PEER}x/other`), false)
  assert.equal(isLocalLabel(PEER, 'cof:east'), false)
  const stats = origins.stats()
  assert.equal(stats[PEER]!.records, 1)
  assert.equal(stats[`${PEER}/resolver-1`]!.records, 1)
  // the unnamed feed and the invalid identity share the unnamed sensor; nothing went to the node's own
  assert.equal(stats[`${PEER}/dnstap`]!.records, 2)
})
