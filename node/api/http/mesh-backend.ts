/** `mesh=1` of the HTTP API: the node's mesh, its per-peer timeout, and a MeshQueryBackend over it. */
import { MeshQueryBackend } from '../../mesh/mesh-backend.ts'
import type { QueryBackend } from '../../query/types.ts'
import { requireMesh } from '../mesh-control.ts'
import type { MeshControl } from '../types.ts'
import type { RouteContext } from './context.ts'
import { MAX_MESH_TIMEOUT_S } from './limits.ts'
import { count } from './query-params.ts'

/** The node's mesh, or ERR_MESH_OFF (409) when mesh.listen is empty. */
export function meshOf(ctx: RouteContext): MeshControl {
  return requireMesh(ctx.c.mesh)
}

/** `mesh_timeout=S` as the mesh's per-peer timeout (absent or 0: the mesh's default). */
export function meshTimeoutOf(q: URLSearchParams): { timeoutMs?: number } {
  const s = count(q, 'mesh_timeout', MAX_MESH_TIMEOUT_S, 0)
  return s === 0 ? {} : { timeoutMs: s * 1000 }
}

/** The questions' `mesh=1` inside the node: lookups through the node's own Mesh.query. */
export function nodeMeshBackend(
  local: QueryBackend,
  mesh: MeshControl,
  timeoutMs?: number,
): MeshQueryBackend {
  return new MeshQueryBackend(local, (q, o) => mesh.query(q, o), timeoutMs === undefined ? {} : { timeoutMs })
}
