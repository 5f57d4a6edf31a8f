/**
 * The DNS rig itself, independent of pdns-mesh: nsd and unbound answer what the zone says, dnstap
 * reaches a Frame Streams reader (fstrm_capture, decoded by dnstap-ldns) for every answer dnsperf
 * got, across a resolver restart, and rigs side by side keep to their own ports and directories.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  isAlive,
  parseDnsperf,
  RIG_ENV,
  type Rig,
  readZoneFile,
  requireRigTools,
  resolveIn,
  rigPid,
  runDnsperf,
  startRig,
} from '../helpers/rig.ts'

/** Generous: a loaded CI machine is slow, and nothing here is timed, only bounded against hangs. */
const TEST_TIMEOUT_MS = 180_000

function exec(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: RIG_ENV, encoding: 'utf8', maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/**
 * dig against the rig's resolver: the response code and the answer records, in the zone's form
 * without their TTL (a cached record's TTL counts down).
 */
async function dig(rig: Rig, name: string, type: string): Promise<{ rcode: string; answers: string[] }> {
  const out = await exec('dig', [
    '@127.0.0.1',
    '-p',
    String(rig.resolverPort),
    name,
    type,
    '+noall',
    '+answer',
    '+comments',
    '+time=5',
    '+tries=2',
  ])
  const rcode = /status: ([A-Z]+)/.exec(out)?.[1] ?? 'none'
  const answers = out
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(';'))
    .map((l) => {
      const [owner, , , t, ...rdata] = l.split(/\s+/)
      const text = t === 'TXT' ? rdata.join(' ') : rdata.map((x) => x.replace(/\.$/, '')).join(' ')
      return `${owner!.replace(/\.$/, '')} ${t} ${text}`
    })
  return { rcode, answers }
}

/** fstrm_capture on a unix socket, as a dnstap reader would listen; stop() flushes its file. */
async function startCapture(
  sock: string,
  out: string,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn('fstrm_capture', ['-t', 'protobuf:dnstap.Dnstap', '-u', sock, '-w', out], {
    env: RIG_ENV,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  for (let i = 0; !existsSync(sock); i++) {
    if (child.exitCode !== null || i > 200)
      throw new Error(`fstrm_capture did not listen on ${sock}: ${stderr}`)
    await sleep(25)
  }
  return {
    child,
    // SIGINT: it writes out what it buffered and closes the file (a SIGKILL would lose the tail)
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT')
      await exited
    },
  }
}

/** Counts of dnstap message types (CR, RR, CQ, RQ…) in a capture file, by dnstap-ldns's quiet form. */
async function dnstapCounts(file: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const line of (await exec('dnstap-ldns', ['-q', '-r', file])).split('\n')) {
    const kind = line.split(' ')[2]
    if (kind !== undefined) counts[kind] = (counts[kind] ?? 0) + 1
  }
  return counts
}

