/**
 * The control socket's life: one node per socket, a stale socket (its node killed) replaced, never a
 * file that is not a socket, removed at stop; calls cancelled by their AbortSignal, exports ended by
 * the client going away or by the node stopping; clients that meet something other than a node.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { access, readFile, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createNetServer, type Server } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ControlServer, controlSocketPath, probeControlSocket, RemoteBackend } from '../../node/api/index.ts'
import type { PdnsError } from '../../node/errors.ts'
import { createLogger } from '../../node/log/index.ts'
import { parseNamePattern } from '../../node/query/parse.ts'
import { importLarge, startTestNode, type TestNode, tempDir } from './helpers.ts'

let parent: string
let cleanup: () => Promise<void>
let large: string

before(async () => {
  const t = await tempDir('life')
  parent = t.dir
  cleanup = t.cleanup
  large = await importLarge(parent, 20_000)
})

after(async () => {
  await cleanup()
})

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  )

/** A socket file left behind by a process killed with SIGKILL (it never got to remove it). */
async function staleSocket(path: string): Promise<void> {
  const script = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('ready'))`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.on('close', resolve))
}

function listenOn(server: Server | ReturnType<typeof createHttpServer>, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve))
}

describe('one node per socket', () => {
  test('a second server on a socket a node answers on is ERR_NODE_RUNNING, and the first keeps serving', async () => {
    const node = await startTestNode(large)
    try {
      assert.equal(await probeControlSocket(node.socketPath), 'alive')
      const second = new ControlServer(
        { backend: node.local, status: () => node.status, log: createLogger({ level: 'silent' }) },
        { socketPath: node.socketPath },
      )
      await assert.rejects(second.start(), { code: 'ERR_NODE_RUNNING' })
      const remote = new RemoteBackend(node.socketPath)
      assert.equal((await remote.ping()).peerId, node.status.peerId)
    } finally {
      await node.close()
    }
    assert.equal(await exists(node.socketPath), false, 'stop removed the socket file')
    assert.equal(await probeControlSocket(node.socketPath), 'none')
  })

  test('a stale socket left by a killed node is replaced', async () => {
    const path = controlSocketPath(large)
    await staleSocket(path)
    assert.equal(await probeControlSocket(path), 'stale')
    const node = await startTestNode(large)
    try {
      assert.ok(node.logs().some((l) => /stale control socket/.test(String(l.msg))))
      assert.equal(await probeControlSocket(path), 'alive')
      assert.equal(
        (await new RemoteBackend(path).rrset({ name: parseNamePattern('www.example.com') })).records.length,
        1,
      )
    } finally {
      await node.close()
    }
  })

  test('a file at the socket path that is not a socket is left alone: ERR_DB_IO', async () => {
    const t = await tempDir('notsock')
    try {
      const path = join(t.dir, 'control.sock')
      await writeFile(path, 'precious')
      assert.equal(await probeControlSocket(path), 'none')
      const server = new ControlServer(
        {
          backend: null as never,
          status: () => {
            throw new Error('unused')
          },
          log: createLogger({ level: 'silent' }),
        },
        { socketPath: path },
      )
      await assert.rejects(server.start(), { code: 'ERR_DB_IO', message: /exists and is not a socket/ })
      assert.equal(await readFile(path, 'utf8'), 'precious')
    } finally {
      await t.cleanup()
    }
  })

  test('a socket path too long for the kernel is ERR_CONFIG before anything is touched', async () => {
    const server = new ControlServer(
      { backend: null as never, status: () => ({}) as never, log: createLogger({ level: 'silent' }) },
      { socketPath: `/tmp/${'x'.repeat(120)}/control.sock` },
    )
    await assert.rejects(server.start(), { code: 'ERR_CONFIG', message: /over the 107/ })
  })
})

describe('calls that end early', () => {
  let node: TestNode
  let total: number
  before(async () => {
    node = await startTestNode(large)
    total = (await node.local.stats()).entries
  })
  after(async () => {
    await node.close()
  })

  /** Waits until the node logged the end of a streamed answer with this outcome. */
  async function streamEnded(outcome: string, seen: number): Promise<Record<string, unknown>> {
    for (;;) {
      const ends = node.logs().filter((l) => l.msg === 'streamed answer ended' && l.outcome === outcome)
      if (ends.length > seen) return ends[ends.length - 1]!
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const ended = (outcome: string) =>
    node.logs().filter((l) => l.msg === 'streamed answer ended' && l.outcome === outcome).length

  test('aborting a long export: the caller gets ERR_ABORTED and the node stops producing it', async () => {
    const seen = ended('client-gone')
    const remote = new RemoteBackend(node.socketPath)
    const ac = new AbortController()
    let got = 0
    await assert.rejects(
      (async () => {
        for await (const _ of remote.export({ signal: ac.signal })) {
          if (++got === 100) ac.abort(new Error('enough'))
        }
      })(),
      (err: PdnsError) => err.code === 'ERR_ABORTED',
    )
    assert.ok(got >= 100 && got < total)
    const end = await streamEnded('client-gone', seen)
    assert.ok((end.records as number) < total, `${end.records} of ${total}`)
    assert.equal(node.server.stats().active, 0)
  })

  test('a caller that stops iterating an export closes it on the node too', async () => {
    const seen = ended('client-gone')
    const remote = new RemoteBackend(node.socketPath)
    let got = 0
    for await (const _ of remote.export()) {
      if (++got === 10) break
    }
    const end = await streamEnded('client-gone', seen)
    assert.ok((end.records as number) < total)
  })

  test('a signal aborted before the call sends nothing', async () => {
    const before = node.server.stats().requests
    const remote = new RemoteBackend(node.socketPath)
    const ac = new AbortController()
    ac.abort()
    await assert.rejects(remote.rrset({ name: parseNamePattern('example.com') }, { signal: ac.signal }), {
      code: 'ERR_ABORTED',
    })
    await assert.rejects(remote.stats({ signal: ac.signal }), { code: 'ERR_ABORTED' })
    assert.equal(node.server.stats().requests, before)
  })

  test('the node stopping mid-export ends it with an error the client sees; stop() returns; it can start again', async () => {
    const remote = new RemoteBackend(node.socketPath)
    let got = 0
    let stopping: Promise<void> | null = null
    await assert.rejects(
      (async () => {
        for await (const _ of remote.export()) {
          // a slow reader: the export is still running when the node stops
          if (++got % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
          if (got === 2000) stopping = node.server.stop()
        }
      })(),
      (err: PdnsError) => {
        assert.equal(err.code, 'ERR_NODE_UNREACHABLE')
        assert.match(err.message, /the node stopped before its answer was complete/)
        return true
      },
    )
    assert.ok(got >= 2000 && got < total, `${got} of ${total}`)
    await stopping
    assert.equal(await exists(node.socketPath), false)
    await node.server.start()
    assert.equal((await remote.ping()).peerId, node.status.peerId)
  })
})

describe('something other than a node on the socket', () => {
  test('a server that accepts and never answers: ping gives up with ERR_NODE_UNREACHABLE', async () => {
    const t = await tempDir('mute')
    const path = join(t.dir, 'control.sock')
    const server = createNetServer(() => {})
    await listenOn(server, path)
    try {
      assert.equal(await probeControlSocket(path), 'alive')
      await assert.rejects(new RemoteBackend(path).ping({ timeoutMs: 200 }), {
        code: 'ERR_NODE_UNREACHABLE',
        message: /no answer/,
      })
    } finally {
      server.close()
      await t.cleanup()
    }
  })

  test('a server that answers garbage, or HTTP that is not a node: ERR_NODE_UNREACHABLE', async () => {
    const t = await tempDir('liar')
    try {
      const garbage = join(t.dir, 'garbage.sock')
      const g = createNetServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'))
      await listenOn(g, garbage)
      const web = join(t.dir, 'web.sock')
      const answers: [number, string][] = [
        [200, '{"service":"nginx"}'],
        [200, 'not json'],
        [200, '{"service":"pdns-mesh","api":99,"version":"9","pid":1,"peerId":"x"}'],
        [404, '{"code":"ERR_BAD_QUERY","message":"no"}'],
        [500, ''],
      ]
      let i = 0
      const w = createHttpServer((_req, res) => {
        const [status, body] = answers[i++]!
        res.writeHead(status).end(body)
      })
      await listenOn(w, web)
      try {
        await assert.rejects(new RemoteBackend(garbage).ping(), { code: 'ERR_NODE_UNREACHABLE' })
        for (const [, body] of answers) {
          await assert.rejects(new RemoteBackend(web).ping(), { code: 'ERR_NODE_UNREACHABLE' }, body)
        }
        assert.equal(i, answers.length)
      } finally {
        g.close()
        w.close()
      }
    } finally {
      await t.cleanup()
    }
  })

  test('a stream cut short, or with a line that is not a record, is ERR_NODE_UNREACHABLE', async () => {
    const t = await tempDir('cut')
    try {
      const path = join(t.dir, 'control.sock')
      const record =
        '{"kind":"rr","rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","bailiwick":null,"first":1,"last":2,"count":1,"vantages":[]}'
      const bodies = [
        `${record}\n`,
        `${record}\n{"$end":2}\n`,
        `${record}\n{"x":1}\n{"$end":1}\n`,
        `${record}\n{"$end":1}\n${record}\n`,
      ]
      let i = 0
      const w = createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(bodies[i++])
      })
      await listenOn(w, path)
      try {
        const remote = new RemoteBackend(path)
        for (const body of bodies) {
          await assert.rejects(
            (async () => {
              for await (const _ of remote.export()) {
              }
            })(),
            { code: 'ERR_NODE_UNREACHABLE' },
            body,
          )
        }
      } finally {
        w.close()
      }
    } finally {
      await t.cleanup()
    }
  })

  test('no node at all: the probe says none, and a call says the node is unreachable', async () => {
    const t = await tempDir('none')
    try {
      const path = join(t.dir, 'control.sock')
      assert.equal(await probeControlSocket(path), 'none')
      await assert.rejects(new RemoteBackend(path).stats(), { code: 'ERR_NODE_UNREACHABLE' })
    } finally {
      await t.cleanup()
    }
  })
})
