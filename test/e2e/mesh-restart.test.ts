import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { prng, randInt } from '../helpers/prng.ts'
import { freePort } from '../helpers/rig.ts'
import {
  address,
  cli,
  digest,
  exportLines,
  type MeshDir,
  meshDir,
  startMeshNode,
  tempRoot,
} from './mesh-helpers.ts'
import { until } from './node-process.ts'

const { root, cleanup } = tempRoot('restart')
const dirs: MeshDir[] = []
after(async () => {
  for (const d of dirs) await d.node?.stop()
  cleanup()
})

/** A COF file of `n` seeded records (A, AAAA, CNAME, TXT), counts above 1 so inflation would show. */
function cofFile(path: string, n: number, seed: number): void {
  const rand = prng(seed)
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const name = `h${i}.z${randInt(rand, 5000)}.example${randInt(rand, 50)}.net`
    const t = 1_760_000_000 + randInt(rand, 10_000_000)
    const kind = randInt(rand, 4)
    const [rrtype, rdata] =
      kind === 0
        ? ['A', `10.${randInt(rand, 256)}.${randInt(rand, 256)}.${randInt(rand, 256)}`]
        : kind === 1
          ? ['AAAA', `2001:db8::${randInt(rand, 65536).toString(16)}`]
          : kind === 2
            ? ['CNAME', `edge${randInt(rand, 900)}.cdn.example.org`]
            : ['TXT', `"v=spf1 include:_spf${randInt(rand, 99)}.example.com ~all"`]
    const count = 2 + randInt(rand, 1000)
    lines.push(
      JSON.stringify({
        rrname: name,
        rrtype,
        rdata: [rdata],
        time_first: t,
        time_last: t + randInt(rand, 86400),
        count,
      }),
    )
  }
  writeFileSync(path, `${lines.join('\n')}\n`)
}

test('a node killed with SIGKILL in the middle of its bootstrap resumes after a restart, with no count inflated', async () => {
  const a = await meshDir(root, 'source', await freePort())
  const b = await meshDir(root, 'newcomer', await freePort())
  dirs.push(a, b)
  const file = join(root, 'records.cof')
  cofFile(file, 300_000, 7)
  // records of the source's own origin: sealed into its signed feed as they are imported
  await cli(['import', '--data', a.dir, '--quiet', '--origin', a.peerId, file])
  const total = JSON.parse(await cli(['digest', '--data', a.dir])).records as number
  assert.ok(total > 250_000)

  await startMeshNode(a, { peers: [], allow: [b.peerId] })
  await startMeshNode(b, { peers: [address(a)], allow: [a.peerId] })
  // wait until the newcomer holds part of the source's feed, then kill it mid-sync
  let partial = 0
  await until(
    'the bootstrap under way',
    async () => {
      const s = JSON.parse(await cli(['peers', '--data', b.dir, '--format', 'json']))
      partial = s.peers.find((p: { peerId: string }) => p.peerId === a.peerId)?.entriesIn ?? 0
      return partial >= 3
    },
    60_000,
  )
  b.node!.child.kill('SIGKILL')
  await b.node!.exited
  const held = JSON.parse(await cli(['digest', '--data', b.dir])).records as number
  assert.ok(held < total, `killed before the end (${held} of ${total} records held)`)
  await cli(['check', '--data', b.dir])

  // restarted: it resumes from the entries it holds and converges; counts are the source's own
  await startMeshNode(b, { peers: [address(a)], allow: [a.peerId] })
  await until('the same digest', async () => (await digest(b)) === (await digest(a)), 180_000)
  assert.deepEqual(await exportLines(b), await exportLines(a))
})
