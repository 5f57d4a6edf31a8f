/**
 * The API's listeners on a real node: HTTPS with a self-signed certificate made here by openssl
 * (clients that trust it get answers, plain HTTP gets none, dnsdbq works with -U), /metrics without a
 * key on api.metrics_listen and nothing else there, and TLS files that cannot work stopping `start`
 * with ERR_CONFIG before anything is created or bound; HTTPS and the metrics listener also with the
 * API on threads of its own.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { type NodeProcess, startNode, writeConfig } from '../e2e/node-process.ts'
import { runCli } from '../helpers/run-cli.ts'
import { hasOpenssl, selfSigned } from '../helpers/tls.ts'
import { createApiKey, importSample } from './helpers.ts'
import { assertHistogram, parseProm } from './prometheus.ts'

const run = promisify(execFile)

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args)
    return true
  } catch {
    return false
  }
}
const noOpenssl = !(await hasOpenssl())
if (noOpenssl && process.env.CI === 'true') throw new Error('openssl is missing (apt-get install openssl)')
const hasDnsdbq = await has('dnsdbq', ['-v'])

/** A certificate and its key in `dir`, named `name`.crt and `name`.key. */
async function selfSignedIn(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }
  await selfSigned(pair.cert, pair.key, name)
  return pair
}

