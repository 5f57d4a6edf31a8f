import { mkdir } from 'node:fs/promises'
import { createKey, keyFilePath, readKeyFile, revokeKey } from '../../api/http/keys.ts'
import { MAX_API_RATE_PER_MIN } from '../../api/http/limits.ts'
import { PdnsError } from '../../errors.ts'
import { MAX_QUERY_LIMIT } from '../../query/limits.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'

const HELP = `Usage: pdns-mesh apikey create NAME [--rate N/min] [--max-limit N] [--data DIR]
       pdns-mesh apikey list [--data DIR] [--format table|json]
       pdns-mesh apikey revoke NAME [--data DIR]

Manages the keys of the HTTP API (docs/API.md). create prints the new key once, alone on the last
line of stdout; only its SHA-256 is kept, in <data>/api-keys.json (mode 0600). A running node picks
changes up within a second: a revoked key stops working, a new one starts.

Clients send the key as X-API-Key (DNSDB: dnsdbq -u dnsdb2, DNSDB_API_KEY) or as basic auth with the
key's name as user (CIRCL: dnsdbq -u circl, CIRCL_AUTH="NAME:KEY"; PyPDNS).

Options:
  --rate N/min          requests a minute for this key (default: api.rate)
  --max-limit N         most records one query returns for this key (default: api.max_limit)
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --format F            list: table (default on a terminal) or json
  -h, --help            this help
`

function rateOf(text: string): number {
  const m = /^([0-9]{1,9})(?:\/min)?$/.exec(text)
  const n = m === null ? Number.NaN : Number(m[1])
  if (!Number.isInteger(n) || n < 1 || n > MAX_API_RATE_PER_MIN) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `--rate: '${text}' (requests a minute, 1 to ${MAX_API_RATE_PER_MIN}, e.g. 600/min)`,
    )
  }
  return n
}

function limitOf(text: string): number {
  const n = /^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUERY_LIMIT) {
    throw new PdnsError('ERR_BAD_ARGUMENT', `--max-limit: '${text}' (1 to ${MAX_QUERY_LIMIT})`)
  }
  return n
}

export const apikeyCommand: Command = {
  name: 'apikey',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      rate: { type: 'string' },
      'max-limit': { type: 'string' },
      format: { type: 'string' },
    })
    const [sub, name, ...extra] = positionals
    const dir = dataDirOf(values.data)
    if (extra.length > 0) throw new PdnsError('ERR_BAD_ARGUMENT', `apikey: unexpected '${extra[0]}'`)
    if (sub !== 'create' && (values.rate !== undefined || values['max-limit'] !== undefined)) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--rate and --max-limit apply to apikey create')
    }
    switch (sub) {
      case 'create': {
        if (name === undefined)
          throw new PdnsError('ERR_BAD_ARGUMENT', 'apikey create NAME: the name is missing')
        const limits: { rate?: number; maxLimit?: number } = {}
        if (values.rate !== undefined) limits.rate = rateOf(values.rate)
        if (values['max-limit'] !== undefined) limits.maxLimit = limitOf(values['max-limit'])
        try {
          await mkdir(dir, { recursive: true })
        } catch (cause) {
          throw new PdnsError('ERR_API_KEYS', `cannot create ${dir}: ${(cause as Error).message}`, { cause })
        }
        const key = await createKey(dir, name, limits)
        process.stdout.write(
          `created key ${name} (shown once; only its hash is kept in ${keyFilePath(dir)}):\n${key}\n`,
        )
        return 0
      }
      case 'list': {
        if (name !== undefined)
          throw new PdnsError('ERR_BAD_ARGUMENT', `apikey list takes no name (got '${name}')`)
        const keys = await readKeyFile(keyFilePath(dir))
        const format = values.format ?? (process.stdout.isTTY === true ? 'table' : 'json')
        if (format === 'json') {
          for (const k of keys) {
            const { sha256: _h, ...shown } = k
            process.stdout.write(`${JSON.stringify(shown)}\n`)
          }
        } else if (format === 'table') {
          for (const k of keys) {
            const created = new Date(k.created * 1000).toISOString().slice(0, 19).replace('T', ' ')
            process.stdout.write(
              `${k.name}\tcreated ${created} UTC\trate ${k.rate ?? 'default'}/min\tmax-limit ${k.maxLimit ?? 'default'}\n`,
            )
          }
        } else throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (table or json)`)
        return 0
      }
      case 'revoke': {
        if (name === undefined)
          throw new PdnsError('ERR_BAD_ARGUMENT', 'apikey revoke NAME: the name is missing')
        await revokeKey(dir, name)
        process.stdout.write(`revoked key ${name}\n`)
        return 0
      }
      default:
        throw new PdnsError(
          'ERR_BAD_ARGUMENT',
          sub === undefined
            ? 'apikey create|list|revoke (see --help)'
            : `unknown apikey command '${sub}' (create, list or revoke)`,
        )
    }
  },
}
