/** How the node answers a failed request: PdnsErrors keep their code, anything else is a generic 500. */
import { isPdnsError } from '../errors.ts'
import type { ErrorBody } from './types.ts'

export interface ErrorAnswer {
  status: number
  body: ErrorBody
  /** not a PdnsError: a bug, which the node logs with its stack (the client only hears "internal") */
  internal: boolean
}

const STATUS: Partial<Record<string, number>> = {
  ERR_BAD_QUERY: 400,
  ERR_BAD_ARGUMENT: 400,
  ERR_ABORTED: 503,
  ERR_DB_MISSING: 404,
  ERR_MESH_OFF: 409,
  ERR_CONFIG: 422,
  ERR_IMPORT_BUSY: 409,
  ERR_NODE_STOPPING: 503,
  ERR_FILE_UNREADABLE: 422,
  ERR_UNKNOWN_FORMAT: 422,
  ERR_DNSTAP_PROTOCOL: 422,
}

export function errorAnswer(err: unknown): ErrorAnswer {
  if (isPdnsError(err)) {
    return {
      status: STATUS[err.code] ?? 500,
      body: { code: err.code, message: err.message },
      internal: false,
    }
  }
  return {
    status: 500,
    body: { message: 'internal error in the node (its log has the details)' },
    internal: true,
  }
}
