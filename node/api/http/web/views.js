// What each answer looks like on the page: a name's timeline with its NS and IP history, the names
// on an address or prefix, and the look-alike and CNAME-audit tables.
import { day } from './format.js'
import { drawTimeline } from './timeline.js'

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  if (text !== undefined) e.textContent = text
  return e
}

function section(parent, id, title) {
  const s = el('section', { id })
  s.append(el('h2', {}, title))
  parent.append(s)
  return s
}

/** A table of `rows` (arrays of cell text, or {text, class}) under `headers`; each row's data-key is rowKey(i). */
function table(parent, id, headers, rows, rowKey = () => '') {
  const t = el('table', { id })
  const head = el('tr')
  for (const h of headers) head.append(el('th', {}, h))
  t.append(head)
  rows.forEach((cells, i) => {
    const tr = el('tr', { 'data-key': rowKey(i) })
    for (const c of cells) {
      const td = typeof c === 'object' ? el('td', { class: c.class }, c.text) : el('td', {}, c)
      tr.append(td)
    }
    t.append(tr)
  })
  parent.append(t)
  return t
}

function limitedNote(parent, limited) {
  if (limited)
    parent.append(el('p', { class: 'note' }, 'cut at the lookup bound (limited): this covers what was read'))
}

/** Records of an rrset lookup as timeline rows: one per rdata (and owner, for a pattern), a bar per vantage. */
export function recordRows(records, withOwner) {
  return records.map((r) => {
    const what = r.kind === 'rr' ? `${r.rrtype} ${r.rdata}` : `${r.rrtype} ${r.kind.toUpperCase()}`
    // the same rdata under two bailiwicks (a delegation and the zone's own NS) are two records
    const where = r.bailiwick === null ? '' : ` [${r.bailiwick}]`
    return {
      label: `${withOwner ? `${r.rrname} ` : ''}${what}${where}`,
      bars: r.vantages.map((v) => ({ series: v.origin, first: v.first, last: v.last, count: v.count })),
    }
  })
}

export function renderName(parent, name, records, ns, ip, pattern) {
  const head = section(parent, 'name-summary', pattern ? `Records of ${name}` : name)
  head.append(
    el(
      'p',
      {},
      `${records.length} record${records.length === 1 ? '' : 's'}; each bar: one vantage, first to last seen`,
    ),
  )
  drawTimeline(parent, 'timeline', 'Timeline', recordRows(records, pattern))
  if (ns !== null) renderNsHistory(parent, ns)
  if (ip !== null) renderIpHistory(parent, ip)
}

export function renderNsHistory(parent, a) {
  drawTimeline(
    parent,
    'ns-history',
    `NS history: ${a.periods.length} period${a.periods.length === 1 ? '' : 's'}, ${a.changes.length} change${a.changes.length === 1 ? '' : 's'}`,
    a.periods.map((p) => ({
      label: `${p.side}: ${p.ns.join(' ')}`,
      bars: [{ series: `${p.side} side`, first: p.first, last: p.last }],
    })),
  )
  const s = document.getElementById('ns-history')
  limitedNote(s, a.limited)
  if (a.periods.length > 0) {
    table(
      s,
      'ns-periods',
      ['from (UTC)', 'to (UTC)', 'side', 'name servers'],
      a.periods.map((p) => [day(p.first), day(p.last), p.side, p.ns.join(' ')]),
      (i) => a.periods[i].side,
    )
  }
  if (a.changes.length > 0) {
    s.append(el('h3', {}, 'Changes'))
    table(
      s,
      'ns-changes',
      ['changed (UTC)', 'side', 'providers', 'from', 'to'],
      a.changes.map((c) => [
        day(c.time),
        c.side,
        c.providers_from.join() === c.providers_to.join()
          ? `same (${c.providers_to.join(' ')})`
          : `${c.providers_from.join(' ') || '-'} → ${c.providers_to.join(' ') || '-'}`,
        c.from.join(' '),
        c.to.join(' '),
      ]),
    )
  }
}

