// The page: logs in with an API key, then answers searches. The search lives in the URL's hash
// (#name/…, #ip/…, #lookalikes/…, #cname-audit/…) so an answer can be linked and reloaded.
import { ApiError, apiKey, checkKey, forgetKey, getJson, getNdjson, saveKey, seg } from './api.js'
import { isPattern, kindOf } from './format.js'
import { renderCnameAudit, renderIp, renderLookalikes, renderName } from './views.js'

const $ = (id) => document.getElementById(id)
const status = (text, cls = '') => {
  $('status').textContent = text
  $('status').className = cls
}

function showLoggedIn(yes) {
  $('login').hidden = yes
  $('session').hidden = !yes
  $('search').hidden = !yes
  if (!yes) $('results').replaceChildren()
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault()
  const key = $('api-key').value.trim()
  try {
    await checkKey(key)
  } catch (err) {
    status(`login failed: ${err.message}`, 'error')
    return
  }
  saveKey(key)
  $('api-key').value = ''
  showLoggedIn(true)
  status('')
  void route()
})

$('logout').addEventListener('click', () => {
  forgetKey()
  showLoggedIn(false)
  status('logged out')
})

$('search').addEventListener('submit', (e) => {
  e.preventDefault()
  const q = $('q').value.trim()
  const view = $('view').value
  const kind = view === 'auto' ? kindOf(q) : view
  location.hash = `${kind}/${q}`
})

window.addEventListener('hashchange', () => void route())

/** Fetches and draws the answer the hash names. */
async function route() {
  const hash = decodeURIComponent(location.hash.slice(1))
  const slash = hash.indexOf('/')
  if (apiKey() === null || slash < 0) return
  const kind = hash.slice(0, slash)
  const q = hash.slice(slash + 1)
  $('q').value = q
  $('view').value = kind === 'lookalikes' || kind === 'cname-audit' ? kind : 'auto'
  const out = $('results')
  out.replaceChildren()
  out.setAttribute('aria-busy', 'true')
  status(`looking up ${q}…`)
  try {
    if (kind === 'ip') {
      renderIp(out, await getJson(`/api/v1/ip/${seg(q)}`))
    } else if (kind === 'lookalikes') {
      renderLookalikes(out, await getJson(`/api/v1/lookalikes/${seg(q)}`))
    } else if (kind === 'cname-audit') {
      renderCnameAudit(out, await getJson(`/api/v1/cname-audit/${seg(q)}`))
    } else {
      const pattern = isPattern(q)
      // a pattern has no single NS or IP history: its records alone
      const [records, ns, ip] = await Promise.all([
        getNdjson(`/api/v1/rrset/${seg(q)}?limit=2000`),
        pattern ? null : getJson(`/api/v1/ns-history/${seg(q)}`),
        pattern ? null : getJson(`/api/v1/ip-history/${seg(q)}`),
      ])
      renderName(
        out,
        q,
        records,
        ns !== null && ns.periods.length > 0 ? ns : null,
        ip !== null && ip.addresses.length > 0 ? ip : null,
        pattern,
      )
    }
    status('')
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      forgetKey()
      showLoggedIn(false)
    }
    status(err.message, 'error')
  } finally {
    out.setAttribute('aria-busy', 'false')
    out.dataset.done = hash
  }
}

showLoggedIn(apiKey() !== null)
void route()
