import assert from 'node:assert/strict'
import { test } from 'node:test'
import dnsPacket from 'dns-packet'
import type { Observation } from '../../node/dns/observation.ts'
import {
  DEFAULT_MESSAGE_TYPES,
  DnstapIngest,
  type DnstapIngestOptions,
  MAX_IDENTITIES,
  MAX_IDENTITY_BYTES,
  messageTypeNames,
  messageTypeNumber,
  messageTypeSet,
} from '../../node/dnstap/index.ts'
import { isPdnsError } from '../../node/errors.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { encodeDnstap } from './helpers.ts'

const T0 = 1_700_000_000

/** A DNS response written by dns-packet (an encoder independent of the parser under test). */
function response(name: string, address: string, ttl = 300): Uint8Array {
  return dnsPacket.encode({
    type: 'response',
    id: 7,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name, class: 'IN' }],
    answers: [{ type: 'A', name, ttl, class: 'IN', data: address }],
  })
}

interface Msg {
  identity?: Uint8Array | string
  type?: string
  family?: 'INET' | 'INET6'
  protocol?: string
  queryAddress?: number[]
  responseAddress?: number[]
  queryPort?: number
  responsePort?: number
  queryTime?: [number, number]
  responseTime?: [number, number]
  responseMessage?: Uint8Array
}

/** One dnstap frame, protobuf-encoded by protobufjs. */
function frame(m: Msg): Uint8Array {
  const message: Record<string, unknown> = { type: m.type ?? 'CLIENT_RESPONSE' }
  if (m.family !== undefined) message.socket_family = m.family
  if (m.protocol !== undefined) message.socket_protocol = m.protocol
  if (m.queryAddress !== undefined) message.query_address = Uint8Array.from(m.queryAddress)
  if (m.responseAddress !== undefined) message.response_address = Uint8Array.from(m.responseAddress)
  if (m.queryPort !== undefined) message.query_port = m.queryPort
  if (m.responsePort !== undefined) message.response_port = m.responsePort
  if (m.queryTime !== undefined) [message.query_time_sec, message.query_time_nsec] = m.queryTime
  if (m.responseTime !== undefined) [message.response_time_sec, message.response_time_nsec] = m.responseTime
  if (m.responseMessage !== undefined) message.response_message = m.responseMessage
  const top: Record<string, unknown> = { type: 'MESSAGE', message }
  if (m.identity !== undefined) {
    top.identity = typeof m.identity === 'string' ? Buffer.from(m.identity) : m.identity
  }
  return encodeDnstap(top)
}

/** An ingest whose sinks record (identity, observation); `asked` lists sinkFor calls. */
function harness(options: DnstapIngestOptions = {}) {
  const seen: [string | null, Observation][] = []
  const asked: (string | null)[] = []
  const ingest = new DnstapIngest(
    {
      sinkFor: (identity) => {
        asked.push(identity)
        return (o) => seen.push([identity, o])
      },
    },
    options,
  )
  const feed = (m: Msg) => {
    const f = frame(m)
    ingest.frame(f, 0, f.length)
  }
  return { ingest, seen, asked, feed }
}

const ok = (extra: Msg = {}): Msg => ({
  family: 'INET',
  protocol: 'UDP',
  queryAddress: [192, 0, 2, 10],
  responseAddress: [198, 51, 100, 53],
  queryPort: 40000,
  responsePort: 53,
  queryTime: [T0, 1000],
  responseTime: [T0 + 1, 250_999],
  responseMessage: response('www.example.com', '203.0.113.7'),
  ...extra,
})

