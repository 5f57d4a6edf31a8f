import { isPdnsError, PdnsError } from '../../errors.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR } from '../backend.ts'
import type { Command } from '../command.ts'
import { takeServiceNotifier } from '../sd-notify.ts'

/** Time the event loop gets to empty by itself after a clean stop. */
const EXIT_GRACE_MS = 500
/**
 * What a service manager is told stopping may take beyond shutdown_timeout: the exit grace, the
 * launcher's exit after its child's, and the log flush. scripts/systemd/pdns-mesh.service's
 * TimeoutStopSec is the default shutdown_timeout plus this, rounded up.
 */
const STOP_MARGIN_MS = 5000

const HELP = `Usage: pdns-mesh start [options]

Runs a node: live capture (libpcap) and dnstap input, aggregation into the store, and the control
socket the other commands (query, export, stats) use while it runs. Stops on SIGINT or SIGTERM
after writing what it holds (bounded by shutdown_timeout).

Options:
  --config FILE         TOML configuration (docs/CONFIG.md lists every key and its default)
  --data DIR            data directory (default: data_dir of the config, else $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --interface IF        capture on IF (repeatable; default: the interface of the default route)
  --no-capture          no live capture (dnstap and queries only)
  --dnstap ADDR         dnstap listener, unix:PATH or tcp:HOST:PORT (repeatable; replaces the config's
                        list; default unix:<data>/dnstap.sock)
  --no-dnstap           no dnstap listener
  --api HOST:PORT       HTTP API listener (DNSDB v2, CIRCL, native JSON; default 127.0.0.1:8080)
  --no-api              no HTTP API
  --log-level L         trace, debug, info, warn, error, fatal or silent (default info)
  -h, --help            this help

Logs are JSON lines on stderr. SIGHUP re-reads the configuration (as pdns-mesh reload does). Live capture needs root or CAP_NET_RAW and CAP_NET_ADMIN; without them
the node says so and runs without it, unless --interface was given (then it stops).

Under systemd (Type=notify with NotifyAccess=all: $NOTIFY_SOCKET is set) the node reports ready
once everything listens, and stopping when signalled, through systemd-notify.

Exit status: 0 after a clean stop; 1 when the node cannot start (database held or damaged, a listener
or interface that cannot be opened); 2 on a bad option or configuration.
`

