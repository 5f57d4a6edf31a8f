import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TcpReassembler } from '../../node/capture/decode/tcp-reassembly.ts'
import {
  Counters,
  MAX_TCP_BUFFERED_BYTES_PER_FLOW,
  MAX_TCP_CLOSED_FLOWS,
  MAX_TCP_FLOWS,
  TCP_FLOW_IDLE_TIMEOUT_US,
  TCP_REORDER_WINDOW_BYTES,
} from '../../node/capture/index.ts'
import {
  ACK,
  B,
  bytes,
  collector,
  concat,
  dnsId,
  dnsQuery,
  ether,
  FIN,
  feed,
  framed,
  ip4,
  ipv4,
  ipv6,
  PSH,
  RST,
  rng,
  SYN,
  tcp,
  u16,
  u32,
} from './helpers.ts'

/** client 192.0.2.1:40000 → server 198.51.100.7:53 */
const toServer = (seq: number, flags: number, payload: Uint8Array = new Uint8Array(0), sport = 40000) =>
  ether(0x0800, ipv4(6, tcp(sport, 53, seq, flags, payload)))
const toClient = (seq: number, flags: number, payload: Uint8Array = new Uint8Array(0)) =>
  ether(0x0800, ipv4(6, tcp(53, 40000, seq, flags, payload), { src: B, dst: ip4('192.0.2.1') }))

const ISN = 1000

test('two length-prefixed messages in one segment are both delivered, as TCP', () => {
  const { dec, seen } = collector()
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toServer(ISN + 1, PSH | ACK, concat(framed(dnsQuery(1)), framed(dnsQuery(2)))), 5)
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
  assert.deepEqual(seen[0]!.msg, dnsQuery(1))
  assert.equal(seen[0]!.info.transport, 'tcp')
  assert.equal(seen[0]!.info.srcPort, 40000)
  assert.equal(seen[0]!.info.dstPort, 53)
  assert.equal(seen[0]!.src, '192.0.2.1')
  assert.equal(seen[0]!.info.tsUs, 5)
  assert.equal(dec.tcpMessages, 2)
})

test('one message split over three segments arrives once, stamped with the last segment', () => {
  const { dec, seen } = collector()
  const data = framed(dnsQuery(7))
  feed(dec, 1, toServer(ISN, SYN), 1)
  feed(dec, 1, toServer(ISN + 1, ACK, data.subarray(0, 1)), 2)
  feed(dec, 1, toServer(ISN + 2, ACK, data.subarray(1, 10)), 3)
  assert.equal(seen.length, 0)
  feed(dec, 1, toServer(ISN + 11, ACK, data.subarray(10)), 4)
  assert.equal(seen.length, 1)
  assert.deepEqual(seen[0]!.msg, dnsQuery(7))
  assert.equal(seen[0]!.info.tsUs, 4)
})

test('retransmitted segments (whole or overlapping) do not repeat messages', () => {
  const { dec, seen } = collector()
  const m1 = framed(dnsQuery(1))
  const m2 = framed(dnsQuery(2))
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toServer(ISN + 1, ACK, m1))
  feed(dec, 1, toServer(ISN + 1, ACK, m1))
  // a retransmission that re-sends m1 and adds m2
  feed(dec, 1, toServer(ISN + 1, ACK, concat(m1, m2)))
  feed(dec, 1, toServer(ISN, SYN)) // a repeated SYN changes nothing
  feed(dec, 1, toServer(ISN + 1 + m1.length, ACK, m2))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
})

test('out-of-order segments wait and are delivered in order once the gap fills', () => {
  const { dec, seen } = collector()
  const stream = concat(framed(dnsQuery(1)), framed(dnsQuery(2)), framed(dnsQuery(3)))
  const cuts = [0, 13, 31, 50, stream.length]
  const segs = cuts.slice(0, -1).map((c, i) => ({ seq: ISN + 1 + c, data: stream.subarray(c, cuts[i + 1]) }))
  feed(dec, 1, toServer(ISN, SYN))
  for (const i of [3, 1, 2]) feed(dec, 1, toServer(segs[i]!.seq, ACK, segs[i]!.data))
  assert.equal(seen.length, 0)
  feed(dec, 1, toServer(segs[0]!.seq, ACK, segs[0]!.data))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 3],
  )
})

