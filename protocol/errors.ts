/**
 * A peer broke the wire protocol: a frame over its bound, bytes that are not the message they
 * claim to be, a field out of range, a signature that does not verify. The node cuts the peer off
 * (docs/PROTOCOL.md, "Misbehaviour"); `reason` is a stable short name counted per peer.
 */
export class WireError extends Error {
  readonly code = 'ERR_PEER_PROTOCOL'
  readonly reason: string

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WireError'
    this.reason = reason
  }
}

export function isWireError(err: unknown): err is WireError {
  return err instanceof WireError
}
