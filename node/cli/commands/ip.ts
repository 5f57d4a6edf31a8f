import { scopeOf } from '../../analysis/collect-pages.ts'
import { type IpNamesAnswer, ipNames } from '../../analysis/ip-names.ts'
import { PdnsError } from '../../errors.ts'
import { parseRdataTarget } from '../../query/parse.ts'
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

const HELP = `Usage: pdns-mesh ip ADDRESS|CIDR|RANGE [options]

Which names point at these addresses: the names whose A/AAAA records point into ADDRESS
(192.0.2.1, 2001:db8::1), CIDR (192.0.2.0/24) or RANGE (192.0.2.10-192.0.2.20), with first and last
seen, and beside them the PTR names seen for those addresses. Where forward and reverse disagree it
says so: "no PTR" (a name points here, no PTR names it back), "no forward" (a PTR names a host with
no A/AAAA here).

Options:
${FENCE_HELP}
${COMMON_HELP}

JSON: {"query", "names": [{name, first, last, count, vantages, addresses}],
"addresses": [{address, forward: [{name, rrtype, first, last, count, vantages, ptr}],
ptr: [{name, first, last, count, vantages, forward}], agree}], "limited"}

Exit status: 0; 2 on a bad address, prefix, range, time or option (nothing is read); 1 when the
database is missing or held by another process, or output failed.
`

export const ipCommand: Command = {
  name: 'ip',
  help: HELP,
  async run(args, { signal }) {
    const extra = Object.fromEntries(FENCE_OPTIONS.map((o) => [o, { type: 'string' as const }]))
    const cli = parseHistoryArgs(args, extra, FENCE_OPTIONS)
    const text = onePositional(cli, 'an address, CIDR or range')
    const target = parseRdataTarget(text)
    if (target.kind !== 'address') {
      throw new PdnsError('ERR_BAD_QUERY', `not an address, CIDR or range: ${JSON.stringify(text)}`)
    }
    const fence = fenceOf(cli, Math.floor(Date.now() / 1000))
    return await answerWith(
      cli,
      signal,
      (c, o) =>
        ipNames(
          c,
          {
            lo: target.lo,
            hi: target.hi,
            query: text.trim(),
            ...scopeOf({ fence, origin: cli.origin }),
          },
          o,
        ),
      renderIpNames,
    )
  },
}

export function renderIpNames(a: IpNamesAnswer): string {
  const rows: string[][] = []
  for (const ad of a.addresses) {
    for (const f of ad.forward) {
      rows.push([
        ad.address,
        'forward',
        f.rrtype,
        f.name,
        utc(f.first),
        utc(f.last),
        String(f.count),
        f.ptr ? 'ok' : 'no PTR',
      ])
    }
    for (const p of ad.ptr) {
      rows.push([
        ad.address,
        'reverse',
        'PTR',
        p.name,
        utc(p.first),
        utc(p.last),
        String(p.count),
        p.forward ? 'ok' : 'no forward',
      ])
    }
  }
  const disagree = a.addresses.filter((x) => !x.agree).length
  const head = `${a.query}: ${a.names.length} name${a.names.length === 1 ? '' : 's'} on ${a.addresses.length} address${a.addresses.length === 1 ? '' : 'es'}; forward and reverse ${disagree === 0 ? 'agree everywhere' : `disagree on ${disagree}`}${a.limited ? ' (cut at the lookup bound: limited)' : ''}`
  if (rows.length === 0) return `${head}\n(nothing seen)`
  return `${head}\n\n${renderTable(['address', 'side', 'type', 'name', 'first seen (UTC)', 'last seen (UTC)', 'count', 'check'], rows)}`
}
