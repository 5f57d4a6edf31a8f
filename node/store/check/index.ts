/**
 * The integrity check of a store (`pdns-mesh check`): every record and index entry is decoded and
 * matched against the others, as apply() keeps them — an RRSET entry per (record, vantage) with a
 * readable value; for answers an RDATA entry holding the same value; a FWD entry per (name, type);
 * exactly one SEEN entry, at the record's last_seen (apply deletes the old one when last moves); no
 * index entry pointing at a record that is not there; every origin number named in ORIGIN and
 * ORIGIN# alike; the META schema version present.
 *
 * It streams: each table is scanned in key order, in batches of CHECK_BATCH entries, so memory
 * stays bounded whatever the size of the store (the origin tables, a few entries, are the one thing
 * held whole). The records are scanned first, each batch looking up its RDATA, SEEN and FWD entries
 * with one multi-get apiece. The index entries found that way are distinct keys, so an index holding
 * more valid entries than were found has orphans (or, in SEEN, entries at an old time): a clean store
 * is settled by counting, and only an index with extras is scanned a second time, looking each entry's
 * record up, to name them. A FWD entry has no exact record key: that lookup is a short scan.
 *
 * Files: run.ts (the order of the passes, checkDataDir, checkStore), origins.ts (META, ORIGIN,
 * ORIGIN#), records.ts (the record scan), orphans.ts (the index passes), unknown-keys.ts (keys of no
 * table), scanner.ts (batches, progress, abort), problems.ts (the kinds and the bounded list).
 */
export { type CheckProblem, PROBLEM_KINDS, type ProblemKind } from './problems.ts'
export { checkDataDir, checkStore } from './run.ts'
export type {
  CheckCounts,
  CheckOptions,
  CheckPhase,
  CheckProgress,
  CheckResult,
  CheckSource,
} from './types.ts'
