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
}
