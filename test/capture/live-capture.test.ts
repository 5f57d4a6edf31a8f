/**
 * Live capture with the real libpcap on lo (and the `any` device), real DNS traffic from tiny
 * servers on kernel-chosen ports, through a real Sensor: what the capture delivers is what the
 * sensor observes, the BPF filter keeps other ports out, stop() ends delivery, and libpcap's
 * kernel counters reach the stats. Needs root or CAP_NET_RAW (the permission test drops them).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { LiveCapture } from '../../node/capture/live/index.ts'
import type { Observation } from '../../node/dns/observation.ts'
import { Sensor } from '../../node/sensor/index.ts'
import {
  addressesFor,
  askTcp,
  askUdp,
  capturedLog,
  framePorts,
  packetSockets,
  requireCapture,
  sendUdp,
  stopAndRelease,
  tcpDnsServer,
  udpDnsServer,
  waitFor,
} from './live-helpers.ts'

interface Rig {
  udpPort: number
  tcpPort: number
  noisePort: number
  noiseReceived: () => number
  close: () => Promise<void>
}

async function rig(): Promise<Rig> {
  const udp = await udpDnsServer()
  const tcp = await tcpDnsServer()
  // a listener on a port outside the capture set, so the noise really crosses lo
  const dgram = await import('node:dgram')
  const noise = dgram.createSocket('udp4')
  let received = 0
  noise.on('message', () => received++)
  await new Promise<void>((r) => noise.bind(0, '127.0.0.1', r))
  return {
    udpPort: udp.port,
    tcpPort: tcp.port,
    noisePort: noise.address().port,
    noiseReceived: () => received,
    close: async () => {
      await udp.close()
      await tcp.close()
      await new Promise<void>((r) => noise.close(() => r()))
    },
  }
}

/** A LiveCapture feeding a real Sensor, recording each frame's ports and length on the way. */
function capturing(r: Rig, device: string) {
  const ports = new Set([r.udpPort, r.tcpPort])
  const observations: Observation[] = []
  const sensor = new Sensor({ ports, clientAddresses: false }, (o) => observations.push(o))
  const frames: { linkType: number; ports: [number, number] | null; capLen: number }[] = []
  const { log, lines } = capturedLog()
  const cap = new LiveCapture(
    {
      onFrame: (linkType, buf, off, capLen, origLen, tsUs) => {
        // lo is Ethernet; `any` is Linux cooked capture (SLL, 16-byte header): map it onto the
        // Ethernet offsets framePorts reads
        const ethOff = linkType === 113 ? off + 2 : off
        frames.push({ linkType, ports: framePorts(buf, ethOff, capLen - (ethOff - off)), capLen })
        sensor.onFrame(linkType, buf, off, capLen, origLen, tsUs)
      },
      log,
    },
    { interfaces: [device], ports },
  )
  return { cap, sensor, observations, frames, lines }
}

const names = (obs: Observation[], transport: 'udp' | 'tcp') =>
  new Set(obs.filter((o) => o.transport === transport).map((o) => o.rrname))

