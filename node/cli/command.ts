export interface Command {
  name: string
  summary: string
  /** full help text, printed by `pdns-mesh <command> --help` */
  help: string
  /** returns the process exit code */
  run(args: string[], opts: { signal: AbortSignal }): Promise<number>
}
