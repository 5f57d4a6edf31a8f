import { RemoteBackend } from '../../api/client.ts'
import { PdnsError } from '../../errors.ts'
import type { LocalBackend } from '../../query/local.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { withBackend } from './query.ts'

const HELP = `Usage: pdns-mesh digest [--data DIR]

Prints a digest of the merged store as JSON:
  {"digest": HEX, "records": N, "origins": [{"origin": LABEL, "records": N, "digest": HEX}]}
Per origin, sha256 over its records and values in key order; overall, sha256 over the origins'
digests. Two nodes that have exchanged everything print the same digest. Asks the running node,
or reads a stopped node's database.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  -h, --help            this help
`

export const digestCommand: Command = {
  name: 'digest',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, { data: { type: 'string' } })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `digest takes no arguments (got '${positionals[0]}')`)
    }
    return await withBackend(dataDirOf(values.data), signal, async (backend) => {
      let d: unknown
      if (backend instanceof RemoteBackend) d = await backend.digest({ signal })
      else {
        const { storeDigest } = await import('../../mesh/digest.ts')
        d = await storeDigest((backend as LocalBackend).store, { signal })
      }
      process.stdout.write(`${JSON.stringify(d)}\n`)
      return 0
    })
  },
}