export const startCommand: Command = {
  name: 'start',
  help: HELP,
  stopsOnSignal: true,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      config: { type: 'string' },
      data: { type: 'string' },
      interface: { type: 'string', multiple: true },
      'no-capture': { type: 'boolean' },
      dnstap: { type: 'string', multiple: true },
      'no-dnstap': { type: 'boolean' },
      'log-level': { type: 'string' },
      api: { type: 'string' },
      'no-api': { type: 'boolean' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `start takes no arguments (got '${positionals[0]}')`)
    }
    if (values['no-capture'] && values.interface !== undefined) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--interface and --no-capture contradict each other')
    }
    if (values['no-dnstap'] && values.dnstap !== undefined) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--dnstap and --no-dnstap contradict each other')
    }
    if (values['no-api'] && values.api !== undefined) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--api and --no-api contradict each other')
    }
    const { loadConfig } = await import('../../config/index.ts')
    // kept for reload: the same file, flags and environment, read again
    const configOptions = {
      ...(values.config === undefined ? {} : { file: values.config }),
      flags: {
        ...(values.data === undefined ? {} : { dataDir: values.data }),
        ...(values.interface === undefined ? {} : { interfaces: values.interface }),
        ...(values['no-capture'] ? { captureEnabled: false } : {}),
        ...(values.dnstap === undefined ? {} : { dnstapListen: values.dnstap }),
        ...(values['no-dnstap'] ? { dnstapListen: [] } : {}),
        ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] }),
        ...(values.api === undefined ? {} : { apiListen: values.api }),
        ...(values['no-api'] ? { apiListen: '' } : {}),
      },
      env: { ...process.env },
      cwd: process.cwd(),
    }
    const config = await loadConfig(configOptions)
    const { createLogger, flushLogger } = await import('../../log/index.ts')
    const { PdnsNode } = await import('../../daemon/index.ts')
    const log = createLogger({ level: config.log.level })
    const notifier = takeServiceNotifier(process.env)
    const node = new PdnsNode({ log }, config)
    node.setConfigSource(() => loadConfig(configOptions))
    // SIGHUP re-reads the configuration, as daemons do; a terminal hang-up (which the launcher
    // forwards) therefore never kills a node without its last flush, and nohup keeps working
    const onHangup = () => {
      node.reload().catch((err: unknown) => {
        log.error({ err: (err as Error).message }, 'SIGHUP: reload refused; the running configuration stays')
      })
    }
    process.on('SIGHUP', onHangup)
    // a store that can no longer be written: stop as if asked to, and exit 1
    const failed = new AbortController()
    let fatal: unknown = null
    node.onFatal((err) => {
      fatal = err
      failed.abort(err)
    })
    try {
      await node.start({ signal })
    } catch (err) {
      // Ctrl-C or SIGTERM while starting: a request, not a failure (start() undid what it began)
      if (signal.aborted && isPdnsError(err) && err.code === 'ERR_ABORTED') {
        log.info('start cancelled')
        await flushLogger(log)
        return 0
      }
      log.fatal({ err }, 'node could not start')
      await flushLogger(log)
      throw err
    }
    if (notifier !== null) {
      // everything listens now (the node logged "node started"): a unit ordered after this one may
      // rely on the control socket, the dnstap listener and the mesh
      const failure = await notifier.send({ READY: '1', STATUS: `running as ${node.status().peerId}` })
      if (failure === null) log.debug({ socket: notifier.socket }, 'service manager told: ready')
      else log.error({ socket: notifier.socket }, `could not report readiness: ${failure}`)
    }
    await new Promise<void>((resolve) => {
      const done = () => resolve()
      if (signal.aborted || failed.signal.aborted) resolve()
      signal.addEventListener('abort', done, { once: true })
      failed.signal.addEventListener('abort', done, { once: true })
    })
    log.info({ reason: String(fatal ?? signal.reason) }, 'stopping')
    // Not awaited: stopping must not wait on the manager. A shutdown_timeout above the unit's
    // TimeoutStopSec extends it rather than being cut short by SIGKILL.
    void notifier?.send({
      STOPPING: '1',
      STATUS: 'stopping',
      EXTEND_TIMEOUT_USEC: String((config.shutdownTimeoutMs + STOP_MARGIN_MS) * 1000),
    })
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs)
    })
    let code = fatal === null ? 0 : 1
    try {
      const outcome = await Promise.race([node.stop().then(() => 'stopped' as const), bound])
      if (outcome === 'timeout') {
        log.error(
          { timeoutMs: config.shutdownTimeoutMs },
          'stop did not finish within shutdown_timeout; exiting (the store recovers from its write-ahead log)',
        )
        await flushLogger(log)
        // the parts still running hold the event loop open: the bound is the point, leave now
        process.exit(1)
      }
    } catch (err) {
      // stop() ran every step and reports the first failure (a store that cannot be written)
      log.error({ err }, 'stop failed')
      code = 1
    } finally {
      clearTimeout(timer)
      process.off('SIGHUP', onHangup)
      await flushLogger(log)
      // Whatever could be written is written and everything is closed. A libpcap handle on a quiet
      // interface is only released at its next packet (pcap 3.1.0 cannot interrupt its poll), which
      // could hold the event loop open for ever: if anything still does so shortly, leave anyway
      // (unref: a loop that empties exits first, with this code).
      const exitCode = code
      setTimeout(() => process.exit(exitCode), EXIT_GRACE_MS).unref()
    }
    return code
  },
}