test('only CLIENT_RESPONSE and RESOLVER_RESPONSE are parsed by default; every type is counted', () => {
  assert.deepEqual(DEFAULT_MESSAGE_TYPES, ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE'])
  const { ingest, seen, feed } = harness()
  for (const type of messageTypeNames()) feed(ok({ type }))
  const st = ingest.stats()
  assert.equal(st.frames, messageTypeNames().length)
  for (const type of messageTypeNames()) assert.equal(st.types[type], 1, type)
  assert.equal(st.parsed, 2)
  assert.equal(st.notTaken, messageTypeNames().length - 2)
  assert.equal(seen.length, 2)
  assert.equal(st.parser.messages, 2)
})

test('the message types taken are configurable by schema name; an unknown name is ERR_BAD_ARGUMENT', () => {
  const { ingest, seen, feed } = harness({ messageTypes: ['AUTH_RESPONSE', 'TOOL_RESPONSE'] })
  for (const type of ['AUTH_RESPONSE', 'TOOL_RESPONSE', 'CLIENT_RESPONSE', 'RESOLVER_RESPONSE'])
    feed(ok({ type }))
  assert.equal(ingest.stats().parsed, 2)
  assert.equal(seen.length, 2)
  assert.deepEqual([...messageTypeSet(['AUTH_RESPONSE'])], [messageTypeNumber('AUTH_RESPONSE')])
  assert.throws(
    () =>
      new DnstapIngest({ sinkFor: () => () => {} }, { messageTypes: ['CLIENT_RESPONSE', 'CLIENT_RESPONS'] }),
    (err) => isPdnsError(err) && err.code === 'ERR_BAD_ARGUMENT' && err.message.includes("'CLIENT_RESPONS'"),
  )
})

test('a taken frame without response_message, and a query-type frame, are counted and not parsed', () => {
  const { ingest, seen, feed } = harness()
  const { responseMessage: _drop, ...noResponse } = ok()
  feed(noResponse)
  feed(ok({ type: 'CLIENT_QUERY' }))
  const st = ingest.stats()
  assert.equal(st.noResponse, 1)
  assert.equal(st.notTaken, 1)
  assert.equal(st.parsed, 0)
  assert.equal(seen.length, 0)
})

test('the PacketInfo is a response packet: from the responder to the initiator, at the response time', () => {
  const { seen, feed } = harness({ clientAddresses: true })
  feed(ok())
  const [[, o]] = seen as [[string | null, Observation]]
  assert.equal(o.time, (T0 + 1) * 1e6 + 250, 'response_time_sec/nsec in µs (nanoseconds truncated)')
  assert.equal(o.client, '192.0.2.10', 'the client is query_address')
  assert.equal(o.transport, 'udp')
  assert.deepEqual(
    [o.rrname, o.rrtype, o.rdata, o.ttl, o.qname],
    ['www.example.com', 'A', '203.0.113.7', 300, 'www.example.com'],
  )

  // IPv6, and no response time: the query time is used
  const v6q = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 0x99]
  const v6r = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 0x53]
  const { responseTime: _t, ...noRt } = ok({ family: 'INET6', queryAddress: v6q, responseAddress: v6r })
  feed(noRt)
  const o6 = seen[1]![1]
  assert.equal(o6.client, '2001:db8::99')
  assert.equal(o6.time, T0 * 1e6 + 1)

  // without clientAddresses, no address is kept
  const plain = harness()
  plain.feed(ok())
  assert.equal(plain.seen[0]![1].client, null)
})

test('a response on port 5353 (either side) is read as mDNS, as on the packet path', () => {
  const { seen, feed } = harness()
  const mdns = dnsPacket.encode({
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    answers: [{ type: 'A', name: 'printer.local', ttl: 120, class: 'IN', flush: true, data: '192.0.2.5' }],
  })
  feed(ok({ responsePort: 5353, responseMessage: mdns }))
  feed(ok({ responseMessage: mdns })) // port 53: the cache-flush bit is part of the class
  assert.equal(seen[0]![1].rrclass, 'IN')
  assert.equal(seen[1]![1].rrclass, 'CLASS32769')
})

test('socket protocols map to the DNS transport: DoT, DoH, DoQ and DNSCrypt-TCP are tcp; absent is counted', () => {
  const expected: Record<string, 'udp' | 'tcp'> = {
    UDP: 'udp',
    TCP: 'tcp',
    DOT: 'tcp',
    DOH: 'tcp',
    DNSCryptUDP: 'udp',
    DNSCryptTCP: 'tcp',
    DOQ: 'tcp',
  }
  const { ingest, seen, feed } = harness()
  for (const protocol of Object.keys(expected)) feed(ok({ protocol }))
  assert.deepEqual(
    seen.map(([, o]) => o.transport),
    Object.values(expected),
  )
  const { protocol: _p, ...noProtocol } = ok()
  feed(noProtocol)
  assert.equal(seen.at(-1)![1].transport, 'udp')
  assert.equal(ingest.stats().events['transport.unknown'], 1)
})

test('a message without any time is counted in file mode and takes the clock on a live input', () => {
  const { responseTime: _r, queryTime: _q, ...timeless } = ok()
  const file = harness()
  file.feed(timeless)
  assert.equal(file.seen.length, 0)
  assert.equal(file.ingest.stats().events['time.missing'], 1)
  const live = harness({ now: () => 42_000_000 })
  live.feed(timeless)
  assert.equal(live.seen[0]![1].time, 42_000_000)
})

