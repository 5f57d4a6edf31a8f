// The hooks of module-trace.mjs: every module loaded, one URL a line.
import { appendFileSync } from 'node:fs'

const out = process.env.PDNS_MESH_MODULE_TRACE

export async function load(url, context, next) {
  if (out !== undefined) appendFileSync(out, `${url}\n`)
  return next(url, context)
}
