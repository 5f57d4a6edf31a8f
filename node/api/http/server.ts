/**
 * The node's HTTP API (fastify): DNSDB API v2 (dnsdb.ts), CIRCL passive DNS (circl.ts), native JSON
 * (native.ts, questions.ts), /openapi.json, /metrics and the web page (web-page.ts), on `api.listen`
 * (HTTPS with tls_cert/tls_key); /metrics also, without a key, on `api.metrics_listen`. Every route
 * on the API listener but the web page's static files needs a key (auth.ts, run before any route
 * reads anything). start() listens on both or on neither; stop() closes both.
 */
import { readFile } from 'node:fs/promises'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { PdnsError } from '../../errors.ts'
import { authenticate } from './auth.ts'
import { registerCircl } from './circl.ts'
import type { HttpApiComponents, RouteContext } from './context.ts'
import { registerDnsdb } from './dnsdb.ts'
import { badQuery, httpError } from './errors.ts'
import type { ApiKeyEntry } from './keys.ts'
import {
  API_KEEP_ALIVE_TIMEOUT_MS,
  API_REQUEST_TIMEOUT_MS,
  API_STOP_GRACE_MS,
  MAX_API_CONNECTIONS,
  MAX_URL_BYTES,
} from './limits.ts'
import { ApiMetrics } from './metrics.ts'
import { registerNative } from './native.ts'
import { openApiDocument } from './openapi.ts'
import { type Limiter, RateLimiter } from './rate-limit.ts'
import { isPublicRoute, registerWebPage } from './web-page.ts'

export interface HostPort {
  host: string
  port: number
}

export interface HttpApiOptions {
  listen: HostPort
  tls: { cert: string; key: string } | null
  metricsListen: HostPort | null
  ratePerMin: number
  maxLimit: number
  /**
   * One of several API threads on the same address (api.threads): the listener is bound with
   * SO_REUSEPORT, so the kernel spreads connections over the threads.
   */
  reusePort?: boolean
  /** most connections open at once on this listener (MAX_API_CONNECTIONS, split between threads) */
  maxConnections?: number
  /** rate state shared with the other API threads (shared-rate.ts); absent: this server's own */
  limiters?: { rates: Limiter; failures: Limiter }
  /** called as each request is answered (an API thread counts them for the node's status) */
  onAnswered?: () => void
}

interface RequestState {
  key: ApiKeyEntry | null
  route: string
  started: number
  signal: AbortController
}

export class HttpApi {
  readonly #c: HttpApiComponents
  readonly #o: HttpApiOptions
  readonly #metrics: ApiMetrics
  readonly #state = new WeakMap<FastifyRequest, RequestState>()
  readonly #failures: Limiter
  readonly #rates: Limiter
  /** the signals of the requests in flight, aborted when the node stops */
  readonly #inFlight = new Set<AbortController>()
  #app: FastifyInstance | null = null
  #metricsApp: FastifyInstance | null = null
  #addresses: { api: string; metrics: string | null } | null = null

  constructor(components: HttpApiComponents, options: HttpApiOptions) {
    this.#c = components
    this.#o = options
    this.#metrics = new ApiMetrics('text' in components.metrics ? null : components.metrics)
    this.#failures = options.limiters?.failures ?? new RateLimiter()
    this.#rates = options.limiters?.rates ?? new RateLimiter()
  }

  /** This server's request metrics as prom-client JSON (an API thread's, for the node's /metrics). */
  requestMetrics(): ReturnType<ApiMetrics['requestMetrics']> {
    return this.#metrics.requestMetrics()
  }

  /** Where the listeners are bound (a port 0 resolved), once started. */
  get addresses(): { api: string; metrics: string | null } | null {
    return this.#addresses
  }