test('each identity gets its own parser and sink, asked once; stats are per identity and summed', () => {
  const { ingest, seen, asked, feed } = harness()
  for (let i = 0; i < 3; i++) feed(ok({ identity: 'resolver-a' }))
  feed(ok({ identity: 'resolver-b' }))
  feed(ok())
  feed(ok({ identity: '' })) // empty is no identity
  assert.deepEqual(asked, ['resolver-a', 'resolver-b', null])
  assert.deepEqual(
    seen.map(([id]) => id),
    ['resolver-a', 'resolver-a', 'resolver-a', 'resolver-b', null, null],
  )
  const st = ingest.stats()
  assert.deepEqual(
    st.identities.map((s) => [s.identity, s.frames, s.messages, s.observations]),
    [
      ['resolver-a', 3, 3, 3],
      ['resolver-b', 1, 1, 1],
      [null, 2, 2, 2],
    ],
  )
  assert.equal(st.parser.messages, 6)
  assert.equal(st.parser.responses, 6)
  assert.equal(st.parser.observations, 6)
  assert.deepEqual(st.events, {})
})

test('identities that cannot be labels go to the unnamed sink and are counted', () => {
  const { ingest, seen, asked, feed } = harness()
  const longest = 'x'.repeat(MAX_IDENTITY_BYTES)
  feed(ok({ identity: longest }))
  feed(ok({ identity: 'y'.repeat(MAX_IDENTITY_BYTES + 1) }))
  feed(ok({ identity: 'bad\nname' }))
  feed(ok({ identity: 'del\x7f' }))
  feed(ok({ identity: Uint8Array.from([0x61, 0xff, 0x62]) })) // not UTF-8
  feed(ok({ identity: 'résolveur' })) // UTF-8 is fine
  assert.deepEqual(asked, [longest, null, 'résolveur'])
  assert.deepEqual(
    seen.map(([id]) => id),
    [longest, null, null, null, null, 'résolveur'],
  )
  assert.equal(ingest.stats().events['identity.invalid'], 4)
})

test(`past ${MAX_IDENTITIES} identities, new ones go to the unnamed sink, counted; known ones keep theirs`, () => {
  const { ingest, seen, asked, feed } = harness()
  for (let i = 0; i < MAX_IDENTITIES + 5; i++) feed(ok({ identity: `r${i}` }))
  feed(ok({ identity: 'r0' }))
  assert.equal(asked.length, MAX_IDENTITIES + 1)
  assert.equal(asked.at(-1), null)
  assert.equal(new Set(asked).size, MAX_IDENTITIES + 1, 'each sink asked once')
  assert.deepEqual(
    seen.slice(MAX_IDENTITIES).map(([id]) => id),
    [null, null, null, null, null, 'r0'],
  )
  const st = ingest.stats()
  assert.equal(st.events['identity.overflow'], 5)
  assert.equal(st.identities.length, MAX_IDENTITIES + 1)
  assert.equal(st.identities.find((s) => s.identity === null)!.frames, 5)
})

test('frames that are not dnstap protobufs are counted; the ones around them still parse', () => {
  const { ingest, seen, feed } = harness()
  const rand = prng(0xd15)
  let garbage = 0
  for (let i = 0; i < 500; i++) {
    const bytes = Uint8Array.from({ length: 1 + randInt(rand, 200) }, () => randInt(rand, 256))
    ingest.frame(bytes, 0, bytes.length)
    garbage++
    if (i % 50 === 0) feed(ok())
  }
  // a frame cut short, and one missing the required `type`
  const whole = frame(ok())
  ingest.frame(whole, 0, whole.length - 3)
  const noType = encodeDnstap({ identity: Buffer.from('x') })
  ingest.frame(noType, 0, noType.length)
  const st = ingest.stats()
  assert.equal(st.frames, garbage + 10 + 2)
  assert.ok(st.decodeErrors >= 2, `decode errors ${st.decodeErrors}`)
  assert.equal(seen.filter(([, o]) => o.rdata === '203.0.113.7').length, 10, 'every valid frame parsed')
})

test('addresses of the wrong length read as zeros and are counted', () => {
  const { ingest, seen, feed } = harness({ clientAddresses: true })
  feed(ok({ queryAddress: [10, 0, 0] }))
  assert.equal(seen[0]![1].client, '0.0.0.0')
  assert.equal(ingest.stats().events['address.malformed'], 1)
})
