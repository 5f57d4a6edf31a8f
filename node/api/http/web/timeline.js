// Timelines drawn with Chart.js as floating horizontal bars: one row per thing seen (an rdata, an NS
// set, an address, a name), one bar per series (a vantage, a side) from first to last seen. Beside
// each chart, the same bars as a table, for reading exact times and for assistive technology.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from '/vendor/chart.js/chart.js'
import { dateOnly, day } from './format.js'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

const PALETTE = ['#2f6fb0', '#c2571a', '#2f8a4e', '#8a3fa8', '#b0902f', '#2fa8a0', '#a83f5b', '#5b5b5b']
const ROW_PX = 26
const LONGEST_LABEL = 60

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  if (text !== undefined) e.textContent = text
  return e
}

function short(label) {
  return label.length > LONGEST_LABEL ? `${label.slice(0, LONGEST_LABEL - 1)}…` : label
}

/**
 * Draws `rows` ([{label, bars: [{series, first, last, count?}]}]) into `parent` as a section with
 * the id `id`; returns the section. The canvas carries data-rows and data-bars (what was drawn).
 */
export function drawTimeline(parent, id, title, rows) {
  const section = el('section', { id, class: 'timeline' })
  section.append(el('h2', {}, title))
  parent.append(section)
  if (rows.length === 0) {
    section.append(el('p', { class: 'empty' }, 'nothing seen'))
    return section
  }
  const series = [...new Set(rows.flatMap((r) => r.bars.map((b) => b.series)))].sort()
  const box = el('div', { class: 'chart-box' })
  box.style.height = `${Math.max(120, rows.length * ROW_PX * Math.min(series.length, 2) + 70)}px`
  const canvas = el('canvas', { 'aria-label': title, role: 'img' })
  box.append(canvas)
  section.append(box)
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (const r of rows)
    for (const b of r.bars) {
      lo = Math.min(lo, b.first)
      hi = Math.max(hi, b.last)
    }
  const pad = Math.max(3600, (hi - lo) * 0.02)
  const datasets = series.map((s, i) => ({
    label: s,
    data: rows.map((r) => {
      const b = r.bars.find((x) => x.series === s)
      return b === undefined ? null : [b.first, b.last]
    }),
    backgroundColor: PALETTE[i % PALETTE.length],
    // a single sighting (first = last) still shows as a sliver
    minBarLength: 4,
    barPercentage: 0.9,
    categoryPercentage: 0.85,
  }))
  new Chart(canvas, {
    type: 'bar',
    data: { labels: rows.map((r) => short(r.label)), datasets },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: {
        x: {
          type: 'linear',
          min: lo - pad,
          max: hi + pad,
          ticks: { callback: (v) => dateOnly(v), maxTicksLimit: 8 },
        },
        y: { ticks: { autoSkip: false, font: { family: 'monospace', size: 11 } } },
      },
      plugins: {
        legend: { position: 'top' },
        tooltip: {
          callbacks: {
            title: (items) => rows[items[0].dataIndex].label,
            label: (item) => {
              const [f, l] = item.raw
              return `${item.dataset.label}: ${day(f)} → ${day(l)} UTC`
            },
          },
        },
      },
    },
  })
  const drawn = datasets.reduce((n, d) => n + d.data.filter((x) => x !== null).length, 0)
  canvas.dataset.rows = String(rows.length)
  canvas.dataset.bars = String(drawn)
  section.append(barTable(rows))
  return section
}

function barTable(rows) {
  const details = el('details', { class: 'bars' })
  details.append(el('summary', {}, 'as a table'))
  const table = el('table')
  const head = el('tr')
  for (const h of ['', 'series', 'first seen (UTC)', 'last seen (UTC)', 'count']) head.append(el('th', {}, h))
  table.append(head)
  for (const r of rows) {
    for (const b of r.bars) {
      const tr = el('tr', { 'data-row': r.label, 'data-series': b.series })
      tr.append(el('td', { class: 'mono' }, r.label))
      tr.append(el('td', {}, b.series))
      tr.append(el('td', {}, day(b.first)))
      tr.append(el('td', {}, day(b.last)))
      tr.append(el('td', {}, b.count === undefined ? '' : String(b.count)))
      table.append(tr)
    }
  }
  details.append(table)
  return details
}
