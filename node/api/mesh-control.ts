/** The node's mesh as the control socket and the HTTP API reach it. */
import { PdnsError } from '../errors.ts'
import type { MeshControl } from './types.ts'

/** The node's mesh, or ERR_MESH_OFF (409 on both APIs) when mesh.listen is empty. */
export function requireMesh(mesh: MeshControl | null): MeshControl {
  if (mesh === null)
    throw new PdnsError('ERR_MESH_OFF', 'the mesh is off on this node (mesh.listen is empty)')
  return mesh
}
