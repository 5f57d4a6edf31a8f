import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import type { Observation } from '../../node/dns/observation.ts'
import pkg from '../../package.json' with { type: 'json' }
import { REPO, runCli } from '../helpers/run-cli.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')

function lines(stdout: string): Observation[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Observation)
}

test('parse prints one NDJSON observation per record of the sample capture', async () => {
  const r = await runCli(['parse', '--summary-json', SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  const obs = lines(r.stdout)
  const rr = obs.filter((o) => o.kind === 'rr').map((o) => `${o.section} ${o.rrname} ${o.rrtype} ${o.rdata}`)
  assert.deepEqual(rr.sort(), [
    'answer example.com MX 10 mail.example.com',
    'answer example.com NS ns1.example.com',
    'answer example.com NS ns2.example.net',
    'answer example.com TXT "v=spf1 -all"',
    'answer web.example.net A 203.0.113.10',
    'answer web.example.net A 203.0.113.11',
    'answer web.example.net AAAA 2001:db8::10',
    'answer www.example.com CNAME web.example.net',
    'answer www.example.com CNAME web.example.net',
    'authority example.com SOA ns1.example.com hostmaster.example.com 2026010101 7200 900 1209600 300',
    'authority example.com SOA ns1.example.com hostmaster.example.com 2026010101 7200 900 1209600 300',
  ])
  const neg = obs.filter((o) => o.kind !== 'rr').map((o) => `${o.kind} ${o.rrname} ${o.rrtype} ${o.rcode}`)
  assert.deepEqual(neg.sort(), ['nodata example.com CAA NOERROR', 'nxdomain nope.example.com A NXDOMAIN'])
  const ns = obs.find((o) => o.rrtype === 'NS')!
  assert.equal(ns.transport, 'tcp')
  assert.equal(ns.client, null, 'client addresses are off by default')
  const summary = JSON.parse(r.stderr.trim().split('\n').at(-1)!)
  assert.equal(summary.frames, 17)
  assert.equal(summary.responses, 7)
  assert.equal(summary.queries, 7)
  assert.equal(summary.observations, obs.length)
})

test('the text summary names packets, responses, observations, anomalies, skips and the rate', async () => {
  const r = await runCli(['parse', SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  assert.match(
    r.stderr,
    /^packets 17, DNS messages 14 \(responses 7, queries 7\), observations 13 \(negative 2\), anomalies 0$/m,
  )
  assert.match(r.stderr, /packets\/s over \d+\.\d\d s/)
  assert.match(r.stderr, /^anomalies: none$/m)
  assert.match(r.stderr, /^skipped: none$/m)
})

test('parse --client-addresses records the resolver-side client', async () => {
  const r = await runCli(['parse', '--quiet', '--client-addresses', SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  assert.ok(lines(r.stdout).every((o) => o.client === '198.51.100.7'))
})

test('parse --table prints aligned rows with a header', async () => {
  const r = await runCli(['parse', '--table', '--quiet', SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  const [head, first] = r.stdout.split('\n')
  assert.match(head!, /^time \(UTC\)\s+section\s+rrname\s+type\s+ttl\s+rcode\s+rdata$/)
  assert.match(
    first!,
    /^2026-01-01 00:00:01\.001\s+answer\s+www\.example\.com\s+CNAME\s+300\s+NOERROR\s+web\.example\.net$/,
  )
})

test('parse reads a gzip-compressed capture the same way (format detected from content)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-cli-'))
  const gz = join(dir, 'sample.data')
  await writeFile(gz, gzipSync(await readFile(SAMPLE)))
  const plain = await runCli(['parse', '--quiet', SAMPLE])
  const packed = await runCli(['parse', '--quiet', gz])
  assert.equal(packed.code, 0, packed.stderr)
  assert.equal(packed.stdout, plain.stdout)
})

test('a truncated capture still yields what came before the damage, then exits 1 with a clear message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-cli-'))
  const bytes = await readFile(SAMPLE)
  const cut = join(dir, 'cut.pcap')
  await writeFile(cut, bytes.subarray(0, bytes.length - 30))
  const whole = lines((await runCli(['parse', '--quiet', SAMPLE])).stdout)
  const r = await runCli(['parse', '--quiet', cut])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /truncat/i)
  const got = lines(r.stdout)
  assert.ok(got.length > 0 && got.length < whole.length)
  assert.deepEqual(got, whole.slice(0, got.length))
})

test('an unknown format and a missing file are reported by name, exit 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-cli-'))
  const junk = join(dir, 'notes.pcap')
  await writeFile(junk, 'this is not a capture\n')
  const r = await runCli(['parse', junk, join(dir, 'missing.pcap')])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /notes\.pcap/)
  assert.match(r.stderr, /missing\.pcap/)
  assert.equal(r.stdout, '')
})

test('bad usage exits 2 with a message', async () => {
  const noFile = await runCli(['parse'])
  assert.equal(noFile.code, 2)
  assert.match(noFile.stderr, /no capture file/)
  const badPort = await runCli(['parse', '--port', '70000', SAMPLE])
  assert.equal(badPort.code, 2)
  assert.match(badPort.stderr, /--port: '70000' is not a port number/)
  const unknown = await runCli(['frobnicate'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown command 'frobnicate'/)
})

test('--version and --help work globally and on every command', async () => {
  for (const args of [['--version'], ['parse', '--version']]) {
    const r = await runCli(args)
    assert.equal(r.code, 0)
    assert.equal(r.stdout.trim(), pkg.version)
  }
  for (const args of [['--help'], ['parse', '--help']]) {
    const r = await runCli(args)
    assert.equal(r.code, 0)
    assert.match(r.stdout, /Usage: pdns-mesh/)
  }
})
