#!/bin/sh
# mkzone.sh N > zone.test — the zone `test.` of the DNS rig: one record of each common type, a
# dangling CNAME, and N hosts h1..hN with an A record each.
#
# Owners are fully qualified, one record per line (`owner TTL IN TYPE rdata`), so that
# test/helpers/rig.ts reads back exactly what nsd serves. Host i gets 198.18.0.0 + i (the
# RFC 2544 benchmark range 198.18.0.0/15: room for 131070 hosts), so every host has an address of
# its own and an address lookup names exactly one host.
#
# cdn.test is a CNAME to shop-assets.cloudfront.example, a name in the zone `example.` that nsd
# also serves with nothing in it: resolving cdn.test gives the CNAME and NXDOMAIN, the answer a
# CNAME left pointing at a deleted cloud resource gets (what a CNAME audit must flag).
set -eu
n=${1:?usage: mkzone.sh N}
case $n in
  '' | *[!0-9]*)
    echo "mkzone.sh: N must be a number, got '$n'" >&2
    exit 2
    ;;
esac
if [ "$n" -gt 131070 ]; then
  echo "mkzone.sh: at most 131070 hosts (198.18.0.0/15), got $n" >&2
  exit 2
fi
cat <<'Z'
$TTL 300
test. 300 IN SOA ns1.test. admin.test. 1 3600 600 86400 300
test. 300 IN NS ns1.test.
ns1.test. 300 IN A 127.0.0.1
www.shop.test. 300 IN A 192.0.2.10
www.shop.test. 300 IN AAAA 2001:db8::10
alias.test. 300 IN CNAME www.shop.test.
cdn.test. 300 IN CNAME shop-assets.cloudfront.example.
mail.test. 300 IN MX 10 mx1.test.
mx1.test. 300 IN A 192.0.2.25
txt.test. 300 IN TXT "v=spf1 -all"
_sip._tcp.test. 300 IN SRV 10 60 5060 sip.test.
sip.test. 300 IN A 192.0.2.40
Z
awk -v n="$n" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "h%d.test. 300 IN A 198.%d.%d.%d\n", i, 18 + int(i / 65536), int(i / 256) % 256, i % 256
}'
