/**
 * libp2p protocol ids of the mesh. The major version changes only with an incompatible message
 * change; a node speaks exactly these and refuses other versions (multistream-select says "na").
 */

/** Feed reconciliation: have-vectors one way and back, then the entries each side lacks. */
export const PROTOCOL_SYNC = '/pdns-mesh/sync/1.0.0'

/** A peer's question to this node's merged store (rrset, rdata, name summary). */
export const PROTOCOL_QUERY = '/pdns-mesh/query/1.0.0'

/** Private network tag: a pnet key file is the libp2p "/key/swarm/psk/1.0.0/" format. */
export const PSK_FILE_HEADER = '/key/swarm/psk/1.0.0/'

/** Domain separation of entry signatures: an entry signature can never be replayed as another kind. */
export const ENTRY_SIGNATURE_CONTEXT = 'pdns-mesh/entry/1\n'
