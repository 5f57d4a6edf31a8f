/**
 * The libp2p host of a node: TCP, Noise (authenticated by the node's Ed25519 identity), yamux,
 * optionally a private network key (pnet), and a connection gater that refuses every peer id not on
 * the allowlist (or banned for misbehaving) in both directions, right after the Noise handshake
 * proves who it is and before any protocol runs. No other libp2p service runs: no identify, no
 * DHT, no discovery; peers are exactly the configured ones.
 */
import { readFile } from 'node:fs/promises'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { PSK_FILE_HEADER } from '../../protocol/index.ts'
import { PdnsError } from '../errors.ts'

export interface NetworkOptions {
  privateKey: PrivateKey
  listen: readonly string[]
  /** may this peer id connect (either direction)? */
  allowed: (peerId: string) => boolean
  pskFile: string | null
}

/** Reads a libp2p pnet key file (`/key/swarm/psk/1.0.0/`, `/base16/`, 64 hex digits). */
export async function readPsk(path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new PdnsError('ERR_CONFIG', `mesh.psk_file: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    })
  }
  const lines = text.trim().split(/\r?\n/)
  if (lines.length !== 3 || lines[0] !== PSK_FILE_HEADER || lines[1] !== '/base16/') {
    throw new PdnsError(
      'ERR_CONFIG',
      `mesh.psk_file: ${path} is not a pnet key (${PSK_FILE_HEADER} / /base16/ / 64 hex digits)`,
    )
  }
  if (!/^[0-9a-fA-F]{64}$/.test(lines[2]!)) {
    throw new PdnsError('ERR_CONFIG', `mesh.psk_file: ${path}: the key is not 64 hex digits`)
  }
  return new TextEncoder().encode(`${PSK_FILE_HEADER}\n/base16/\n${lines[2]!.toLowerCase()}`)
}

export async function createNetwork(opts: NetworkOptions): Promise<Libp2p> {
  const deny = (peer: PeerId) => !opts.allowed(peer.toString())
  const psk = opts.pskFile === null ? null : await readPsk(opts.pskFile)
  try {
    return await createLibp2p({
      privateKey: opts.privateKey,
      addresses: { listen: [...opts.listen] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      ...(psk === null ? {} : { connectionProtector: preSharedKey({ psk }) }),
      connectionGater: {
        denyDialPeer: deny,
        denyInboundEncryptedConnection: deny,
        denyOutboundEncryptedConnection: deny,
        // loopback and private addresses are where meshes of one operator live: allow them
        denyDialMultiaddr: () => false,
      },
      connectionManager: { maxConnections: 300 },
      start: false,
    })
  } catch (cause) {
    throw new PdnsError('ERR_MESH_LISTEN', `the mesh could not start: ${(cause as Error).message}`, { cause })
  }
}
