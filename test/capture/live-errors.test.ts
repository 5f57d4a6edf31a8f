/**
 * How live capture fails: without the privilege (a real unprivileged child process), on an unknown
 * or unusable interface, with a filter libpcap rejects, with bad options, without the addon; and
 * that a failure on a later interface closes the ones already opened.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { type TestContext, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { LIVE_MAX_SNAPLEN, LIVE_MIN_SNAPLEN } from '../../node/capture/limits.ts'
import { LiveCapture, listInterfaces, loadPcapBinding } from '../../node/capture/live/index.ts'
import { isPdnsError, type PdnsError } from '../../node/errors.ts'
import {
  NOBODY,
  type ReadableCheckout,
  readableCheckout,
  setpriv,
  skipOrFail,
} from '../helpers/unprivileged.ts'
import {
  askUdp,
  capturedLog,
  mayCapture,
  packetSockets,
  requireCapture,
  sendUdp,
  stopAndRelease,
  udpDnsServer,
  waitFor,
} from './live-helpers.ts'

const LIVE_INDEX = fileURLToPath(new URL('../../node/capture/live/index.ts', import.meta.url))

function quiet() {
  return capturedLog().log
}

async function startError(cap: LiveCapture): Promise<PdnsError> {
  try {
    await cap.start()
  } catch (err) {
    assert.ok(isPdnsError(err), `not a PdnsError: ${String(err)}`)
    return err
  }
  cap.stop()
  assert.fail('start() succeeded')
}

/**
 * How to run this checkout's code without CAP_NET_RAW/CAP_NET_ADMIN: as this process when it has
 * none; else as nobody (from a copy of the checkout when nobody cannot read it), or as root with the
 * capabilities dropped (capsh) where setpriv is missing. Null when neither can be (the test skipped).
 */
function unprivileged(t: TestContext): { wrap: string[]; checkout: ReadableCheckout | null } | null {
  if (!mayCapture()) return { wrap: [], checkout: null }
  if (setpriv() !== null) {
    const checkout = readableCheckout(t)
    return checkout === null ? null : { wrap: [setpriv()!, ...NOBODY], checkout }
  }
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin']) {
    if (existsSync(`${dir}/capsh`)) {
      return { wrap: [`${dir}/capsh`, '--drop=cap_net_raw,cap_net_admin', '--'], checkout: null }
    }
  }
  return skipOrFail(t, 'neither setpriv nor capsh is installed: cannot drop the capture privilege')
}

test('without root or CAP_NET_RAW, start() is ERR_CAPTURE_PERMISSION saying how to fix it', (t) => {
  // an unprivileged process runs the child as it is; a privileged one drops the privilege first
  const how = unprivileged(t)
  if (how === null) return
  const { wrap, checkout } = how
  const node = checkout?.node ?? process.execPath
  const script = `
    import { LiveCapture } from ${JSON.stringify(checkout?.at(LIVE_INDEX) ?? LIVE_INDEX)}
    const log = { info() {}, warn() {}, error() {} }
    const cap = new LiveCapture({ onFrame() {}, log }, { interfaces: ['lo'] })
    try {
      await cap.start()
      cap.stop()
      console.log(JSON.stringify({ started: true }))
    } catch (e) {
      console.log(JSON.stringify({ code: e.code, message: e.message, execPath: process.execPath }))
    }
    process.exit(0)
  `
  const argv = wrap[0]?.endsWith('capsh')
    ? [...wrap, '-c', `exec ${JSON.stringify(node)} --input-type=module -e ${JSON.stringify(script)}`]
    : [...wrap, node, '--input-type=module', '-e', script]
  const res = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: 60_000,
    ...(checkout === null ? {} : { cwd: checkout.root }),
  })
  assert.equal(res.status, 0, res.stderr)
  const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
    code?: string
    message?: string
    execPath?: string
    started?: boolean
  }
  assert.equal(out.started, undefined, 'the unprivileged child could capture')
  assert.equal(out.code, 'ERR_CAPTURE_PERMISSION', out.message)
  const msg = out.message!
  assert.match(msg, /\blo\b/)
  assert.match(msg, /CAP_NET_RAW/)
  assert.match(msg, /CAP_NET_ADMIN/)
  assert.ok(msg.includes(`sudo setcap cap_net_raw,cap_net_admin=eip ${out.execPath}`), msg)
  assert.match(msg, /run as root/)
  assert.match(msg, /--no-capture/)
  assert.match(msg, /Operation not permitted|permission/i, "libpcap's own words")
})

test('an unknown interface is ERR_CAPTURE_INTERFACE naming it and listing the available ones', async () => {
  const before = packetSockets()
  const err = await startError(
    new LiveCapture({ onFrame() {}, log: quiet() }, { interfaces: ['lo', 'nosuch-if0'] }),
  )
  assert.equal(err.code, 'ERR_CAPTURE_INTERFACE')
  assert.match(err.message, /nosuch-if0/)
  for (const d of listInterfaces()) assert.ok(err.message.includes(d.name), `${d.name} listed`)
  assert.equal(packetSockets(), before, 'nothing was opened: names are checked first')
})

