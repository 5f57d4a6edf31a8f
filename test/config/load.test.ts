import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DEFAULT_DNS_PORTS } from '../../node/capture/index.ts'
import { KEY_LIST, loadConfig, type NodeConfig } from '../../node/config/index.ts'
import { PdnsError } from '../../node/errors.ts'
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_WINDOW_MAX_BYTES } from '../../node/ingest/limits.ts'
import { selfSigned } from '../helpers/tls.ts'

let dir: string
const MIB = 1024 * 1024
/** nogroup's gid as the system's own resolver (getent, through NSS) reports it: the loader reads /etc/group itself */
const NOGROUP_GID = Number(execFileSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).split(':')[2])

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdns-config-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

let n = 0
/** Writes `text` to a fresh file in the temp dir; returns its path. */
async function file(text: string | Buffer): Promise<string> {
  const p = join(dir, `c${n++}.toml`)
  await writeFile(p, text)
  return p
}

/** The ERR_CONFIG message of loading `text` (fails the test if it loads). */
async function problem(text: string, flags = {}): Promise<string> {
  const p = await file(text)
  try {
    await loadConfig({ file: p, flags, env: {}, cwd: dir })
  } catch (err) {
    assert.ok(err instanceof PdnsError, String(err))
    assert.equal(err.code, 'ERR_CONFIG')
    return err.message.replaceAll(p, 'FILE')
  }
  assert.fail(`loaded: ${text}`)
}

