/**
 * A known history over six months, as COF lines, for the history questions: a shop that moves its
 * name servers from GoDaddy (domaincontrol.com) to Cloudflare and its web server to another network,
 * a flux-like name (a dozen short-lived addresses a day across the whole address space) beside a
 * CDN-like one (as many a day, inside two /16s), an IPv6-only name, a single sighting, and PTRs that
 * agree and disagree with the forward records. Seeded: the same lines on every run.
 */
import { prng, randInt } from '../helpers/prng.ts'

export const T0 = Date.UTC(2026, 0, 1) / 1000
export const DAY = 86_400
/** the day the shop moved (name servers and web server) */
export const MOVE = T0 + 90 * DAY
export const END = T0 + 180 * DAY

export interface CofLine {
  rrname: string
  rrtype: string
  rdata: string
  time_first: number
  time_last: number
  count: number
  bailiwick?: string
  sensor_id: string
}

export function historyCorpus(seed = 10): CofLine[] {
  const rand = prng(seed)
  const out: CofLine[] = []
  const rec = (
    rrname: string,
    rrtype: string,
    rdata: string,
    first: number,
    last: number,
    extra: { bailiwick?: string; count?: number; sensor?: string } = {},
  ) => {
    out.push({
      rrname,
      rrtype,
      rdata,
      time_first: first,
      time_last: last,
      count: extra.count ?? 1 + randInt(rand, 50),
      ...(extra.bailiwick === undefined ? {} : { bailiwick: extra.bailiwick }),
      sensor_id: extra.sensor ?? (rand() < 0.5 ? 'east' : 'west'),
    })
  }
  // NS: parent side (bailiwick com) and child side (bailiwick the domain), GoDaddy then Cloudflare
  for (const [bw, lag] of [
    ['com', 0],
    ['moved-shop.com', 3600],
  ] as const) {
    for (const h of ['ns51.domaincontrol.com', 'ns52.domaincontrol.com']) {
      rec('moved-shop.com', 'NS', h, T0 + lag, MOVE - 1, { bailiwick: bw })
    }
    for (const h of ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com']) {
      rec('moved-shop.com', 'NS', h, MOVE + lag, END, { bailiwick: bw })
    }
  }
  for (let i = 0; i < 3; i++) {
    rec(
      'moved-shop.com',
      'SOA',
      `ns51.domaincontrol.com dns.jomax.net ${2026010100 + i} 28800 7200 604800 600`,
      T0 + i * 30 * DAY,
      T0 + (i + 1) * 30 * DAY - 1,
      { bailiwick: 'moved-shop.com' },
    )
  }
  rec(
    'moved-shop.com',
    'SOA',
    'ada.ns.cloudflare.com dns.cloudflare.com 2350000000 10000 2400 604800 1800',
    MOVE,
    END,
    { bailiwick: 'moved-shop.com' },
  )
  // the web server migrates; its old address keeps its PTR, the new one's PTR names the hoster
  rec('www.moved-shop.com', 'A', '192.0.2.10', T0, MOVE - 1)
  rec('www.moved-shop.com', 'A', '198.51.100.20', MOVE, END)
  rec('10.2.0.192.in-addr.arpa', 'PTR', 'www.moved-shop.com', T0, END)
  rec('20.100.51.198.in-addr.arpa', 'PTR', 'host20.hoster.example', T0, END)
  rec('11.2.0.192.in-addr.arpa', 'PTR', 'orphan.moved-shop.com', T0 + DAY, T0 + 2 * DAY)
  rec('mail.moved-shop.com', 'A', '192.0.2.25', T0, END)
  // IPv6 only, stable
  rec('v6.moved-shop.com', 'AAAA', '2001:db8::1', T0, END)
  rec('v6.moved-shop.com', 'AAAA', '2001:db8:0:1::2', T0, END)
  // one sighting
  rec('once.moved-shop.com', 'A', '192.0.2.99', T0 + 5 * DAY, T0 + 5 * DAY, { count: 1 })
  // flux-like: 30 days of 12 fresh addresses a day anywhere, in answers of 4, living hours
  for (let d = 0; d < 30; d++) {
    for (let answer = 0; answer < 3; answer++) {
      const t = T0 + 120 * DAY + d * DAY + answer * 7200 + randInt(rand, 3600)
      for (let k = 0; k < 4; k++) {
        const ip = `${11 + randInt(rand, 200)}.${randInt(rand, 256)}.${randInt(rand, 256)}.${1 + randInt(rand, 254)}`
        rec('login.flux-prize.net', 'A', ip, t, t + 3600 + randInt(rand, 4 * 3600))
      }
    }
  }
  // CDN-like: as many addresses a day, all inside 203.0.0.0/16 and 198.18.0.0/16
  for (let d = 0; d < 30; d++) {
    for (let answer = 0; answer < 3; answer++) {
      const t = T0 + 120 * DAY + d * DAY + answer * 7200 + randInt(rand, 3600)
      for (let k = 0; k < 4; k++) {
        const ip =
          rand() < 0.5
            ? `203.0.${randInt(rand, 256)}.${1 + randInt(rand, 254)}`
            : `198.18.${randInt(rand, 256)}.${1 + randInt(rand, 254)}`
        rec('static.cdn-fast.com', 'A', ip, t, t + 3600 + randInt(rand, 4 * 3600))
      }
    }
  }
  return out
}

export function corpusText(seed = 10): string {
  return `${historyCorpus(seed)
    .map((l) => JSON.stringify(l))
    .join('\n')}\n`
}