test('seeded random segmentation and reordering always yields each message once, in order', () => {
  const r = rng(7)
  for (let round = 0; round < 30; round++) {
    const { dec, seen } = collector()
    const n = 1 + Math.floor(r() * 6)
    const stream = concat(
      ...Array.from({ length: n }, (_, i) => framed(dnsQuery(i + 1, `n${round}.example`))),
    )
    const segs: { seq: number; data: Uint8Array }[] = []
    for (let c = 0; c < stream.length; ) {
      const len = 1 + Math.floor(r() * 40)
      segs.push({ seq: ISN + 1 + c, data: stream.subarray(c, c + len) })
      c += len
    }
    for (let i = segs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1))
      ;[segs[i], segs[j]] = [segs[j]!, segs[i]!]
    }
    // plus a few retransmissions
    for (let k = 0; k < 3; k++) segs.push(segs[Math.floor(r() * segs.length)]!)
    feed(dec, 1, toServer(ISN, SYN))
    for (const s of segs) feed(dec, 1, toServer(s.seq, ACK, s.data))
    assert.deepEqual(
      seen.map((s) => dnsId(s.msg)),
      Array.from({ length: n }, (_, i) => i + 1),
      `round ${round}`,
    )
  }
})

test('without a SYN the first segment that starts a message syncs the stream', () => {
  const { dec, seen } = collector()
  const m1 = framed(dnsQuery(1))
  const m2 = framed(dnsQuery(2))
  // mid-message bytes first (here: one byte in, so qdcount reads 256): ignored and counted
  feed(dec, 1, toServer(5000, ACK, m1.subarray(1)))
  assert.equal(dec.anomalies.get('tcp.unsynced_data'), 1)
  feed(dec, 1, toServer(5000 + m1.length - 1, ACK, m2))
  feed(dec, 1, toServer(5000 + m1.length - 1 + m2.length, ACK, m1))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [2, 1],
  )
})

test('queries and responses on one connection are reassembled per direction', () => {
  const { dec, seen } = collector()
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toClient(9000, SYN | ACK))
  const q = framed(dnsQuery(0x11))
  const resp = framed(dnsQuery(0x22))
  feed(dec, 1, toServer(ISN + 1, ACK, q.subarray(0, 5)))
  feed(dec, 1, toClient(9001, ACK, resp.subarray(0, 7)))
  feed(dec, 1, toServer(ISN + 6, ACK, q.subarray(5)))
  feed(dec, 1, toClient(9008, ACK, resp.subarray(7)))
  assert.deepEqual(
    seen.map((s) => [dnsId(s.msg), s.info.srcPort]),
    [
      [0x11, 40000],
      [0x22, 53],
    ],
  )
})

test('sequence numbers wrap around 2^32', () => {
  const { dec, seen } = collector()
  const data = concat(framed(dnsQuery(1)), framed(dnsQuery(2)))
  const isn = 0xffffffff - 10
  feed(dec, 1, toServer(isn, SYN))
  feed(dec, 1, toServer(isn + 1, ACK, data.subarray(0, 8))) // ends just before the wrap
  feed(dec, 1, toServer((isn + 1 + 20) >>> 0, ACK, data.subarray(20))) // early, past the wrap
  feed(dec, 1, toServer((isn + 1 + 8) >>> 0, ACK, data.subarray(8, 20)))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
})

test('a gap beyond the reorder window is counted and the stream resyncs on the next segment', () => {
  const { dec, seen } = collector()
  const m1 = framed(dnsQuery(1))
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toServer(ISN + 1, ACK, m1.subarray(0, 10)))
  const far = ISN + 1 + TCP_REORDER_WINDOW_BYTES + 100
  feed(dec, 1, toServer(far, ACK, framed(dnsQuery(2))))
  assert.equal(dec.anomalies.get('tcp.gap'), 1)
  assert.equal(dec.anomalies.get('tcp.incomplete_message'), 1)
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [2],
  )
})

test('FIN closes the flow; RST drops it; flush counts messages left incomplete', () => {
  const { dec, seen } = collector()
  const m = framed(dnsQuery(1))
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toServer(ISN + 1, ACK | FIN, m))
  feed(dec, 1, toClient(9000, ACK | FIN))
  assert.equal(seen.length, 1)
  assert.equal(dec.tcpFlows, 0)

  feed(dec, 1, toServer(ISN, SYN, undefined, 40001))
  feed(dec, 1, toServer(ISN + 1, ACK, m.subarray(0, 5), 40001))
  feed(dec, 1, toServer(ISN + 6, RST, undefined, 40001))
  assert.equal(dec.tcpFlows, 0)
  assert.equal(dec.anomalies.get('tcp.incomplete_message'), 1)

  feed(dec, 1, toServer(ISN, SYN, undefined, 40002))
  feed(dec, 1, toServer(ISN + 1, ACK, m.subarray(0, 5), 40002))
  dec.flush()
  assert.equal(dec.anomalies.get('tcp.incomplete_message'), 2)
  assert.equal(dec.tcpFlows, 0)
})

