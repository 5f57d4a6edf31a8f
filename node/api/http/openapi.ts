/** The OpenAPI 3.1 document served at /openapi.json, built from the route tables so it cannot drift. */
import pkg from '../../../package.json' with { type: 'json' }
import { NATIVE_PREFIX, NATIVE_ROUTES } from './native.ts'

const AUTH = [{ apiKey: [] }, { basic: [] }]
const ERRORS = {
  '400': { description: 'bad query: `{code, message}`' },
  '401': { description: 'no API key' },
  '403': { description: 'wrong or revoked API key' },
  '429': { description: 'over the rate (Retry-After)' },
}

function param(name: string, where: 'path' | 'query', description: string) {
  return { name, in: where, required: where === 'path', description, schema: { type: 'string' } }
}

const DNSDB_QUERY = [
  'time_first_after',
  'time_first_before',
  'time_last_after',
  'time_last_before',
  'limit',
  'offset',
  'max_count',
  'aggr',
  'humantime',
  'swclient',
  'version',
].map((n) => param(n, 'query', 'as in DNSDB API v2'))

const NATIVE_QUERY = [
  'type',
  'bailiwick',
  'first_after',
  'first_before',
  'last_after',
  'last_before',
  'origin',
  'limit',
  'cursor',
  'raw',
  'mesh',
  'mesh_timeout',
]

function nativeParams(names: readonly string[]) {
  return names.map((n) => param(n, 'query', 'as the CLI option of the same name (docs/API.md)'))
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {}
  const saf = { '200': { description: 'SAF NDJSON', content: { 'application/x-ndjson': {} } }, ...ERRORS }
  for (const verb of ['lookup', 'summarize']) {
    for (const p of [
      'rrset/name/{name}',
      'rrset/name/{name}/{type}',
      'rrset/name/{name}/{type}/{bailiwick}',
      'rdata/ip/{value}',
      'rdata/name/{name}',
      'rdata/name/{name}/{type}',
      'rdata/raw/{hex}',
      'rdata/raw/{hex}/{type}',
    ]) {
      const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
      paths[`/dnsdb/v2/${verb}/${p}`] = {
        get: {
          summary: `DNSDB API v2 ${verb}`,
          parameters: [...names.map((n) => param(n, 'path', n)), ...DNSDB_QUERY],
          responses: saf,
        },
      }
    }
  }
  paths['/dnsdb/v2/rate_limit'] = {
    get: { summary: 'the key’s limits', responses: { '200': { description: 'JSON' }, ...ERRORS } },
  }
  paths['/pdns/query/{value}'] = {
    get: {
      summary: 'CIRCL passive DNS: a name, *.name, an address, a prefix (a,24 or a/24) or a range a-b',
      parameters: [param('value', 'path', 'what to look up')],
      responses: { '200': { description: 'COF NDJSON', content: { 'application/x-ndjson': {} } }, ...ERRORS },
    },
  }
  for (const r of NATIVE_ROUTES) {
    paths[`${NATIVE_PREFIX}${r.path}${r.value ? '/{value}' : ''}`] = {
      get: {
        summary: r.summary,
        parameters: [
          ...(r.value ? [param('value', 'path', 'what to look up')] : []),
          ...nativeParams(r.params ?? NATIVE_QUERY),
        ],
        responses: {
          '200': { description: 'JSON or NDJSON, as the CLI prints with --format json' },
          ...ERRORS,
        },
      },
    }
  }
  paths['/metrics'] = {
    get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text' } } },
  }
  return {
    openapi: '3.1.0',
    info: { title: 'pdns-mesh HTTP API', version: pkg.version },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        basic: { type: 'http', scheme: 'basic', description: 'user: the key name; password: the key' },
      },
    },
    security: AUTH,
    paths,
  }
}
