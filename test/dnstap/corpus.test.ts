/**
 * Every Frame Streams file of the shared corpus against independent decoders: fstrm_dump (libfstrm)
 * for the framing and content type, the `.dnstap-ldns.txt` YAML dumps (dnstap-ldns: protobuf-c and
 * ldns) for the dnstap fields and the DNS records, and dsc's own gold for what dnstap-ldns could not
 * read.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import type { Observation } from '../../node/dns/observation.ts'
import { ipv4, ipv6 } from '../../node/dns/rdata/address.ts'
import {
  DnstapIngest,
  type DnstapMessage,
  decodeDnstap,
  dnstapSchema,
  messageTypeNames,
  readDnstapFile,
} from '../../node/dnstap/index.ts'
import { isPdnsError } from '../../node/errors.ts'
import { requireCorpus } from '../helpers/shared.ts'
import {
  corpusDnstapFiles,
  DNSTAP_CT,
  DNSTAP_DIR,
  type DumpMessage,
  dumpTimeUs,
  fstrmDump,
  fstrmStream,
  parseLdnsDump,
  requireTool,
  runTool,
} from './helpers.ts'

const ALL_RESPONSES = messageTypeNames().filter((n) => n.endsWith('_RESPONSE'))

interface Decoded {
  message: DnstapMessage
  /** what the ingest (the packet path's DnsParser) made of this frame's response */
  observations: Observation[]
  /** the sink the ingest asked for */
  sinkIdentity: string | null | undefined
}

/** Reads a dnstap file through readDnstapFile and the ingest, frame by frame. */
async function decodeFile(path: string): Promise<Decoded[]> {
  const out: Decoded[] = []
  let cur: Decoded | null = null
  const ingest = new DnstapIngest(
    {
      sinkFor: (identity) => (o) => {
        cur!.observations.push(o)
        cur!.sinkIdentity = identity
      },
    },
    { messageTypes: ALL_RESPONSES, clientAddresses: true },
  )
  await readDnstapFile(path, (buf, off, len) => {
    cur = { message: decodeDnstap(buf, off, len), observations: [], sinkIdentity: undefined }
    out.push(cur)
    ingest.frame(buf, off, len)
  })
  return out
}

function address(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null
  return bytes.length === 4 ? ipv4(bytes, 0) : ipv6(bytes, 0)
}

/** Master-file names as the parser writes them: lower case, no trailing dot (root '.'). */
function name(n: string): string {
  return n === '.' ? '.' : n.replace(/\.$/, '').toLowerCase()
}

/** Checks every field the dump shows for one message against ours (`except`: fields not compared). */
function agree(
  where: string,
  dump: DumpMessage,
  ours: Decoded,
  except: ReadonlySet<string> = new Set(),
): void {
  const f = dump.fields
  const m = ours.message
  const schema = dnstapSchema()
  assert.equal(f.type, 'MESSAGE', where)
  assert.equal(m.identity, f.identity ?? null, `${where}: identity`)
  assert.equal(m.version, f.version ?? null, `${where}: version`)
  const checks: [string, unknown, (v: string) => unknown][] = [
    ['message.type', m.typeName, (v) => v],
    ['message.query_time', m.queryTimeUs, dumpTimeUs],
    ['message.response_time', m.responseTimeUs, dumpTimeUs],
    [
      'message.socket_family',
      m.socketFamily === null ? null : schema.socketFamilies.get(m.socketFamily),
      (v) => v,
    ],
    [
      'message.socket_protocol',
      m.socketProtocol === null ? null : schema.socketProtocols.get(m.socketProtocol),
      (v) => v,
    ],
    ['message.query_address', address(m.queryAddress), (v) => v],
    ['message.response_address', address(m.responseAddress), (v) => v],
    ['message.query_port', m.queryPort, Number],
    ['message.response_port', m.responsePort, Number],
  ]
  for (const [key, value, read] of checks) {
    if (except.has(key)) continue
    // a field the dump does not show is one the frame does not hold (a cut dump shows a prefix)
    if (f[key] !== undefined) assert.equal(value, read(f[key]), `${where}: ${key}`)
    else if (dump.complete) assert.equal(value, null, `${where}: ${key} absent in the dump`)
  }
  const dns = dump.responseMessage
  if (dns === null) {
    if (dump.complete) assert.equal(m.responseMessage, null, `${where}: response_message`)
    return
  }
  const rrs = ours.observations.filter((o) => o.kind === 'rr')
  assert.deepEqual(
    rrs.map((o) => [o.section, o.rrname, o.ttl, o.rrclass, o.rrtype, o.rdata]),
    dns.rrs.map((r) => [
      r.section,
      name(r.name),
      r.ttl,
      r.class,
      r.type,
      ['NS', 'CNAME', 'PTR', 'DNAME'].includes(r.type) ? name(r.rdata) : r.rdata,
    ]),
    `${where}: records`,
  )
  for (const o of ours.observations) {
    assert.equal(o.rcode, dns.rcode, `${where}: rcode`)
    assert.equal(o.qname, dns.question === null ? null : name(dns.question.name), `${where}: qname`)
    assert.equal(o.time, m.responseTimeUs ?? m.queryTimeUs, `${where}: time is the response time`)
    assert.equal(o.client, address(m.queryAddress), `${where}: the client is the query side`)
  }
  assert.equal(
    ours.observations.some((o) => o.kind === 'nxdomain'),
    dns.rcode === 'NXDOMAIN',
    `${where}: negative`,
  )
}

