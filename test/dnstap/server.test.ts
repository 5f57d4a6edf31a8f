import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type TestContext, test } from 'node:test'
import type { Observation } from '../../node/dns/observation.ts'
import {
  DnstapIngest,
  DnstapServer,
  type DnstapServerOptions,
  FRAME_BUFFER_STEP,
  MAX_DATA_FRAME_BYTES,
  parseDnstapEndpoint,
  readDnstapFile,
} from '../../node/dnstap/index.ts'
import { isPdnsError } from '../../node/errors.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { requireCorpus } from '../helpers/shared.ts'
import {
  ACCEPT,
  controlFrame,
  corpusDnstapFiles,
  DNSTAP_CT,
  DNSTAP_DIR,
  dataFrame,
  FINISH,
  fstrmDump,
  fstrmStream,
  READY,
  requireTool,
  responseFrame,
  runTool,
  START,
  STOP,
  until,
} from './helpers.ts'

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-srv-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function startServer(
  t: TestContext,
  listen: DnstapServerOptions['listen'],
  extra: Partial<DnstapServerOptions> = {},
) {
  const seen: [string | null, Observation][] = []
  const server = new DnstapServer(
    { sinkFor: (id) => (o) => seen.push([id, o]) },
    { listen, messageTypes: ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE', 'TOOL_RESPONSE'], ...extra },
  )
  await server.start()
  t.after(() => server.stop())
  return { server, seen }
}

function tcpPort(server: DnstapServer): string {
  const tcp = server.addresses().find((a) => a.startsWith('tcp:'))!
  return tcp.slice(tcp.lastIndexOf(':') + 1)
}

function replay(file: string, target: { unix: string } | { port: string }, contentType = DNSTAP_CT) {
  const to = 'unix' in target ? ['-u', target.unix] : ['-a', '127.0.0.1', '-p', target.port]
  return runTool('fstrm_replay', ['-t', contentType, ...to, '-r', file])
}

/** What the file gives through a fresh ingest (the reference for what the server must deliver). */
async function expectedFrom(file: string) {
  const seen: string[] = []
  const ingest = new DnstapIngest(
    { sinkFor: (id) => (o) => seen.push(`${id}|${o.rrname}|${o.rdata}|${o.time}`) },
    { messageTypes: ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE', 'TOOL_RESPONSE'] },
  )
  await readDnstapFile(file, ingest.frame)
  return { seen, types: ingest.stats().types }
}

const key = ([id, o]: [string | null, Observation]) => `${id}|${o.rrname}|${o.rdata}|${o.time}`

/** A Frame Streams writer made of a raw socket, for what fstrm_replay will not do. */
class RawWriter {
  readonly socket: Socket
  received = Buffer.alloc(0)
  readonly closed: Promise<void>

  constructor(target: { unix: string } | { port: string }) {
    this.socket =
      'unix' in target
        ? connect({ path: target.unix })
        : connect({ host: '127.0.0.1', port: Number(target.port) })
    this.socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d])
    })
    this.socket.on('error', () => {}) // a cut shows as ECONNRESET/EPIPE here; `closed` reports it
    this.closed = new Promise((r) => this.socket.once('close', () => r()))
  }

  async ready(): Promise<void> {
    await once(this.socket, 'connect')
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  /** READY, await ACCEPT, START: the bidirectional handshake */
  async handshake(offer: string[] = [DNSTAP_CT]): Promise<void> {
    this.write(controlFrame(READY, offer))
    const accept = controlFrame(ACCEPT, [DNSTAP_CT])
    await until(() => this.received.length >= accept.length || this.socket.destroyed, 'ACCEPT')
    assert.deepEqual(this.received.subarray(0, accept.length), accept)
    this.write(controlFrame(START, [DNSTAP_CT]))
  }
}