test('a retransmission arriving after both FINs closed the flow is not delivered again', () => {
  const { dec, seen } = collector()
  const q = framed(dnsQuery(1))
  const a = framed(dnsQuery(2))
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toClient(9000, SYN | ACK))
  const lastQuery = toServer(ISN + 1, ACK | PSH | FIN, q)
  const lastAnswer = toClient(9001, ACK | PSH | FIN, a)
  feed(dec, 1, lastQuery)
  feed(dec, 1, lastAnswer)
  assert.equal(dec.tcpFlows, 0)
  // late copies of the SYN-ACK and of both directions' last segments, with and without the FIN
  feed(dec, 1, toClient(9000, SYN | ACK))
  feed(dec, 1, lastQuery)
  feed(dec, 1, toClient(9001, ACK, a))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
  assert.equal(dec.tcpFlows, 0)
})

test('a new connection on the ports of a closed flow is reassembled normally', () => {
  const { dec, seen } = collector()
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toServer(ISN + 1, ACK | FIN, framed(dnsQuery(1))))
  feed(dec, 1, toClient(9000, ACK | FIN))
  // port reuse: a fresh SYN whose ISN lies before the old stream's end
  feed(dec, 1, toServer(ISN - 500, SYN))
  feed(dec, 1, toServer(ISN - 499, ACK, framed(dnsQuery(2))))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
})

test('the late retransmission is counted, and data far behind a closed stream is a new connection, not dropped', () => {
  const { dec, seen } = collector()
  feed(dec, 1, toServer(ISN, SYN))
  const q = framed(dnsQuery(1))
  feed(dec, 1, toServer(ISN + 1, ACK | FIN, q))
  feed(dec, 1, toClient(9000, ACK | FIN))
  feed(dec, 1, toServer(ISN + 1, ACK, q)) // a late copy
  assert.equal(dec.anomalies.get('tcp.late_after_close'), 1)
  // the ports reused by a connection whose SYN was not captured, sequence far behind the old end
  feed(dec, 1, toServer((ISN - 10 * TCP_REORDER_WINDOW_BYTES) >>> 0, ACK, framed(dnsQuery(2))))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
})

test('an ACK that releases the last held data and closes the flow charges nothing for the rest of its segment', () => {
  const r = new TcpReassembler(new Counters(), () => {})
  const { up, down } = endpoints(1)
  const none = new Uint8Array(0)
  const q = framed(dnsQuery(1))
  r.segment(up, 0, 4, 40000, 53, ISN, 0, SYN, none, 0, 0, 1)
  r.segment(down, 0, 4, 53, 40000, 9000, ISN + 1, SYN | ACK, none, 0, 0, 2)
  r.segment(up, 0, 4, 40000, 53, ISN + 1, 9001, ACK, q, 0, q.length, 3)
  // the server's answer after a 10-byte hole the capture missed, then its FIN: both held back
  const a = framed(dnsQuery(2))
  r.segment(down, 0, 4, 53, 40000, 9011, ISN + 1 + q.length, ACK, a, 0, a.length, 4)
  r.segment(down, 0, 4, 53, 40000, 9011 + a.length, ISN + 1 + q.length, ACK | FIN, none, 0, 0, 5)
  r.segment(up, 0, 4, 40000, 53, ISN + 1 + q.length, 0, FIN, none, 0, 0, 6)
  // the client ACKs past the hole (closing the flow) and carries early data of its own
  const early = new Uint8Array(5000).fill(1)
  r.segment(up, 0, 4, 40000, 53, ISN + 2 + q.length + 1000, 9012 + a.length, ACK, early, 0, early.length, 7)
  assert.equal(r.flowCount, 0)
  assert.equal(r.bufferedBytes, 0)
})

