import { RemoteBackend } from '../../api/client.ts'
import { PdnsError } from '../../errors.ts'
import type { MeshStatus } from '../../mesh/index.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf, openBackend } from '../backend.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'

const HELP = `Usage: pdns-mesh peers [--data DIR] [--format table|json]

Lists the mesh peers of the running node: every allowlisted peer and any other that connected,
whether it is connected, whether it syncs (a share = "query-only" peer does not), its last sync,
entries, records and bytes in and out, its score and the protocol violations it was cut off for.
The node's own listen addresses come first (what other operators put in mesh.peers).

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --format F            table or json (default: table on a terminal, else json)
  -h, --help            this help

Exit status: 0; 1 when no node runs on the data directory or its mesh is off.
`

function iso(t: number | null): string {
  return t === null ? '-' : new Date(t * 1000).toISOString().replace('.000Z', 'Z')
}

export const peersCommand: Command = {
  name: 'peers',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      format: { type: 'string' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `peers takes no arguments (got '${positionals[0]}')`)
    }
    const format = values.format ?? (process.stdout.isTTY === true ? 'table' : 'json')
    if (format !== 'table' && format !== 'json') {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (table or json)`)
    }
    const dir = dataDirOf(values.data)
    const backend = await openBackend(dir, { signal })
    try {
      if (!(backend instanceof RemoteBackend)) {
        throw new PdnsError(
          'ERR_NODE_UNREACHABLE',
          `no node runs on ${dir}: peers are known only to a running node`,
        )
      }
      const s = (await backend.peers({ signal })) as MeshStatus
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify(s)}\n`)
        return 0
      }
      const lines = [
        `peer id  ${s.peerId}`,
        `share    ${s.share}`,
        ...s.listen.map((a) => `listen   ${a}`),
        `remote   ${s.remote.authors} authors, ${s.remote.entries} entries, ${s.remote.bytes} bytes held`,
        '',
        renderTable(
          [
            'peer',
            'allowed',
            'connected',
            'syncs',
            'last sync',
            'entries in/out',
            'records in',
            'bytes in/out',
            'score',
          ],
          s.peers.map((p) => [
            p.peerId,
            p.allowed ? 'yes' : 'no',
            p.connected ? 'yes' : 'no',
            p.syncs ? 'yes' : 'no',
            iso(p.lastSync),
            `${p.entriesIn}/${p.entriesOut}`,
            String(p.recordsIn),
            `${p.bytesIn}/${p.bytesOut}`,
            `${p.score}${p.bannedUntil === null ? '' : ' (banned)'}`,
          ]),
        ),
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
      return 0
    } finally {
      await backend.close()
    }
  },
}