test('fstrm_replay sends every corpus dnstap file over a unix socket and over TCP; the server gets what the file holds', async (t) => {
  if (!requireCorpus(t, 'dnstap replay') || !requireTool(t, 'fstrm_replay') || !requireTool(t, 'fstrm_dump'))
    return
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`, 'tcp:127.0.0.1:0'])
  const port = tcpPort(server)
  let files = 0
  for (const rel of corpusDnstapFiles()) {
    const file = resolve(DNSTAP_DIR, rel)
    if ((await fstrmDump(file)).contentTypes[0] !== DNSTAP_CT) continue
    const expected = await expectedFrom(file)
    for (const target of [{ unix: sock }, { port }]) {
      const before = seen.length
      const r = await replay(file, target)
      assert.equal(r.code, 0, `${rel} via ${JSON.stringify(target)}: ${r.stderr}`)
      // fstrm_replay exits after our FINISH, which follows the last frame: everything is in
      assert.deepEqual(seen.slice(before).map(key), expected.seen, rel)
      files++
    }
  }
  assert.ok(files >= 6)
  await until(() => server.stats().connections.current === 0, 'connections closed')
  const st = server.stats()
  assert.equal(st.connections.total, files)
  assert.equal(st.connections.finished, files)
  assert.deepEqual(st.cut, {})
  assert.ok(st.frames > 0 && st.bytes > 0)
  assert.equal(st.messages.CLIENT_RESPONSE, st.ingest.types.CLIENT_RESPONSE)
  assert.deepEqual(st.ingest.identities.map((i) => i.identity).sort(), ['dnsdist', null].sort())
})

test('several writers at once, unix and TCP, each get all their messages through under their own identity', async (t) => {
  if (!requireTool(t, 'fstrm_replay')) return
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`, 'tcp:127.0.0.1:0'])
  const port = tcpPort(server)
  const N = 3000
  const writers = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot']
  const runs = await Promise.all(
    writers.map(async (name, w) => {
      const file = join(dir, `${name}.dnstap`)
      await writeFile(file, fstrmStream(Array.from({ length: N }, (_, i) => responseFrame(name, i))))
      return replay(file, w % 2 === 0 ? { unix: sock } : { port })
    }),
  )
  for (const r of runs) assert.equal(r.code, 0, r.stderr)
  const per = new Map<string | null, number>()
  for (const [id] of seen) per.set(id, (per.get(id) ?? 0) + 1)
  assert.deepEqual(Object.fromEntries(per), Object.fromEntries(writers.map((w) => [w, N])))
  await until(() => server.stats().connections.current === 0, 'connections closed')
  const st = server.stats()
  assert.equal(st.frames, N * writers.length)
  assert.equal(st.connections.finished, writers.length)
  for (const id of st.ingest.identities) assert.equal(id.observations, N)
})

test('a garbage writer and an oversized-frame writer are cut while a good one completes', async (t) => {
  if (!requireTool(t, 'fstrm_replay')) return
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`, 'tcp:127.0.0.1:0'])
  const port = tcpPort(server)

  // the bad writers connect first and stay connected while the good one runs
  const oversized = new RawWriter({ unix: sock })
  await oversized.ready()
  await oversized.handshake()
  oversized.write(dataFrame(responseFrame('oversized', 1)))
  oversized.write(dataFrame(responseFrame('oversized', 2)))
  const garbage = new RawWriter({ port })
  await garbage.ready()
  await until(() => server.stats().connections.current === 2, 'bad writers connected')

  const good = join(dir, 'good.dnstap')
  const N = 20_000
  await writeFile(good, fstrmStream(Array.from({ length: N }, (_, i) => responseFrame('good', i))))
  const goodRun = replay(good, { unix: sock })

  const rand = prng(0xbad)
  garbage.write(Buffer.from(Array.from({ length: 4096 }, () => randInt(rand, 256))))
  const huge = Buffer.alloc(4)
  huge.writeUInt32BE(MAX_DATA_FRAME_BYTES + 1)
  oversized.write(huge)
  await Promise.all([oversized.closed, garbage.closed])

  const r = await goodRun
  assert.equal(r.code, 0, r.stderr)
  assert.equal(seen.filter(([id]) => id === 'good').length, N)
  assert.equal(seen.filter(([id]) => id === 'oversized').length, 2, 'frames before the cut are kept')
  await until(() => server.stats().connections.current === 0, 'connections closed')
  const st = server.stats()
  assert.equal(st.cut.frame_too_large! + (st.cut.protocol ?? 0), 2, JSON.stringify(st.cut))
  assert.ok(st.cut.frame_too_large! >= 1)
  assert.equal(st.connections.finished, 1)
})

test('a writer offering another content type is refused, by fstrm_replay and by a raw START', async (t) => {
  if (!requireCorpus(t, 'content type refusal') || !requireTool(t, 'fstrm_replay')) return
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`])
  const r = await replay(resolve(DNSTAP_DIR, 'fstrm/test.fstrm'), { unix: sock }, 'test:hello')
  assert.notEqual(r.code, 0, 'fstrm_replay fails: no ACCEPT came')
  const raw = new RawWriter({ unix: sock })
  await raw.ready()
  raw.write(Buffer.concat([controlFrame(START, ['test:hello']), dataFrame(Buffer.from('Hello, world'))]))
  await raw.closed
  // a unidirectional writer must name its content type
  const bare = new RawWriter({ unix: sock })
  await bare.ready()
  bare.write(controlFrame(START))
  await bare.closed
  await until(() => server.stats().connections.current === 0, 'connections closed')
  const st = server.stats()
  assert.deepEqual(st.cut, { content_type: 3 })
  assert.equal(st.frames, 0)
  assert.equal(seen.length, 0)
})

