import { DEFAULT_DNS_PORTS, LLMNR_PORT, MDNS_PORT } from '../../capture/index.ts'
import type { Observation } from '../../dns/observation.ts'
import { isPdnsError, PdnsError } from '../../errors.ts'
import { Sensor, type SensorStats } from '../../sensor/index.ts'
import { parseCliArgs, parsePort } from '../args.ts'
import type { Command } from '../command.ts'
import { LineWriter } from '../output/line-writer.ts'
import { observationToJson, observationToRow, TABLE_HEADER } from '../output/observation-format.ts'
import { formatRate, PROGRESS_MIN_BYTES, ProgressBar } from '../output/progress.ts'
import { renderTable, TABLE_BLOCK_ROWS } from '../output/table.ts'

const HELP = `Usage: pdns-mesh parse [options] FILE...

Reads capture files (pcap or pcapng, optionally gzip-compressed; the format is detected from the
content) and prints one DNS observation per line as NDJSON on stdout. A summary goes to stderr.

Options:
  --table               aligned text table instead of NDJSON
  --port N              a DNS port (repeatable; default ${[...DEFAULT_DNS_PORTS].join(',')})
  --mdns                also read mDNS (port ${MDNS_PORT}; its cache-flush bit is never part of the class)
  --llmnr               also read LLMNR (port ${LLMNR_PORT})
  --client-addresses    keep the client address in observations (off: privacy)
  --summary-json        print the summary on stderr as one JSON object
  --quiet               no summary, no progress bar
  --no-progress         no progress bar even on a terminal
  -h, --help            this help
  -V, --version         the version

Exit status: 0 when every file was read whole; 1 when a file was unreadable, of unknown format
or damaged (what was valid before the damage is still printed) or output failed; 2 on bad usage;
128 + the signal number when interrupted (what was read is still printed, with the summary).
`

export const parseCommand: Command = {
  name: 'parse',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      table: { type: 'boolean' },
      port: { type: 'string', multiple: true },
      mdns: { type: 'boolean' },
      llmnr: { type: 'boolean' },
      'client-addresses': { type: 'boolean' },
      'summary-json': { type: 'boolean' },
      quiet: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
    })
    if (positionals.length === 0)
      throw new PdnsError('ERR_BAD_ARGUMENT', 'no capture file given (see --help)')
    const ports = new Set(values.port?.map((p) => parsePort(p, '--port')) ?? DEFAULT_DNS_PORTS)
    if (values.mdns) ports.add(MDNS_PORT)
    if (values.llmnr) ports.add(LLMNR_PORT)

    const writer = new LineWriter(process.stdout)
    // Stops reading when the operator interrupts or when output can no longer be written.
    const stop = new AbortController()
    const onAbort = () => stop.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    let rows: string[][] = []
    let headerDone = false
    const flushRows = () => {
      if (rows.length === 0) return
      writer.write(renderTable(headerDone ? null : TABLE_HEADER, rows))
      headerDone = true
      rows = []
    }
    const emit = values.table
      ? (o: Observation) => {
          rows.push(observationToRow(o))
          if (rows.length >= TABLE_BLOCK_ROWS) flushRows()
        }
      : (o: Observation) => writer.write(observationToJson(o))
    const sensor = new Sensor({ ports, clientAddresses: values['client-addresses'] === true }, emit)

    const showProgress = !values.quiet && !values['no-progress'] && process.stderr.isTTY === true
    const failures: string[] = []
    let interrupted = false
    const started = performance.now()
    try {
      for (const file of positionals) {
        let bar: ProgressBar | null = null
        try {
          await sensor.ingestFile(file, {
            signal: stop.signal,
            onProgress: (done, total) => {
              if (bar === null && showProgress && total >= PROGRESS_MIN_BYTES) {
                bar = new ProgressBar(process.stderr, file)
              }
              bar?.update(done, total, sensor.frames)
            },
            onChunk: async () => {
              await writer.drained()
              if (writer.error !== null) stop.abort(writer.error)
            },
          })
        } catch (err) {
          if (!isPdnsError(err)) throw err
          if (err.code === 'ERR_ABORTED') {
            interrupted = signal.aborted
            break
          }
          failures.push(err.message)
        } finally {
          ;(bar as ProgressBar | null)?.clear()
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
    // Interrupted or not, what was read is written and summarised: nothing parsed is lost.
    sensor.flush()
    flushRows()
    await writer.end()
    const seconds = (performance.now() - started) / 1000
    const stats = sensor.stats()
    if (values['summary-json']) {
      process.stderr.write(`${JSON.stringify({ ...stats, seconds, interrupted, errors: failures })}\n`)
    } else if (!values.quiet) {
      process.stderr.write(summaryText(stats, seconds))
    }
    if (interrupted) process.stderr.write('pdns-mesh parse: interrupted; the summary covers what was read\n')
    for (const f of failures) process.stderr.write(`pdns-mesh parse: ${f}\n`)
    const out = writer.error
    // A reader that closed the pipe (`| head`) wanted no more: that is not a failure of ours.
    if (out !== null && out.code !== 'EPIPE') {
      throw new PdnsError('ERR_OUTPUT', `cannot write results: ${out.message}`, { cause: out })
    }
    return failures.length === 0 ? 0 : 1
  },
}

function summaryText(s: SensorStats, seconds: number): string {
  const list = (r: Record<string, number>) =>
    Object.keys(r).length === 0
      ? 'none'
      : Object.entries(r)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
  const anomalyTotal = Object.values(s.anomalies).reduce((a, b) => a + b, 0)
  return [
    `packets ${s.frames}, DNS messages ${s.dnsMessages} (responses ${s.responses}, queries ${s.queries}), ` +
      `observations ${s.observations} (negative ${s.negatives}), anomalies ${anomalyTotal}`,
    `${formatRate(s.frames / Math.max(seconds, 1e-6))} packets/s over ${seconds.toFixed(2)} s`,
    `anomalies: ${list(s.anomalies)}`,
    `skipped: ${list(s.skipped)}`,
    '',
  ].join('\n')
}
