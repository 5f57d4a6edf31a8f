/** The node's identity key, in its data directory (libp2p protobuf, mode 0600). */
export const IDENTITY_FILE = 'identity.key'