test('closed flows are remembered at most MAX_TCP_CLOSED_FLOWS and only until TCP_FLOW_IDLE_TIMEOUT_US', () => {
  const r = new TcpReassembler(new Counters(), () => {})
  const m = framed(dnsQuery(1))
  const close = (i: number, ts: number) => {
    const { up, down } = endpoints(i & 0xffff)
    const port = 40000 + (i >>> 16)
    r.segment(up, 0, 4, port, 53, ISN, 0, SYN, m, 0, 0, ts)
    r.segment(up, 0, 4, port, 53, ISN + 1, 0, ACK | FIN, m, 0, m.length, ts)
    r.segment(down, 0, 4, 53, port, 9000, 0, ACK | FIN, m, 0, 0, ts)
  }
  for (let i = 0; i <= MAX_TCP_CLOSED_FLOWS; i++) close(i, 1)
  assert.equal(r.flowCount, 0)
  assert.equal(r.closedFlowCount, MAX_TCP_CLOSED_FLOWS)
  const { up } = endpoints(7)
  r.segment(up, 0, 4, 40000, 53, ISN, 0, SYN, m, 0, 0, 2 + TCP_FLOW_IDLE_TIMEOUT_US)
  assert.equal(r.closedFlowCount, 0)
})

test('data in the SYN (TCP Fast Open) is part of the stream', () => {
  const { dec, seen } = collector()
  feed(dec, 1, toServer(ISN, SYN, framed(dnsQuery(3))))
  assert.equal(dnsId(seen[0]!.msg), 3)
})

test('a zero length prefix is counted as tcp.bad_length_prefix and skipped', () => {
  const { dec, seen } = collector()
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toServer(ISN + 1, ACK, concat(u16(0), framed(dnsQuery(4)))))
  assert.equal(dec.anomalies.get('tcp.bad_length_prefix'), 1)
  assert.equal(dnsId(seen[0]!.msg), 4)
})

test('idle flows are forgotten after TCP_FLOW_IDLE_TIMEOUT_US of capture time', () => {
  const { dec } = collector()
  feed(dec, 1, toServer(ISN, SYN), 0)
  feed(dec, 1, toServer(ISN + 1, ACK, framed(dnsQuery(1)).subarray(0, 4)), 1)
  assert.equal(dec.tcpFlows, 1)
  feed(dec, 1, toServer(ISN, SYN, undefined, 40001), TCP_FLOW_IDLE_TIMEOUT_US + 10)
  assert.equal(dec.tcpFlows, 1)
  assert.equal(dec.anomalies.get('tcp.incomplete_message'), 1)
})

