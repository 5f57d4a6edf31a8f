/** Real traffic on lo for the live-capture tests: tiny DNS servers, packet-socket accounting, waits. */
import dgram from 'node:dgram'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import net from 'node:net'
import type { TestContext } from 'node:test'
import dnsPacket from 'dns-packet'
import type { LiveCapture } from '../../node/capture/live/index.ts'

const CAP_NET_RAW = 13

/** Whether this process may open packet sockets (CAP_NET_RAW in its effective set; root has it). */
export function mayCapture(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(CAP_NET_RAW))) !== 0n
}

/**
 * True when live capture is permitted here. Under CI (CI=true) its absence fails the test; elsewhere
 * the test is skipped with a plain message.
 */
export function requireCapture(t: TestContext, what: string): boolean {
  if (mayCapture()) return true
  const msg = `no CAP_NET_RAW (run as root, or setcap the node binary): ${what} not run`
  if (process.env.CI === 'true') throw new Error(msg)
  t.skip(msg)
  return false
}

export { capturedLog } from '../helpers/captured-log.ts'

/**
 * Waits until `cond()` holds, polling. The bound only turns a hang into a failure; it is far above
 * what the waits take (packets wait at most LIVE_READ_TIMEOUT_MS in the kernel ring).
 */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Packet sockets (AF_PACKET, what libpcap opens on Linux) this process holds. */
export function packetSockets(): number {
  const inodes = new Set<string>()
  for (const line of readFileSync('/proc/net/packet', 'utf8').trim().split('\n').slice(1)) {
    inodes.add(line.trim().split(/\s+/).at(-1)!)
  }
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue
    }
    const m = /^socket:\[(\d+)\]$/.exec(target)
    if (m !== null && inodes.has(m[1]!)) n++
  }
  return n
}

/** The A records a test server answers for `name`: derived from the name so the test can check rdata. */
export function addressesFor(name: string): string[] {
  let h = 0
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) & 0xffff
  return [`192.0.2.${h & 0xff}`, `198.51.100.${h >> 8}`]
}

function answer(query: Buffer): Buffer {
  const q = dnsPacket.decode(query)
  const name = q.questions![0]!.name
  return dnsPacket.encode({
    type: 'response',
    id: q.id ?? 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: q.questions!,
    answers: addressesFor(name).map((data) => ({ type: 'A' as const, name, ttl: 300, data })),
  })
}

const query = (id: number, name: string): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
  })

/** A UDP DNS server on 127.0.0.1 (kernel-chosen port) answering every A query from addressesFor. */
export async function udpDnsServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = dgram.createSocket('udp4')
  s.on('message', (msg, rinfo) => {
    // stopAndRelease's wake datagrams are not DNS: no answer
    if (msg.length >= 12) s.send(answer(msg), rinfo.port, rinfo.address)
  })
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  return { port: s.address().port, close: () => new Promise((r) => s.close(() => r())) }
}

/** The same over TCP (RFC 1035 §4.2.2 framing). */
export async function tcpDnsServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((c) => {
    let acc = Buffer.alloc(0)
    c.on('data', (d) => {
      acc = Buffer.concat([acc, d])
      while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
        const len = acc.readUInt16BE(0)
        const a = answer(acc.subarray(2, 2 + len))
        acc = acc.subarray(2 + len)
        const head = Buffer.alloc(2)
        head.writeUInt16BE(a.length)
        c.write(Buffer.concat([head, a]))
      }
    })
    c.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  }
}

/** Asks `name` over UDP and resolves when the answer arrived. */
export async function askUdp(port: number, id: number, name: string): Promise<void> {
  const s = dgram.createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('message', () => resolve())
      s.once('error', reject)
      s.send(query(id, name), port, '127.0.0.1')
    })
  } finally {
    s.close()
  }
}

/** Asks `name` over TCP and resolves when the answer arrived and the connection closed. */
export function askTcp(port: number, id: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const q = query(id, name)
    const head = Buffer.alloc(2)
    head.writeUInt16BE(q.length)
    const c = net.connect(port, '127.0.0.1', () => c.write(Buffer.concat([head, q])))
    let acc = Buffer.alloc(0)
    c.on('data', (d) => {
      acc = Buffer.concat([acc, d])
      if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) c.end()
    })
    c.on('close', () => resolve())
    c.on('error', reject)
  })
}

/** Sends `count` datagrams to 127.0.0.1:port. */
export async function sendUdp(port: number, count: number, payload = 'not dns'): Promise<void> {
  const s = dgram.createSocket('udp4')
  try {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((r, j) => s.send(payload, port, '127.0.0.1', (e) => (e ? j(e) : r())))
    }
  } finally {
    s.close()
  }
}

/**
 * Stops `cap` and waits until libpcap has released every handle: the addon releases one at the
 * next packet that passes its filter (node/capture/live/session.ts), so send datagrams to `port`
 * (in the capture's ports set) until it has. Without this the open libuv poll keeps the test
 * process alive.
 */
export async function stopAndRelease(cap: LiveCapture, port: number): Promise<void> {
  cap.stop()
  const end = Date.now() + 30_000
  while (cap.stats().some((s) => s.state !== 'released')) {
    if (Date.now() > end) throw new Error('libpcap did not release the capture handles')
    await sendUdp(port, 1, 'wake')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Ports of an Ethernet/IPv4 or IPv6 TCP/UDP frame (as lo delivers them), or null for anything else. */
export function framePorts(buf: Uint8Array, off: number, len: number): [number, number] | null {
  const type = (buf[off + 12]! << 8) | buf[off + 13]!
  let p = off + 14
  let proto: number
  if (type === 0x0800) {
    proto = buf[p + 9]!
    if ((((buf[p + 6]! << 8) | buf[p + 7]!) & 0x1fff) !== 0) return null
    p += (buf[p]! & 0x0f) * 4
  } else if (type === 0x86dd) {
    proto = buf[p + 6]!
    p += 40
  } else return null
  if ((proto !== 6 && proto !== 17) || p + 4 > off + len) return null
  return [(buf[p]! << 8) | buf[p + 1]!, (buf[p + 2]! << 8) | buf[p + 3]!]
}
