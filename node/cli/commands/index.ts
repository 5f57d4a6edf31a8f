/**
 * The CLI's commands by name, each loaded when it runs: a command's module pulls in what it needs
 * (the capture decoders, the query engine, libp2p's crypto…), and loading every command's to run
 * one, or to print the version, cost each invocation all of them. The summaries live here, where
 * `pdns-mesh --help` lists them without loading anything.
 */
import type { Command } from '../command.ts'

export interface CommandEntry {
  name: string
  /** one line, for `pdns-mesh --help` */
  summary: string
  load(): Promise<Command>
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'start',
    summary: 'run a node: live capture, dnstap, store, control socket',
    load: async () => (await import('./start.ts')).startCommand,
  },
  {
    name: 'parse',
    summary: 'decode capture files into DNS observations (NDJSON or a table)',
    load: async () => (await import('./parse.ts')).parseCommand,
  },
  {
    name: 'import',
    summary: 'add capture files, dnstap files, COF NDJSON, Suricata EVE or passivedns logs to the database',
    load: async () => (await import('./import.ts')).importCommand,
  },
  {
    name: 'query',
    summary: 'look up records by owner name (rrset), by rdata, or summarise a name',
    load: async () => (await import('./query.ts')).queryCommand,
  },
  {
    name: 'new',
    summary: 'names first seen since a time, newest first (newly observed domains)',
    load: async () => (await import('./new.ts')).newCommand,
  },
  {
    name: 'export',
    summary: 'write every record of the database (COF NDJSON)',
    load: async () => (await import('./export.ts')).exportCommand,
  },
  {
    name: 'stats',
    summary: 'describe the database: origins, records, size',
    load: async () => (await import('./stats.ts')).statsCommand,
  },
  {
    name: 'check',
    summary: 'check the integrity of the database (records and indexes agree)',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  {
    name: 'expire',
    summary: "delete records last seen longer ago than a span (a stopped node's store.retention, once)",
    load: async () => (await import('./expire.ts')).expireCommand,
  },
  {
    name: 'id',
    summary: "print the node's peer id (creating its identity if needed)",
    load: async () => (await import('./id.ts')).idCommand,
  },
  {
    name: 'peers',
    summary: "list the running node's mesh peers and what moved",
    load: async () => (await import('./peers.ts')).peersCommand,
  },
  {
    name: 'digest',
    summary: 'print a digest of the merged store (equal on nodes in sync)',
    load: async () => (await import('./digest.ts')).digestCommand,
  },
  {
    name: 'reload',
    summary: "re-read the running node's configuration and apply what can change live",
    load: async () => (await import('./reload.ts')).reloadCommand,
  },
  {
    name: 'apikey',
    summary: 'create, list or revoke HTTP API keys',
    load: async () => (await import('./apikey.ts')).apikeyCommand,
  },
  {
    name: 'ip',
    summary: 'names pointing at an address, prefix or range, beside their PTR names',
    load: async () => (await import('./ip.ts')).ipCommand,
  },
  {
    name: 'ns-history',
    summary: "a domain's NS sets over time, its provider changes and SOA changes",
    load: async () => (await import('./ns-history.ts')).nsHistoryCommand,
  },
  {
    name: 'ip-history',
    summary: "a name's addresses over time and a fast-flux assessment",
    load: async () => (await import('./ip-history.ts')).ipHistoryCommand,
  },
  {
    name: 'flux',
    summary: 'rank the most flux-like names',
    load: async () => (await import('./flux.ts')).fluxCommand,
  },
  {
    name: 'lookalikes',
    summary: 'registered domains in the store that imitate a brand domain',
    load: async () => (await import('./lookalikes.ts')).lookalikesCommand,
  },
  {
    name: 'cname-audit',
    summary: 'CNAMEs at or below a zone: dangling, stale or ok, with their provider',
    load: async () => (await import('./cname-audit.ts')).cnameAuditCommand,
  },
]