test('a filter libpcap rejects is ERR_CAPTURE_INTERFACE with its message, before any handle opens', async () => {
  const before = packetSockets()
  const err = await startError(
    new LiveCapture({ onFrame() {}, log: quiet() }, { interfaces: ['lo'], filter: 'udp port 99999' }),
  )
  assert.equal(err.code, 'ERR_CAPTURE_INTERFACE')
  assert.match(err.message, /illegal port number 99999/)
  assert.match(err.message, /\blo\b/)
  assert.equal(packetSockets(), before)
  // `vlan` does not exist on Linux cooked capture: the filter built for `any` has no VLAN levels,
  // but an operator's own `vlan` is reported for it
  const any = await startError(
    new LiveCapture({ onFrame() {}, log: quiet() }, { interfaces: ['any'], filter: 'vlan 100' }),
  )
  assert.equal(any.code, 'ERR_CAPTURE_INTERFACE')
  assert.match(any.message, /VLAN/)
  assert.equal(packetSockets(), before)
})

test('when a later interface fails, the ones already opened are closed before the error', async (t) => {
  if (!requireCapture(t, 'partial start failure')) return
  const down = listInterfaces().find((d) => !d.up && !d.loopback && existsSync(`/sys/class/net/${d.name}`))
  if (down === undefined) {
    t.skip('no interface is down on this host: cannot make a second open fail')
    return
  }
  const server = await udpDnsServer()
  t.after(() => server.close())
  const before = packetSockets()
  let frames = 0
  const cap = new LiveCapture(
    { onFrame: () => frames++, log: quiet() },
    { interfaces: ['lo', down.name], ports: new Set([server.port]) },
  )
  const err = await startError(cap)
  assert.equal(err.code, 'ERR_CAPTURE_INTERFACE')
  assert.match(err.message, new RegExp(`${down.name}.*not up`))
  assert.deepEqual(cap.stats(), [], 'a failed start keeps no session')
  // lo's handle was opened (its socket is still there), then closed: the addon releases it at the
  // next packet through its filter
  assert.equal(packetSockets(), before + 1, 'lo was opened before the second interface failed')
  const end = Date.now() + 30_000
  while (packetSockets() !== before) {
    assert.ok(Date.now() < end, "lo's handle was not released")
    await sendUdp(server.port, 1, 'wake')
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.equal(frames, 0, 'nothing was delivered from the interface closed by the failed start')
})

test('options out of bounds are ERR_CONFIG naming the option', async () => {
  const cases: [object, RegExp][] = [
    [{ snaplen: LIVE_MIN_SNAPLEN - 1 }, /snaplen/],
    [{ snaplen: LIVE_MAX_SNAPLEN + 1 }, /snaplen/],
    [{ bufferBytes: 1.5 }, /buffer/],
    [{ ports: new Set<number>() }, /ports/],
    [{ ports: new Set([70000]) }, /70000/],
    [{ ports: new Set(Array.from({ length: 65 }, (_, i) => 1000 + 2 * i)) }, /65 filter terms/],
    [{ interfaces: ['lo', 'lo'] }, /named twice/],
    [{ interfaces: ['a b'] }, /not an interface name/],
    [{ filter: 'x'.repeat(5000) }, /longer than/],
    [{ filterMode: 'or' }, /mode/],
  ]
  const before = packetSockets()
  for (const [options, re] of cases) {
    const err = await startError(new LiveCapture({ onFrame() {}, log: quiet() }, options))
    assert.equal(err.code, 'ERR_CONFIG', JSON.stringify(options))
    assert.match(err.message, re)
  }
  assert.equal(packetSockets(), before)
})

test('an addon that does not load is ERR_CAPTURE_UNAVAILABLE pointing at libpcap-dev and npm install', () => {
  assert.throws(
    () => loadPcapBinding('pcap/build/Release/no_such_binding.node'),
    (err: unknown) =>
      isPdnsError(err) &&
      err.code === 'ERR_CAPTURE_UNAVAILABLE' &&
      /libpcap-dev/.test(err.message) &&
      /npm install/.test(err.message),
  )
  assert.match(loadPcapBinding().lib_version(), /libpcap/)
})

test('a capture restarted after stop() works again', async (t) => {
  if (!requireCapture(t, 'capture restart')) return
  const server = await udpDnsServer()
  t.after(() => server.close())
  let frames = 0
  const cap = new LiveCapture(
    { onFrame: () => frames++, log: quiet() },
    { interfaces: ['lo'], ports: new Set([server.port]) },
  )
  for (let round = 1; round <= 2; round++) {
    await cap.start()
    await cap.start() // running: a no-op
    assert.equal(cap.stats().length, 1)
    const seen = frames
    await askUdp(server.port, round, `round${round}.example`)
    await waitFor(() => frames >= seen + 2, `round ${round} frames`)
    await stopAndRelease(cap, server.port)
  }
})

test('a start cancelled through its signal is ERR_ABORTED and opens nothing', async () => {
  const before = packetSockets()
  const ac = new AbortController()
  ac.abort(new Error('shutting down'))
  const cap = new LiveCapture({ onFrame() {}, log: quiet() }, { interfaces: ['lo'] })
  await assert.rejects(cap.start({ signal: ac.signal }), { code: 'ERR_ABORTED' })
  assert.deepEqual(cap.stats(), [])
  assert.equal(packetSockets(), before)
})
