/**
 * `--mesh` for the CLI: a MeshQueryBackend (node/mesh/mesh-backend.ts) whose lookups the running
 * node fans out to its connected peers and merges record by record (POST /v1/mesh/query over the
 * control socket).
 */
import { RemoteBackend } from '../api/client.ts'
import { encodeRdataQuery, encodeRrsetQuery } from '../api/wire.ts'
import { PdnsError } from '../errors.ts'
import { MeshQueryBackend } from '../mesh/mesh-backend.ts'
import type { MeshQuery } from '../mesh/query-wire.ts'
import type { CallOptions, QueryBackend } from '../query/types.ts'
import { openBackend } from './backend.ts'

/** The body of POST /v1/mesh/query for a query (the control API's JSON forms of rrset/rdata). */
function meshBody(q: MeshQuery, timeoutMs: number | undefined): Record<string, unknown> {
  const t = timeoutMs === undefined ? {} : { timeoutMs }
  if (q.lookup === 'rrset') return { lookup: 'rrset', query: encodeRrsetQuery(q.query), ...t }
  if (q.lookup === 'rdata') return { lookup: 'rdata', query: encodeRdataQuery(q.query), ...t }
  if (q.lookup === 'new') return { lookup: 'new', query: q.query, ...t }
  return {
    lookup: 'summary',
    query: { name: q.name, ...(q.origin === undefined ? {} : { origin: q.origin }) },
    ...t,
  }
}

export const MeshBackend = {
  /** The mesh backend of the node running on `dataDir`; ERR_NODE_UNREACHABLE when none runs. */
  async open(dataDir: string, opts: CallOptions & { timeoutMs?: number } = {}): Promise<MeshQueryBackend> {
    const b = await openBackend(dataDir, opts)
    if (!(b instanceof RemoteBackend)) {
      await b.close()
      throw new PdnsError(
        'ERR_NODE_UNREACHABLE',
        `--mesh needs a running node on ${dataDir} (its peers are the mesh)`,
      )
    }
    return new MeshQueryBackend(b, (q, o) => b.meshQuery(meshBody(q, o.timeoutMs), o), {
      ownsLocal: true,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    })
  },
}

/** Which peers answered a --mesh command's lookups, failed or timed out: one line each on stderr. */
export function reportMeshPeers(backend: QueryBackend): void {
  if (!(backend instanceof MeshQueryBackend)) return
  for (const p of backend.peers.values()) {
    process.stderr.write(
      `peer ${p.peer}: ${p.status}${p.status === 'answered' ? '' : `: ${p.error ?? ''}`}\n`,
    )
  }
}
