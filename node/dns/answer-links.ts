/**
 * The answer section's CNAME and DNAME records of one message, and the walk along the CNAME chain
 * from the question name. A negative answer (NXDOMAIN, NODATA) speaks of the chain's last name
 * (RFC 6604 §2.1, RFC 2308 §2.2.1), not of the qname, which exists: it is the chain's first CNAME.
 */
import { T_CNAME, T_DNAME, typeName } from './constants.ts'
import type { Observation } from './observation.ts'
import { isAtOrBelow } from './zone.ts'

/** More answer CNAME/DNAME records than this: the chain walk looks owners up in a Map */
const LINEAR_LINKS = 8
const CNAME = typeName(T_CNAME)
const DNAME = typeName(T_DNAME)

/** Reused across messages; the parser fills `at`/`targets` and passes the count. */
export class AnswerLinks {
  /** index into the message's observations of each answer CNAME/DNAME */
  readonly at: number[] = []
  /** their target names, null when the RDATA did not parse as a name */
  readonly targets: (string | null)[] = []
  /** CNAME owner → index into `at`, for answers with more than LINEAR_LINKS links */
  readonly #byOwner = new Map<string, number>()

  /**
   * The last name of the answer's CNAME chain from qname, or null when no negative can be filed:
   * a loop, a CNAME whose target did not parse, a DNAME covering the name with no synthesized CNAME
   * to follow, or a record of the asked type at the end (the question is answered).
   */
  chainEnd(
    pending: readonly Observation[],
    qname: string,
    qtype: string,
    nLinks: number,
    answerEnd: number,
  ): string | null {
    const links = this.at
    const targets = this.targets
    const byOwner = nLinks > LINEAR_LINKS ? this.#indexCnames(pending, nLinks) : null
    let target = qname
    // each CNAME is one step: more steps than CNAMEs means a loop
    for (let steps = 0; ; steps++) {
      const at = byOwner !== null ? (byOwner.get(target) ?? -1) : this.#cnameAt(pending, target, nLinks)
      if (at < 0) break
      const next = targets[at] ?? null
      if (steps === nLinks || next === null) return null
      target = next
    }
    for (let i = 0; i < nLinks; i++) {
      const o = pending[links[i]!]!
      // a DNAME redirects the names below its owner, not the owner itself
      if (o.rrtype === DNAME && o.rrname !== target && isAtOrBelow(target, o.rrname)) return null
    }
    if (target !== qname) {
      for (let i = 0; i < answerEnd; i++) {
        const o = pending[i]!
        if (o.rrname === target && o.rrtype === qtype) return null
      }
    }
    return target
  }

  /** Index into `at` of the first CNAME owned by name, or -1. */
  #cnameAt(pending: readonly Observation[], name: string, nLinks: number): number {
    const links = this.at
    for (let i = 0; i < nLinks; i++) {
      const o = pending[links[i]!]!
      if (o.rrname === name && o.rrtype === CNAME) return i
    }
    return -1
  }

  /** CNAME owner → index into `at` (the first one wins), so a long chain costs one pass. */
  #indexCnames(pending: readonly Observation[], nLinks: number): Map<string, number> {
    const map = this.#byOwner
    map.clear()
    const links = this.at
    for (let i = 0; i < nLinks; i++) {
      const o = pending[links[i]!]!
      if (o.rrtype === CNAME && !map.has(o.rrname)) map.set(o.rrname, i)
    }
    return map
  }
}
