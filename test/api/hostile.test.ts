/**
 * Whatever arrives on the control socket — bodies that are not queries, bodies and heads too large,
 * bytes that are not HTTP, clients too slow to send or to read — is answered or cut, counted, and
 * the node goes on serving.
 */
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import { MAX_REQUEST_BODY_BYTES, RemoteBackend } from '../../node/api/index.ts'
import { parseNamePattern } from '../../node/query/parse.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { importLarge, startTestNode, type TestNode, tempDir } from './helpers.ts'

let cleanup: () => Promise<void>
let node: TestNode
let remote: RemoteBackend

/** Short bounds, so that the slow-client cases end soon; a test never asserts how soon. */
const TIMEOUTS = { headersMs: 1000, requestMs: 2000, keepAliveMs: 500, stallMs: 500 }

before(async () => {
  const t = await tempDir('hostile')
  cleanup = t.cleanup
  node = await startTestNode(await importLarge(t.dir, 20_000), TIMEOUTS)
  remote = new RemoteBackend(node.socketPath)
})

after(async () => {
  await node.close()
  await cleanup()
})

/** One well-formed HTTP exchange with arbitrary body bytes. */
function send(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: node.socketPath, method, path, agent: false, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          json: text === '' ? null : JSON.parse(text),
          headers: res.headers,
        }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Raw bytes on a fresh connection; resolves with everything the node wrote once it closed the connection. */
function raw(bytes: string | Buffer, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path: node.socketPath })
    let text = ''
    sock.setEncoding('latin1').on('data', (d: string) => {
      text += d
    })
    sock.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? null : reject(err),
    )
    sock.on('close', () => resolve(text))
    sock.write(bytes)
    if (opts.end === true) sock.end()
  })
}

async function stillServes(): Promise<void> {
  const page = await remote.rrset({ name: parseNamePattern('www.example.com') })
  assert.equal(page.records.length, 1)
}

test('the socket is readable and writable by its owner only', async () => {
  const st = await stat(node.socketPath)
  assert.ok(st.isSocket())
  assert.equal(st.mode & 0o777, 0o600)
})

test('bodies that are not queries are answered 400 ERR_BAD_QUERY, and the node goes on serving', async () => {
  const bodies = [
    'not json',
    '',
    '[]',
    'null',
    '"example.com"',
    '{"name":{"kind":"exact","name":"example.com"},"limit":-1}',
    '{"name":{"kind":"exact","name":"example.com"},"__proto__":{"limit":5}}',
    '{"name":{"kind":"exact","name":"example.com"},"constructor":1}',
    '{"name":{"kind":"exact"}}',
    `{"name":{"kind":"exact","name":"${'a'.repeat(300)}.com"}}`,
  ]
  for (const body of bodies) {
    const r = await send('POST', '/v1/rrset', body, { 'content-type': 'application/json' })
    assert.equal(r.status, 400, body)
    assert.equal((r.json as { code: string }).code, 'ERR_BAD_QUERY', body)
    assert.equal(typeof (r.json as { message: string }).message, 'string')
  }
  for (const [path, body] of [
    ['/v1/rdata', '{"target":{"kind":"address","lo":"zz","hi":"zz"}}'],
    ['/v1/rdata', '{"target":"10.0.0.1"}'],
    ['/v1/summary', '{"name":42}'],
    ['/v1/summary', '{"name":"example.com","origin":7}'],
  ] as const) {
    const r = await send('POST', path, body)
    assert.deepEqual([r.status, (r.json as { code: string }).code], [400, 'ERR_BAD_QUERY'], body)
  }
  await stillServes()
})

test('unknown endpoints are 404 and wrong methods 405; neither is taken as a query', async () => {
  assert.equal((await send('GET', '/v2/ping')).status, 404)
  assert.equal((await send('GET', '/v1/../../etc/passwd')).status, 404)
  const r = await send('GET', '/v1/rrset')
  assert.equal(r.status, 405)
  assert.equal(r.headers.allow, 'POST')
  assert.equal((await send('DELETE', '/v1/export')).status, 405)
  // a query string does not change the endpoint
  assert.equal((await send('GET', '/v1/ping?x=1')).status, 200)
})

