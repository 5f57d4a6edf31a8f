/**
 * What a configuration reload may change in a running node, and what it may not. A reload is all
 * or nothing: when a key that only a restart can change differs, nothing is applied and the error
 * names every such key, so the running configuration stays whole.
 */
import type { NodeConfig } from '../config/index.ts'
import { PdnsError } from '../errors.ts'

/** Config keys (as the file spells them) that a running node applies without a restart. */
export const LIVE_KEYS = new Set([
  'log.level',
  'store.retention',
  'store.retention_remote',
  'mesh.allow',
  'mesh.peers',
  'mesh.update_interval',
  'mesh.checkpoint_records',
  'api.rate',
  'api.max_limit',
])

/** NodeConfig fields whose config key is not their snake_case spelling. */
const KEY_OF: Record<string, string> = {
  dataDir: 'data_dir',
  controlSocket: 'data_dir',
  shutdownTimeoutMs: 'shutdown_timeout',
  file: 'the config file itself',
  'capture.bufferBytes': 'capture.buffer_mb',
  'capture.interfacesExplicit': 'capture.interfaces',
  'store.flushIntervalMs': 'store.flush_interval',
  'store.windowMaxBytes': 'store.window_mb',
  'store.retentionS': 'store.retention',
  'store.retentionRemoteS': 'store.retention_remote',
  'mesh.updateIntervalMs': 'mesh.update_interval',
  'mesh.checkpointRecords': 'mesh.checkpoint_records',
  'api.ratePerMin': 'api.rate',
  'api.tlsCert': 'api.tls_cert',
  'api.tlsKey': 'api.tls_key',
  'api.metricsListen': 'api.metrics_listen',
}

function keyOf(path: string): string {
  return KEY_OF[path] ?? path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function flatten(v: unknown, path: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, path === '' ? k : `${path}.${k}`, out)
  } else {
    out.set(path, JSON.stringify(v))
  }
}

/** The config keys whose values differ between two configurations, sorted. */
export function changedKeys(a: NodeConfig, b: NodeConfig): string[] {
  const fa = new Map<string, string>()
  const fb = new Map<string, string>()
  flatten(a, '', fa)
  flatten(b, '', fb)
  const keys = new Set<string>()
  for (const p of new Set([...fa.keys(), ...fb.keys()])) if (fa.get(p) !== fb.get(p)) keys.add(keyOf(p))
  keys.delete('the config file itself')
  return [...keys].sort()
}

/** The keys to apply; ERR_CONFIG naming every key that needs a restart when there is one. */
export function planReload(running: NodeConfig, next: NodeConfig): string[] {
  const changed = changedKeys(running, next)
  const refused = changed.filter((k) => !LIVE_KEYS.has(k))
  if (refused.length > 0) {
    throw new PdnsError(
      'ERR_CONFIG',
      `reload refused, nothing changed: ${refused.join(', ')} ${refused.length === 1 ? 'needs' : 'need'} a restart (live: ${[...LIVE_KEYS].join(', ')})`,
    )
  }
  return changed
}
