/** A default value as a TOML file writes it (docs and the example file). */
import type { TomlDefault } from './schema.ts'

export function tomlValue(v: TomlDefault): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return `[${v.map((x) => tomlValue(x)).join(', ')}]`
}
