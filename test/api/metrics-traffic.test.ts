/**
 * /metrics moves with traffic: two real nodes in a mesh, one fed dnstap frames (one of them a broken
 * DNS message). Every metric the API lists for dnstap, the parser, the window, the store and the mesh
 * rises on the node it concerns, the store's write-latency histogram among them. Live capture's
 * counters need a capture privilege and are covered where capture is (test/capture).
 */
import assert from 'node:assert/strict'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { after, test } from 'node:test'
import dnsPacket from 'dns-packet'
import { encodeDnstap, fstrmStream, responseFrame } from '../dnstap/helpers.ts'
import { address, type MeshDir, meshDir, meshToml, tempRoot } from '../e2e/mesh-helpers.ts'
import { type NodeProcess, startNode, until, writeConfig } from '../e2e/node-process.ts'
import { freePort } from '../helpers/rig.ts'
import { assertHistogram, parseProm } from './prometheus.ts'

const { root, cleanup } = tempRoot('metrics')
const nodes: NodeProcess[] = []
after(async () => {
  for (const n of nodes) await n.stop().catch(() => {})
  cleanup()
})

/** A node of the mesh with its API and a metrics listener (no key needed there), and maybe dnstap. */
async function start(d: MeshDir, peers: MeshDir[], dnstap: boolean): Promise<string> {
  const config = writeConfig(
    d.dir,
    meshToml(d, { peers: peers.map((p) => address(p)), allow: peers.map((p) => p.peerId) }, [
      '[api]',
      'metrics_listen = "127.0.0.1:0"',
    ]),
  )
  const node = await startNode(d.dir, [
    '--config',
    config,
    '--api',
    '127.0.0.1:0',
    ...(dnstap ? ['--dnstap', `unix:${join(d.dir, 'dnstap.sock')}`] : []),
  ])
  nodes.push(node)
  const started = node.logs.find((l) => l.msg === 'node started') as unknown as { api: { metrics: string } }
  return started.api.metrics
}

const scrape = async (url: string) => parseProm(await (await fetch(`${url}/metrics`)).text())
const sum = (m: Map<string, number>, prefix: string) =>
  [...m].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0)

test('every node metric the API lists rises on the node it concerns when records flow', async () => {
  const a = await meshDir(root, 'a', await freePort())
  const b = await meshDir(root, 'b', await freePort())
  const metricsA = await start(a, [b], false)
  const metricsB = await start(b, [a], true)
  await until(
    'the nodes connect',
    async () => sum(await scrape(metricsA), 'pdns_mesh_peers{state="connected"}') === 1,
  )
  const beforeA = await scrape(metricsA)
  const beforeB = await scrape(metricsB)

  // 300 answers, and one DNS message cut short: an anomaly of the dnstap input's parser
  const N = 300
  const frames = Array.from({ length: N }, (_, i) => responseFrame('resolver-1', i))
  const whole = dnsPacket.encode({
    type: 'response',
    id: 1,
    questions: [{ type: 'A', name: 'cut.example.com', class: 'IN' }],
    answers: [{ type: 'A', name: 'cut.example.com', ttl: 60, class: 'IN', data: '10.9.9.9' }],
  })
  frames.push(
    encodeDnstap({
      type: 'MESSAGE',
      identity: Buffer.from('resolver-1'),
      message: {
        type: 'CLIENT_RESPONSE',
        socket_family: 'INET',
        socket_protocol: 'UDP',
        response_time_sec: 1_700_000_000,
        response_time_nsec: 0,
        response_message: whole.subarray(0, whole.length - 3),
      },
    }),
  )
  await new Promise<void>((resolve, reject) => {
    const s = createConnection(join(b.dir, 'dnstap.sock'))
    s.on('error', reject)
    s.on('close', () => resolve())
    s.end(fstrmStream(frames))
  })
  await until('A holds what B was fed', async () => {
    const m = await scrape(metricsA)
    return sum(m, 'pdns_mesh_records_total{') - sum(beforeA, 'pdns_mesh_records_total{') >= N
  })
  const afterA = await scrape(metricsA)
  const afterB = await scrape(metricsB)
  const rose = (before: Map<string, number>, after: Map<string, number>, prefix: string, by = 1) => {
    const d = sum(after, prefix) - sum(before, prefix)
    assert.ok(d >= by, `${prefix} rose by ${d}, not ${by}`)
  }

  // B: dnstap, parser, window, store
  rose(beforeB, afterB, 'pdns_dnstap_frames_total{kind="data"}', N + 1)
  rose(beforeB, afterB, 'pdns_dnstap_connections_total{state="accepted"}')
  rose(beforeB, afterB, 'pdns_parser_anomalies_total{')
  assert.ok(
    [...afterB.keys()].some(
      (k) => k.startsWith('pdns_parser_anomalies_total{') && k.includes('input="dnstap"'),
    ),
  )
  rose(beforeB, afterB, 'pdns_window_flushes_total')
  rose(beforeB, afterB, 'pdns_window_records_total{outcome="inserted"}', N)
  assert.ok(
    assertHistogram(afterB, 'pdns_store_write_seconds') >
      assertHistogram(beforeB, 'pdns_store_write_seconds'),
  )
  assert.ok(afterB.get('pdns_store_write_seconds_sum')! > 0)
  assert.ok(afterB.get('pdns_store_bytes')! > 0)
  // B sent its records to A, and A received them (records and bytes, per peer and direction)
  rose(beforeB, afterB, `pdns_mesh_records_total{peer="${a.peerId}",direction="out"}`, N)
  rose(beforeB, afterB, `pdns_mesh_bytes_total{peer="${a.peerId}",direction="out"}`, N)
  rose(beforeA, afterA, `pdns_mesh_records_total{peer="${b.peerId}",direction="in"}`, N)
  rose(beforeA, afterA, `pdns_mesh_bytes_total{peer="${b.peerId}",direction="in"}`, N)
  // A knows how far behind B it is (its store took the records through the mesh's feeds, not
  // through a window: pdns_store_write_seconds times the window's batches only)
  const lag = afterA.get(`pdns_mesh_sync_lag_seconds{origin="${b.peerId}"}`)
  assert.ok(lag !== undefined && lag >= 0 && lag < 600, `sync lag ${lag}`)
  // and the scrapes themselves are API requests... on the metrics listener, which is not the API
  const api = sum(afterA, 'pdns_api_requests_total{')
  assert.equal(api, sum(beforeA, 'pdns_api_requests_total{'))
})
