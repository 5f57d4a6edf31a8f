/**
 * Question benchmark (numbers, never assertions): times new, ip, ns-history, ip-history, flux,
 * lookalikes and cname-audit on a synthetic store (scripts/bench/questions/synth.ts: 10 M records
 * by default) through the hooks of scripts/bench/questions/, with the exact-name lookup measured in
 * the same run as the baseline every command is compared with, and lookalikes' permutation half
 * against `dnstwist --format list`. Progress goes to stderr, the table to stdout.
 *
 *   node scripts/bench/questions.ts [--records 10000000] [--quick] [--store DIR] [--rounds R]
 *
 * --quick: ~200 k records, fewer arguments and rounds (under two minutes). --store DIR reuses (or
 * builds there) a store; without it the store is bench-out/questions-<records> and is kept for
 * the next run and for bench:api.
 */
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fluxRank } from '../../node/analysis/flux-rank.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { DEFAULT_LIMIT } from '../../node/query/types.ts'
import { Store } from '../../node/store/store.ts'
import { count } from './count.ts'
import { buildStore, pct, sampleDomains, settle } from './questions/build.ts'
import { benchHistory } from './questions/history.ts'
import { compareWithDnstwist, timeCnameAudit, timeLookalikes } from './questions/lookalikes.ts'
import { benchNew } from './questions/new.ts'
import { BRANDS, type DomainPlan, NOW, planOf } from './questions/synth.ts'

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000000' },
    quick: { type: 'boolean', default: false },
    store: { type: 'string' },
    rounds: { type: 'string' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../bench-out') },
  },
})

const QUICK = values.quick
const RECORDS = QUICK ? 200_000 : count(values.records, 'records')
const ROUNDS = values.rounds === undefined ? (QUICK ? 3 : 5) : count(values.rounds, 'rounds')
const DIR = resolve(values.store ?? join(values.out, `questions-${RECORDS}`))
const log = (s: string) => process.stderr.write(`${s}\n`)
const now = () => performance.now()

interface Row {
  command: string
  args: string
  runs: number
  p50: number
  p99: number
  note: string
}

const started = now()
const built = await buildStore(DIR, RECORDS)
const store = await Store.open(DIR)
const rows: Row[] = []
let dnstwist: ReturnType<typeof compareWithDnstwist> | null = null
try {
  log('waiting for compactions to settle …')
  const settled = await settle(store)
  log(`  ${settled.toFixed(0)} s`)
  const backend = LocalBackend.over(store, null)

  // ------------------------------------------------------------ typical arguments, from the plans
  const plans: DomainPlan[] = sampleDomains(built.domains, QUICK ? 300 : 1500, 0x51ed).map((d) =>
    planOf(d, RECORDS),
  )
  const special = (m: number, r: number) => {
    const out: DomainPlan[] = []
    for (let d = r; d < built.domains && out.length < 4; d += m) out.push(planOf(d, RECORDS))
    return out
  }
  const big = special(4001, 7)
  const flux = special(5003, 11)
  const hostsOf = (kind: string, n: number) =>
    [...plans, ...big]
      .flatMap((p) => p.hosts)
      .filter((h) => h.kind === kind)
      .slice(0, n)
      .map((h) => h.name)
  const per = QUICK ? 8 : 25
  const names = [
    ...hostsOf('stable', per),
    ...hostsOf('rotating', per),
    ...hostsOf('pool', per),
    ...flux.flatMap((p) => p.hosts.slice(0, 3).map((h) => h.name)),
  ]
  const domains = [
    ...plans.filter((p) => p.nsPeriods === 1).slice(0, per),
    ...plans.filter((p) => p.nsPeriods > 1).slice(0, per),
  ].map((p) => p.domain)
  const slash24 = (a: string) => `${a.slice(0, a.lastIndexOf('.'))}.0/24`
  const prefixes = [
    ...plans.slice(0, per).map((p) => slash24(p.apex)),
    ...plans.slice(per, 2 * per).map((p) => p.apex),
  ]
  const zones = [...big, ...flux].map((p) => p.domain)
  const cnameZones = [
    ...big.map((p) => p.domain),
    ...plans
      .filter((p) => p.hosts.some((h) => h.kind === 'cname'))
      .slice(0, per)
      .map((p) => p.domain),
  ]
  const brands = QUICK ? BRANDS.slice(0, 3) : BRANDS

  // ------------------------------------------------------------ baseline: exact-name lookups
  log('baseline: exact rrset lookups …')
  const lookupNames = [...plans.map((p) => p.domain), ...names]
  const base: number[] = []
  let answered = 0
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of lookupNames) {
      const t = now()
      const page = await backend.rrset({ name: { kind: 'exact', name }, limit: DEFAULT_LIMIT })
      if (r > 0) base.push(now() - t)
      if (r === 0 && page.records.length > 0) answered++
    }
  }
  const b = pct(base)
  rows.push({
    command: 'query rrset (baseline)',
    args: `${lookupNames.length} exact names`,
    runs: base.length,
    ...b,
    note: `${answered} of ${lookupNames.length} found`,
  })

  // ------------------------------------------------------------ the questions
  log(`new: windows of an hour, a day, a week before ${new Date(NOW * 1000).toISOString()} …`)
  for (const r of await benchNew(backend, { now: NOW, rounds: QUICK ? 20 : 50 })) {
    rows.push({
      command: 'new',
      args: r.args,
      runs: QUICK ? 20 : 50,
      p50: r.p50Ms,
      p99: r.p99Ms,
      note: `${r.names} names`,
    })
  }
  log(
    `ip, ns-history, ip-history, flux --under: ${names.length} names, ${domains.length} domains, ${prefixes.length} prefixes, ${zones.length} zones …`,
  )
  const args: Record<string, string> = {
    'ip-history': `${names.length} names (stable, rotating, pools, flux)`,
    'ns-history': `${domains.length} domains (half with NS changes)`,
    ip: `${prefixes.length / 2} /24s, ${prefixes.length / 2} addresses`,
    'flux --under': `${big.length} big zones (300 names), ${flux.length} flux zones`,
  }
  for (const t of await benchHistory(backend, { names, domains, prefixes, zones, rounds: ROUNDS })) {
    rows.push({
      command: t.command,
      args: args[t.command] ?? '',
      runs: t.runs,
      p50: t.p50_ms,
      p99: t.p99_ms,
      note: `max ${t.max_ms.toFixed(1)} ms`,
    })
  }
  log('flux over the whole store (--since 7d) …')
  {
    const ms: number[] = []
    let ranked = 0
    let scanned = 0
    for (let r = 0; r < 3; r++) {
      const t = now()
      const a = await fluxRank({ backend }, { since: NOW - 7 * 86_400, limit: 50 })
      if (r > 0) ms.push(now() - t)
      ranked = a.names.filter((n) => n.verdict === 'flux-suspect').length
      scanned = a.scanned.records
    }
    rows.push({
      command: 'flux',
      args: '--since 7d --limit 50 (whole store)',
      runs: ms.length,
      ...pct(ms),
      note: `${scanned} records read, ${ranked} flux-suspect in the top 50`,
    })
  }
  log(`lookalikes: ${brands.join(', ')} …`)
  const la = await timeLookalikes(backend, brands, QUICK ? 2 : 3)
  const perm = Object.values(la.perBrand)
  rows.push({
    command: 'lookalikes',
    args: `${brands.length} brands`,
    runs: la.all.runs,
    p50: la.all.p50Ms,
    p99: la.all.p99Ms,
    note: `${perm.map((p) => p.candidates).join('/')} candidates`,
  })
  log(`cname-audit: ${cnameZones.length} zones …`)
  const ca = await timeCnameAudit(backend, cnameZones, ROUNDS)
  rows.push({
    command: 'cname-audit',
    args: `${big.length} big zones, ${cnameZones.length - big.length} small`,
    runs: ca.all.runs,
    p50: ca.all.p50Ms,
    p99: ca.all.p99Ms,
    note: `${big.map((p) => ca.findings[p.domain]).join('/')} findings in the big zones`,
  })
  log('permutations against dnstwist --format list …')
  dnstwist = compareWithDnstwist(brands, QUICK ? 2 : 3)
} finally {
  await store.close()
}
const total = (now() - started) / 1000

