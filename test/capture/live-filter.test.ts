/**
 * The live capture's BPF filter, compiled and run by the real libpcap in offline mode: over
 * hand-built frames (ports, fragments, VLAN levels, the operator's extra expression), and over the
 * corpus's VLAN-tagged and fragmented captures, where it must keep exactly the frames tshark's
 * equivalent display filter keeps and lose no DNS the decoder would have found.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { PacketDecoder } from '../../node/capture/index.ts'
import {
  buildDnsFilter,
  DECODABLE_LINK_TYPES,
  type DnsFilterOptions,
  filterError,
  linkTypeNumber,
  loadPcapBinding,
  portTerms,
  predictLinkType,
  readFiltered,
} from '../../node/capture/live/index.ts'
import type { Observation } from '../../node/dns/observation.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { CORPUS_DIR, readManifest, requireCorpus } from '../helpers/shared.ts'
import { bytes, dnsQuery, ether, fragHeader, ip4, ipv4, ipv6, pcapFile, tcp, udp } from './helpers.ts'

const binding = loadPcapBinding()
const DNS: ReadonlySet<number> = new Set([53, 5353, 5355])

/** Runs `frames` (Ethernet) through libpcap with `filter`; returns the indices of those that pass. */
function passing(frames: Uint8Array[], filter: string, linkType = 1): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-live-filter-'))
  try {
    const path = join(dir, 'frames.pcap')
    writeFileSync(
      path,
      pcapFile(
        frames.map((data) => ({ data })),
        { linkType },
      ),
    )
    const out: number[] = []
    let next = 0
    readFiltered(binding, path, filter, (_lt, buf, off, len) => {
      const f = buf.subarray(off, off + len)
      while (next < frames.length && !Buffer.from(frames[next]!).equals(f)) next++
      assert.ok(next < frames.length, 'libpcap delivered a frame that is not ours')
      out.push(next++)
    })
    return out
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const C = ip4('203.0.113.9')
const V4 = 0x0800
const V6 = 0x86dd
const Q = 0x8100
const AD = 0x88a8

/** Named frames, each with whether the default DNS filter (ports 53, 5353, 5355) must keep it. */
const FRAMES: [string, Uint8Array, boolean][] = [
  ['udp 53', ether(V4, ipv4(17, udp(40000, 53, dnsQuery(1)))), true],
  ['udp from 5353', ether(V4, ipv4(17, udp(5353, 5353, dnsQuery(2)))), true],
  ['tcp 53', ether(V4, ipv4(6, tcp(40001, 53, 1, 0x18, dnsQuery(3)))), true],
  ['udp 5354 (between two DNS ports)', ether(V4, ipv4(17, udp(40000, 5354, dnsQuery(4)))), false],
  ['udp 80', ether(V4, ipv4(17, udp(40000, 80, dnsQuery(5)))), false],
  ['icmp', ether(V4, ipv4(1, bytes(8, 0, 0, 0, 0, 1, 0, 1))), false],
  [
    'ipv4 first fragment udp 53',
    ether(V4, ipv4(17, udp(53, 40000, dnsQuery(6)), { more: true, id: 9 })),
    true,
  ],
  [
    'ipv4 first fragment udp 80',
    ether(V4, ipv4(17, udp(80, 40000, dnsQuery(7)), { more: true, id: 10 })),
    false,
  ],
  [
    'ipv4 non-first fragment',
    ether(V4, ipv4(17, bytes(1, 2, 3, 4, 5, 6, 7, 8), { fragOffset: 1480, id: 9 })),
    true,
  ],
  ['ipv6 udp 53', ether(V6, ipv6(17, udp(40000, 53, dnsQuery(8)))), true],
  ['ipv6 tcp 80', ether(V6, ipv6(6, tcp(40000, 80, 1, 0x18, bytes(1)))), false],
  [
    'ipv6 fragment',
    ether(V6, ipv6(17, udp(53, 40000, dnsQuery(9)), { ext: [[44, fragHeader(0, true, 5)]] })),
    true,
  ],
  ['arp', ether(0x0806, new Uint8Array(28)), false],
  ['vlan udp 53', ether(V4, ipv4(17, udp(40000, 53, dnsQuery(10))), [Q]), true],
  ['vlan udp 80', ether(V4, ipv4(17, udp(40000, 80, dnsQuery(11))), [Q]), false],
  ['vlan ipv6 udp 53', ether(V6, ipv6(17, udp(53, 40000, dnsQuery(12))), [Q]), true],
  [
    'vlan ipv4 non-first fragment',
    ether(V4, ipv4(17, bytes(1, 2, 3, 4), { fragOffset: 8, id: 3 }), [Q]),
    true,
  ],
  ['qinq udp 53', ether(V4, ipv4(17, udp(40000, 53, dnsQuery(13))), [AD, Q]), true],
  ['qinq tcp 80', ether(V4, ipv4(6, tcp(40000, 80, 1, 0x18, bytes(1))), [AD, Q]), false],
  // two levels are what the filter spells out (802.1ad S-tag + C-tag); deeper stacks are not kept
  ['three tags udp 53', ether(V4, ipv4(17, udp(40000, 53, dnsQuery(14))), [AD, Q, Q]), false],
]

const frames = FRAMES.map((f) => f[1])
const expect = (pred: (name: string, kept: boolean) => boolean) =>
  FRAMES.flatMap(([name, , kept], i) => (pred(name, kept) ? [i] : []))
const namesOf = (idx: number[]) => idx.map((i) => FRAMES[i]![0])

describe('the DNS filter, run by libpcap', () => {
  test('consecutive ports make one portrange', () => {
    assert.deepEqual(portTerms(new Set([5355, 53, 5353, 5354, 853, 1])), [
      'port 1',
      'port 53',
      'port 853',
      'portrange 5353-5355',
    ])
  })

  test('keeps DNS ports over UDP and TCP, IP fragments, and one or two VLAN tags', () => {
    const got = passing(frames, buildDnsFilter({ ports: DNS }, 1))
    assert.deepEqual(namesOf(got), namesOf(expect((_n, kept) => kept)))
  })

  test('without fragments, only port matches are kept', () => {
    const got = passing(frames, buildDnsFilter({ ports: DNS, fragments: false }, 1))
    assert.deepEqual(namesOf(got), namesOf(expect((n, kept) => kept && !/non-first|ipv6 fragment/.test(n))))
  })

  test('built for a link type without VLAN support, the filter keeps untagged frames only', () => {
    const got = passing(frames, buildDnsFilter({ ports: DNS }, null))
    assert.deepEqual(namesOf(got), namesOf(expect((n, kept) => kept && !/vlan|qinq/.test(n))))
  })

  test("the operator's extra expression narrows the filter at every VLAN level", () => {
    const mk = (src: Uint8Array, tags: number[]) =>
      ether(V4, ipv4(17, udp(40000, 53, dnsQuery(1)), { src }), tags)
    const set = [mk(C, []), mk(ip4('192.0.2.1'), []), mk(C, [Q]), mk(ip4('192.0.2.1'), [Q])]
    set.push(mk(C, [AD, Q]), mk(ip4('192.0.2.1'), [AD, Q]))
    const f = buildDnsFilter({ ports: DNS, extra: 'not src host 192.0.2.1' }, 1)
    assert.deepEqual(passing(set, f), [0, 2, 4])
    // and it cannot widen it: the result is the intersection, udp 80 stays out
    const wide = buildDnsFilter({ ports: DNS, extra: 'udp port 80 or udp port 53' }, 1)
    assert.deepEqual(
      namesOf(passing(frames, wide)),
      namesOf(expect((n, kept) => kept && / udp 53$/.test(` ${n}`))),
    )
  })

  test("mode 'replace' makes the operator's expression the whole filter", () => {
    const o: DnsFilterOptions = { ports: DNS, extra: 'udp port 80', mode: 'replace' }
    assert.equal(buildDnsFilter(o, 1), 'udp port 80')
    assert.deepEqual(namesOf(passing(frames, buildDnsFilter(o, 1))), ['udp 80', 'ipv4 first fragment udp 80'])
    assert.equal(buildDnsFilter({ ports: DNS, mode: 'replace' }, 1), '')
  })

  test('compiles for every link type the decoder reads; vlan only where libpcap supports it', () => {
    for (const lt of DECODABLE_LINK_TYPES) {
      // 14 is DLT_RAW as OpenBSD numbers it, found in some files; libpcap refuses it as a file link
      // type, and no Linux handle has it
      if (lt === 14) continue
      const f = buildDnsFilter({ ports: DNS, extra: 'not host 192.0.2.1' }, lt)
      assert.equal(filterError(binding, f, lt), null, `link type ${lt}: ${f}`)
    }
    assert.match(filterError(binding, 'vlan and udp', 113) ?? '', /VLAN/)
    assert.match(filterError(binding, 'udp port 99999', 1) ?? '', /illegal port number/)
    assert.match(filterError(binding, '(udp', 1) ?? '', /syntax error/)
    // a link type libpcap does not know is its message, not a crash
    assert.match(filterError(binding, 'udp', 14) ?? '', /unknown data link type 14/)
  })
})

describe('link types', () => {
  test('every link type the live capture accepts is one the decoder reads, and only those', () => {
    const unsupported = (lt: number) => {
      const dec = new PacketDecoder({ ports: DNS }, () => {})
      dec.decode(lt, new Uint8Array(64), 0, 64, 64, 0)
      return dec.skipped.get(`link.unsupported:${lt}`) > 0
    }
    for (const lt of DECODABLE_LINK_TYPES) assert.equal(unsupported(lt), false, `link type ${lt}`)
    // the DLTs libpcap gives pseudo-devices here (NFLOG, NFQUEUE, D-Bus, Bluetooth monitor)
    for (const lt of [239, 245, 231, 254]) assert.equal(unsupported(lt), true, `link type ${lt}`)
  })

  test("the addon's link type names map to capture-file numbers", () => {
    assert.equal(linkTypeNumber('LINKTYPE_ETHERNET'), 1)
    assert.equal(linkTypeNumber('LINKTYPE_LINUX_SLL'), 113)
    assert.equal(linkTypeNumber('LINKTYPE_RAW'), 101)
    assert.equal(linkTypeNumber('LINKTYPE_NULL'), 0)
    assert.equal(linkTypeNumber('LINKTYPE_IEEE802_11_RADIO'), 127)
    assert.equal(linkTypeNumber('Unknown linktype 276'), 276)
    assert.equal(linkTypeNumber('nonsense'), null)
  })

  test('the link type predicted from sysfs is the one libpcap opens', () => {
    assert.equal(predictLinkType('lo'), 1)
    assert.equal(predictLinkType('any'), 113)
    assert.equal(predictLinkType('nflog'), null)
    assert.equal(predictLinkType('../lo'), null)
  })
})

/** tshark's display-filter form of the same condition (IP reassembly off, as libpcap sees frames). */
const TSHARK_CONDITION =
  '((udp.port in {53, 5353, 5355} || tcp.port in {53, 5353, 5355}) && !icmp && !icmpv6)' +
  ' || ip.frag_offset > 0 || ipv6.nxt == 44'

/** Frame numbers tshark keeps with TSHARK_CONDITION; null when tshark is not installed. */
function tsharkFrames(path: string): number[] | null {
  const res = spawnSync(
    'tshark',
    ['-r', path, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-Y', TSHARK_CONDITION],
    { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 << 20 },
  )
  if (res.error !== undefined) {
    if ((res.error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw res.error
  }
  assert.equal(res.status, 0, res.stderr)
  // one summary line per frame, its number first
  return res.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Number(l.trim().split(/\s+/)[0]))
}

/** Every frame of a capture file that passes `filter` (copied), in order, through libpcap. */
function framesOf(path: string, filter: string): { linkType: number; frames: Uint8Array[] } {
  const out: Uint8Array[] = []
  const r = readFiltered(binding, path, filter, (_lt, buf, off, len) => {
    out.push(new Uint8Array(buf.subarray(off, off + len)))
  })
  return { linkType: r.linkType, frames: out }
}

/**
 * Observations from the frames of `path` that pass `filter`, streamed from libpcap's reused buffer
 * straight into a Sensor (no copies: the decoder must copy what it keeps, as with live capture).
 */
function observeFiltered(path: string, filter: string): Observation[] {
  const obs: Observation[] = []
  const sensor = new Sensor({ ports: DNS, clientAddresses: true }, (o) => obs.push(o))
  readFiltered(binding, path, filter, sensor.onFrame)
  sensor.flush()
  return obs
}

/** Observations from the project's own capture-file reader. */
async function observeFile(path: string): Promise<Observation[]> {
  const obs: Observation[] = []
  const sensor = new Sensor({ ports: DNS, clientAddresses: true }, (o) => obs.push(o))
  await sensor.ingestFile(path)
  sensor.flush()
  return obs
}

describe('over the corpus', () => {
  test('on VLAN-tagged and fragmented captures the filter keeps what tshark keeps, and all the DNS', async (t) => {
    if (!requireCorpus(t, 'live filter vs tshark')) return
    // tunnels (encap:*) and PPPoE are outside the filter by design (filter.ts); malformed frames are
    // where tshark's dissectors and BPF's fixed offsets part ways
    const rows = readManifest().filter(
      (r) =>
        r.local.startsWith('pcaps/') &&
        r.dupOf === '' &&
        (r.tags.includes('vlan') || r.tags.includes('ip-fragments')) &&
        !r.tags.some((g) => g.startsWith('encap:') || g.startsWith('malformed')),
    )
    assert.ok(rows.length >= 10, `${rows.length} captures`)
    let tshark = true
    let vlanOnly = 0
    let fragmentDns = 0
    for (const row of rows) {
      const path = resolve(CORPUS_DIR, row.local)
      const all = framesOf(path, '')
      const filter = buildDnsFilter({ ports: DNS }, all.linkType)
      const kept = framesOf(path, filter)

      // which frames (1-based, as tshark numbers them) passed
      const numbers: number[] = []
      let next = 0
      for (const f of kept.frames) {
        while (next < all.frames.length && !Buffer.from(all.frames[next]!).equals(f)) next++
        numbers.push(++next)
      }
      const want: number[] | null = tshark ? tsharkFrames(path) : null
      if (want === null) {
        // the comparison with an independent dissector is the point of this test: under CI a
        // missing tshark is a failure (.ci/run installs it), elsewhere it is said, not hidden
        if (process.env.CI === 'true')
          throw new Error('tshark is not installed: the filter cannot be checked')
        t.diagnostic('tshark is not installed: frame numbers not compared with it')
        tshark = false
      } else assert.deepEqual(numbers, want, row.local)

      // the decoder finds the same DNS in the kept frames, handed over in libpcap's reused buffer,
      // as in the whole file read by the project's own reader
      const everything = await observeFile(path)
      assert.deepEqual(observeFiltered(path, filter), everything, row.local)

      if (row.tags.includes('vlan') && kept.frames.length > 0) {
        const untaggedOnly = framesOf(path, buildDnsFilter({ ports: DNS }, null))
        if (untaggedOnly.frames.length === 0) vlanOnly++
      }
      if (row.tags.includes('ip-fragments')) {
        const noFrag = buildDnsFilter({ ports: DNS, fragments: false }, all.linkType)
        if (observeFiltered(path, noFrag).length < everything.length) fragmentDns++
      }
    }
    if (!tshark) t.diagnostic('tshark is not installed: frame sets compared with the decoder only')
    assert.ok(vlanOnly > 0, 'some captures carry their DNS in VLAN tags only, which the vlan levels keep')
    assert.ok(fragmentDns > 0, 'some captures have DNS only the fragment clause keeps')
  })
})
