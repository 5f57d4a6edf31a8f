/** Public surface of the control channel: the node's server, the CLI's client, and the socket probe. */
export { RemoteBackend, type RemoteOptions } from './client.ts'
export * from './limits.ts'
export { probeControlSocket, type SocketState } from './probe.ts'
export {
  type ControlComponents,
  type ControlOptions,
  ControlServer,
  type ControlStats,
  type ControlTimeouts,
} from './server.ts'
export { CONTROL_SOCKET_FILE, controlSocketPath } from './socket-path.ts'
export { API_VERSION, type ErrorBody, type NodeStatus, type PingAnswer } from './types.ts'