describe('the DNS rig', () => {
  it('answers every typed query as the zone says (dig)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (!requireRigTools(t)) return
    const rig = await startRig({ names: 20, dnstap: false })
    t.after(() => rig.stop())
    const www = await dig(rig, 'www.shop.test', 'A')
    assert.equal(www.rcode, 'NOERROR')
    assert.deepEqual(www.answers, ['www.shop.test A 192.0.2.10'])
    const queries: [string, string][] = [
      ['test', 'SOA'],
      ['test', 'NS'],
      ['www.shop.test', 'AAAA'],
      ['alias.test', 'A'],
      ['cdn.test', 'A'],
      ['mail.test', 'MX'],
      ['txt.test', 'TXT'],
      ['_sip._tcp.test', 'SRV'],
      ['h20.test', 'A'],
      ['h21.test', 'A'],
      ['www.shop.test', 'MX'],
      ['shop.test', 'A'],
      ['elsewhere.org', 'A'],
    ]
    for (const [name, type] of queries) {
      const got = await dig(rig, name, type)
      const want = rig.resolve(name, type)
      assert.equal(got.rcode, want.rcode, `${name} ${type}`)
      assert.deepEqual(
        got.answers,
        want.answers.map((r) => `${r.name} ${r.type} ${r.rdata}`),
        `${name} ${type}`,
      )
    }
    // the model itself, on the cases that matter to sensors
    assert.deepEqual(
      rig.resolve('cdn.test', 'A').answers.map((r) => r.rdata),
      ['shop-assets.cloudfront.example'],
    )
    assert.equal(rig.resolve('cdn.test', 'A').rcode, 'NXDOMAIN')
    assert.equal(rig.resolve('h7.test', 'A').answers[0]!.rdata, '198.18.0.7')
    assert.equal(rig.names.length, 20)
    assert.ok(rig.zone.some((r) => r.type === 'SRV' && r.rdata === '10 60 5060 sip.test'))
  })

  it('sends a dnstap CLIENT_RESPONSE per dnsperf answer to the reader, across a resolver restart', {
    timeout: TEST_TIMEOUT_MS,
  }, async (t) => {
    if (!requireRigTools(t)) return
    const work = mkdtempSync(join(tmpdir(), 'pdns-rig-capture-'))
    const sock = join(work, 'tap.sock')
    const file = join(work, 'out.dnstap')
    const capture = await startCapture(sock, file)
    let rig: Rig | null = null
    t.after(async () => {
      await rig?.stop()
      await capture.stop()
      rmSync(work, { recursive: true, force: true })
    })
    const names = 300
    rig = await startRig({ names, dnstapSocket: sock })
    assert.equal(rig.dnstapSocket, sock)
    assert.equal(rig.dnstapIdentity, 'rig')
    const first = await runDnsperf(rig, { runs: 2 })
    assert.equal(first.sent, names * 2)
    assert.equal(first.completed, first.sent, first.output)
    assert.equal(first.noerror, first.completed)

    const ports = [rig.authPort, rig.resolverPort]
    const before = rigPid(rig, 'unbound')
    await rig.restartResolver()
    const after = rigPid(rig, 'unbound')
    assert.notEqual(after, before, 'a new unbound process')
    assert.ok(before !== null && !isAlive(before), 'the old unbound is gone')
    assert.deepEqual([rig.authPort, rig.resolverPort], ports)
    // same port: a fresh unbound answers there (with an empty cache: every name is resolved again)
    assert.deepEqual((await dig(rig, 'h1.test', 'A')).answers, ['h1.test A 198.18.0.1'])
    const second = await runDnsperf(rig, { runs: 1 })
    assert.equal(second.completed, names)
    const typed = await runDnsperf(rig, { queriesFile: rig.typedQueriesFile })
    assert.equal(typed.completed, typed.sent)
    // NXDOMAIN: nothere.test and cdn.test (the dangling CNAME); the rest NOERROR, NODATA included
    assert.equal(typed.nxdomain, 2, typed.output)
    assert.equal(typed.noerror, typed.sent - 2)

    await rig.stop()
    await capture.stop()
    const counts = await dnstapCounts(file)
    const answered = first.completed + second.completed + typed.completed + 1 // + the dig
    const sent = first.sent + second.sent + typed.sent + 1
    // one CLIENT_RESPONSE per answer: none lost across the restart (the new unbound reconnected)
    assert.ok(
      (counts.CR ?? 0) >= answered && (counts.CR ?? 0) <= sent,
      `CLIENT_RESPONSE ${counts.CR}, answered ${answered}, sent ${sent}`,
    )
    // nsd is asked once per name per cache (before and after the restart), plus a few lookups of
    // the zones' own names (qname minimisation, the typed queries)
    const rr = counts.RR ?? 0
    assert.ok(
      rr >= names * 2 && rr <= names * 2 + 60,
      `RESOLVER_RESPONSE ${rr} for ${names} names × 2 caches`,
    )
    assert.deepEqual(Object.keys(counts).sort(), ['CR', 'RR'], 'responses only (no --dnstap-queries)')

    // the YAML form: the identity unbound was given, and an answer as the zone has it
    const yaml = await exec('dnstap-ldns', ['-y', '-r', file])
    const identities = new Set([...yaml.matchAll(/^identity: "(.*)"$/gm)].map((m) => m[1]))
    assert.deepEqual([...identities], ['rig'])
    assert.match(yaml, /type: CLIENT_RESPONSE/)
    assert.match(yaml, /h17\.test\.\s+300\s+IN\s+A\s+198\.18\.0\.17/)
    assert.match(yaml, /cdn\.test\.\s+300\s+IN\s+CNAME\s+shop-assets\.cloudfront\.example\./)
  })

  it('runs side by side with another rig, each on its own ports, and stop leaves nothing behind', {
    timeout: TEST_TIMEOUT_MS,
  }, async (t) => {
    if (!requireRigTools(t)) return
    const rigs = await Promise.all([
      startRig({ names: 5, dnstap: false }),
      startRig({ names: 7, dnstap: false }),
    ])
    t.after(() => Promise.all(rigs.map((r) => r.stop())))
    const [a, b] = rigs as [Rig, Rig]
    assert.notEqual(a.dir, b.dir)
    assert.equal(new Set([a.authPort, a.resolverPort, b.authPort, b.resolverPort]).size, 4)
    assert.deepEqual((await dig(a, 'h5.test', 'A')).answers, ['h5.test A 198.18.0.5'])
    assert.equal((await dig(a, 'h7.test', 'A')).rcode, 'NXDOMAIN')
    assert.deepEqual((await dig(b, 'h7.test', 'A')).answers, ['h7.test A 198.18.0.7'])
    const pids = [rigPid(a, 'nsd'), rigPid(a, 'unbound')]
    assert.ok(pids.every((p) => p !== null && isAlive(p)))
    await a.stop()
    assert.ok(
      pids.every((p) => !isAlive(p!)),
      'stop returns once the daemons are gone',
    )
    assert.equal(existsSync(a.dir), false)
    // its ports are free again: the daemons' sockets are closed
    for (const port of [a.authPort, a.resolverPort]) {
      const server = createServer()
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => resolve())
      })
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    // the other rig did not notice
    assert.deepEqual((await dig(b, 'h1.test', 'A')).answers, ['h1.test A 198.18.0.1'])
    await a.stop() // idempotent
  })
})