test('a unidirectional writer (START without READY, as a file) is read; STOP ends it without FINISH', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`])
  const raw = new RawWriter({ unix: sock })
  await raw.ready()
  const frames = Array.from({ length: 50 }, (_, i) => responseFrame('uni', i))
  raw.write(fstrmStream(frames))
  await raw.closed
  assert.equal(raw.received.length, 0, 'nothing is written to a unidirectional writer')
  assert.equal(seen.length, 50)
  await until(() => server.stats().connections.current === 0, 'closed')
  assert.equal(server.stats().connections.finished, 1)

  // bidirectional: FINISH answers STOP
  const bi = new RawWriter({ unix: sock })
  await bi.ready()
  await bi.handshake()
  bi.write(dataFrame(frames[0]!))
  bi.write(controlFrame(STOP))
  await bi.closed
  assert.deepEqual(bi.received.subarray(-12), controlFrame(FINISH))
  assert.equal(seen.length, 51)
})

test('stop() during connections closes them, keeps every frame received, removes the socket file', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`, 'tcp:127.0.0.1:0'])
  assert.equal((await stat(sock)).mode & 0o777, 0o660)
  const a = new RawWriter({ unix: sock })
  const b = new RawWriter({ port: tcpPort(server) })
  await Promise.all([a.ready(), b.ready()])
  await a.handshake()
  b.write(controlFrame(START, [DNSTAP_CT]))
  for (let i = 0; i < 500; i++) {
    a.write(dataFrame(responseFrame('a', i)))
    b.write(dataFrame(responseFrame('b', i)))
  }
  await until(() => server.stats().frames === 1000, 'frames received')
  // a frame half received when the server stops is not a frame received: dropped, nothing else
  const bytesBefore = server.stats().bytes
  a.write(dataFrame(responseFrame('a', 999)).subarray(0, 20))
  await until(() => server.stats().bytes === bytesBefore + 20, 'half a frame received')
  await server.stop()
  await Promise.all([a.closed, b.closed])
  assert.equal(seen.length, 1000)
  await assert.rejects(stat(sock), { code: 'ENOENT' })
  const st = server.stats()
  assert.equal(st.connections.current, 0)
  assert.deepEqual(st.cut, {})
  // listeners are closed: nobody accepts any more
  const late = connect({ path: sock })
  const [err] = (await once(late, 'error')) as [NodeJS.ErrnoException]
  assert.equal(err.code, 'ENOENT')
})