test('every corpus dnstap file decodes as the dnstap-ldns dump shows it, records through the DNS parser', async (t) => {
  if (!requireCorpus(t, 'dnstap corpus comparison') || !requireTool(t, 'fstrm_dump')) return
  const files = corpusDnstapFiles()
  assert.ok(files.length >= 4, `corpus dnstap files: ${files.join(', ')}`)
  let compared = 0
  for (const rel of files) {
    const path = resolve(DNSTAP_DIR, rel)
    const framing = await fstrmDump(path)
    if (framing.contentTypes[0] !== DNSTAP_CT) continue // the refusal test below covers these
    const dump = parseLdnsDump(await readFile(`${path}.dnstap-ldns.txt`, 'utf8'))
    const ours = await decodeFile(path)
    assert.equal(ours.length, framing.dataFrames.length, `${rel}: every data frame is a message`)
    assert.ok(dump.messages.length > 0, `${rel}: dump holds messages`)
    for (const [i, d] of dump.messages.entries()) {
      agree(`${rel} #${i}`, d, ours[i]!)
      compared++
    }
    for (const o of ours) {
      if (o.observations.length > 0)
        assert.equal(o.sinkIdentity, o.message.identity, `${rel}: sink per identity`)
    }
    const cut = dump.messages.findIndex((d) => !d.complete)
    if (cut >= 0) {
      // dnstap-ldns stopped inside message `cut` (dsc/dotdoh.dnstap, see the next test): that
      // message carries a socket protocol its schema predates (neither UDP nor TCP)
      assert.ok(
        dump.comments.some((c) => c.includes('failed')),
        `${rel}: the dump says why it stopped`,
      )
      assert.ok(![1, 2].includes(ours[cut]!.message.socketProtocol ?? 0), `${rel}: stop at a DoT/DoH message`)
    } else {
      assert.equal(dump.messages.length, ours.length, `${rel}: the dump holds every message`)
    }
  }
  assert.ok(compared >= 7, `messages compared: ${compared}`)
})

/*
 * dsc/dotdoh.dnstap: dnstap-ldns prints two messages and stops inside the third with
 * "print_dnstap_frame() failed". The file is sound (fstrm_dump lists 7 data frames, protobufjs
 * decodes all 7): the third message is dnsdist's CLIENT_QUERY over DNS-over-TLS, socket_protocol
 * DOT (3); the fifth and sixth are DoH (4). dnstap-ldns 0.2.1 (Debian 12) is built from the old
 * dnstap.proto whose SocketProtocol knows only UDP and TCP, and gives up on any enum value it has
 * no name for. We read the whole file with the current schema: DoT and DoH responses are recorded
 * with transport 'tcp' (stream transports: whole messages, no UDP truncation). The test checks the
 * DoT/DoH counts against dsc's own gold for this file, and proves the diagnosis: the same file with
 * DOT/DOH rewritten to TCP is dumped whole by dnstap-ldns, and agrees with us on every other field.
 */
