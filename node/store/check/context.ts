/** What the parts of one check share: the database, its problems, its counts, the origins it read. */
import type { Problems } from './problems.ts'
import type { Scanner } from './scanner.ts'
import type { CheckCounts, CheckSource } from './types.ts'

export interface CheckContext {
  readonly db: CheckSource
  readonly problems: Problems
  readonly scanner: Scanner
  readonly counts: CheckCounts
  /** ORIGIN as read by the origin check: number → label */
  readonly origins: Map<number, string>
  /**
   * the schema version read from META (the current one when unreadable): a v1 database, which the
   * next writable open migrates, is checked by the v1 rules (no FIRST entries expected)
   */
  schema: number
}
