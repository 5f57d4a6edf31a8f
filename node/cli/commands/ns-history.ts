import { scopeOf } from '../../analysis/collect-pages.ts'
import { type NsHistoryAnswer, nsHistory } from '../../analysis/ns-history.ts'
import { normalizeName } from '../../query/parse.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'
import {
  answerWith,
  COMMON_HELP,
  FENCE_HELP,
  FENCE_OPTIONS,
  fenceOf,
  onePositional,
  parseHistoryArgs,
  utc,
} from './history-options.ts'

const HELP = `Usage: pdns-mesh ns-history DOMAIN [options]

Has DOMAIN moved name servers? Its NS sets over time as periods, oldest first, parent-side (the
delegation: NS records whose bailiwick is a zone above DOMAIN) and child-side (bailiwick DOMAIN)
apart, "unknown" where no bailiwick was recorded; the change points between consecutive sets with
the providers (registered domains of the NS hosts, Public Suffix List) before and after; and the
SOA MNAME/RNAME history.

The store keeps one first/last window per record: a host that left and came back looks present
throughout, so a set that returns shows as the other hosts coming and going beside it.

Options:
${FENCE_HELP}
${COMMON_HELP}

JSON: {"domain", "periods": [{ns, first, last, vantages, side}],
"changes": [{time, side, from, to, providers_from, providers_to}],
"soa": [{mname, rname, first, last, count, serials, vantages}],
"soa_changes": [{time, field, from, to}], "limited"}

Exit status: 0; 2 on a bad domain, time or option (nothing is read); 1 when the database is missing
or held by another process, or output failed.
`

export const nsHistoryCommand: Command = {
  name: 'ns-history',
  help: HELP,
  async run(args, { signal }) {
    const extra = Object.fromEntries(FENCE_OPTIONS.map((o) => [o, { type: 'string' as const }]))
    const cli = parseHistoryArgs(args, extra, FENCE_OPTIONS)
    const domain = normalizeName(onePositional(cli, 'a domain'), 'domain')
    const fence = fenceOf(cli, Math.floor(Date.now() / 1000))
    return await answerWith(
      cli,
      signal,
      (c, o) =>
        nsHistory(
          c,
          {
            domain,
            ...scopeOf({ fence, origin: cli.origin }),
          },
          o,
        ),
      renderNsHistory,
    )
  },
}

export function renderNsHistory(a: NsHistoryAnswer): string {
  const parts: string[] = []
  const moves = a.changes.filter((c) => c.providers_from.join() !== c.providers_to.join()).length
  parts.push(
    `${a.domain}: ${a.periods.length} NS period${a.periods.length === 1 ? '' : 's'}, ${a.changes.length} change${a.changes.length === 1 ? '' : 's'}, ${moves} between providers${a.limited ? ' (cut at the lookup bound: limited)' : ''}`,
  )
  if (a.periods.length > 0) {
    parts.push(
      renderTable(
        ['from (UTC)', 'to (UTC)', 'side', 'vantages', 'name servers'],
        a.periods.map((p) => [utc(p.first), utc(p.last), p.side, String(p.vantages.length), p.ns.join(' ')]),
      ),
    )
  }
  if (a.changes.length > 0) {
    parts.push(
      renderTable(
        ['changed (UTC)', 'side', 'providers', 'from', 'to'],
        a.changes.map((c) => [
          utc(c.time),
          c.side,
          c.providers_from.join() === c.providers_to.join()
            ? `same (${c.providers_to.join(' ')})`
            : `${c.providers_from.join(' ') || '-'} → ${c.providers_to.join(' ') || '-'}`,
          c.from.join(' '),
          c.to.join(' '),
        ]),
      ),
    )
  }
  if (a.soa.length > 0) {
    parts.push(
      renderTable(
        ['SOA from (UTC)', 'to (UTC)', 'serials', 'mname', 'rname'],
        a.soa.map((s) => [utc(s.first), utc(s.last), String(s.serials), s.mname, s.rname]),
      ),
    )
  }
  if (a.soa_changes.length > 0) {
    parts.push(
      a.soa_changes.map((c) => `SOA ${c.field} changed ${utc(c.time)} UTC: ${c.from} → ${c.to}`).join('\n'),
    )
  }
  return parts.join('\n\n')
}
