/**
 * The web page in a real browser: Debian's chromium driven by playwright-core against a real node
 * with a known history imported. Logs in with a key made by `pdns-mesh apikey create`, searches a
 * name, a name with an IP migration, a CIDR, the look-alikes of a brand and the CNAMEs of its zone,
 * and checks what is drawn: a bar per rdata per vantage, the NS periods, the IP history rows, the
 * look-alike and CNAME-audit tables. PDNS_WRITE_SCREENSHOT=1 writes docs/web-page.png.
 *
 * Without chromium the test is skipped with a message, except under CI=true, where it fails.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type Browser, chromium, type Page } from 'playwright-core'
import { REPO } from '../helpers/run-cli.ts'
import { BRAND, type CorpusNode, startCorpusNode } from './question-corpus.ts'

const CHROMIUM = process.env.PDNS_CHROMIUM ?? '/usr/bin/chromium'
const missing = !existsSync(CHROMIUM)
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`)
const skip = missing
  ? `${CHROMIUM} is not installed (apt-get install chromium): the browser test is skipped`
  : false

/** Generous: a loaded CI machine starts chromium slowly. */
const WAIT_MS = 60_000

describe('the web page in chromium against a real node', { skip, timeout: 300_000 }, () => {
  let corpus: CorpusNode
  let browser: Browser
  let page: Page
  const problems: string[] = []

  before(async () => {
    corpus = await startCorpusNode('web')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: WAIT_MS,
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.setDefaultTimeout(WAIT_MS)
    // (playwright starts chromium with a fresh, empty profile of its own: no --user-data-dir here)
    // a CSP violation, a script error or a request off this node would all show here
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('request', (r) => {
      if (!r.url().startsWith(corpus.base)) problems.push(`request off the node: ${r.url()}`)
    })
  })

  after(async () => {
    await browser?.close()
    await corpus?.stop()
  })

  /** Searches `q` in `view` and waits until its answer is drawn. */
  async function search(q: string, view: 'auto' | 'lookalikes' | 'cname-audit', hash: string): Promise<void> {
    await page.fill('#q', q)
    await page.selectOption('#view', view)
    await page.click('#search button[type=submit]')
    await page.waitForSelector(`#results[data-done="${hash}"][aria-busy="false"]`, { state: 'attached' })
    assert.equal(await page.textContent('#status'), '', 'no error shown')
  }

  async function api<T>(path: string): Promise<T> {
    const r = await fetch(`${corpus.base}${path}`, { headers: { 'X-API-Key': corpus.key } })
    assert.equal(r.status, 200)
    return (await r.json()) as T
  }

  async function drawn(selector: string): Promise<{ rows: number; bars: number; inked: boolean }> {
    return page.$eval(selector, (c) => {
      // the test's tsconfig has no DOM types: what is used of the canvas, spelled out
      const canvas = c as unknown as {
        width: number
        height: number
        dataset: Record<string, string>
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
        }
      }
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      let inked = false
      for (let i = 3; i < px.length; i += 4) {
        if (px[i]! > 0) {
          inked = true
          break
        }
      }
      return { rows: Number(canvas.dataset.rows), bars: Number(canvas.dataset.bars), inked }
    })
  }

  test('the page loads without a key, and a wrong key does not log in', async () => {
    const r = await page.goto(`${corpus.base}/`, { waitUntil: 'networkidle' })
    assert.equal(r?.status(), 200)
    assert.ok(await page.isVisible('#login'))
    assert.ok(await page.isHidden('#search'))
    await page.fill('#api-key', 'pdm_not-a-key')
    await page.click('#login button[type=submit]')
    await page.waitForSelector('#status.error')
    assert.match((await page.textContent('#status')) ?? '', /login failed/)
    assert.ok(await page.isHidden('#search'))
    // the browser reports the refused key's 403 itself; that one was the point
    assert.deepEqual(problems.splice(0), [
      'console: Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ])
  })

  test('logs in with a key made by apikey create, kept for the session only', async () => {
    await page.fill('#api-key', corpus.key)
    await page.click('#login button[type=submit]')
    await page.waitForSelector('#search', { state: 'visible' })
    assert.equal(await page.evaluate(() => sessionStorage.getItem('pdns-mesh.api-key')), corpus.key)
    assert.equal(await page.evaluate(() => localStorage.length), 0)
  })

  test('a name: a bar per rdata per vantage, and its NS history as periods', async () => {
    await search('moved-shop.com', 'auto', 'name/moved-shop.com')
    const res = await fetch(`${corpus.base}/api/v1/rrset/moved-shop.com?limit=2000`, {
      headers: { 'X-API-Key': corpus.key },
    })
    const records = (await res.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { vantages: unknown[] })
    const timeline = await drawn('#timeline canvas')
    assert.equal(timeline.rows, records.length)
    assert.equal(
      timeline.bars,
      records.reduce((n, r) => n + r.vantages.length, 0),
    )
    assert.ok(timeline.inked, 'the timeline canvas is drawn on')
    assert.equal(await page.locator('#timeline details.bars tr[data-series]').count(), timeline.bars)
    // GoDaddy then Cloudflare, each on the parent and the child side
    const ns = await drawn('#ns-history canvas')
    assert.deepEqual([ns.rows, ns.bars], [4, 4])
    const periods = await page.$$eval('#ns-periods tr[data-key]', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    )
    assert.deepEqual(
      periods.map((p) => [p[2], p[3]]),
      [
        ['parent', 'ns51.domaincontrol.com ns52.domaincontrol.com'],
        ['child', 'ns51.domaincontrol.com ns52.domaincontrol.com'],
        ['parent', 'ada.ns.cloudflare.com bob.ns.cloudflare.com'],
        ['child', 'ada.ns.cloudflare.com bob.ns.cloudflare.com'],
      ],
    )
    assert.match((await page.textContent('#ns-changes')) ?? '', /domaincontrol\.com → cloudflare\.com/)
    if (process.env.PDNS_WRITE_SCREENSHOT === '1') {
      await page.screenshot({ path: join(REPO, 'docs/web-page.png'), fullPage: true })
    }
  })

  test('a name that migrated: its IP history rows and the flux verdict', async () => {
    await search('www.moved-shop.com', 'auto', 'name/www.moved-shop.com')
    const rows = await page.$$eval('#ip-addresses tr[data-key]', (trs) => trs.map((tr) => tr.dataset.key))
    assert.deepEqual(rows, ['192.0.2.10', '198.51.100.20'])
    const ip = await drawn('#ip-history canvas')
    assert.deepEqual([ip.rows, ip.bars], [2, 2])
    assert.match((await page.textContent('#ip-history .verdict')) ?? '', /stable/i)
    assert.equal(await page.locator('#ns-history').count(), 0, 'no NS history for a host name')
  })

  test('a CIDR: the names on it over time, forward and reverse', async () => {
    await search('192.0.2.0/24', 'auto', 'ip/192.0.2.0/24')
    const a = await api<{ addresses: { forward: unknown[]; ptr: unknown[] }[] }>('/api/v1/ip/192.0.2.0%2F24')
    const expected = a.addresses.reduce((n, x) => n + x.forward.length + x.ptr.length, 0)
    const t = await drawn('#ip-timeline canvas')
    assert.deepEqual([t.rows, t.bars], [expected, expected])
    const names = await page.$$eval('#ip-names tr[data-key]', (trs) => trs.map((tr) => tr.dataset.key))
    for (const n of [
      'www.moved-shop.com',
      'mail.moved-shop.com',
      'once.moved-shop.com',
      'orphan.moved-shop.com',
    ])
      assert.ok(names.includes(n), n)
    assert.match((await page.textContent('#ip-names')) ?? '', /no PTR/)
  })

  test('the look-alikes of a brand, as a table', async () => {
    await search(BRAND, 'lookalikes', `lookalikes/${BRAND}`)
    const names = await page.$$eval('#lookalikes-table tr[data-key]', (trs) =>
      trs.map((tr) => tr.dataset.key),
    )
    const a = await api<{ candidates: { name: string }[] }>(`/api/v1/lookalikes/${BRAND}`)
    assert.deepEqual(
      names,
      a.candidates.map((c) => c.name),
    )
    assert.ok(names.includes('examp1ebank.com') && names.includes('examplebnak.com'))
  })

  test("the CNAME audit of the brand's zone: the dangling S3 bucket marked", async () => {
    await search(BRAND, 'cname-audit', `cname-audit/${BRAND}`)
    const rows = await page.$$eval('#cname-audit-table tr[data-key]', (trs) =>
      trs.map((tr) => [tr.dataset.key, tr.querySelector('.status')?.textContent]),
    )
    assert.deepEqual(rows.sort(), [
      [`shop.${BRAND}`, 'stale'],
      [`static.${BRAND}`, 'dangling'],
      [`www.${BRAND}`, 'ok'],
    ])
    assert.match((await page.textContent(`#cname-audit-table tr[data-key="static.${BRAND}"]`)) ?? '', /S3/)
  })

  test('nothing went wrong in the page: no script error, no CSP violation, no request off the node', () => {
    assert.deepEqual(problems, [])
  })
})