test('more than MAX_TCP_FLOWS flows evict the least recently active one', () => {
  const { dec, seen } = collector()
  const m = framed(dnsQuery(1))
  // flows differ by client address and port
  const flowFrame = (i: number, seq: number, payload: Uint8Array) =>
    ether(
      0x0800,
      ipv4(6, tcp(1024 + (i % 60000), 53, seq, ACK, payload), {
        src: ip4(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`),
      }),
    )
  for (let i = 0; i <= MAX_TCP_FLOWS; i++) feed(dec, 1, flowFrame(i, ISN, m.subarray(0, 4)))
  assert.equal(dec.tcpFlows, MAX_TCP_FLOWS)
  assert.equal(dec.anomalies.get('tcp.flow_evicted'), 1)
  // flow 0 was evicted: its continuation no longer completes; the newest one does
  feed(dec, 1, flowFrame(0, ISN + 4, m.subarray(4)))
  feed(dec, 1, flowFrame(MAX_TCP_FLOWS, ISN + 4, m.subarray(4)))
  assert.equal(seen.length, 1)
})

test('DNS over TCP on IPv6 works the same', () => {
  const { dec, seen } = collector()
  feed(dec, 229, ipv6(6, tcp(40000, 53, ISN, SYN, new Uint8Array(0))))
  feed(dec, 229, ipv6(6, tcp(40000, 53, ISN + 1, ACK, framed(dnsQuery(6)))))
  assert.equal(seen[0]!.info.ipVersion, 6)
  assert.equal(seen[0]!.info.transport, 'tcp')
  assert.equal(dnsId(seen[0]!.msg), 6)
})

test('a segment cut by the snaplen is not passed on; the hole is bridged by the retransmission', () => {
  const { dec, seen } = collector()
  const m = framed(dnsQuery(8))
  feed(dec, 1, toServer(ISN, SYN))
  const full = toServer(ISN + 1, ACK, m)
  feed(dec, 1, full.subarray(0, full.length - 5), 0, full.length)
  assert.equal(dec.skipped.get('truncated.snaplen'), 1)
  feed(dec, 1, full)
  assert.equal(seen.length, 1)
})

test('a hole the peer has acknowledged (lost by the capture) is skipped at once, not waited for', () => {
  const { dec, seen } = collector()
  const m1 = framed(dnsQuery(1))
  const m2 = framed(dnsQuery(2))
  const m3 = framed(dnsQuery(3))
  feed(dec, 1, toServer(ISN, SYN))
  feed(dec, 1, toClient(9000, SYN | ACK))
  feed(dec, 1, toServer(ISN + 1, ACK, m1))
  // m2 never captured; m3 arrives early and waits
  const m3seq = ISN + 1 + m1.length + m2.length
  feed(dec, 1, toServer(m3seq, ACK | PSH, m3))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1],
  )
  // the server acknowledges everything up to the end of m3: m2 reached it, so it is gone for good
  const ackAll = ether(
    0x0800,
    ipv4(
      6,
      concat(u16(53), u16(40000), u32(9001), u32(m3seq + m3.length), bytes(0x50, ACK), u16(65535), u32(0)),
      {
        src: B,
        dst: ip4('192.0.2.1'),
      },
    ),
  )
  feed(dec, 1, ackAll)
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 3],
  )
  assert.equal(dec.anomalies.get('tcp.gap'), 1)
})

/** client 10.0.x.y:40000 ↔ server 192.0.2.53:53, addresses as TcpReassembler.segment takes them */
function endpoints(i: number): { up: Uint8Array; down: Uint8Array } {
  const c = [10, 0, (i >> 8) & 255, i & 255]
  const srv = [192, 0, 2, 53]
  return { up: Uint8Array.from([...c, ...srv]), down: Uint8Array.from([...srv, ...c]) }
}

test('a length prefix announcing 65535 bytes holds only what arrived, and the buffer it holds is what is charged', () => {
  const msgs: number[] = []
  const r = new TcpReassembler(new Counters(), (_b, _o, len) => msgs.push(len))
  const prefix = bytes(0xff, 0xff)
  const flows = 400
  const before = process.memoryUsage().arrayBuffers
  for (let i = 0; i < flows; i++) {
    const { up, down } = endpoints(i)
    r.segment(up, 0, 4, 40000, 53, ISN, 0, SYN, prefix, 0, 0, 1)
    r.segment(up, 0, 4, 40000, 53, ISN + 1, 0, ACK, prefix, 0, 2, 1)
    r.segment(down, 0, 4, 53, 40000, ISN, 0, SYN, prefix, 0, 0, 1)
    r.segment(down, 0, 4, 53, 40000, ISN + 1, 0, ACK, prefix, 0, 2, 1)
  }
  // a buffer sized for the announced message would be 2 * 400 * 64 KiB = 52 MB
  const grew = process.memoryUsage().arrayBuffers - before
  assert.ok(grew < r.bufferedBytes + 4 * 1024 * 1024, `${grew} bytes held, ${r.bufferedBytes} charged`)
  assert.ok(r.bufferedBytes <= flows * 2 * 1024)
  // the message still completes, growing its buffer as the bytes arrive
  const { up } = endpoints(0)
  const body = new Uint8Array(65535).fill(0x61)
  for (let o = 0; o < body.length; o += 1000) {
    r.segment(up, 0, 4, 40000, 53, ISN + 3 + o, 0, ACK, body, o, Math.min(o + 1000, body.length), 2)
    assert.ok(r.bufferedBytes <= flows * 2 * 1024 + 2 * (o + 1002))
  }
  assert.deepEqual(msgs, [65535])
})

test('tiny out-of-order segments are charged their overhead, so a flow cannot hoard them past its budget', () => {
  const anomalies = new Counters()
  const r = new TcpReassembler(anomalies, () => {})
  const { up } = endpoints(0)
  const one = bytes(0x61)
  r.segment(up, 0, 4, 40000, 53, ISN, 0, SYN, one, 0, 0, 1)
  // 5000 one-byte segments after a hole: 5 kB of bytes, well inside the reorder window and the
  // per-flow limit, but each one is an object that costs far more than its byte
  for (let i = 0; i < 5000; i++) r.segment(up, 0, 4, 40000, 53, ISN + 3 + 2 * i, 0, ACK, one, 0, 1, 1)
  assert.ok(5000 < MAX_TCP_BUFFERED_BYTES_PER_FLOW / 10 && 10000 < TCP_REORDER_WINDOW_BYTES)
  assert.equal(anomalies.get('tcp.buffer_limit'), 1)
  assert.ok(r.bufferedBytes <= MAX_TCP_BUFFERED_BYTES_PER_FLOW)
})
