/**
 * The aggregation window's entries (window.ts): each record's update in the order it came, with an
 * index to find a record's entry by its owner name.
 */
import type { RecordId } from '../store/keys.ts'
import type { RecordUpdate } from '../store/store.ts'

/** A name's entries are kept in a chain up to this many, then in a map by rdata. */
const CHAIN_MAX = 8

export interface Entry {
  update: RecordUpdate
  bytes: number
  /** the next entry of the same owner name (and, in a map by rdata, the same rdata) */
  next: Entry | null
  /** the idle sweep's period in which the entry was last added to (handOverIdleMs) */
  touched: number
  /** written by a flush still in progress (holds() no longer counts it) */
  written: boolean
}

/**
 * Entries in the order they came, with an index to find a record's entry by its owner name: the
 * name's entries as a short chain, or, once it has more than CHAIN_MAX, a map by rdata of chains.
 * One lookup of the string the parser made, where one composite key string per observation (built,
 * flattened and hashed) cost twice as much: the window's lookup is paid for every observation, a
 * million times for a name seen a million times. A name with few records (most) costs no map of
 * its own.
 */
export class Entries {
  readonly index = new Map<string, Entry | Map<string, Entry>>()
  readonly list: Entry[] = []
  bytes = 0

  find(id: RecordId): Entry | undefined {
    const v = this.index.get(id.rrname)
    if (v === undefined) return undefined
    let e: Entry | null | undefined = v instanceof Map ? v.get(id.rdata) : v
    while (e !== null && e !== undefined) {
      const o = e.update.id
      if (
        o.rrtype === id.rrtype &&
        o.origin === id.origin &&
        o.kind === id.kind &&
        o.bailiwick === id.bailiwick &&
        o.rdata === id.rdata
      )
        return e
      e = e.next
    }
    return undefined
  }

  /** Adds an entry that find() did not find. */
  push(e: Entry): void {
    const id = e.update.id
    const v = this.index.get(id.rrname)
    if (v === undefined) {
      e.next = null
      this.index.set(id.rrname, e)
    } else if (v instanceof Map) {
      e.next = v.get(id.rdata) ?? null
      v.set(id.rdata, e)
    } else {
      let n = 0
      for (let x: Entry | null = v; x !== null; x = x.next) n++
      e.next = v
      if (n < CHAIN_MAX) this.index.set(id.rrname, e)
      else {
        const byRdata = new Map<string, Entry>()
        for (let x: Entry | null = e; x !== null; ) {
          const next: Entry | null = x.next
          x.next = byRdata.get(x.update.id.rdata) ?? null
          byRdata.set(x.update.id.rdata, x)
          x = next
        }
        this.index.set(id.rrname, byRdata)
      }
    }
    this.list.push(e)
    this.bytes += e.bytes
  }

  get size(): number {
    return this.list.length
  }

  /**
   * Takes out the first `max` entries `keep` rejects, in order; the others stay, in order. One
   * pass over the list, and an index update per entry taken.
   */
  takeOut(keep: (e: Entry) => boolean, max = Number.POSITIVE_INFINITY): Entry[] {
    const out: Entry[] = []
    let n = 0
    const list = this.list
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!
      if (out.length >= max || keep(e)) {
        list[n++] = e
        continue
      }
      out.push(e)
      this.bytes -= e.bytes
      this.#unlink(e)
    }
    list.length = n
    return out
  }

  #unlink(e: Entry): void {
    const id = e.update.id
    const v = this.index.get(id.rrname)!
    const byRdata = v instanceof Map ? v : null
    let head: Entry | null = byRdata === null ? (v as Entry) : byRdata.get(id.rdata)!
    if (head === e) head = e.next
    else {
      let p = head
      while (p.next !== e) p = p.next!
      p.next = e.next
    }
    e.next = null
    if (byRdata === null) {
      if (head === null) this.index.delete(id.rrname)
      else this.index.set(id.rrname, head)
    } else if (head !== null) byRdata.set(id.rdata, head)
    else {
      byRdata.delete(id.rdata)
      if (byRdata.size === 0) this.index.delete(id.rrname)
    }
  }
}
