/**
 * A real unbound's dnstap feed, end to end. The feed is recorded once with fstrm_capture (fstrm's
 * own reader), decoded by dnstap-ldns (an independent decoder), and replayed with fstrm_replay into
 * a running node's dnstap socket: the node must hold, per record, exactly the occurrences dnstap-ldns
 * reads in the CLIENT_RESPONSE and RESOLVER_RESPONSE messages, under the resolver's identity.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { RIG_ENV, requireRigTools, runDnsperf, startRig } from '../helpers/rig.ts'
import { runCli } from '../helpers/run-cli.ts'
import { summarizeLdnsYaml } from './ldns-yaml.ts'
import { recordsOf, startNode, until } from './node-process.ts'

const TAKEN = new Set(['CLIENT_RESPONSE', 'RESOLVER_RESPONSE'])

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: RIG_ENV, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

test('a node fed a real unbound dnstap stream stores what dnstap-ldns decodes from it, record by record', async (t) => {
  if (!requireRigTools(t)) return
  const dir = mkdtempSync(join(tmpdir(), 'pdns-e2e-feed-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const capSock = join(dir, 'capture.sock')
  const feed = join(dir, 'feed.dnstap')

  // 1. record unbound's feed with fstrm's own reader
  const capture = spawn('fstrm_capture', ['-t', 'protobuf:dnstap.Dnstap', '-u', capSock, '-w', feed], {
    env: RIG_ENV,
    stdio: 'ignore',
  })
  const captured = new Promise((resolve) => capture.once('exit', resolve))
  t.after(() => capture.kill('SIGKILL'))
  await until('fstrm_capture socket', () => existsSync(capSock))
  const rig = await startRig({ names: 300, dnstapSocket: capSock, dnstapIdentity: 'rig-unbound' })
  t.after(() => rig.stop({ drain: false }))
  const perf = await runDnsperf(rig)
  const typed = await runDnsperf(rig, { queriesFile: rig.typedQueriesFile })
  assert.equal(perf.completed, rig.names.length, 'every host query answered')
  await rig.stop() // drains unbound's dnstap queue first
  capture.kill('SIGINT') // fstrm_capture writes what it holds and closes the file
  await captured

  // 2. the independent decoding
  const ldns = summarizeLdnsYaml(await run('dnstap-ldns', ['-y', '-r', feed]), TAKEN)
  assert.equal(ldns.types.get('CLIENT_RESPONSE'), perf.completed + typed.completed)
  assert.ok((ldns.types.get('RESOLVER_RESPONSE') ?? 0) >= rig.names.length)
  assert.deepEqual([...ldns.identities], ['rig-unbound'])

  // 3. the same bytes into a running node, over its live Frame Streams socket
  const data = join(dir, 'node')
  const node = await startNode(data, ['--no-capture'])
  t.after(() => node.child.kill('SIGKILL'))
  await run('fstrm_replay', ['-t', 'protobuf:dnstap.Dnstap', '-u', join(data, 'dnstap.sock'), '-r', feed])
  const totalMessages = [...ldns.types.values()].reduce((a, b) => a + b, 0)
  let status: Record<string, unknown> = {}
  await until('the node to take every message', async () => {
    status = (await node.stats()).node.components.dnstap
    const got = Object.values(status.messages as Record<string, number>).reduce((a, b) => a + b, 0)
    return got === totalMessages
  })
  const peerId = (await node.stats()).node.peerId as string
  assert.equal((await node.stop()).code, 0)

  // 4. record by record, the node's view of the resolver's origin is dnstap-ldns's
  const lines = (await runCli(['export', '--data', data])).stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
  const mine = recordsOf(lines, `${peerId}/rig-unbound`)
  const positives = new Map([...mine].filter(([k]) => !/ (nxdomain|nodata)$/.test(k)))
  assert.deepEqual(
    [...positives].sort(([a], [b]) => (a < b ? -1 : 1)),
    [...ldns.records].sort(([a], [b]) => (a < b ? -1 : 1)),
  )
  // and the hosts resolve to what the zone says
  for (const name of rig.names) {
    const want = rig.resolve(name, 'A').answers.map((r) => `${r.name} A ${r.rdata}`)
    for (const w of want) assert.ok(positives.has(w), `${w} stored`)
  }
  // the typed queries' negative answers are there too (cdn.test ends in NXDOMAIN)
  assert.ok(
    [...mine.keys()].some((k) => k.endsWith(' nxdomain')),
    'an NXDOMAIN record',
  )
  // nothing of this feed was attributed to the node's own (packet) origin
  assert.equal(recordsOf(lines, peerId).size, 0)
  const check = await runCli(['check', '--data', data])
  assert.equal(check.code, 0, check.stderr)
})
