// The API as the page uses it: the key kept in sessionStorage (gone when the tab closes) and sent as
// X-API-Key; errors carry the API's own message.
const KEY = 'pdns-mesh.api-key'

export const apiKey = () => sessionStorage.getItem(KEY)
export const saveKey = (key) => sessionStorage.setItem(KEY, key)
export const forgetKey = () => sessionStorage.removeItem(KEY)

export class ApiError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

async function call(path, key = apiKey()) {
  const r = await fetch(path, { headers: { 'X-API-Key': key ?? '' } })
  if (!r.ok) {
    let message = `${r.status} ${r.statusText}`
    try {
      message = (await r.json()).message ?? message
    } catch {
      // not JSON: the status line says enough
    }
    throw new ApiError(r.status, message)
  }
  return r
}

/** A path value, escaped once: a CIDR's `/` stays inside its segment. */
export const seg = (value) => encodeURIComponent(value)

export async function getJson(path) {
  return (await call(path)).json()
}

export async function getNdjson(path) {
  const text = await (await call(path)).text()
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
}

/** Checks a key with the cheapest authenticated route. */
export async function checkKey(key) {
  await call('/dnsdb/v2/rate_limit', key)
}
