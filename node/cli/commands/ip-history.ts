import { scopeOf } from '../../analysis/collect-pages.ts'
import { type IpHistoryAnswer, ipHistory } from '../../analysis/ip-history.ts'
import { normalizeName } from '../../query/parse.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'
import {
  answerWith,
  asnTableOf,
  COMMON_HELP,
  FENCE_HELP,
  FENCE_OPTIONS,
  fenceOf,
  onePositional,
  parseHistoryArgs,
  utc,
} from './history-options.ts'

const HELP = `Usage: pdns-mesh ip-history FQDN [options]

Has FQDN hopped between IPs? Its A/AAAA addresses over time (first, last, count each), the days on
which addresses came or went, and a fast-flux assessment: features (distinct addresses, /24 and
/16 networks — /48 and /32 for IPv6 —, ASNs with --asn-table, TTL when the store keeps it, address
lifetimes, addresses per answer), Holz et al.'s flux score (NDSS 2008) and a verdict: stable,
rotating (load balancing or a CDN inside few networks) or flux-suspect, with the reasons in words.
See docs/QUESTIONS.md.

Options:
  --asn-table FILE      an IP-to-ASN table: iptoasn.com ip2asn-v4/v6/combined.tsv or RouteViews
                        pfx2as (none ships; without it /16 networks stand in for ASNs)
${FENCE_HELP}
${COMMON_HELP}

JSON: {"name", "addresses": [{address, rrtype, first, last, count, vantages, asn?}],
"daily": [{day, added, removed, active}], "flux": {features, score, threshold, networks, verdict,
reasons}, "limited"}

Exit status: 0; 2 on a bad name, time, option or ASN table (nothing is read); 1 when the database
is missing or held by another process, or output failed.
`

export const ipHistoryCommand: Command = {
  name: 'ip-history',
  help: HELP,
  async run(args, { signal }) {
    const extra = {
      ...Object.fromEntries(FENCE_OPTIONS.map((o) => [o, { type: 'string' as const }])),
      'asn-table': { type: 'string' as const },
    }
    const cli = parseHistoryArgs(args, extra, FENCE_OPTIONS)
    const name = normalizeName(onePositional(cli, 'a name'))
    const fence = fenceOf(cli, Math.floor(Date.now() / 1000))
    const asnTable = await asnTableOf(cli)
    return await answerWith(
      cli,
      signal,
      (c, o) =>
        ipHistory(
          c,
          {
            name,
            ...scopeOf({ fence, origin: cli.origin }),
            ...(asnTable === undefined ? {} : { asnTable }),
          },
          o,
        ),
      renderIpHistory,
    )
  },
}

export function renderIpHistory(a: IpHistoryAnswer): string {
  const f = a.flux
  const parts = [
    `${a.name}: ${f.verdict.toUpperCase()} (flux score ${f.score}, threshold ${f.threshold})${a.limited ? ' (cut at the lookup bound: limited)' : ''}`,
  ]
  parts.push(f.reasons.map((r) => `  - ${r}`).join('\n'))
  if (a.addresses.length > 0) {
    parts.push(
      renderTable(
        [
          'address',
          'type',
          'first seen (UTC)',
          'last seen (UTC)',
          'count',
          ...(a.addresses[0]!.asn === undefined ? [] : ['asn']),
        ],
        a.addresses.map((x) => [
          x.address,
          x.rrtype,
          utc(x.first),
          utc(x.last),
          String(x.count),
          ...(x.asn === undefined ? [] : [x.asn === null ? '-' : `AS${x.asn}`]),
        ]),
      ),
    )
  }
  if (a.daily.length > 0) {
    parts.push(
      renderTable(
        ['day (UTC)', 'added', 'removed', 'in use'],
        a.daily.map((d) => [d.day, String(d.added), String(d.removed), String(d.active)]),
      ),
    )
  }
  const x = f.features
  parts.push(
    renderTable(null, [
      [
        'addresses per answer',
        `max ${x.per_answer.max}, median ${x.per_answer.median} (addresses first seen in the same second)`,
      ],
      [
        'address lifetime',
        `min ${x.lifetime_days.min}, median ${x.lifetime_days.median}, max ${x.lifetime_days.max} days`,
      ],
      ['TTL', x.ttl === null ? 'not stored' : `${x.ttl.min}–${x.ttl.max} s`],
      ['changes', `${x.changes} over ${x.span_days} days (${x.changes_per_day} a day)`],
    ]),
  )
  return parts.join('\n\n')
}
