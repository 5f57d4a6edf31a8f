import { type FluxRankAnswer, fluxRank } from '../../analysis/flux-rank.ts'
import { MAX_FLUX_RANK_LIMIT, MAX_FLUX_SCAN } from '../../analysis/limits.ts'
import { PdnsError } from '../../errors.ts'
import { normalizeName } from '../../query/parse.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'
import { answerWith, asnTableOf, COMMON_HELP, parseHistoryArgs, timeOption, utc } from './history-options.ts'

const DEFAULT_RANK = 50

const HELP = `Usage: pdns-mesh flux [--under ZONE] [--since T] [--limit N] [options]

Ranks the most flux-like names for hunting, scored as ip-history scores one name. The work is
bounded: with --under it reads the A and then the AAAA records at or below ZONE, at most
${MAX_FLUX_SCAN} of each; without it, the first ${2 * MAX_FLUX_SCAN} entries of the store's export.
A cut scan says so ("limited") and ranks what it read.

Options:
  --under ZONE          only names at or below ZONE
  --since T             only records last seen at or after T (epoch seconds, ISO 8601, -7d…)
  --limit N             at most N names (default ${DEFAULT_RANK}, up to ${MAX_FLUX_RANK_LIMIT})
  --asn-table FILE      an IP-to-ASN table (see ip-history --help)
${COMMON_HELP}

JSON: {"under", "since", "scanned": {records, names}, "limited", "names": [{name, score, verdict,
addresses, max_daily_addresses, max_daily_networks, prefixes_24, prefixes_16, asns, first, last,
reasons}]}
`

export const fluxCommand: Command = {
  name: 'flux',
  help: HELP,
  async run(args, { signal }) {
    const cli = parseHistoryArgs(
      args,
      {
        under: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        'asn-table': { type: 'string' },
      },
      ['since'],
    )
    if (cli.positionals.length > 0) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `flux takes no argument but options: ${JSON.stringify(cli.positionals[0])}`,
      )
    }
    const under = typeof cli.values.under === 'string' ? normalizeName(cli.values.under, 'zone') : undefined
    const since = timeOption(cli, 'since', Math.floor(Date.now() / 1000))
    let limit = DEFAULT_RANK
    if (typeof cli.values.limit === 'string') {
      limit = Number(cli.values.limit)
      if (!/^[0-9]{1,6}$/.test(cli.values.limit) || limit < 1 || limit > MAX_FLUX_RANK_LIMIT) {
        throw new PdnsError(
          'ERR_BAD_ARGUMENT',
          `--limit: '${cli.values.limit}' (1 to ${MAX_FLUX_RANK_LIMIT})`,
        )
      }
    }
    const asnTable = await asnTableOf(cli)
    return await answerWith(
      cli,
      signal,
      (c, o) =>
        fluxRank(
          c,
          {
            limit,
            ...(under === undefined ? {} : { under }),
            ...(since === undefined ? {} : { since }),
            ...(cli.origin === undefined ? {} : { origin: cli.origin }),
            ...(asnTable === undefined ? {} : { asnTable }),
          },
          o,
        ),
      renderFluxRank,
    )
  },
}

export function renderFluxRank(a: FluxRankAnswer): string {
  const head = `read ${a.scanned.records} A/AAAA records of ${a.scanned.names} names${a.under === null ? '' : ` under ${a.under}`}${a.since === null ? '' : ` last seen since ${utc(a.since)} UTC`}${a.limited ? '; the scan hit its bound (limited): the ranking covers what was read' : ''}`
  if (a.names.length === 0) return `${head}\n(no names)`
  const rows = a.names.map((n) => [
    String(n.score),
    n.verdict,
    String(n.addresses),
    String(n.max_daily_addresses),
    String(n.max_daily_networks),
    utc(n.first),
    utc(n.last),
    n.name,
  ])
  return `${head}\n\n${renderTable(['score', 'verdict', 'addresses', 'max/day', 'networks/day', 'first seen (UTC)', 'last seen (UTC)', 'name'], rows)}`
}
