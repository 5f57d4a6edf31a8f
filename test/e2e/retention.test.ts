/**
 * Retention end to end: old COF data imported into a stopped node's store, the node started with
 * store.retention, its first background pass seen through `pdns-mesh stats`; then `pdns-mesh expire`
 * on the stopped store, and `pdns-mesh check` clean after each.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { runCli } from '../helpers/run-cli.ts'
import { startNode, until, writeConfig } from './node-process.ts'

const dir = mkdtempSync(join(tmpdir(), 'pdns-e2e-retention-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const data = join(dir, 'data')
const recent = Math.floor(Date.now() / 1000) - 600
/** 2001: older than any retention */
const old = 1_000_000_000

const cof = [
  {
    rrname: 'old.example.com',
    rrtype: 'A',
    rdata: '192.0.2.1',
    time_first: old - 10,
    time_last: old,
    count: 3,
  },
  {
    rrname: 'gone.example.net',
    rrtype: 'NS',
    rdata: 'ns1.example.org',
    time_first: old,
    time_last: old,
    count: 1,
  },
  {
    rrname: 'old.example.com',
    rrtype: 'A',
    rdata: '192.0.2.2',
    time_first: old,
    time_last: recent,
    count: 2,
  },
  {
    rrname: 'new.example.com',
    rrtype: 'A',
    rdata: '192.0.2.3',
    time_first: recent,
    time_last: recent,
    count: 1,
  },
].map((r) => JSON.stringify({ ...r, sensor_id: 's1' }))

async function cli(args: string[]): Promise<string> {
  const r = await runCli([...args, '--data', data])
  assert.equal(r.code, 0, `pdns-mesh ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

test('a node with store.retention expires old imported records in the background; stats shows it; check stays clean', async () => {
  const file = join(dir, 'in.cof')
  writeFileSync(file, `${cof.join('\n')}\n`)
  await cli(['import', file])
  const config = writeConfig(dir, '[capture]\nenabled = false\n[store]\nretention = "30d"\n')
  const node = await startNode(data, ['--config', config])
  try {
    // the first pass starts with the node: wait for it to complete
    await until(
      'the first expiry pass',
      async () => (await node.stats()).node.components.retention.passes >= 1,
    )
    const s = await node.stats()
    const r = s.node.components.retention
    assert.equal(r.expired, 2)
    assert.deepEqual(r.byOrigin, { 'cof:s1': 2 })
    assert.deepEqual(r.retention, { local: 30 * 86_400, remote: 30 * 86_400 })
    assert.ok(r.lastPass.cutoffs.local > old)
    const left = (await node.exportRecords()).map((x) => `${x.rrname} ${x.rdata?.join(',')}`).sort()
    assert.deepEqual(left, ['new.example.com 192.0.2.3', 'old.example.com 192.0.2.2'])
    // the table form names the counters too
    const table = await cli(['stats', '--format', 'table'])
    assert.match(table, /retention\.byOrigin\.cof:s1\s+2/)
  } finally {
    const { code } = await node.stop()
    assert.equal(code, 0)
  }
  await cli(['check'])
})

test('pdns-mesh expire deletes once what is older than a span, on a stopped store', async () => {
  const none = JSON.parse(await cli(['expire', '--older-than', '1h', '--format', 'json']))
  assert.equal(none.expired, 0)
  const all = JSON.parse(await cli(['expire', '--older-than', '60', '--format', 'json']))
  assert.equal(all.expired, 2)
  assert.deepEqual(all.byOrigin, { 'cof:s1': 2 })
  await cli(['check'])
  assert.equal(JSON.parse(await cli(['stats', '--format', 'json'])).entries, 0)
})

test('bad retention settings are refused before anything starts or is deleted', async () => {
  const missing = await runCli(['expire', '--data', data])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /--older-than/)
  const longer = await runCli(['expire', '--data', data, '--older-than', '7d', '--remote-older-than', '8d'])
  assert.equal(longer.code, 2)
  const config = writeConfig(
    dir,
    '[capture]\nenabled = false\n[store]\nretention = "7d"\nretention_remote = "8d"\n',
  )
  const start = await runCli(['start', '--data', data, '--config', config])
  assert.equal(start.code, 2)
  assert.match(start.stderr, /store\.retention_remote: longer than store\.retention/)
})
