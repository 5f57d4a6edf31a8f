/**
 * The HTTP floor for scripts/bench/api.ts: fastify (the node's framework) answering every GET with
 * the same bytes an exact lookup got from the node, and nothing else (no key, no engine, no
 * metrics). Its CPU time per request under the same load is what HTTP costs here before any of the
 * node's own work: llhttp, fastify's routing and reply, the socket's syscalls and loopback TCP.
 *
 *   node scripts/bench/api/fixed-answer-server.ts BODY_FILE   (prints the port it listens on)
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

const body = readFileSync(process.argv[2]!)
const app = Fastify({ logger: false })
app.get('/*', async (_req, reply) => reply.type('application/x-ndjson').send(body))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`)
