/**
 * Hard bounds the parser enforces on hostile input. Each one turns what could be unbounded work
 * (or an unbounded string) into a named anomaly; none of them is reached by well-formed traffic.
 */

/** RFC 1035 §3.1: a name is at most 255 octets on the wire. Longer: the name is rejected, 'name.too_long'. */
export const MAX_NAME_WIRE_LENGTH = 255

/**
 * RFC 1035 §3.1: a label is at most 63 octets. Structural: a length byte above 63 has one of the top
 * two bits set, so it is a pointer (0xC0) or a reserved label type (0x40, 0x80 → 'name.bad_label_type').
 */
export const MAX_LABEL = 63

/**
 * Compression pointers followed while decoding one name. A legitimate name needs a handful; more means a
 * loop ('name.pointer_loop', when some pointer did not point backwards) or an absurd chain
 * ('name.pointer_chain_too_long'). Either way the name is rejected and the walk of the message stops.
 */
export const MAX_POINTER_HOPS = 64

/**
 * RRs walked per message (all three sections together). Bytes already bound the walk (an RR takes at
 * least 11 octets); this caps the per-message buffer. Beyond it the rest is ignored, 'message.rr_limit'.
 */
export const MAX_RRS_PER_MESSAGE = 4096

/** Smallest possible RR on the wire: root owner (1) + type, class, TTL, RDLENGTH (10). */
export const MIN_RR_WIRE_LENGTH = 11

/** Smallest possible question: root name (1) + type, class (4). */
export const MIN_QUESTION_WIRE_LENGTH = 5

/** A DNS message (TCP framing) is at most 65535 octets; offsets inside it fit the per-message caches. */
export const MAX_MESSAGE_LENGTH = 65535

/**
 * Slots of the table of recent IPv4 addresses' text (rdata/address.ts), by address; a slot holds
 * the newest address that maps there. An address seen again is the same string as before, already
 * flat and hashed, so the window compares it by pointer. 4096 strings of at most 15 characters.
 */
export const ADDRESS_INTERN_SLOTS = 4096
