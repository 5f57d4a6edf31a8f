/** Which interfaces libpcap offers, and which one a capture opens when the operator names none. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import {
  defaultInterface,
  defaultRouteInterface,
  listInterfaces,
  type NetInterface,
  pickDefaultInterface,
} from '../../node/capture/live/index.ts'

const HEAD = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT'
const route = (iface: string, dest: string, flags: string, metric: number, mask: string) =>
  `${iface}\t${dest}\t010200C0\t${flags}\t0\t0\t${metric}\t${mask}\t0\t0\t0`

const dev = (name: string, up: boolean, loopback = false): NetInterface => ({
  name,
  description: null,
  addresses: [],
  loopback,
  up,
})

test('the default route is the up 0.0.0.0/0 entry with the lowest metric', () => {
  const text = [
    HEAD,
    route('eth0', '000200C0', '0001', 0, '00FFFFFF'),
    route('wlan0', '00000000', '0003', 600, '00000000'),
    route('eth1', '00000000', '0003', 100, '00000000'),
    // a default route that is not up, with the best metric
    route('eth2', '00000000', '0002', 1, '00000000'),
    '',
  ].join('\n')
  assert.equal(defaultRouteInterface(text), 'eth1')
  assert.equal(
    defaultRouteInterface([HEAD, route('eth0', '000200C0', '0001', 0, '00FFFFFF')].join('\n')),
    null,
  )
  assert.equal(defaultRouteInterface(HEAD), null)
  assert.equal(defaultRouteInterface(''), null)
})

test('without a usable default route, the first interface that is up and not loopback', () => {
  const devices = [
    dev('any', false),
    dev('lo', true, true),
    dev('ifb0', false),
    dev('eth3', true),
    dev('eth4', true),
  ]
  const viaRoute = [HEAD, route('eth4', '00000000', '0003', 0, '00000000')].join('\n')
  assert.equal(pickDefaultInterface(viaRoute, devices), 'eth4')
  // the route names an interface libpcap does not list
  const gone = [HEAD, route('ppp9', '00000000', '0003', 0, '00000000')].join('\n')
  assert.equal(pickDefaultInterface(gone, devices), 'eth3')
  assert.equal(pickDefaultInterface(null, devices), 'eth3')
  assert.equal(pickDefaultInterface(null, [dev('any', false), dev('lo', true, true)]), null)
})

test("this host's interfaces and default", () => {
  const devices = listInterfaces()
  const lo = devices.find((d) => d.name === 'lo')
  assert.ok(lo !== undefined, 'libpcap lists lo')
  assert.equal(lo.loopback, true)
  assert.equal(lo.up, true)
  assert.ok(lo.addresses.includes('127.0.0.1'))
  const any = devices.find((d) => d.name === 'any')
  assert.equal(any?.up, false, 'a pseudo-device is never the default')
  for (const d of devices) assert.equal(d.up && !existsSync(`/sys/class/net/${d.name}`), false, d.name)

  const routes = existsSync('/proc/net/route') ? readFileSync('/proc/net/route', 'utf8') : null
  const want = pickDefaultInterface(routes, devices)
  if (want === null) {
    assert.throws(() => defaultInterface(devices), { code: 'ERR_CAPTURE_INTERFACE' })
    return
  }
  const name = defaultInterface(devices)
  assert.equal(name, want)
  const chosen = devices.find((d) => d.name === name)!
  assert.ok(chosen.up && !chosen.loopback, `${name} is up and not loopback`)
})
