/**
 * Every anomaly the DNS parser counts, with what it means. Counted in DnsParser.anomalies; the parser
 * never throws, so these counters are the only trace malformed input leaves.
 */
export const DNS_ANOMALIES = {
  'header.truncated': 'a response shorter than the 12-octet header; nothing is kept',
  'question.truncated': 'a question whose QTYPE/QCLASS run past the message end; nothing is kept',
  'count.exceeds_message':
    'header counts promise more questions/RRs than the bytes hold; the walk stops at the end',
  'message.rr_limit': 'more RRs than MAX_RRS_PER_MESSAGE; the rest is ignored',
  'message.trailing_bytes': 'octets left after the last RR the header announced (kept RRs are emitted)',
  'message.too_long':
    'a message longer than MAX_MESSAGE_LENGTH (65535 octets, the most TCP framing can carry); only that much is read',
  'name.out_of_bounds': 'a label or pointer runs past the message (or the RDATA holding it)',
  'name.bad_label_type':
    'a label length byte with the reserved 0x40/0x80 type bits (RFC 6891 §5 retired them)',
  'name.too_long': 'a name longer than 255 octets on the wire',
  'name.forward_pointer':
    'a compression pointer not pointing strictly before the labels that use it; followed anyway, as tshark does',
  'name.pointer_loop': 'more than MAX_POINTER_HOPS pointers, at least one forward: a compression loop',
  'name.pointer_chain_too_long': 'more than MAX_POINTER_HOPS backward pointers in one name',
  'rr.truncated':
    'an RR whose fixed fields (type, class, TTL, RDLENGTH) run past the message end; the walk stops',
  'rdata.overrun': 'an RDLENGTH reaching past the message end; the walk stops',
  'rdata.malformed':
    'counted as rdata.malformed:<TYPE>: RDATA not decodable as its type but RDLENGTH sane; emitted as RFC 3597 \\# form',
  'opt.multiple': 'more than one OPT RR (RFC 6891 §6.1.1); only the first sets the extended RCODE',
  'opt.misplaced': 'an OPT RR outside the additional section; ignored for the extended RCODE',
  'rcode.uncertain':
    "the walk stopped before any OPT RR: the rcode reported is the header's 4 bits, its upper 8 bits unknown; no NODATA is decided",
  'parser.internal_error': 'a bug: the last-resort net caught an exception; the message is dropped',
} as const

export type DnsAnomaly = keyof typeof DNS_ANOMALIES