describe('defaults', () => {
  test('with no file, no flags and no environment every key has its documented default', async () => {
    const c = await loadConfig({ env: {}, cwd: dir })
    assert.equal(c.file, null)
    assert.equal(c.dataDir, join(dir, 'pdns-data'))
    assert.equal(c.controlSocket, join(dir, 'pdns-data', 'control.sock'))
    assert.equal(c.shutdownTimeoutMs, 10_000)
    assert.equal(c.log.level, 'info')
    assert.deepEqual(c.capture, {
      enabled: true,
      interfaces: [],
      interfacesExplicit: false,
      ports: [...DEFAULT_DNS_PORTS],
      snaplen: 65535,
      promiscuous: false,
      bufferBytes: 32 * MIB,
      filter: null,
    })
    assert.deepEqual(c.dnstap.listen, [{ transport: 'unix', path: join(dir, 'pdns-data', 'dnstap.sock') }])
    assert.deepEqual(c.dnstap.messageTypes, ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE'])
    assert.equal(c.dnstap.socketMode, 0o660)
    assert.equal(c.dnstap.socketGroup, null)
    assert.equal(c.store.flushIntervalMs, DEFAULT_FLUSH_INTERVAL_MS)
    assert.equal(c.store.windowMaxBytes, DEFAULT_WINDOW_MAX_BYTES)
  })

  test('an empty file is the defaults', async () => {
    const c = await loadConfig({ file: await file(''), env: {}, cwd: dir })
    const d = await loadConfig({ env: {}, cwd: dir })
    assert.deepEqual({ ...c, file: null }, d)
  })

  test('the resolved config is frozen all the way down', async () => {
    const c = await loadConfig({ env: {}, cwd: dir })
    const frozen = (v: unknown): boolean =>
      typeof v !== 'object' || v === null || (Object.isFrozen(v) && Object.values(v).every(frozen))
    assert.ok(frozen(c))
    assert.throws(() => {
      ;(c.capture.ports as number[]).push(5353)
    }, TypeError)
  })

  test('every key of the table has a default that passes its own check', () => {
    for (const k of KEY_LIST) assert.ok(!('problem' in k.check.parse(k.default)), k.path)
  })
})

describe('values from the file, the environment and flags', () => {
  const full = `
data_dir = "var/pdns"
shutdown_timeout = "2m"
[log]
level = "debug"
[capture]
enabled = false
interfaces = ["eth0", "eth1"]
ports = [53, 5353]
snaplen = 1500
promiscuous = true
buffer_mb = 64
filter = "not host 10.0.0.1"
[dnstap]
listen = ["unix:tap.sock", "unix:/run/pdns/tap.sock", "tcp:127.0.0.1:6000", "tcp:[::1]:6001", "tcp:localhost:0"]
message_types = ["AUTH_RESPONSE"]
max_frame_bytes = 65536
socket_mode = "0620"
socket_group = "nogroup"
[store]
flush_interval = "30s"
window_mb = 1024
retention = "90d"
retention_remote = "36h"
[mesh]
listen = ["/ip4/0.0.0.0/tcp/4001", "/ip6/::/tcp/4001"]
peers = ["/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa"]
allow = ["12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa"]
psk_file = "swarm.key"
share = "query-only"
update_interval = "1m"

[api]
listen = "[::1]:8443"
tls_cert = "tls/cert.pem"
tls_key = "/etc/pdns/key.pem"
metrics_listen = "127.0.0.1:9100"
threads = 3
rate = 1200
max_limit = 5000
`

  // the API's TLS pair is read and checked when the config loads: a real one, made by openssl, one
  // file relative to the data directory and one absolute
  let tlsKey: string
  before(async () => {
    mkdirSync(join(dir, 'var/pdns/tls'), { recursive: true })
    tlsKey = join(dir, 'elsewhere-key.pem')
    await selfSigned(join(dir, 'var/pdns/tls/cert.pem'), tlsKey)
  })

  test('every key set in the file is taken, in its unit, with paths resolved', async () => {
    const p = await file(full.replace('/etc/pdns/key.pem', tlsKey))
    const c = await loadConfig({ file: p, env: {}, cwd: dir })
    const data = join(dir, 'var/pdns')
    assert.deepEqual(c, {
      file: p,
      dataDir: data,
      controlSocket: join(data, 'control.sock'),
      shutdownTimeoutMs: 120_000,
      log: { level: 'debug' },
      capture: {
        enabled: false,
        interfaces: ['eth0', 'eth1'],
        interfacesExplicit: true,
        ports: [53, 5353],
        snaplen: 1500,
        promiscuous: true,
        bufferBytes: 64 * MIB,
        filter: 'not host 10.0.0.1',
      },
      dnstap: {
        listen: [
          { transport: 'unix', path: join(data, 'tap.sock') },
          { transport: 'unix', path: '/run/pdns/tap.sock' },
          { transport: 'tcp', host: '127.0.0.1', port: 6000 },
          { transport: 'tcp', host: '::1', port: 6001 },
          { transport: 'tcp', host: 'localhost', port: 0 },
        ],
        messageTypes: ['AUTH_RESPONSE'],
        maxFrameBytes: 65536,
        socketMode: 0o620,
        socketGroup: NOGROUP_GID,
      },
      store: {
        flushIntervalMs: 30_000,
        windowMaxBytes: 1024 * MIB,
        retentionS: 90 * 86_400,
        retentionRemoteS: 36 * 3600,
      },
      mesh: {
        listen: ['/ip4/0.0.0.0/tcp/4001', '/ip6/::/tcp/4001'],
        peers: ['/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa'],
        allow: ['12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa'],
        pskFile: join(data, 'swarm.key'),
        share: 'query-only',
        updateIntervalMs: 60_000,
        checkpointRecords: 1_000_000,
      },
      api: {
        listen: { host: '::1', port: 8443 },
        tlsCert: join(data, 'tls/cert.pem'),
        tlsKey,
        metricsListen: { host: '127.0.0.1', port: 9100 },
        threads: 3,
        ratePerMin: 1200,
        maxLimit: 5000,
      },
    } satisfies NodeConfig)
  })

  test('api: the listener can be turned off by the environment or a flag, and TLS files go in pairs', async () => {
    const off = await loadConfig({ env: { PDNS_MESH_API: '' }, cwd: dir })
    assert.equal(off.api.listen, null)
    const flagged = await loadConfig({
      env: { PDNS_MESH_API: '' },
      flags: { apiListen: '127.0.0.1:0' },
      cwd: dir,
    })
    assert.deepEqual(flagged.api.listen, { host: '127.0.0.1', port: 0 })
    const dflt = await loadConfig({ env: {}, cwd: dir })
    assert.deepEqual(dflt.api.listen, { host: '127.0.0.1', port: 8080 })
    const p = await file('[api]\nlisten = "nope"\ntls_cert = "c.pem"')
    await assert.rejects(loadConfig({ file: p, env: {}, cwd: dir }), (err: unknown) => {
      const m = (err as Error).message
      assert.match(m, /api\.listen/)
      assert.match(m, /tls_cert and api\.tls_key go together/)
      return true
    })
    // files that do not exist: a problem only while the API would use them
    const missing = await file('[api]\ntls_cert = "no-cert.pem"\ntls_key = "/nonexistent/key.pem"')
    await assert.rejects(loadConfig({ file: missing, env: {}, cwd: dir }), (err: unknown) => {
      const m = (err as PdnsError).message
      assert.equal((err as PdnsError).code, 'ERR_CONFIG')
      assert.match(m, /api\.tls_cert: cannot read .*no-cert\.pem: ENOENT/)
      assert.match(m, /api\.tls_key: cannot read \/nonexistent\/key\.pem: ENOENT/)
      return true
    })
    const unused = await loadConfig({ file: missing, env: { PDNS_MESH_API: '' }, cwd: dir })
    assert.equal(unused.api.listen, null)
  })

  test('mesh: a dialled peer must be allowed, addresses must parse, peer ids must be Ed25519', async () => {
    const p = await file(
      '[mesh]\nlisten = ["/ip4/0.0.0.0/tcp/4001"]\npeers = ["/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa", "/ip4/192.0.2.8/tcp/4001"]\nallow = ["nope"]\nshare = "some"',
    )
    await assert.rejects(loadConfig({ file: p, env: {}, cwd: dir }), (err: unknown) => {
      const m = (err as Error).message
      assert.match(m, /mesh\.peers.*does not end in \/p2p\/<peer id>/)
      assert.match(m, /mesh\.allow.*"nope" is not a peer id/)
      assert.match(m, /mesh\.share/)
      return true
    })
    const q = await file(
      '[mesh]\nlisten = ["/ip4/0.0.0.0/tcp/4001"]\npeers = ["/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa"]',
    )
    await assert.rejects(loadConfig({ file: q, env: {}, cwd: dir }), /is not in mesh\.allow/)
  })

  test('data_dir: --data beats $PDNS_MESH_DATA, which beats the file, which beats the default', async () => {
    const p = await file('data_dir = "from-file"')
    const env = { PDNS_MESH_DATA: 'from-env' }
    assert.equal((await loadConfig({ file: p, env: {}, cwd: dir })).dataDir, join(dir, 'from-file'))
    assert.equal((await loadConfig({ file: p, env, cwd: dir })).dataDir, join(dir, 'from-env'))
    const flagged = await loadConfig({ file: p, env, cwd: dir, flags: { dataDir: '/srv/flag' } })
    assert.equal(flagged.dataDir, '/srv/flag')
    // an empty variable is no setting (as the CLI's dataDirOf reads it)
    assert.equal(
      (await loadConfig({ env: { PDNS_MESH_DATA: '' }, cwd: dir })).dataDir,
      join(dir, 'pdns-data'),
    )
  })

  test('the default dnstap socket follows the data directory wherever it comes from', async () => {
    const c = await loadConfig({ env: {}, cwd: dir, flags: { dataDir: '/srv/pdns' } })
    assert.deepEqual(c.dnstap.listen, [{ transport: 'unix', path: '/srv/pdns/dnstap.sock' }])
  })

  test('flags replace the lists of the file, and say that interfaces were named', async () => {
    const p = await file('[capture]\ninterfaces = ["eth0"]\n[dnstap]\nlisten = ["tcp:127.0.0.1:6000"]')
    const c = await loadConfig({
      file: p,
      env: {},
      cwd: dir,
      flags: { interfaces: ['wlan0'], dnstapListen: ['unix:/tmp/x.sock'], logLevel: 'warn' },
    })
    assert.deepEqual(c.capture.interfaces, ['wlan0'])
    assert.equal(c.capture.interfacesExplicit, true)
    assert.deepEqual(c.dnstap.listen, [{ transport: 'unix', path: '/tmp/x.sock' }])
    assert.equal(c.log.level, 'warn')
    const none = await loadConfig({
      file: p,
      env: {},
      cwd: dir,
      flags: { dnstapListen: [], captureEnabled: false },
    })
    assert.deepEqual(none.dnstap.listen, [])
    assert.equal(none.capture.enabled, false)
  })

  test('--interface turns capture on even when the file turned it off', async () => {
    const p = await file('[capture]\nenabled = false\n')
    const off = await loadConfig({ file: p, env: {}, cwd: dir })
    assert.equal(off.capture.enabled, false)
    const on = await loadConfig({ file: p, env: {}, cwd: dir, flags: { interfaces: ['lo'] } })
    assert.equal(on.capture.enabled, true)
    assert.deepEqual(on.capture.interfaces, ['lo'])
  })

  test('an empty interface list is the default interface, not a named one', async () => {
    const c = await loadConfig({ file: await file('[capture]\ninterfaces = []'), env: {}, cwd: dir })
    assert.equal(c.capture.interfacesExplicit, false)
  })

  test('a relative config path is read from the working directory and reported as given', async () => {
    await writeFile(join(dir, 'rel.toml'), '[log]\nlevel = "error"\n')
    const c = await loadConfig({ file: 'rel.toml', env: {}, cwd: dir })
    assert.equal(c.file, join(dir, 'rel.toml'))
    assert.equal(c.log.level, 'error')
    await writeFile(join(dir, 'relbad.toml'), '[log]\nlevel = "loud"\n')
    await assert.rejects(loadConfig({ file: 'relbad.toml', env: {}, cwd: dir }), {
      code: 'ERR_CONFIG',
      message:
        'config relbad.toml: log.level: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    })
  })
})

describe('errors', () => {
  test('an out-of-range value names the file, the key, the range and the value', async () => {
    assert.equal(
      await problem('[store]\nwindow_mb = "big"'),
      'config FILE: store.window_mb: expected an integer from 16 to 65536, got "big"',
    )
    assert.equal(
      await problem('[store]\nwindow_mb = 8'),
      'config FILE: store.window_mb: expected an integer from 16 to 65536, got 8',
    )
    assert.equal(
      await problem('[capture]\nsnaplen = 1.5'),
      'config FILE: capture.snaplen: expected an integer from 256 to 262144, got 1.5',
    )
  })

  test('an unknown key is reported at the top, in a section, nested below one, and in the wrong section', async () => {
    assert.match(
      await problem('colour = "blue"'),
      /^config FILE: colour: unknown key \(top-level keys: data_dir/,
    )
    assert.equal(
      await problem('[store]\nsize = 64'),
      'config FILE: store.size: unknown key (the [store] keys: flush_interval, window_mb, retention, retention_remote)',
    )
    assert.equal(
      await problem('[store]\nwindow = 64'),
      'config FILE: store.window: unknown key (did you mean store.window_mb?)',
    )
    assert.equal(
      await problem('[log]\nlevl = "info"'),
      'config FILE: log.levl: unknown key (did you mean log.level?)',
    )
    assert.equal(
      await problem('[store]\nlevel = "debug"'),
      'config FILE: store.level: unknown key here (did you mean log.level?)',
    )
    assert.equal(
      await problem('level = "debug"'),
      'config FILE: level: unknown key here (did you mean log.level?)',
    )
    assert.match(await problem('[capture.extra]\nx = 1'), /^config FILE: capture\.extra: unknown key/)
    assert.match(await problem('[web]\nlisten = []'), /^config FILE: web: unknown key/)
    // a quoted dotted key is one key, not a path into a section
    assert.match(await problem('"log.level" = "debug"'), /^config FILE: "log\.level": unknown key/)
    assert.match(await problem('__proto__ = 1'), /^config FILE: __proto__: unknown key/)
  })

  test('a wrong type is reported with what was expected', async () => {
    assert.equal(
      await problem('[capture]\nenabled = "yes"'),
      'config FILE: capture.enabled: expected true or false, got "yes"',
    )
    assert.equal(await problem('log = "debug"'), 'config FILE: log: expected a table ([log]), got "debug"')
    assert.equal(
      await problem('[capture]\nports = 53'),
      'config FILE: capture.ports: expected a list of integers, got 53',
    )
    assert.equal(
      await problem('[capture]\nports = [53, 70000]'),
      'config FILE: capture.ports[1]: expected a port number from 1 to 65535, got 70000',
    )
    assert.equal(
      await problem('[capture]\nports = [53, 53]'),
      'config FILE: capture.ports[1]: 53 is listed twice',
    )
    assert.match(
      await problem('[capture]\nports = []'),
      /capture\.ports: expected a list of 1 to 64 items, got \[\]/,
    )
    assert.match(await problem('data_dir = 1979-05-27'), /data_dir: expected a non-empty string, got a date/)
    assert.match(
      await problem('[capture]\nfilter = { a = 1 }'),
      /capture\.filter: expected a string, got a table/,
    )
  })

  test('durations are strings with a unit; bare numbers and other units are refused', async () => {
    assert.equal(
      await problem('[store]\nflush_interval = 10'),
      'config FILE: store.flush_interval: expected a duration from 1s to 1h ("30s", "5m", "1h"), got 10',
    )
    assert.match(
      await problem('[store]\nflush_interval = "10ms"'),
      /store\.flush_interval: expected a duration/,
    )
    assert.match(
      await problem('[store]\nflush_interval = "2h"'),
      /store\.flush_interval: expected a duration from 1s to 1h/,
    )
    assert.match(
      await problem('shutdown_timeout = "0s"'),
      /shutdown_timeout: expected a duration from 1s to 10m/,
    )
  })

  test('store.retention: days or hours, "0" or empty is off; retention_remote follows it, may be shorter, never longer', async () => {
    const load = async (text: string) =>
      (await loadConfig({ file: await file(text), env: {}, cwd: dir })).store
    const off = await load('')
    assert.deepEqual([off.retentionS, off.retentionRemoteS], [null, null])
    const same = await load('[store]\nretention = "90d"')
    assert.deepEqual([same.retentionS, same.retentionRemoteS], [90 * 86_400, 90 * 86_400])
    const zero = await load('[store]\nretention = "0"')
    assert.deepEqual([zero.retentionS, zero.retentionRemoteS], [null, null])
    const remoteOnly = await load('[store]\nretention_remote = "7d"')
    assert.deepEqual([remoteOnly.retentionS, remoteOnly.retentionRemoteS], [null, 7 * 86_400])
    assert.equal(
      await problem('[store]\nretention = "90d"\nretention_remote = "91d"'),
      "config FILE: store.retention_remote: longer than store.retention: peers' data is kept at most as long as the node's own (leave it empty for the same)",
    )
    assert.match(
      await problem('[store]\nretention = "90x"'),
      /store\.retention: expected a duration from 1h to 36500d/,
    )
    assert.match(await problem('[store]\nretention = "30m"'), /store\.retention: expected a duration from 1h/)
    assert.match(await problem('[store]\nretention = "36501d"'), /store\.retention: expected a duration/)
    assert.match(await problem('[store]\nretention = 90'), /store\.retention: expected a duration/)
    // "0" is off for the node's own data only: for peers' data it would mean longer than retention
    assert.match(
      await problem('[store]\nretention_remote = "0"'),
      /store\.retention_remote: expected a duration/,
    )
  })

  test('a bad listen address or message type names the list item', async () => {
    assert.equal(
      await problem('[dnstap]\nlisten = ["udp:1.2.3.4:53"]'),
      'config FILE: dnstap.listen[0]: expected unix:PATH or tcp:HOST:PORT, got "udp:1.2.3.4:53"',
    )
    assert.match(
      await problem('[dnstap]\nlisten = ["tcp:::1:6000"]'),
      /dnstap\.listen\[0\]: expected tcp:HOST:PORT/,
    )
    assert.match(
      await problem('[dnstap]\nlisten = ["tcp:[::1]:70000"]'),
      /dnstap\.listen\[0\]: port 70000 is above 65535/,
    )
    assert.match(
      await problem('[dnstap]\nlisten = ["tcp:999.1.1.1:6000"]'),
      /dnstap\.listen\[0\]: "999\.1\.1\.1" is not/,
    )
    assert.match(
      await problem('[dnstap]\nlisten = ["unix:"]'),
      /dnstap\.listen\[0\]: a unix: address needs a path/,
    )
    assert.match(
      await problem('[dnstap]\nmessage_types = ["CLIENT_RESPONSE", "CLIENT_RESPONS"]'),
      /dnstap\.message_types\[1\]: expected one of AUTH_QUERY, .*UPDATE_RESPONSE, got "CLIENT_RESPONS"/,
    )
  })

  test('dnstap.socket_mode is an octal string of permission bits; anything else names the key', async () => {
    const mode = async (v: string) =>
      (await loadConfig({ file: await file(`[dnstap]\nsocket_mode = ${v}`), env: {}, cwd: dir })).dnstap
        .socketMode
    assert.equal(await mode('"0660"'), 0o660)
    assert.equal(await mode('"660"'), 0o660)
    assert.equal(await mode('"0600"'), 0o600)
    assert.equal(await mode('"0777"'), 0o777)
    assert.equal(
      await problem('[dnstap]\nsocket_mode = 660'),
      'config FILE: dnstap.socket_mode: expected an octal mode as a string such as "0660", got 660',
    )
    for (const bad of ['"0868"', '"4660"', '"06600"', '"66"', '"0o660"', '"rw-rw----"', '""']) {
      assert.match(
        await problem(`[dnstap]\nsocket_mode = ${bad}`),
        /^config FILE: dnstap\.socket_mode: expected an octal mode such as "0660", got /,
        bad,
      )
    }
  })

  test('dnstap.socket_group is looked up in /etc/group; a numeric gid is taken as it is; an unknown name names the key', async () => {
    const group = async (v: string) =>
      (await loadConfig({ file: await file(`[dnstap]\nsocket_group = ${v}`), env: {}, cwd: dir })).dnstap
        .socketGroup
    assert.equal(await group('"nogroup"'), NOGROUP_GID)
    assert.equal(await group('"54321"'), 54321)
    assert.equal(await group('54321'), 54321)
    assert.equal(await group('""'), null)
    assert.equal(
      await problem('[dnstap]\nsocket_group = "no-such-group-here"'),
      'config FILE: dnstap.socket_group: no group "no-such-group-here" in /etc/group (a group known only ' +
        'to a directory service is given by its numeric gid)',
    )
    for (const bad of ['"un bound"', '"a:b"', '-1', '4294967295', 'true']) {
      assert.match(
        await problem(`[dnstap]\nsocket_group = ${bad}`),
        /^config FILE: dnstap\.socket_group: expected a group name or a numeric gid, got /,
        bad,
      )
    }
  })

  test('a unix socket path too long for the kernel is refused before anything binds', async () => {
    const long = `/tmp/${'d'.repeat(100)}`
    await assert.rejects(loadConfig({ env: {}, cwd: dir, flags: { dataDir: long } }), (err: PdnsError) => {
      assert.equal(err.code, 'ERR_CONFIG')
      assert.match(
        err.message,
        /^--data: too long for the node's control socket: the unix socket path .* is 1\d\d bytes/,
      )
      assert.match(err.message, /dnstap\.listen \(default\)\[0\]: the unix socket path/)
      return true
    })
  })

  test('all problems are reported at once, one per line', async () => {
    const msg = await problem('[store]\nwindow_mb = 1\nflush = "1s"\n[log]\nlevel = 3')
    assert.deepEqual(msg.split('\n'), [
      'config FILE: store.window_mb: expected an integer from 16 to 65536, got 1',
      'config FILE: store.flush: unknown key (did you mean store.flush_interval?)',
      'config FILE: log.level: expected one of trace, debug, info, warn, error, fatal, silent, got 3',
    ])
  })

  test('flag values are checked as file values are, named by their flag', async () => {
    const load = (flags: object) => loadConfig({ env: {}, cwd: dir, flags })
    await assert.rejects(load({ dnstapListen: ['tcp:nowhere'] }), {
      code: 'ERR_CONFIG',
      message:
        '--dnstap: expected tcp:HOST:PORT (an IPv6 host in brackets: tcp:[::1]:6000), got "tcp:nowhere"',
    })
    await assert.rejects(load({ interfaces: ['eth 0'] }), {
      code: 'ERR_CONFIG',
      message: /^--interface: expected an interface name/,
    })
    await assert.rejects(load({ logLevel: 'loud' }), {
      code: 'ERR_CONFIG',
      message: /^--log-level: expected one of/,
    })
    await assert.rejects(load({ interfaces: ['eth0'], captureEnabled: false }), {
      code: 'ERR_CONFIG',
      message: /--no-capture: contradicts --interface/,
    })
    await assert.rejects(loadConfig({ env: { PDNS_MESH_DATA: 'a\0b' }, cwd: dir }), {
      code: 'ERR_CONFIG',
      message: '$PDNS_MESH_DATA: holds a NUL byte',
    })
  })

  test('a file that is not TOML is reported with its line and column', async () => {
    const msg = await problem('[log]\nlevel = "info"\nwindow_mb = = 3\n')
    assert.match(msg, /^config FILE: line 3, column 13: invalid TOML: invalid value\n/)
    assert.match(msg, /window_mb = = 3/)
    assert.match(
      await problem('[log]\nlevel = "a"\nlevel = "b"\n'),
      /^config FILE: line 3, column 1: invalid TOML/,
    )
  })

  test('a missing, unreadable, binary or oversized file is ERR_CONFIG naming it', async () => {
    await assert.rejects(loadConfig({ file: join(dir, 'nope.toml'), env: {} }), {
      code: 'ERR_CONFIG',
      message: new RegExp(`^config ${join(dir, 'nope.toml')}: cannot read it: ENOENT`),
    })
    await assert.rejects(loadConfig({ file: dir, env: {} }), {
      code: 'ERR_CONFIG',
      message: /not a regular file/,
    })
    const binary = await file(Buffer.from([0x6c, 0x6f, 0x67, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0x0a]))
    await assert.rejects(loadConfig({ file: binary, env: {} }), {
      code: 'ERR_CONFIG',
      message: /not UTF-8 text/,
    })
    const big = await file(`# ${'x'.repeat(1024 * 1024)}\n`)
    await assert.rejects(loadConfig({ file: big, env: {} }), {
      code: 'ERR_CONFIG',
      message: /\d+ bytes, over the 1048576 a config file may have/,
    })
  })
})
