import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../node/config/index.ts'
import { changedKeys, planReload } from '../../node/daemon/reload.ts'
import { isPdnsError } from '../../node/errors.ts'

const PEER = '12D3KooWJ5t24fePGcEnz7TkMdDuFFXuoi7qfrs3Nrd2BnXyCgNa'

test('a reload names every changed key as the config file spells it', async () => {
  const a = await loadConfig({ env: {}, cwd: '/srv' })
  const b = await loadConfig({ env: {}, cwd: '/srv', flags: { logLevel: 'debug', dataDir: '/elsewhere' } })
  assert.deepEqual(changedKeys(a, a), [])
  assert.deepEqual(changedKeys(a, b), ['data_dir', 'dnstap.listen', 'log.level'])
})

test('live keys are applied; a key that needs a restart refuses the whole reload, naming it', async () => {
  const a = await loadConfig({ env: {}, cwd: '/srv' })
  const live = {
    ...a,
    log: { level: 'warn' as const },
    mesh: { ...a.mesh, allow: [PEER], updateIntervalMs: 1000, checkpointRecords: 10 },
  }
  assert.deepEqual(planReload(a, live), [
    'log.level',
    'mesh.allow',
    'mesh.checkpoint_records',
    'mesh.update_interval',
  ])
  const api = { ...live, api: { ...a.api, ratePerMin: 60, maxLimit: 10 } }
  assert.deepEqual(planReload(a, api), [
    'api.max_limit',
    'api.rate',
    'log.level',
    'mesh.allow',
    'mesh.checkpoint_records',
    'mesh.update_interval',
  ])
  const retention = { ...a, store: { ...a.store, retentionS: 86_400, retentionRemoteS: 3600 } }
  assert.deepEqual(planReload(a, retention), ['store.retention', 'store.retention_remote'])
  const restart = { ...live, store: { ...a.store, windowMaxBytes: 1 } }
  assert.throws(
    () => planReload(a, restart),
    (err: unknown) =>
      isPdnsError(err) && err.code === 'ERR_CONFIG' && /store\.window_mb needs a restart/.test(err.message),
  )
})
