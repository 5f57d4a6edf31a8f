/** The resolved node configuration: every default filled, paths absolute, units explicit. */
import type { LogLevel } from '../log/levels.ts'
import type { DnstapMessageType } from './dnstap-types.ts'
import type { ListenAddress } from './listen.ts'

export interface NodeConfig {
  /** the config file read (absolute), or null when none was given */
  readonly file: string | null
  /** absolute */
  readonly dataDir: string
  /** `<dataDir>/control.sock` */
  readonly controlSocket: string
  readonly shutdownTimeoutMs: number
  readonly log: { readonly level: LogLevel }
  readonly capture: {
    readonly enabled: boolean
    /** empty: the default interface */
    readonly interfaces: readonly string[]
    /**
     * Whether the interfaces were named (config file or --interface) rather than defaulted: a named
     * interface that fails to open stops the start, the default one only warns.
     */
    readonly interfacesExplicit: boolean
    readonly ports: readonly number[]
    readonly snaplen: number
    readonly promiscuous: boolean
    readonly bufferBytes: number
    /** extra BPF, or null */
    readonly filter: string | null
  }
  readonly dnstap: {
    /** unix paths absolute (relative ones resolved against dataDir); empty: no dnstap input */
    readonly listen: readonly ListenAddress[]
    readonly messageTypes: readonly DnstapMessageType[]
    readonly maxFrameBytes: number
    /** mode of the unix sockets (0o660 by default) */
    readonly socketMode: number
    /** gid given to the unix sockets (a configured name already looked up); null: the node's group */
    readonly socketGroup: number | null
  }
  readonly store: {
    readonly flushIntervalMs: number
    readonly windowMaxBytes: number
    /** seconds a record is kept after its last sighting (own origins, imports); null: forever */
    readonly retentionS: number | null
    /** the same for peers' origins (store.retention_remote, else store.retention) */
    readonly retentionRemoteS: number | null
  }
  readonly mesh: {
    /** empty: no mesh */
    readonly listen: readonly string[]
    readonly peers: readonly string[]
    readonly allow: readonly string[]
    /** absolute, or null */
    readonly pskFile: string | null
    readonly share: 'all' | 'query-only'
    readonly updateIntervalMs: number
    /** 0: no checkpoints by themselves */
    readonly checkpointRecords: number
  }
  readonly api: {
    /** null: no HTTP API */
    readonly listen: { readonly host: string; readonly port: number } | null
    /** absolute PEM paths; both or neither */
    readonly tlsCert: string | null
    readonly tlsKey: string | null
    /** null: /metrics only on `listen`, with a key */
    readonly metricsListen: { readonly host: string; readonly port: number } | null
    /** 0: the API on the node's thread */
    readonly threads: number
    readonly ratePerMin: number
    readonly maxLimit: number
  }
}

/**
 * What `pdns-mesh start` flags can set; each given one replaces the config file's value (and
 * $PDNS_MESH_DATA for dataDir). An undefined field was not given.
 */
export interface ConfigFlags {
  /** --data DIR */
  dataDir: string
  /** --interface IF (repeatable): replaces capture.interfaces */
  interfaces: readonly string[]
  /** --no-capture: false */
  captureEnabled: boolean
  /** --dnstap ADDR (repeatable): replaces dnstap.listen; [] (--no-dnstap): no dnstap input */
  dnstapListen: readonly string[]
  /** --log-level L */
  logLevel: string
  /** --api HOST:PORT; '' (--no-api): no HTTP API */
  apiListen: string
}

export interface LoadConfigOptions {
  /** a TOML config file; none: defaults and flags only */
  file?: string | undefined
  flags?: Partial<ConfigFlags>
  /** read for $PDNS_MESH_DATA (default process.env) */
  env?: Readonly<Record<string, string | undefined>>
  /** what a relative data_dir is resolved against (default process.cwd()) */
  cwd?: string
}
