/**
 * The web page (node/api/http/web/) and the charting library it imports, served at `/` without a key:
 * static files only, the one route family besides /metrics that needs none, because the page is what
 * asks for the key (it then sends it as X-API-Key on every API call). The files served are a fixed
 * table, read once: a request path is looked up, never joined to a directory, so nothing else on
 * the node's disk can be named. Chart.js comes from node_modules (a dependency, no CDN): the page
 * works without any external network.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from './context.ts'

const WEB = fileURLToPath(new URL('./web/', import.meta.url))

/** Where chart.js's ESM build and its one dependency (@kurkle/color) are installed. */
function vendorFiles(): Record<string, string> {
  const require = createRequire(import.meta.url)
  // the CommonJS entry points sit beside the ESM builds in the same dist/ directories
  const chart = dirname(require.resolve('chart.js'))
  const color = dirname(createRequire(join(chart, 'chart.cjs')).resolve('@kurkle/color'))
  return {
    '/vendor/chart.js/chart.js': join(chart, 'chart.js'),
    '/vendor/chart.js/chunks/helpers.dataset.js': join(chart, 'chunks/helpers.dataset.js'),
    '/vendor/kurkle-color.esm.js': join(color, 'color.esm.js'),
  }
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
}

/** The page's own files: URL path → file name in web/. */
const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/web/style.css': 'style.css',
  '/web/app.js': 'app.js',
  '/web/api.js': 'api.js',
  '/web/format.js': 'format.js',
  '/web/timeline.js': 'timeline.js',
  '/web/views.js': 'views.js',
  '/web/favicon.svg': 'favicon.svg',
}

/**
 * Scripts only from this origin; the inline import map (which maps `@kurkle/color` for chart.js)
 * is allowed by its hash, so no other inline script runs; the API is the only thing fetched.
 */
function securityPolicy(html: string): string {
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)
  const hash = m === null ? '' : ` 'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`
  return `default-src 'none'; script-src 'self'${hash}; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
}

interface Asset {
  body: Buffer
  type: string
}

/** Marks a route as needing no key (server.ts's auth hook reads it). */
export const PUBLIC_ROUTE = { public: true } as const

export function isPublicRoute(config: unknown): boolean {
  return (config as { public?: boolean } | undefined)?.public === true
}

export function registerWebPage(app: FastifyInstance, ctx: RouteContext): void {
  const files: Record<string, string> = { ...vendorFiles() }
  for (const [path, file] of Object.entries(PAGE_FILES)) files[path] = join(WEB, file)
  // read at start: a missing file fails the node's start, not a visitor's request
  const assets = new Map<string, Asset>()
  for (const [path, file] of Object.entries(files)) {
    assets.set(path, { body: readFileSync(file), type: TYPES[file.slice(file.lastIndexOf('.') + 1)]! })
  }
  const csp = securityPolicy(assets.get('/')!.body.toString('utf8'))
  for (const [path, asset] of assets) {
    app.get(path, { config: PUBLIC_ROUTE }, async (req, reply) => {
      ctx.label(req, 'web')
      return reply
        .type(asset.type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', csp)
        .header('referrer-policy', 'no-referrer')
        .send(asset.body)
    })
  }
}