/** GET over HTTPS with node:https (fetch cannot be given a CA): the status and body, or the TLS error. */
function httpsGet(
  url: string,
  opts: { ca?: Buffer; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: opts.ca, headers: opts.headers ?? {} }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

// api.threads 0 (the node's thread) and 2 (threads of their own, each with the certificate; the
// metrics listener on the node's thread, adding up theirs)
for (const threads of [0, 2])
  describe(`HTTPS and the metrics listener on a real node (api.threads ${threads})`, {
    skip: noOpenssl && 'openssl is not installed',
  }, () => {
    let dir: string
    let node: NodeProcess
    let api: string
    let metrics: string
    let key: string
    let ca: Buffer

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pdns-listeners-'))
      const data = await importSample(dir, 'data')
      key = await createApiKey(data, 'alice')
      // in the data directory, named relative to it as the config allows
      await selfSignedIn(data, 'api')
      ca = readFileSync(join(data, 'api.crt'))
      const config = writeConfig(
        dir,
        `[api]\ntls_cert = "api.crt"\ntls_key = "api.key"\nmetrics_listen = "127.0.0.1:0"\nthreads = ${threads}\n`,
      )
      node = await startNode(data, [
        '--config',
        config,
        '--no-capture',
        '--no-dnstap',
        '--api',
        '127.0.0.1:0',
      ])
      const started = node.logs.find((l) => l.msg === 'node started') as unknown as {
        api: { api: string; metrics: string }
      }
      api = started.api.api
      metrics = started.api.metrics
      assert.match(api, /^https:\/\/127\.0\.0\.1:[0-9]+$/)
      assert.match(metrics, /^http:\/\/127\.0\.0\.1:[0-9]+$/)
    })

    after(async () => {
      await node?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    test('HTTPS answers a DNSDB lookup with a key, to a client that trusts the certificate', async () => {
      const r = await httpsGet(`${api}/dnsdb/v2/lookup/rrset/name/www.example.com`, {
        ca,
        headers: { 'X-API-Key': key },
      })
      assert.equal(r.status, 200)
      const lines = r.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      assert.deepEqual(lines[0], { cond: 'begin' })
      assert.equal(lines[1].obj.rdata[0], 'web.example.net')
      assert.deepEqual(lines.at(-1), { cond: 'succeeded' })
      assert.equal((await httpsGet(`${api}/dnsdb/v2/ping`, { ca })).status, 401, 'a key is still needed')
      // a client that does not trust it refuses the server
      await assert.rejects(httpsGet(`${api}/dnsdb/v2/ping`, {}), (err: NodeJS.ErrnoException) =>
        /SELF_SIGNED|UNABLE_TO_VERIFY/.test(String(err.code)),
      )
    })

    test('plain HTTP to the HTTPS port gets no HTTP answer', async () => {
      await assert.rejects(
        fetch(`${api.replace('https:', 'http:')}/dnsdb/v2/ping`, { headers: { 'X-API-Key': key } }),
      )
    })

    test('dnsdbq speaks to it with -U (it has no option for a CA) and refuses it without', {
      skip: !hasDnsdbq && 'dnsdbq is not installed',
    }, async () => {
      const conf = join(dir, 'dnsdbq.conf')
      writeFileSync(conf, `DNSDB_API_KEY="${key}"\nDNSDB_SERVER="${api}"\n`)
      const dnsdbq = (args: string[]) =>
        run('dnsdbq', ['-u', 'dnsdb2', '-j', '-r', 'www.example.com', ...args], {
          env: { ...process.env, DNSDBQ_CONFIG_FILE: conf },
        }).then(
          (r) => ({ code: 0, ...r }),
          (e: { code: number; stdout: string; stderr: string }) => e,
        )
      const ok = await dnsdbq(['-U'])
      assert.equal(ok.code, 0, ok.stderr)
      assert.equal(JSON.parse(ok.stdout.trim()).rdata[0], 'web.example.net')
      const refused = await dnsdbq([])
      assert.equal(refused.stdout, '')
      assert.match(refused.stderr, /curl error 60|certificate/)
    })

    test('/metrics on metrics_listen needs no key, parses, and is all that listener serves', async () => {
      const r = await fetch(`${metrics}/metrics`)
      assert.equal(r.status, 200)
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
      const m = parseProm(await r.text())
      assert.ok(m.has('pdns_store_bytes'))
      assertHistogram(m, 'pdns_store_write_seconds')
      for (const path of [
        '/dnsdb/v2/ping',
        '/api/v1/stats',
        '/pdns/query/example.com',
        '/',
        '/openapi.json',
      ]) {
        const other = await fetch(`${metrics}${path}`, { headers: { 'X-API-Key': key } })
        assert.equal(other.status, 404, path)
        await other.text()
      }
    })

    test('on the API listener /metrics is not open: 401 without a key, served with one', async () => {
      assert.equal((await httpsGet(`${api}/metrics`, { ca })).status, 401)
      const r = await httpsGet(`${api}/metrics`, { ca, headers: { 'X-API-Key': key } })
      assert.equal(r.status, 200)
      // the refused request is counted under its route, with no key
      assert.equal(parseProm(r.body).get('pdns_api_requests_total{route="/metrics",status="401",key="-"}'), 1)
    })
  })

test('TLS files that cannot work stop start with ERR_CONFIG naming the key; nothing is created or bound', {
  skip: noOpenssl && 'openssl is not installed',
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-tls-bad-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const a = await selfSignedIn(dir, 'a')
  const b = await selfSignedIn(dir, 'b')
  const cases: [string, string, RegExp][] = [
    [join(dir, 'missing.crt'), a.key, /api\.tls_cert: cannot read .*missing\.crt: ENOENT/],
    [a.cert, join(dir, 'missing.key'), /api\.tls_key: cannot read .*missing\.key: ENOENT/],
    [a.cert, b.key, /api\.tls_key: .*b\.key is not the private key of .*a\.crt/],
    [a.key, a.key, /api\.tls_cert: .*a\.key is not a PEM certificate/],
    [a.cert, a.cert, /api\.tls_key: .*a\.crt is not a PEM private key/],
  ]
  for (const [cert, keyFile, message] of cases) {
    const config = join(dir, 'bad.toml')
    writeFileSync(config, `[api]\ntls_cert = ${JSON.stringify(cert)}\ntls_key = ${JSON.stringify(keyFile)}\n`)
    const data = join(dir, 'data')
    const r = await runCli([
      'start',
      '--config',
      config,
      '--data',
      data,
      '--no-capture',
      '--no-dnstap',
      '--api',
      '127.0.0.1:0',
    ])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /bad\.toml: /)
    assert.match(r.stderr, message)
    assert.equal(existsSync(data), false, 'nothing created')
  }
})
