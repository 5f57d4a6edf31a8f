import { mkdir } from 'node:fs/promises'
import { PdnsError } from '../../errors.ts'
import { loadIdentity } from '../../identity/identity.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'

const HELP = `Usage: pdns-mesh id [--data DIR]

Prints the node's libp2p peer id (12D3KooW…), creating its identity (<data>/identity.key) when
there is none yet, so that operators can exchange peer ids and build mesh.allow lists before the
first start. The peer id also names the node's own origin in every store of the mesh.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  -h, --help            this help
`

export const idCommand: Command = {
  name: 'id',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCliArgs(args, { data: { type: 'string' } })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `id takes no arguments (got '${positionals[0]}')`)
    }
    const dir = dataDirOf(values.data)
    try {
      await mkdir(dir, { recursive: true })
    } catch (cause) {
      throw new PdnsError('ERR_DB_IO', `cannot create ${dir}: ${(cause as Error).message}`, { cause })
    }
    const identity = (await loadIdentity(dir, { create: true }))!
    process.stdout.write(`${identity.peerId}\n`)
    return 0
  },
}