test('a body over the limit is refused with 413 without being read, announced or not', async () => {
  const query = JSON.stringify({
    name: { kind: 'exact', name: 'example.com' },
    cursor: 'x'.repeat(MAX_REQUEST_BODY_BYTES),
  })
  const r = await send('POST', '/v1/rrset', query)
  assert.equal(r.status, 413)
  assert.equal((r.json as { code: string }).code, 'ERR_BAD_QUERY')
  assert.equal(r.headers.connection, 'close')
  // chunked: no length announced, the node counts as it reads
  const chunked = await send('POST', '/v1/rrset', query, { 'transfer-encoding': 'chunked' })
  assert.equal(chunked.status, 413)
  // announced as huge but never sent: answered at once from the header alone
  const announced = await raw(
    'POST /v1/rrset HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n{"na',
  )
  assert.match(announced, /^HTTP\/1\.1 413 /)
  // through the client, the same code as any bad query
  await assert.rejects(
    remote.rrset({ name: parseNamePattern('example.com'), cursor: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }),
    {
      code: 'ERR_BAD_QUERY',
    },
  )
  await stillServes()
})

test('a request head over the limit is refused with 431 and the connection closed', async () => {
  const reply = await raw(`GET /v1/ping HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)
  assert.match(reply, /^HTTP\/1\.1 431 /)
  await stillServes()
})

test('bytes that are not HTTP get a 400 and a closed connection, never a crash', async () => {
  const rand = prng(1234)
  for (let i = 0; i < 40; i++) {
    const junk = Buffer.alloc(1 + randInt(rand, 2000))
    for (let j = 0; j < junk.length; j++) junk[j] = randInt(rand, 256)
    const reply = await raw(junk, { end: true })
    assert.ok(reply === '' || /^HTTP\/1\.1 400 /.test(reply), JSON.stringify(reply.slice(0, 40)))
  }
  assert.match(await raw('GET /v1/ping HTTP/9.9\r\n\r\n', { end: true }), /^HTTP\/1\.1 (400|505) /)
  assert.match(await raw('\r\n\r\n\0\0\0\0 SSH-2.0-OpenSSH\r\n', { end: true }), /^HTTP\/1\.1 400 /)
  assert.ok(node.server.stats().badConnections >= 2)
  await stillServes()
})

test('a client that sends its request too slowly is cut off, and others are served meanwhile', async () => {
  const before = node.server.stats().badConnections
  // a head that never ends
  const slowHead = raw('GET /v1/ping HTTP/1.1\r\nhost: x\r\n')
  // a body announced but never sent
  const slowBody = raw('POST /v1/rrset HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"name":')
  await stillServes()
  const [head, body] = await Promise.all([slowHead, slowBody])
  assert.match(head, /^HTTP\/1\.1 408 /)
  assert.match(body, /^HTTP\/1\.1 408 /)
  assert.ok(node.server.stats().badConnections >= before + 2)
  await stillServes()
})

test('an idle keep-alive connection is closed by the node', async () => {
  const reply = await raw('GET /v1/ping HTTP/1.1\r\nhost: x\r\n\r\n')
  assert.match(reply, /^HTTP\/1\.1 200 /)
  assert.match(reply, /"service":"pdns-mesh"/)
})

test('a client that stops reading an export holds little: the node stops producing and cuts it off', async () => {
  const total = (await node.local.stats()).entries
  // asks for an export, then reads nothing: the socket buffers fill and the node must wait
  const sock = connect({ path: node.socketPath })
  sock.on('error', () => {})
  sock.write('GET /v1/export HTTP/1.1\r\nhost: x\r\n\r\n')
  const stalled = () => node.logs().find((l) => l.msg === 'streamed answer ended' && l.outcome === 'stalled')
  while (stalled() === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
  sock.destroy()
  const records = stalled()!.records as number
  assert.ok(records < total / 2, `${records} of ${total} records produced`)
  assert.equal(node.server.stats().active, 0)
  await stillServes()
})

test('none of it was taken for an internal error of the node', () => {
  assert.deepEqual(
    node.logs().filter((l) => l.level === 'error' || l.level === 'fatal'),
    [],
  )
  assert.equal(node.server.stats().failed, 0)
  assert.ok(node.server.stats().rejected > 10)
})