describe('the rig helpers', () => {
  it('read dnsperf reports, rcodes included', () => {
    const r = parseDnsperf(`Statistics:

  Queries sent:         1000
  Queries completed:    998 (99.80%)
  Queries lost:         2 (0.20%)

  Response codes:       NOERROR 990 (99.20%), NXDOMAIN 8 (0.80%)
  Average packet size:  request 25, response 41
  Run time (s):         2.000882
  Queries per second:   498.779597

  Average Latency (s):  0.000106 (min 0.000025, max 0.005262)
`)
    assert.deepEqual(
      [r.sent, r.completed, r.lost, r.noerror, r.nxdomain, r.servfail],
      [1000, 998, 2, 990, 8, 0],
    )
    assert.equal(r.runTimeS, 2.000882)
    assert.equal(r.avgLatencyS, 0.000106)
    assert.throws(() => parseDnsperf('no report'), /without/)
  })

  it('resolve names through CNAMEs, empty non-terminals and missing names like a resolver', (t) => {
    const work = mkdtempSync(join(tmpdir(), 'pdns-rig-zone-'))
    t.after(() => rmSync(work, { recursive: true, force: true }))
    const zoneFile = join(work, 'zone')
    const script = new URL('../../scripts/rig/mkzone.sh', import.meta.url).pathname
    return exec('sh', ['-c', `"${script}" 3 > "${zoneFile}"`]).then(() => {
      const zone = readZoneFile(zoneFile)
      assert.equal(zone.filter((r) => /^h\d+\.test$/.test(r.name)).length, 3)
      assert.deepEqual(resolveIn(zone, 'alias.test', 'A'), {
        rcode: 'NOERROR',
        answers: [
          { name: 'alias.test', type: 'CNAME', ttl: 300, rdata: 'www.shop.test' },
          { name: 'www.shop.test', type: 'A', ttl: 300, rdata: '192.0.2.10' },
        ],
      })
      assert.deepEqual(resolveIn(zone, 'shop.test', 'A'), { rcode: 'NOERROR', answers: [] })
      assert.deepEqual(resolveIn(zone, 'h4.test', 'A'), { rcode: 'NXDOMAIN', answers: [] })
      assert.equal(resolveIn(zone, 'www.shop.test', 'AAAA').answers[0]!.rdata, '2001:db8::10')
      assert.equal(resolveIn(zone, 'txt.test', 'TXT').answers[0]!.rdata, '"v=spf1 -all"')
      assert.equal(resolveIn(zone, 'mail.test', 'MX').answers[0]!.rdata, '10 mx1.test')
    })
  })
})