describe('live capture on lo', () => {
  let r: Rig
  before(async () => {
    r = await rig()
  })
  after(async () => {
    await r.close()
  })

  test('DNS over UDP and TCP reaches the sensor with the right names and rdata; other ports are filtered out', async (t) => {
    if (!requireCapture(t, 'live capture on lo')) return
    const baseSockets = packetSockets()
    const c = capturing(r, 'lo')
    const t0 = Date.now()
    await c.cap.start()
    assert.deepEqual(c.cap.interfaces, ['lo'])
    assert.equal(packetSockets(), baseSockets + 1)
    try {
      const udpNames = ['one.udp.live.example', 'two.udp.live.example', 'three.udp.live.example']
      for (const [i, n] of udpNames.entries()) await askUdp(r.udpPort, 100 + i, n)
      await askTcp(r.tcpPort, 200, 'one.tcp.live.example')
      const noiseBefore = r.noiseReceived()
      await sendUdp(r.noisePort, 25)
      await waitFor(() => r.noiseReceived() === noiseBefore + 25, 'the noise datagrams')
      // a last exchange after the noise: once it is observed, any noise frame would have been too
      await askUdp(r.udpPort, 300, 'marker.udp.live.example')
      await waitFor(
        () => names(c.observations, 'udp').has('marker.udp.live.example'),
        'the marker observation',
      )
      await waitFor(() => names(c.observations, 'tcp').has('one.tcp.live.example'), 'the TCP observation')
      const t1 = Date.now()

      for (const n of [...udpNames, 'marker.udp.live.example', 'one.tcp.live.example']) {
        const got = c.observations
          .filter((o) => o.rrname === n)
          .map((o) => `${o.kind} ${o.rrtype} ${o.rdata} ${o.section} ${o.rcode} ${o.ttl}`)
          .sort()
        const want = addressesFor(n)
          .map((a) => `rr A ${a} answer NOERROR 300`)
          .sort()
        assert.deepEqual(got, want, n)
      }
      assert.ok(c.observations.every((o) => o.transport === (o.rrname.includes('.tcp.') ? 'tcp' : 'udp')))
      // capture timestamps (pcap header, µs) are the kernel's receive times
      for (const o of c.observations)
        assert.ok(o.time >= t0 * 1000 - 1e6 && o.time <= t1 * 1000 + 1e6, `${o.time}`)

      const ours = new Set([r.udpPort, r.tcpPort])
      assert.ok(c.frames.length >= 10, `${c.frames.length} frames`)
      for (const f of c.frames) {
        assert.equal(f.linkType, 1, 'lo is Ethernet (DLT 1)')
        assert.ok(!f.ports?.includes(r.noisePort), 'a frame on the noise port passed the filter')
        // anything else that passes is an IP fragment (framePorts gives null), from whoever sent it
        if (f.ports !== null) assert.ok(ours.has(f.ports[0]) || ours.has(f.ports[1]), `${f.ports}`)
      }

      const [s] = c.cap.stats()
      assert.ok(s !== undefined)
      assert.equal(s.interface, 'lo')
      assert.equal(s.state, 'capturing')
      assert.equal(s.frames, c.frames.length)
      assert.equal(
        s.bytes,
        c.frames.reduce((n, f) => n + f.capLen, 0),
      )
      assert.equal(s.sinkErrors, 0)
      assert.equal(c.sensor.stats().frames, c.frames.length)
      assert.ok(s.kernel !== null, 'kernel counters')
      for (const v of Object.values(s.kernel)) assert.ok(Number.isInteger(v) && v >= 0)
      // Linux counts lo packets in both directions; libpcap then drops the outgoing copies
      assert.ok(s.kernel.received >= s.frames, `${s.kernel.received} received, ${s.frames} delivered`)
    } finally {
      await stopAndRelease(c.cap, r.udpPort)
    }
    assert.equal(packetSockets(), baseSockets, 'the libpcap socket is closed')
    assert.deepEqual(
      c.lines().filter((l) => l.level === 'error'),
      [],
    )
  })

  test('drain() before stop() delivers what the kernel had captured: no answer asked just before a stop is lost', async (t) => {
    if (!requireCapture(t, 'live capture on lo')) return
    const c = capturing(r, 'lo')
    await c.cap.start()
    // answers asked back to back, in far less than the ring's block timeout: without a drain they
    // would mostly still wait in the ring's current block when the capture stops
    const asked = Array.from({ length: 20 }, (_, i) => `n${i}.drain.live.example`)
    for (const [i, n] of asked.entries()) await askUdp(r.udpPort, 500 + i, n)
    await c.cap.drain()
    c.cap.stop()
    const got = names(c.observations, 'udp')
    assert.deepEqual(
      asked.filter((n) => !got.has(n)),
      [],
      'every answer asked before the drain was delivered',
    )
    await stopAndRelease(c.cap, r.udpPort)
  })

  test('after stop() nothing more is delivered; stop() is idempotent', async (t) => {
    if (!requireCapture(t, 'live capture on lo')) return
    const c = capturing(r, 'lo')
    await c.cap.start()
    await askUdp(r.udpPort, 1, 'before.stop.example')
    await waitFor(() => names(c.observations, 'udp').has('before.stop.example'), 'the first observation')
    c.cap.stop()
    const [frozen] = c.cap.stats()
    assert.equal(frozen?.state === 'stopped' || frozen?.state === 'released', true)
    const frames = c.frames.length
    await askUdp(r.udpPort, 2, 'after.stop.example')
    await askTcp(r.tcpPort, 3, 'after.stop.example')
    // libpcap reads the ring once more to release the handle: had delivery not stopped, these
    // frames would arrive in that very read
    await waitFor(() => c.cap.stats()[0]?.state === 'released', 'the handle release')
    c.cap.stop()
    assert.equal(c.frames.length, frames)
    assert.ok(!names(c.observations, 'udp').has('after.stop.example'))
    const [s] = c.cap.stats()
    assert.equal(s?.frames, frames)
    assert.deepEqual(s?.kernel, frozen?.kernel, 'counters are frozen at stop')
  })

  test('a sink that throws costs its frame, not the process; a sink may call stop()', async (t) => {
    if (!requireCapture(t, 'live capture on lo')) return
    const { log, lines } = capturedLog()
    let calls = 0
    const cap: LiveCapture = new LiveCapture(
      {
        onFrame: () => {
          calls++
          if (calls === 1) throw new Error('sensor bug')
          cap.stop()
        },
        log,
      },
      { interfaces: ['lo'], ports: new Set([r.udpPort]) },
    )
    await cap.start()
    for (let i = 0; i < 4; i++) await askUdp(r.udpPort, i, `sink${i}.example`)
    await waitFor(() => calls >= 2, 'two frames')
    // the dispatch that ran the sink sees libpcap's break flag after its block and releases the handle
    await waitFor(() => cap.stats()[0]?.state === 'released', 'the release after a stop() from the sink')
    const [s] = cap.stats()
    assert.equal(s?.sinkErrors, 1)
    assert.equal(calls, 2, 'nothing after the stop() made inside the sink')
    assert.equal(s?.frames, 2)
    const errors = lines().filter((l) => l.level === 'error')
    assert.equal(errors.length, 1)
    assert.match(String(errors[0]?.msg), /frame dropped/)
  })

  test('the any device (Linux cooked capture, DLT 113) feeds the same path', async (t) => {
    if (!requireCapture(t, 'live capture on lo')) return
    const c = capturing(r, 'any')
    await c.cap.start()
    try {
      assert.equal(c.cap.stats()[0]?.linkType, 113)
      await askUdp(r.udpPort, 7, 'via.any.example')
      await waitFor(() => names(c.observations, 'udp').has('via.any.example'), 'the observation via any')
      assert.ok(c.frames.every((f) => f.linkType === 113))
      const got = c.observations.filter((o) => o.rrname === 'via.any.example').map((o) => o.rdata)
      assert.deepEqual(got.sort(), addressesFor('via.any.example').sort())
    } finally {
      await stopAndRelease(c.cap, r.udpPort)
    }
  })
})
