/**
 * Every bound the capture layer enforces. A capture file is untrusted input: each structure that
 * could make memory or work grow without limit has a cap here, and each doc comment says what
 * happens when the cap is hit (copied verbatim into docs/LIMITS.md).
 */

/** Bytes read from a capture file (or inflated from a gzip) per refill; larger records grow the buffer up to the record caps below. */
export const READ_CHUNK_BYTES = 8 * 1024 * 1024

/** Inflated bytes a gzip capture may queue ahead of the parser; past it inflation pauses until the parser catches up. */
export const GZIP_INFLATE_QUEUE_BYTES = 16 * 1024 * 1024

/** Largest pcap record (captured length) accepted; a larger one is ERR_CORRUPT_CAPTURE (frames before it are delivered). libpcap itself rejects anything over 256 KiB. */
export const MAX_PCAP_RECORD = 1024 * 1024

/** Largest pcapng block (total length) accepted, as in Wireshark; a larger one is ERR_CORRUPT_CAPTURE (frames before it are delivered). */
export const MAX_PCAPNG_BLOCK = 16 * 1024 * 1024

/** Most interfaces (IDBs) one pcapng section may declare; one more is ERR_CORRUPT_CAPTURE. */
export const MAX_PCAPNG_INTERFACES = 65536

/** Most options walked in one pcapng block; the rest of that block's options are ignored. */
export const MAX_PCAPNG_OPTIONS = 256

/** Most 802.1Q/802.1ad VLAN tags read in one Ethernet header; a deeper stack is skipped as 'link.too_many_vlan_tags'. */
export const MAX_VLAN_TAGS = 8

/** Most MPLS labels read before the bottom of stack; a deeper stack is skipped as 'mpls.too_many_labels'. */
export const MAX_MPLS_LABELS = 16

/** Most encapsulations (GRE, ERSPAN, VXLAN, Geneve, GTP-U, Teredo, IP-in-IP, MPLS pseudowire) unwrapped in one frame; deeper nesting is skipped and counted as anomaly 'tunnel.too_deep'. */
export const MAX_TUNNEL_DEPTH = 4

/** Most IPv6 extension headers walked in one packet; a longer chain is skipped and counted as anomaly 'ipv6.ext_header_loop'. */
export const MAX_IPV6_EXT_HEADERS = 16

/** Most IP datagrams being reassembled from fragments at once; one more evicts the oldest, counted as anomaly 'frag.too_many'. */
export const MAX_FRAGMENT_GROUPS = 1024

/** Most fragment bytes held across all groups (payload plus a fixed per-piece overhead, so tiny fragments cannot hold more memory than counted); one more evicts the oldest groups until it fits, each counted as anomaly 'frag.too_many'. */
export const MAX_FRAGMENT_BYTES = 16 * 1024 * 1024

/** Capture time a fragmented datagram may stay incomplete (Linux ipfrag_time); older groups are dropped, counted as anomaly 'frag.timeout'. */
export const FRAGMENT_TIMEOUT_US = 30_000_000

/** Most TCP flows on DNS ports tracked at once; one more evicts the least recently active flow, counted as anomaly 'tcp.flow_evicted'. */
export const MAX_TCP_FLOWS = 65536

/** Most closed TCP flows (both FINs seen) remembered until TCP_FLOW_IDLE_TIMEOUT_US, so that a late retransmission is ignored instead of starting a fresh flow; one more forgets the oldest, whose late retransmissions may then be delivered again. */
export const MAX_TCP_CLOSED_FLOWS = 65536

/** Most bytes one TCP flow may buffer (both directions: the capacity of partial-message buffers, which grow with the bytes that arrived rather than the announced length, plus out-of-order segments with a fixed per-segment overhead); past it the direction's buffers are dropped and it resyncs, counted as anomaly 'tcp.buffer_limit'. */
export const MAX_TCP_BUFFERED_BYTES_PER_FLOW = 320 * 1024

/** Most bytes all TCP flows together may buffer; past it the least recently active flows are evicted, each counted as anomaly 'tcp.flow_evicted'. */
export const MAX_TCP_BUFFERED_BYTES = 256 * 1024 * 1024

/** How far past the next expected byte an out-of-order TCP segment may end and still be buffered; a segment beyond it means the gap will not fill: the direction's buffers are dropped and it resyncs, counted as anomaly 'tcp.gap'. */
export const TCP_REORDER_WINDOW_BYTES = 64 * 1024

/** Capture time a TCP flow may stay silent before it is forgotten; a partial message it held is counted as anomaly 'tcp.incomplete_message'. */
export const TCP_FLOW_IDLE_TIMEOUT_US = 120_000_000

/** Bytes libpcap keeps of each live frame unless the operator sets a snaplen (a whole frame up to 64 KiB: no DNS message over UDP and no TCP segment is cut); a longer frame is delivered cut to it, counted per interface as 'truncated'. */
export const LIVE_DEFAULT_SNAPLEN = 65535

/** Smallest live snaplen accepted; a smaller one is ERR_CONFIG (it would cut most DNS messages). */
export const LIVE_MIN_SNAPLEN = 256

/** Largest live snaplen accepted (libpcap's own maximum); a larger one is ERR_CONFIG. */
export const LIVE_MAX_SNAPLEN = 262_144

/** Kernel capture ring per interface unless the operator sets one; when the sensor falls behind by more than this, the kernel drops frames and counts them (stats: kernel.dropped). */
export const LIVE_DEFAULT_BUFFER_BYTES = 32 * 1024 * 1024

/** Smallest kernel capture ring accepted per interface; a smaller one is ERR_CONFIG (a burst of DNS traffic would overflow it). */
export const LIVE_MIN_BUFFER_BYTES = 1024 * 1024

/** Largest kernel capture ring accepted per interface (the pcap addon passes it as a signed 32-bit integer); a larger one is ERR_CONFIG. */
export const LIVE_MAX_BUFFER_BYTES = 1024 * 1024 * 1024

/** Most interfaces one live capture opens (each holds its own kernel ring); more is ERR_CONFIG. */
export const LIVE_MAX_INTERFACES = 64

/** Longest extra BPF expression accepted, bytes; a longer one is ERR_CONFIG. */
export const LIVE_MAX_FILTER_BYTES = 4096

/** Most port terms (single ports or runs of consecutive ports) in the live capture filter; more is ERR_CONFIG: past about 64 the compiled program exceeds the kernel's 4096 BPF instructions and libpcap silently falls back to copying every frame to user space. */
export const LIVE_MAX_PORT_TERMS = 64

/** Longest a captured frame waits in the kernel ring before delivery (libpcap's packet buffer timeout): frames arrive in batches at least this often, and a block fills sooner under load. */
export const LIVE_READ_TIMEOUT_MS = 250

/** How much longer than LIVE_READ_TIMEOUT_MS a stopping node keeps reading the capture ring (drain()): by then the kernel has handed over every block holding a frame captured before the stop. */
export const LIVE_DRAIN_MARGIN_MS = 50
