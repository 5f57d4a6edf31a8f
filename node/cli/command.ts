export interface Command {
  name: string
  /** full help text, printed by `pdns-mesh <command> --help` */
  help: string
  /**
   * SIGINT/SIGTERM is this command's normal way to end (a daemon): its own exit code stands, instead
   * of 128 + the signal number that marks an interrupted command
   */
  stopsOnSignal?: boolean
  /** returns the process exit code */
  run(args: string[], opts: { signal: AbortSignal }): Promise<number>
}