  async start(): Promise<void> {
    if (this.#app !== null) return
    await this.#c.keys.load()
    let https: { cert: Buffer; key: Buffer } | null = null
    if (this.#o.tls !== null) {
      try {
        https = { cert: await readFile(this.#o.tls.cert), key: await readFile(this.#o.tls.key) }
      } catch (err) {
        throw new PdnsError('ERR_API_LISTEN', `cannot read the API's TLS files: ${(err as Error).message}`, {
          cause: err,
        })
      }
    }
    let app: FastifyInstance
    try {
      app = this.#build(https)
    } catch (err) {
      // the config check paired them (config/tls-files.ts); a file replaced since may not pair
      throw new PdnsError('ERR_API_LISTEN', `the API's TLS files do not work: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const apps: FastifyInstance[] = [app]
    try {
      const api = await listen(app, this.#o.listen, 'api.listen', this.#o.reusePort === true)
      let metrics: string | null = null
      if (this.#o.metricsListen !== null) {
        const m = await metricsListener(this.#o.metricsListen, (reply) => this.#sendMetrics(reply))
        apps.push(m.app)
        metrics = m.url
        this.#metricsApp = m.app
      }
      this.#app = app
      this.#addresses = { api: `${https === null ? 'http' : 'https'}://${api}`, metrics }
    } catch (err) {
      for (const a of apps) await a.close().catch(() => {})
      throw err
    }
  }

  async stop(): Promise<void> {
    const apps = [this.#app, this.#metricsApp].filter((a) => a !== null)
    this.#app = null
    this.#metricsApp = null
    for (const s of this.#inFlight) s.abort('node stopping')
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled(apps.map((a) => a.close())),
      new Promise((resolve) => {
        timer = setTimeout(resolve, API_STOP_GRACE_MS)
      }),
    ])
    clearTimeout(timer)
    for (const a of apps) a.server.closeAllConnections()
  }

  /**
   * New default rate and result clamp for keys that set none (`pdns-mesh reload`); the route
   * context reads them at each request, and keys' own limits come from the key file, re-read live.
   */
  setLimits(limits: { ratePerMin: number; maxLimit: number }): void {
    this.#o.ratePerMin = limits.ratePerMin
    this.#o.maxLimit = limits.maxLimit
  }

  async #sendMetrics(reply: FastifyReply): Promise<unknown> {
    const m = this.#c.metrics
    return reply.type(this.#metrics.contentType).send(await ('text' in m ? m.text() : this.#metrics.text()))
  }

  #ctx(): RouteContext {
    const o = this.#o
    return {
      c: this.#c,
      keyOf: (req) => {
        const k = this.#state.get(req)?.key
        if (k === null || k === undefined) throw new PdnsError('ERR_API_AUTH', 'not authenticated')
        return k
      },
      maxLimitOf: (k) => k.maxLimit ?? o.maxLimit,
      rateOf: (k) => k.rate ?? o.ratePerMin,
      remainingOf: (k) => this.#rates.remaining(`key:${k.name}`, k.rate ?? o.ratePerMin),
      signalOf: (req) => this.#state.get(req)!.signal.signal,
      label: (req, route) => {
        const s = this.#state.get(req)
        if (s !== undefined) s.route = route
      },
    }
  }

  #build(https: { cert: Buffer; key: Buffer } | null): FastifyInstance {
    const app = Fastify({
      logger: false,
      ...(https === null ? {} : { https }),
      requestTimeout: API_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: API_KEEP_ALIVE_TIMEOUT_MS,
      connectionTimeout: 0,
      bodyLimit: 1024,
      forceCloseConnections: 'idle',
      return503OnClosing: true,
      routerOptions: { maxParamLength: MAX_URL_BYTES, ignoreDuplicateSlashes: false },
    } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance
    app.server.maxConnections = this.#o.maxConnections ?? MAX_API_CONNECTIONS
    const ctx = this.#ctx()
    const o = this.#o
    app.addHook('onRequest', async (req, reply) => {
      const signal = new AbortController()
      // a Set, not a listener on a node-wide signal: EventTarget listeners cost each request microseconds
      this.#inFlight.add(signal)
      reply.raw.once('close', () => {
        this.#inFlight.delete(signal)
        // an answer cut short (the client went away) stops its query; a finished one has none running
        if (!reply.raw.writableFinished) signal.abort('client gone')
      })
      // the route's pattern until its handler names it: a request refused before (401, 429) is
      // still counted under what it asked for; no route at all (404) is "none"
      const route = req.routeOptions.url ?? 'none'
      this.#state.set(req, { key: null, route, started: performance.now(), signal })
      if (Buffer.byteLength(req.raw.url ?? '') > MAX_URL_BYTES)
        throw badQuery(`the URL is over ${MAX_URL_BYTES} bytes`, 414)
      // the web page's static files: the page is what asks for the key
      if (isPublicRoute(req.routeOptions.config)) return
      const key = await authenticate(
        req,
        this.#c.keys,
        this.#failures,
        this.#rates,
        (k) => k.rate ?? o.ratePerMin,
      )
      this.#state.get(req)!.key = key
    })
    app.addHook('onResponse', async (req, reply) => {
      const s = this.#state.get(req)
      if (s === undefined) return
      this.#o.onAnswered?.()
      this.#metrics.observe(
        s.route,
        reply.statusCode,
        s.key?.name ?? '-',
        (performance.now() - s.started) / 1000,
      )
    })
    app.setErrorHandler((err, req, reply) => {
      const fst = err as { statusCode?: number; code?: string; message: string }
      let a = httpError(err)
      // fastify's own 4xx (a bad content type, a body on a GET): its status and message
      if (a.internal && typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
        a = { status: fst.statusCode, body: { message: fst.message }, internal: false }
      }
      if (a.internal) this.#c.log.error({ err, path: req.url?.slice(0, 200) }, 'API request failed')
      const headers = (err as { headers?: Record<string, string> }).headers
      if (headers !== undefined) reply.headers(headers)
      void reply.code(a.status).type('application/json').send(a.body)
    })
    app.setNotFoundHandler((req, reply) => {
      void reply.code(404).send({
        message: `no endpoint ${JSON.stringify((req.url ?? '').split('?')[0]!.slice(0, 120))} (docs/API.md, /openapi.json)`,
      })
    })
    registerDnsdb(app, ctx)
    registerCircl(app, ctx)
    registerNative(app, ctx)
    registerWebPage(app, ctx)
    app.get('/openapi.json', async (req) => {
      ctx.label(req, 'openapi')
      return openApiDocument()
    })
    app.get('/metrics', async (req, reply) => {
      ctx.label(req, 'metrics')
      return this.#sendMetrics(reply)
    })
    return app
  }
}

/**
 * api.metrics_listen: /metrics and nothing else, plain HTTP, no key; `send` answers it. The app is
 * closed again when it cannot listen.
 */
export async function metricsListener(
  at: HostPort,
  send: (reply: FastifyReply) => Promise<unknown>,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false, forceCloseConnections: true })
  app.get('/metrics', async (_req, reply) => send(reply))
  try {
    return { app, url: `http://${await listen(app, at, 'api.metrics_listen')}` }
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
}

async function listen(app: FastifyInstance, at: HostPort, what: string, reusePort = false): Promise<string> {
  try {
    // reusePort is passed on to net.Server.listen (Linux: SO_REUSEPORT), which fastify's types omit
    await app.listen({ host: at.host, port: at.port, ...(reusePort ? { reusePort } : {}) } as {
      host: string
      port: number
    })
  } catch (err) {
    throw new PdnsError(
      'ERR_API_LISTEN',
      `${what}: cannot listen on ${at.host}:${at.port}: ${(err as Error).message}`,
      {
        cause: err,
      },
    )
  }
  const a = app.server.address()
  if (a === null || typeof a === 'string') return `${at.host}:${at.port}`
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`
}