test('a stale socket file is replaced; a live socket, or a path that is not a socket, is refused', async (t) => {
  const dir = await tempDir(t)
  // stale: a process listened there and was killed without cleaning up
  const stale = join(dir, 'stale.sock')
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(stale)}, () => process.stdout.write('up'))`,
  ])
  t.after(() => child.kill('SIGKILL'))
  await once(child.stdout, 'data')
  child.kill('SIGKILL')
  await once(child, 'exit')
  assert.ok((await stat(stale)).isSocket(), 'the killed process left its socket file')
  const { server } = await startServer(t, [`unix:${stale}`])
  const w = new RawWriter({ unix: stale })
  await w.ready()
  await w.handshake()
  await server.stop()

  // live: another listener holds the path; it keeps it
  const livePath = join(dir, 'live.sock')
  const live = createServer((s) => s.end())
  await new Promise<void>((r) => live.listen(livePath, r))
  t.after(() => new Promise<void>((r) => live.close(() => r())))
  const s2 = new DnstapServer(
    { sinkFor: () => () => {} },
    { listen: ['tcp:127.0.0.1:0', `unix:${livePath}`] },
  )
  await assert.rejects(s2.start(), (err) => {
    assert.ok(isPdnsError(err))
    assert.equal(err.code, 'ERR_DNSTAP_LISTEN')
    assert.match(err.message, /another process is listening/)
    return true
  })
  assert.ok((await stat(livePath)).isSocket())
  const probe = connect({ path: livePath })
  await once(probe, 'connect')
  probe.destroy()

  // not a socket: never deleted
  const regular = join(dir, 'regular.sock')
  await writeFile(regular, 'keep me')
  const s3 = new DnstapServer({ sinkFor: () => () => {} }, { listen: [`unix:${regular}`] })
  await assert.rejects(s3.start(), { code: 'ERR_DNSTAP_LISTEN', message: /is not a socket/ })
  assert.equal(await readFile(regular, 'utf8'), 'keep me')
})

test('a TCP port in use is ERR_DNSTAP_LISTEN, and the endpoints opened before it are closed again', async (t) => {
  const dir = await tempDir(t)
  const { server } = await startServer(t, ['tcp:127.0.0.1:0'])
  const sock = join(dir, 'first.sock')
  const s2 = new DnstapServer(
    { sinkFor: () => () => {} },
    { listen: [`unix:${sock}`, `tcp:127.0.0.1:${tcpPort(server)}`] },
  )
  await assert.rejects(s2.start(), { code: 'ERR_DNSTAP_LISTEN', message: /EADDRINUSE/ })
  await assert.rejects(stat(sock), { code: 'ENOENT' })
  const ac = new AbortController()
  ac.abort()
  const s3 = new DnstapServer({ sinkFor: () => () => {} }, { listen: [`unix:${sock}`] })
  await assert.rejects(s3.start({ signal: ac.signal }), { code: 'ERR_ABORTED' })
})

test('a writer that stalls the handshake is cut at the deadline; one over the connection limit at once', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server } = await startServer(t, [`unix:${sock}`], { handshakeTimeoutMs: 200, maxConnections: 2 })
  const quiet = new RawWriter({ unix: sock })
  await quiet.ready()
  const started = new RawWriter({ unix: sock })
  await started.ready()
  await started.handshake()
  await until(() => server.stats().connections.current === 2, 'two connected')
  const third = new RawWriter({ unix: sock })
  await third.closed
  await quiet.closed
  // the server counts a cut when its side of the socket has closed
  await until(() => server.stats().connections.current === 1, 'the quiet writer closed')
  assert.equal(started.socket.destroyed, false, 'a started stream has no deadline')
  const st = server.stats()
  assert.equal(st.cut.too_many_connections, 1)
  assert.equal(st.cut.handshake_timeout, 1)
  assert.equal(st.connections.current, 1)
})

test('protocol faults from a writer cut only that writer', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server } = await startServer(t, [`unix:${sock}`])
  const cases: [string, Buffer[]][] = [
    ['data before START', [dataFrame(Buffer.from('x'))]],
    ['STOP before START', [controlFrame(STOP)]],
    ['READY twice', [controlFrame(READY, [DNSTAP_CT]), controlFrame(READY, [DNSTAP_CT])]],
    ['FINISH from a writer', [controlFrame(START, [DNSTAP_CT]), controlFrame(FINISH)]],
    ['unknown control type', [controlFrame(77)]],
  ]
  for (const [, bytes] of cases) {
    const w = new RawWriter({ unix: sock })
    await w.ready()
    for (const b of bytes) w.write(b)
    await w.closed
  }
  await until(() => server.stats().connections.current === 0, 'closed')
  assert.deepEqual(server.stats().cut, { protocol: cases.length })
})

test('listen addresses parse from unix:PATH and tcp:HOST:PORT; anything else is ERR_BAD_ARGUMENT', () => {
  assert.deepEqual(parseDnstapEndpoint('unix:/run/pdns/dnstap.sock'), {
    transport: 'unix',
    path: '/run/pdns/dnstap.sock',
  })
  assert.deepEqual(parseDnstapEndpoint('tcp:127.0.0.1:6000'), {
    transport: 'tcp',
    host: '127.0.0.1',
    port: 6000,
  })
  assert.deepEqual(parseDnstapEndpoint('tcp:[::1]:0'), { transport: 'tcp', host: '::1', port: 0 })
  assert.deepEqual(parseDnstapEndpoint('tcp:collector.example:6000'), {
    transport: 'tcp',
    host: 'collector.example',
    port: 6000,
  })
  for (const bad of [
    'unix:',
    `unix:/${'x'.repeat(120)}`,
    'tcp:127.0.0.1',
    'tcp::6000',
    'tcp:::1:6000',
    'tcp:[nope]:6000',
    'tcp:127.0.0.1:65536',
    'tcp:127.0.0.1:http',
    'udp:127.0.0.1:6000',
    '/run/dnstap.sock',
  ]) {
    assert.throws(
      () => parseDnstapEndpoint(bad),
      (err) => isPdnsError(err) && err.code === 'ERR_BAD_ARGUMENT' && err.message.includes(bad),
      bad,
    )
  }
  assert.throws(() => new DnstapServer({ sinkFor: () => () => {} }, { listen: [] }), {
    code: 'ERR_BAD_ARGUMENT',
  })
})

test('each endpoint has its own connection budget: writers holding every TCP slot do not lock a resolver out of the unix socket', async (t) => {
  if (!requireTool(t, 'fstrm_replay')) return
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const { server, seen } = await startServer(t, [`unix:${sock}`, 'tcp:127.0.0.1:0'], { maxConnections: 2 })
  const port = tcpPort(server)
  // two peers take the TCP port's slots with a valid handshake, then send nothing
  const squatters = [new RawWriter({ port }), new RawWriter({ port })]
  await Promise.all(squatters.map((w) => w.ready()))
  for (const w of squatters) await w.handshake()
  await until(() => server.stats().connections.current === 2, 'squatters connected')
  const third = new RawWriter({ port })
  await third.closed
  assert.equal(server.stats().cut.too_many_connections, 1, 'the TCP port is full')
  // the local resolver still gets in through its own endpoint
  const file = join(dir, 'local.dnstap')
  await writeFile(file, fstrmStream(Array.from({ length: 100 }, (_, i) => responseFrame('local', i))))
  const r = await replay(file, { unix: sock })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(seen.filter(([id]) => id === 'local').length, 100)
  await until(() => server.stats().connections.current === 2, 'the local writer closed')
  const st = server.stats()
  assert.equal(st.cut.too_many_connections, 1)
  assert.deepEqual(st.connections.byEndpoint, { [`unix:${sock}`]: 0, [`tcp:127.0.0.1:${port}`]: 2 })
  for (const w of squatters) assert.equal(w.socket.destroyed, false)
})

test('a started writer silent past the idle timeout is cut and counted; one that keeps sending stays', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const idleTimeoutMs = 1000
  const { server, seen } = await startServer(t, [`unix:${sock}`], { idleTimeoutMs })
  const quiet = new RawWriter({ unix: sock })
  const busy = new RawWriter({ unix: sock })
  await Promise.all([quiet.ready(), busy.ready()])
  await quiet.handshake()
  await busy.handshake()
  quiet.write(dataFrame(responseFrame('quiet', 0)))
  // the busy writer sends every 50 ms, far inside the timeout, until the quiet one is cut
  let i = 0
  const ticker = setInterval(() => busy.write(dataFrame(responseFrame('busy', i++))), 50)
  t.after(() => clearInterval(ticker))
  await until(() => server.stats().cut.idle_timeout === 1, 'the quiet writer cut')
  await quiet.closed
  assert.equal(busy.socket.destroyed, false, 'a writer that sends is never idle')
  assert.ok(i * 50 >= idleTimeoutMs * 0.9, `the busy writer sent over the whole period (${i} frames)`)
  clearInterval(ticker)
  // frames before the cut were taken; the busy one, now silent, is cut in turn
  assert.equal(seen.filter(([id]) => id === 'quiet').length, 1)
  await until(() => server.stats().cut.idle_timeout === 2, 'the busy writer, once silent, cut')
  await busy.closed
  assert.equal(seen.filter(([id]) => id === 'busy').length, i)
  assert.deepEqual(server.stats().cut, { idle_timeout: 2 })
})

test('a data frame before START is refused at its header, at once, before the handshake deadline', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const maxFrameBytes = 16 * 1024 * 1024
  const { server } = await startServer(t, [`unix:${sock}`], { handshakeTimeoutMs: 600_000, maxFrameBytes })
  const header = Buffer.alloc(4)
  header.writeUInt32BE(maxFrameBytes)
  // no handshake at all, then after READY/ACCEPT but before START: a header alone, no body
  const bare = new RawWriter({ unix: sock })
  await bare.ready()
  bare.write(header)
  const accepted = new RawWriter({ unix: sock })
  await accepted.ready()
  accepted.write(controlFrame(READY, [DNSTAP_CT]))
  await until(() => accepted.received.length > 0, 'ACCEPT')
  accepted.write(header)
  await until(() => server.stats().cut.protocol === 2, 'both cut for protocol')
  await Promise.all([bare.closed, accepted.closed])
  assert.deepEqual(server.stats().cut, { protocol: 2 })
  assert.equal(server.stats().pendingBytes, 0)
})

test('partial frames cost the bytes received, not the length announced; the shared budget cuts the connection that would pass it', async (t) => {
  const dir = await tempDir(t)
  const sock = join(dir, 'dnstap.sock')
  const MIB = 1024 * 1024
  // 1. 32 started writers each announce a 16 MiB frame and send 100 bytes of it
  {
    const { server } = await startServer(t, [`unix:${sock}`], { maxFrameBytes: 16 * MIB })
    const header = Buffer.alloc(4)
    header.writeUInt32BE(16 * MIB)
    const writers = Array.from({ length: 32 }, () => new RawWriter({ unix: sock }))
    await Promise.all(writers.map((w) => w.ready()))
    const before = process.memoryUsage().arrayBuffers
    for (const w of writers) {
      w.write(controlFrame(START, [DNSTAP_CT]))
      w.write(Buffer.concat([header, Buffer.alloc(100, 7)]))
    }
    await until(
      () => server.stats().bytes === writers.length * (controlFrame(START, [DNSTAP_CT]).length + 104),
      'every partial frame received',
    )
    const grown = process.memoryUsage().arrayBuffers - before
    const st = server.stats()
    assert.deepEqual(st.cut, {}, 'nobody is over the budget')
    assert.equal(st.connections.current, 32)
    assert.ok(st.pendingBytes <= 32 * FRAME_BUFFER_STEP, `pending ${st.pendingBytes}`)
    // independent of the server's own accounting: 32 × 16 MiB would be 512 MiB
    assert.ok(grown < 64 * MIB, `array buffers grew by ${grown} bytes`)
    await server.stop()
    assert.equal(server.stats().pendingBytes, 0, 'closed connections return their budget')
  }
  // 2. a budget of 1 MiB: a frame of 900 KiB two-thirds received holds most of it; a second one
  // cannot grow past what is left
  {
    const { server, seen } = await startServer(t, [`unix:${sock}`], {
      maxFrameBytes: MIB,
      maxPendingBytes: MIB,
    })
    const big = dataFrame(responseFrame('big', 1, Buffer.alloc(900 * 1024, 1)))
    const a = new RawWriter({ unix: sock })
    const b = new RawWriter({ unix: sock })
    await Promise.all([a.ready(), b.ready()])
    await a.handshake()
    await b.handshake()
    a.write(big.subarray(0, 600 * 1024))
    await until(() => server.stats().pendingBytes >= 600 * 1024, 'the first partial frame held')
    assert.ok(server.stats().pendingBytes <= big.length, 'never more than the frame')
    const other = dataFrame(responseFrame('other', 2, Buffer.alloc(900 * 1024, 2)))
    b.write(other.subarray(0, 600 * 1024))
    await b.closed
    await until(() => server.stats().cut.buffer_budget === 1, 'the second writer counted')
    assert.equal(a.socket.destroyed, false, 'the writer within the budget goes on')
    a.write(big.subarray(600 * 1024))
    a.write(controlFrame(STOP))
    await a.closed
    await until(() => server.stats().connections.current === 0, 'closed on the server side')
    assert.deepEqual(
      seen.map(([id]) => id),
      ['big'],
    )
    const st = server.stats()
    assert.deepEqual(st.cut, { buffer_budget: 1 })
    assert.equal(st.connections.finished, 1)
    assert.equal(st.pendingBytes, 0)
  }
})

test('a pending-bytes budget smaller than one frame is refused', () => {
  assert.throws(
    () =>
      new DnstapServer(
        { sinkFor: () => () => {} },
        { listen: ['tcp:127.0.0.1:0'], maxFrameBytes: 1024 * 1024, maxPendingBytes: 1000 },
      ),
    { code: 'ERR_BAD_ARGUMENT', message: /maxPendingBytes \(1000\) is below maxFrameBytes/ },
  )
})
