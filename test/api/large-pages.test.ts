/**
 * The node computes at most MAX_CONTROL_PAGE_RECORDS records per request (its query engine runs
 * without yielding, so a huge page would stall capture): a larger page asked through the control
 * socket is fetched in parts by RemoteBackend, and the caller gets exactly the single page — records
 * and next cursor — that the local backend gives.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MAX_CONTROL_PAGE_RECORDS, RemoteBackend } from '../../node/api/index.ts'
import { parseNamePattern, parseRdataTarget } from '../../node/query/parse.ts'
import { importLarge, startTestNode, type TestNode, tempDir } from './helpers.ts'

const RECORDS = MAX_CONTROL_PAGE_RECORDS * 2 + 500

let cleanup: () => Promise<void>
let node: TestNode
let remote: RemoteBackend

before(async () => {
  const t = await tempDir('large')
  cleanup = t.cleanup
  node = await startTestNode(await importLarge(t.dir, RECORDS))
  remote = new RemoteBackend(node.socketPath)
})

after(async () => {
  await remote.close()
  await node.close()
  await cleanup()
})

test('a page above the per-request bound comes whole, with the cursor a single local page has', async () => {
  for (const limit of [MAX_CONTROL_PAGE_RECORDS + 1, MAX_CONTROL_PAGE_RECORDS * 2 + 7, RECORDS * 2]) {
    const q = { name: parseNamePattern('*.example.org'), limit }
    const local = await node.local.rrset(q)
    const far = await remote.rrset(q)
    assert.ok(local.records.length > MAX_CONTROL_PAGE_RECORDS, 'the page is larger than one request')
    assert.equal(far.records.length, local.records.length)
    assert.deepEqual(far, local)
  }
})

test('rdata pages above the bound, continued from a cursor, match the local ones', async () => {
  const q = { target: parseRdataTarget('10.0.0.0/8'), limit: MAX_CONTROL_PAGE_RECORDS + 123 }
  const first = await node.local.rdata(q)
  assert.notEqual(first.cursor, null)
  const next = { ...q, cursor: first.cursor! }
  assert.deepEqual(await remote.rdata(q), first)
  assert.deepEqual(await remote.rdata(next), await node.local.rdata(next))
})