export function renderIpHistory(parent, a) {
  const f = a.flux
  drawTimeline(
    parent,
    'ip-history',
    `IP history: ${a.addresses.length} address${a.addresses.length === 1 ? '' : 'es'}`,
    a.addresses.map((x) => ({
      label: x.address,
      bars: [{ series: x.rrtype, first: x.first, last: x.last, count: x.count }],
    })),
  )
  const s = document.getElementById('ip-history')
  const verdict = el('p', { class: `verdict ${f.verdict}` })
  verdict.append(el('strong', {}, f.verdict), ` (flux score ${f.score}, threshold ${f.threshold})`)
  s.append(verdict)
  const reasons = el('ul', { class: 'reasons' })
  for (const r of f.reasons) reasons.append(el('li', {}, r))
  s.append(reasons)
  limitedNote(s, a.limited)
  table(
    s,
    'ip-addresses',
    ['address', 'type', 'first seen (UTC)', 'last seen (UTC)', 'count'],
    a.addresses.map((x) => [x.address, x.rrtype, day(x.first), day(x.last), String(x.count)]),
    (i) => a.addresses[i].address,
  )
}

export function renderIp(parent, a) {
  const head = section(parent, 'ip-summary', a.query)
  const disagree = a.addresses.filter((x) => !x.agree).length
  head.append(
    el(
      'p',
      {},
      `${a.names.length} name${a.names.length === 1 ? '' : 's'} on ${a.addresses.length} address${a.addresses.length === 1 ? '' : 'es'}; forward and reverse ${disagree === 0 ? 'agree everywhere' : `disagree on ${disagree}`}`,
    ),
  )
  limitedNote(head, a.limited)
  const rows = []
  for (const ad of a.addresses) {
    for (const f of ad.forward) {
      rows.push({
        label: `${f.name} → ${ad.address}`,
        bars: [{ series: f.rrtype, first: f.first, last: f.last, count: f.count }],
      })
    }
    for (const p of ad.ptr) {
      rows.push({
        label: `${ad.address} ← ${p.name}`,
        bars: [{ series: 'PTR', first: p.first, last: p.last, count: p.count }],
      })
    }
  }
  drawTimeline(parent, 'ip-timeline', 'Names over time', rows)
  const t = section(parent, 'ip-names-section', 'Names and addresses')
  const cells = []
  const keys = []
  for (const ad of a.addresses) {
    for (const f of ad.forward) {
      cells.push([
        ad.address,
        'forward',
        f.name,
        day(f.first),
        day(f.last),
        f.ptr ? 'ok' : { text: 'no PTR', class: 'warn' },
      ])
      keys.push(f.name)
    }
    for (const p of ad.ptr) {
      cells.push([
        ad.address,
        'reverse',
        p.name,
        day(p.first),
        day(p.last),
        p.forward ? 'ok' : { text: 'no forward', class: 'warn' },
      ])
      keys.push(p.name)
    }
  }
  table(
    t,
    'ip-names',
    ['address', 'side', 'name', 'first seen (UTC)', 'last seen (UTC)', 'check'],
    cells,
    (i) => keys[i],
  )
}

export function renderLookalikes(parent, a) {
  const s = section(parent, 'lookalikes', `Look-alikes of ${a.brand}: ${a.candidates.length}`)
  if (a.candidates.length === 0) {
    s.append(el('p', { class: 'empty' }, 'none in the store'))
    return
  }
  table(
    s,
    'lookalikes-table',
    ['name', 'found by', 'edits', 'first seen (UTC)', 'last seen (UTC)', 'resolves', 'vantages'],
    a.candidates.map((c) => [
      c.name,
      c.techniques.join(', '),
      String(c.distance),
      day(c.first),
      day(c.last),
      c.resolves ? { text: 'yes', class: 'warn' } : 'no',
      c.vantages.join(' '),
    ]),
    (i) => a.candidates[i].name,
  )
}

export function renderCnameAudit(parent, a) {
  const s = section(parent, 'cname-audit', `CNAMEs at or below ${a.zone}: ${a.findings.length}`)
  if (a.findings.length === 0) {
    s.append(el('p', { class: 'empty' }, 'none in the store'))
    return
  }
  table(
    s,
    'cname-audit-table',
    ['status', 'name', 'chain', 'provider', 'first seen (UTC)', 'last seen (UTC)', 'reason'],
    a.findings.map((f) => [
      { text: f.status, class: `status ${f.status}` },
      f.name,
      f.chain.slice(1).join(' → '),
      f.provider === null ? '-' : `${f.provider.name} (takeover: ${f.provider.takeover})`,
      day(f.first),
      day(f.last),
      f.reason,
    ]),
    (i) => a.findings[i].name,
  )
}
