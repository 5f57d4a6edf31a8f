import { constants } from 'node:os'
import pkg from '../../package.json' with { type: 'json' }
import { isPdnsError } from '../errors.ts'
import type { Command } from './command.ts'
import { parseCommand } from './commands/parse.ts'

const COMMANDS: readonly Command[] = [parseCommand]

function usage(): string {
  const lines = [
    `pdns-mesh ${pkg.version} — federated passive DNS sensor (Node ${process.version})`,
    '',
    'Usage: pdns-mesh <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also after a command: pdns-mesh parse --help)',
    '  -V, --version  print the version',
  ]
  return `${lines.join('\n')}\n`
}

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(usage())
    return first === undefined ? 2 : 0
  }
  if (first === '-V' || first === '--version') {
    process.stdout.write(`${pkg.version}\n`)
    return 0
  }
  const cmd = COMMANDS.find((c) => c.name === first)
  if (cmd === undefined) {
    process.stderr.write(`pdns-mesh: unknown command '${first}'\n\n${usage()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help)
    return 0
  }
  if (rest.includes('--version') || rest.includes('-V')) {
    process.stdout.write(`${pkg.version}\n`)
    return 0
  }
  // The first SIGINT/SIGTERM asks the command to stop cleanly (flush, summary); `once` leaves the
  // default handler for a second one, so an impatient operator can still kill it outright.
  const ac = new AbortController()
  let caught: NodeJS.Signals | null = null
  const onSignal = (sig: NodeJS.Signals) => {
    caught = sig
    ac.abort(new Error(`interrupted by ${sig}`))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const code = await cmd.run(rest, { signal: ac.signal })
    return caught === null ? code : 128 + (constants.signals[caught] ?? 0)
  } catch (err) {
    if (isPdnsError(err)) {
      process.stderr.write(`pdns-mesh ${cmd.name}: ${err.message}\n`)
      return err.code === 'ERR_BAD_ARGUMENT' ? 2 : 1
    }
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

process.exitCode = await main(process.argv.slice(2))
