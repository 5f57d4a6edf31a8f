/** Link-layer header types (tcpdump.org/linktypes) and EtherTypes the decoder understands. */

export const LINKTYPE_NULL = 0
export const LINKTYPE_ETHERNET = 1
export const LINKTYPE_FDDI = 10
/** DLT_RAW as some BSDs number it in files */
export const LINKTYPE_RAW_12 = 12
export const LINKTYPE_RAW_14 = 14
export const LINKTYPE_RAW = 101
export const LINKTYPE_IEEE802_11 = 105
export const LINKTYPE_LOOP = 108
export const LINKTYPE_IEEE802_11_RADIOTAP = 127
export const LINKTYPE_LINUX_SLL = 113
export const LINKTYPE_IPV4 = 228
export const LINKTYPE_IPV6 = 229
export const LINKTYPE_LINUX_SLL2 = 276

/** EtherType values up to this are 802.3 lengths: an 802.2 LLC header follows */
export const ETHER_MAX_LENGTH = 1500

export const ETHERTYPE_IPV4 = 0x0800
export const ETHERTYPE_IPV6 = 0x86dd
export const ETHERTYPE_VLAN = 0x8100
export const ETHERTYPE_QINQ = 0x88a8
export const ETHERTYPE_QINQ_OLD = 0x9100
export const ETHERTYPE_MPLS = 0x8847
export const ETHERTYPE_MPLS_MULTICAST = 0x8848
export const ETHERTYPE_PPPOE_SESSION = 0x8864
/** GRE protocol type for bridged Ethernet (NVGRE, Ethernet over GRE) */
export const ETHERTYPE_TEB = 0x6558
/** GRE protocol type for ERSPAN type I/II */
export const ETHERTYPE_ERSPAN = 0x88be
/** GRE protocol type for ERSPAN type III */
export const ETHERTYPE_ERSPAN_III = 0x22eb

export const PPP_IPV4 = 0x0021
export const PPP_IPV6 = 0x0057

/** BSD address families in DLT_NULL / DLT_LOOP headers (AF_INET6 differs by OS). */
export const AF_INET = 2
export const AF_INET6_LINUX = 10
export const AF_INET6_BSD = 24
export const AF_INET6_FREEBSD = 28
export const AF_INET6_DARWIN = 30

export const IPPROTO_HOPOPTS = 0
export const IPPROTO_IPIP = 4
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17
export const IPPROTO_IPV6 = 41
export const IPPROTO_ROUTING = 43
export const IPPROTO_FRAGMENT = 44
export const IPPROTO_GRE = 47
export const IPPROTO_ESP = 50
export const IPPROTO_AH = 51
export const IPPROTO_NONE = 59
export const IPPROTO_DSTOPTS = 60
export const IPPROTO_MOBILITY = 135
export const IPPROTO_HIP = 139
export const IPPROTO_SHIM6 = 140
