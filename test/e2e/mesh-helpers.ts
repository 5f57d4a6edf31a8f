/** Mesh nodes as operators run them: `pdns-mesh id`, `import`, `start` with a [mesh] section, the CLI. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../helpers/run-cli.ts'
import { type CofLine, type NodeProcess, startNode, writeConfig } from './node-process.ts'

export interface MeshDir {
  name: string
  dir: string
  peerId: string
  port: number
  node: NodeProcess | null
}

export async function cli(args: string[]): Promise<string> {
  const r = await runCli(args)
  if (r.code !== 0) throw new Error(`pdns-mesh ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r.stdout
}

/** A data directory with its identity made (`pdns-mesh id`), as an operator prepares one. */
export async function meshDir(root: string, name: string, port: number): Promise<MeshDir> {
  const dir = join(root, name)
  const peerId = (await cli(['id', '--data', dir])).trim()
  return { name, dir, peerId, port, node: null }
}

export function tempRoot(prefix: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `pdns-mesh-${prefix}-`))
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

export function address(d: MeshDir, host = '127.0.0.1'): string {
  return `/ip4/${host}/tcp/${d.port}/p2p/${d.peerId}`
}

export interface MeshSection {
  peers: string[]
  allow: string[]
  share?: string
  listenHost?: string
}

/** The config file of a test node: no capture, no dnstap (records come from imports), a [mesh]. */
export function meshToml(d: MeshDir, mesh: MeshSection, extra: string[] = []): string {
  return [
    '[capture]',
    'enabled = false',
    '[dnstap]',
    'listen = []',
    '[store]',
    'flush_interval = "1s"',
    '[mesh]',
    `listen = ["/ip4/${mesh.listenHost ?? '127.0.0.1'}/tcp/${d.port}"]`,
    `peers = ${JSON.stringify(mesh.peers)}`,
    `allow = ${JSON.stringify(mesh.allow)}`,
    `share = "${mesh.share ?? 'all'}"`,
    'update_interval = "1s"',
    ...extra,
  ].join('\n')
}

/** Starts the node of `d` with a [mesh] section. */
export async function startMeshNode(
  d: MeshDir,
  mesh: MeshSection,
  opts: { wrap?: string[]; extra?: string[] } = {},
): Promise<NodeProcess> {
  const config = writeConfig(d.dir, meshToml(d, mesh, opts.extra))
  d.node = await startNode(d.dir, ['--config', config], opts.wrap === undefined ? {} : { wrap: opts.wrap })
  return d.node
}

export async function digest(d: MeshDir): Promise<string> {
  return (JSON.parse(await cli(['digest', '--data', d.dir])) as { digest: string }).digest
}

export async function exportLines(d: MeshDir): Promise<string[]> {
  const out = await cli(['export', '--data', d.dir])
  return out
    .split('\n')
    .filter((l) => l !== '')
    .sort()
}

export type { CofLine }
