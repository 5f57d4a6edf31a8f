/**
 * The history analyses answer the same over a running node's control socket (RemoteBackend) as over
 * the store opened in-process: they are built on QueryBackend alone. The CLI finds the running node
 * by itself; `--mesh` on a node whose mesh is off is refused (exit 1).
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fluxRank } from '../../node/analysis/flux-rank.ts'
import { ipHistory } from '../../node/analysis/ip-history.ts'
import { ipNames } from '../../node/analysis/ip-names.ts'
import { nsHistory } from '../../node/analysis/ns-history.ts'
import { RemoteBackend } from '../../node/api/index.ts'
import { parseRdataTarget } from '../../node/query/parse.ts'
import type { QueryBackend } from '../../node/query/types.ts'
import { startTestNode, type TestNode, tempDir } from '../api/helpers.ts'
import { runCli } from '../helpers/run-cli.ts'
import { corpusText } from './history-corpus.ts'

let cleanup: () => Promise<void>
let node: TestNode
let remote: RemoteBackend
let data: string

before(async () => {
  const t = await tempDir('history')
  cleanup = t.cleanup
  data = join(t.dir, 'db')
  await writeFile(join(t.dir, 'h.cof'), corpusText())
  const r = await runCli(['import', '--data', data, '--quiet', join(t.dir, 'h.cof')])
  assert.equal(r.code, 0, r.stderr)
  node = await startTestNode(data)
  remote = new RemoteBackend(node.socketPath)
})

after(async () => {
  await remote.close()
  await node.close()
  await cleanup()
})

async function both<T>(ask: (backend: QueryBackend) => Promise<T>): Promise<T> {
  const here = await ask(node.local)
  assert.deepEqual(await ask(remote), here)
  return here
}

test('every history analysis answers over the control socket as over the local store', async () => {
  const c = (backend: QueryBackend) => ({ backend })
  const ns = await both((b) => nsHistory(c(b), { domain: 'moved-shop.com' }))
  assert.equal(ns.changes.length, 2)
  for (const q of ['192.0.2.0/24', '0.0.0.0/0', '2001:db8::/32', '198.51.100.20']) {
    const t = parseRdataTarget(q)
    if (t.kind !== 'address') throw new Error(q)
    await both((b) => ipNames(c(b), { lo: t.lo, hi: t.hi, query: q }))
  }
  const h = await both((b) => ipHistory(c(b), { name: 'login.flux-prize.net' }))
  assert.equal(h.flux.verdict, 'flux-suspect')
  const all = await both((b) => fluxRank(c(b), { limit: 3 }))
  assert.equal(all.names[0]!.name, 'login.flux-prize.net')
  await both((b) => fluxRank(c(b), { limit: 3, under: 'com' }))
})

test('the CLI asks the running node, and --mesh refuses a node whose mesh is off', async () => {
  const r = await runCli(['ns-history', 'moved-shop.com', '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal((JSON.parse(r.stdout) as { changes: unknown[] }).changes.length, 2)
  const m = await runCli(['ip-history', 'www.moved-shop.com', '--data', data, '--mesh', '--format', 'json'])
  assert.equal(m.code, 1, m.stderr)
  assert.match(m.stderr, /mesh/i)
  assert.equal(m.stdout, '')
})
