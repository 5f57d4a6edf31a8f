import { constants } from 'node:os'
import pkg from '../../package.json' with { type: 'json' }
import { isPdnsError } from '../errors.ts'
import { COMMANDS } from './commands/index.ts'
import { takeLauncherPids, watchLaunchers } from './launcher.ts'

/** A second signal sooner than this after the first is taken as the same request (see main). */
const SIGNAL_ECHO_MS = 1000

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
    '',
    'start, import, query, export, stats and check use the data directory given by --data, else',
    '$PDNS_MESH_DATA, else ./pdns-data. While a node runs there, query, export and stats ask it,',
    'and import hands it the files to read.',
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
  const entry = COMMANDS.find((c) => c.name === first)
  if (entry === undefined) {
    process.stderr.write(`pdns-mesh: unknown command '${first}'\n\n${usage()}`)
    return 2
  }
  const cmd = await entry.load()
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help)
    return 0
  }
  if (rest.includes('--version') || rest.includes('-V')) {
    process.stdout.write(`${pkg.version}\n`)
    return 0
  }
  // The first SIGINT/SIGTERM asks the command to stop cleanly (flush, summary). A repeat within
  // SIGNAL_ECHO_MS is the same request arriving twice — a terminal's Ctrl-C reaches the whole
  // process group, so under the launcher it comes once from the terminal and once forwarded — and
  // is ignored; a signal after that means the operator insists: exit at once.
  const ac = new AbortController()
  let caught: NodeJS.Signals | null = null
  let caughtAt = 0
  const requestStop = (sig: NodeJS.Signals, reason: string) => {
    caught = sig
    caughtAt = performance.now()
    ac.abort(new Error(reason))
  }
  const onSignal = (sig: NodeJS.Signals) => {
    if (caught === null) {
      requestStop(sig, `interrupted by ${sig}`)
    } else if (performance.now() - caughtAt > SIGNAL_ECHO_MS) {
      process.exit(128 + (constants.signals[sig] ?? 0))
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // A launcher killed outright (SIGKILL) forwards nothing: its end is a request to stop, as SIGTERM
  // (launcher.ts).
  const launchers = takeLauncherPids(process.env)
  const unwatch =
    launchers.length === 0
      ? () => {}
      : watchLaunchers(launchers, () => {
          if (caught === null) requestStop('SIGTERM', `its launcher (pid ${launchers.join(', ')}) is gone`)
        })
  try {
    const code = await cmd.run(rest, { signal: ac.signal })
    return caught === null || cmd.stopsOnSignal === true ? code : 128 + (constants.signals[caught] ?? 0)
  } catch (err) {
    if (isPdnsError(err)) {
      process.stderr.write(`pdns-mesh ${cmd.name}: ${err.message}\n`)
      return err.code === 'ERR_BAD_ARGUMENT' || err.code === 'ERR_BAD_QUERY' || err.code === 'ERR_CONFIG'
        ? 2
        : 1
    }
    throw err
  } finally {
    unwatch()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

process.exitCode = await main(process.argv.slice(2))
