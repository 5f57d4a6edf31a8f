import { type CnameAuditArgs, checkCnameAuditArgs, cnameAudit } from '../../analysis/cname/audit.ts'
import { DEFAULT_STALE_AFTER } from '../../analysis/cname/limits.ts'
import { loadProviders } from '../../analysis/cname/providers.ts'
import { PdnsError } from '../../errors.ts'
import { tableTime } from '../../query/format/table.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'
import { parseMeshTimeoutOption } from '../query-options.ts'
import { formatOf, withQuestionBackend } from './lookalikes.ts'

const HELP = `Usage: pdns-mesh cname-audit ZONE [options]

Every name at or below ZONE with a CNAME, its chain followed through the passive DNS database, the
cloud or SaaS provider it points into (S3, CloudFront, Azure, Heroku, GitHub Pages, Fastly,
Shopify…, with takeover status and fingerprint), and a status:
  dangling  the chain ends in NXDOMAIN seen after the CNAME appeared (and no answer since), the end
            was never seen resolving, or the chain loops or is too long to resolve
  stale     the end has not been seen resolving for --stale-after while the CNAME still is
  ok        the end resolves
Dangling first, then stale, then ok; newest CNAME sightings first within each.

Options:
  --stale-after D       how long without the target resolving makes a still-seen CNAME stale
                        (default ${DEFAULT_STALE_AFTER / 86_400}d; 12h, 30d, 2w or seconds)
  --providers FILE      more providers (the format of node/analysis/cname/data/providers.json),
                        tried before the built-in ones
  --origin LABEL        only what this vantage saw
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --mesh                follow the chains through the running node's mesh peers too
  --mesh-timeout S      seconds each peer has to answer (default 10)
  --format F            table or json (default: table on a terminal, else json)

JSON: {"zone": Z, "findings": [{"name", "target", "chain", "provider", "status", "reason", "first",
"last"}]}; provider is null or {"name", "takeover", "fingerprint", "source"}.

Exit status: 0 (also when nothing was found); 2 on a bad zone or option (nothing is read); 1 when
the database is missing or held by another process, or output failed.
`

/** `30d`, `12h`, `2w`, `45m`, `90s` or plain seconds → seconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^([0-9]{1,9})([smhdw]?)$/.exec(text.trim())
  const unit: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }
  if (m === null || Number(m[1]) === 0) {
    throw new PdnsError('ERR_BAD_ARGUMENT', `--${option}: '${text}' (a duration: 30d, 12h, 2w, or seconds)`)
  }
  return Number(m[1]) * unit[m[2]!]!
}

export const cnameAuditCommand: Command = {
  name: 'cname-audit',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      'stale-after': { type: 'string' },
      providers: { type: 'string' },
      origin: { type: 'string' },
      data: { type: 'string' },
      mesh: { type: 'boolean' },
      'mesh-timeout': { type: 'string' },
      format: { type: 'string' },
    })
    if (positionals.length !== 1) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        positionals.length === 0
          ? 'cname-audit: the ZONE is missing (see --help)'
          : 'cname-audit: one ZONE expected',
      )
    }
    const format = formatOf(values.format)
    const a: CnameAuditArgs = { zone: positionals[0]! }
    if (values['stale-after'] !== undefined)
      a.staleAfter = parseDuration(values['stale-after'], 'stale-after')
    if (values.origin !== undefined) a.origin = values.origin
    checkCnameAuditArgs(a)
    const providers = loadProviders(values.providers)
    const dataDir = dataDirOf(values.data)
    const timeoutMs = parseMeshTimeoutOption(values['mesh-timeout'], values.mesh === true)
    return await withQuestionBackend(dataDir, values.mesh === true, timeoutMs, signal, async (backend) => {
      const answer = await cnameAudit({ backend, providers }, a, { signal })
      if (format === 'json') return [JSON.stringify(answer)]
      if (answer.findings.length === 0) return [`no CNAMEs at or below ${answer.zone} in the store`]
      const rows = answer.findings.map((f) => [
        f.status,
        f.name,
        f.chain.slice(1).join(' → '),
        f.provider === null ? '-' : `${f.provider.name} (${f.provider.takeover})`,
        tableTime(f.first),
        tableTime(f.last),
        f.reason,
      ])
      return [
        renderTable(
          ['status', 'name', 'chain', 'provider', 'first seen (UTC)', 'last seen (UTC)', 'reason'],
          rows,
        ),
      ]
    })
  },
}