test('dsc/dotdoh.dnstap reads whole: DoT/DoH messages that stop dnstap-ldns agree with dsc and with a TCP-rewritten dump', async (t) => {
  if (!requireCorpus(t, 'dotdoh dnstap check') || !requireTool(t, 'fstrm_dump')) return
  const path = resolve(DNSTAP_DIR, 'dsc/dotdoh.dnstap')
  const ours = await decodeFile(path)
  assert.equal(ours.length, (await fstrmDump(path)).dataFrames.length)

  // dsc's gold: queries per encryption (unencrypted = UDP/TCP, dot, doh)
  const gold = await readFile(`${path}.expected/dsc-dnstap_encrypted/dnstap_encrypted.gold`, 'utf8')
  const encryption = gold.slice(
    gold.indexOf('<array name="encryption"'),
    gold.indexOf('</array>', gold.indexOf('<array name="encryption"')),
  )
  const expected: Record<string, number> = {}
  for (const m of encryption.matchAll(/<Encryption val="(\w+)" count="(\d+)"\/>/g))
    expected[m[1]!] = Number(m[2])
  const counted: Record<string, number> = {}
  const kind = (p: number | null) => (p === 3 ? 'dot' : p === 4 ? 'doh' : 'unencrypted')
  for (const o of ours) {
    if (o.message.typeName !== 'CLIENT_QUERY') continue
    counted[kind(o.message.socketProtocol)] = (counted[kind(o.message.socketProtocol)] ?? 0) + 1
  }
  assert.ok(Object.keys(expected).length > 0, 'gold lists encryption counts')
  assert.deepEqual(counted, expected)

  // every response, DoT and DoH included, went through the parser with its transport
  const responses = ours.filter((o) => o.message.responseMessage !== null)
  assert.ok(responses.length >= 3)
  for (const r of responses) {
    assert.ok(r.observations.length > 0, `${r.message.typeName} over ${r.message.socketProtocol} parsed`)
    for (const o of r.observations) assert.equal(o.transport, r.message.socketProtocol === 1 ? 'udp' : 'tcp')
  }

  if (!requireTool(t, 'dnstap-ldns')) return
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const T = dnstapSchema().Dnstap
  const frames: Uint8Array[] = []
  await readDnstapFile(path, (buf, off, len) => {
    const msg = T.decode(buf.subarray(off, off + len)) as unknown as {
      message?: { socket_protocol?: number }
    }
    const sp = msg.message?.socket_protocol
    if (msg.message !== undefined && (sp === 3 || sp === 4)) msg.message.socket_protocol = 2
    frames.push(T.encode(msg).finish())
  })
  const rewritten = join(dir, 'dotdoh-as-tcp.dnstap')
  await writeFile(rewritten, fstrmStream(frames))
  const out = join(dir, 'dump.txt')
  const r = await runTool('sh', ['-c', 'dnstap-ldns -y -r "$1" > "$2"', 'sh', rewritten, out])
  assert.equal(r.code, 0, r.stderr)
  const dump = parseLdnsDump(await readFile(out, 'utf8'))
  assert.equal(dump.messages.length, ours.length, 'dnstap-ldns now reads every message')
  for (const [i, d] of dump.messages.entries()) {
    assert.ok(d.complete)
    agree(`rewritten #${i}`, d, ours[i]!, new Set(['message.socket_protocol']))
  }
})

test('a Frame Streams file of another content type is refused with ERR_DNSTAP_PROTOCOL naming it', async (t) => {
  if (!requireCorpus(t, 'non-dnstap Frame Streams refusal') || !requireTool(t, 'fstrm_dump')) return
  let refused = 0
  for (const rel of corpusDnstapFiles()) {
    const path = resolve(DNSTAP_DIR, rel)
    const ct = (await fstrmDump(path)).contentTypes[0]!
    if (ct === DNSTAP_CT) continue
    let frames = 0
    await assert.rejects(
      readDnstapFile(path, () => frames++),
      (err) => {
        assert.ok(isPdnsError(err))
        assert.equal(err.code, 'ERR_DNSTAP_PROTOCOL')
        assert.ok(err.message.includes(JSON.stringify(ct)), err.message)
        assert.ok(err.message.includes(path), err.message)
        return true
      },
    )
    assert.equal(frames, 0, 'no frame of a foreign stream reaches the sink')
    refused++
  }
  assert.ok(refused >= 1, 'the corpus holds a non-dnstap Frame Streams file (fstrm/test.fstrm)')
})