// ---------------------------------------------------------------- report

const out = (s = '') => process.stdout.write(`${s}\n`)
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const base = rows[0]!
out()
out(
  `question benchmark${QUICK ? ' (--quick)' : ''}: Node ${process.version}, ${process.platform}-${process.arch}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}, ${total.toFixed(0)} s in all`,
)
out(
  `store: ${(built.written / 1e6).toFixed(2)} M records, ${built.domains} registered domains, ${DIR}${built.reused ? ' (reused)' : `, built in ${built.seconds.toFixed(0)} s (${(built.written / built.seconds / 1e3).toFixed(1)} k records/s)`}`,
)
out()
out(
  `${'command'.padEnd(24)}${'arguments'.padEnd(44)}${'runs'.padStart(6)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'p50 ×lookup'.padStart(13)}  notes`,
)
for (const r of rows) {
  out(
    `${r.command.padEnd(24)}${r.args.padEnd(44)}${String(r.runs).padStart(6)}${fmt(r.p50).padStart(10)}${fmt(r.p99).padStart(10)}${(r === base ? '1' : fmt(r.p50 / base.p50)).padStart(13)}  ${r.note}`,
  )
}
out()
if (dnstwist !== null) {
  const names = Object.entries(dnstwist.names)
    .map(([b, [ours, theirs]]) => `${b} ${ours}/${theirs}`)
    .join(', ')
  out('lookalikes, permutation half (generation only, nothing resolved), per brand:')
  out(`  ours (in process)            p50 ${fmt(dnstwist.ours.p50Ms)} ms, p99 ${fmt(dnstwist.ours.p99Ms)} ms`)
  if (dnstwist.dnstwist === null) out('  dnstwist: not installed (apt-get install dnstwist)')
  else {
    out(
      `  dnstwist ${dnstwist.version ?? ''} --format list  p50 ${fmt(dnstwist.dnstwist.p50Ms)} ms, p99 ${fmt(dnstwist.dnstwist.p99Ms)} ms (a process per brand, Python start-up included): ours ${fmt(dnstwist.dnstwist.p50Ms / Math.max(0.01, dnstwist.ours.p50Ms))}× faster at p50`,
    )
  }
  out(`  names generated, ours/dnstwist: ${names}`)
}
