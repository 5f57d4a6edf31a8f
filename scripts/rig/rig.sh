#!/usr/bin/env bash
# The project's loopback DNS rig: nsd authoritative for `test.` (scripts/rig/mkzone.sh) and unbound
# resolving it, with dnstap to a unix socket (or TCP), for dnsperf, dig, live capture on `lo`, and
# pdns-mesh's dnstap reader. Every file, pid file and socket lives in DIR; nothing else is touched,
# and no query leaves the loopback interface. test/helpers/rig.ts drives it for the tests.
#
#   rig.sh start DIR [options]     write the zone and configs into DIR, start nsd and unbound, wait
#                                  until both answer
#     --names N                    hosts h1.test..hN.test in the zone (default 2000)
#     --auth-port P                nsd's port on 127.0.0.1 (default 15300)
#     --resolver-port P            unbound's port on 127.0.0.1 (default 15353)
#     --dnstap-socket PATH         dnstap to this unix socket (default DIR/dnstap.sock)
#     --dnstap-tcp ADDR@PORT       dnstap over TCP instead (no TLS)
#     --no-dnstap                  no dnstap at all
#     --dnstap-identity ID         the identity unbound sends (default "rig")
#     --dnstap-queries             also log CLIENT_QUERY and RESOLVER_QUERY (default: responses only)
#   rig.sh stop DIR [--no-drain]   stop unbound and nsd; returns once their processes are gone.
#                                  With dnstap on, it first waits 2 s for unbound's dnstap queue to
#                                  drain (unbound drops what is queued when it stops)
#   rig.sh restart-resolver DIR    stop unbound (after the same wait) and start it again: same
#                                  ports, same dnstap socket
#   rig.sh status DIR              exit 0 when both daemons run
#
# unbound connects to the dnstap socket when it starts and reconnects when the reader goes away;
# messages are queued meanwhile (up to its queue size). DIR/rig.env records the settings (shell
# syntax); DIR/queries.txt holds one `hN.test A` line per host, DIR/typed-queries.txt one query
# per typed record plus an NXDOMAIN and a NODATA (dnsperf -d format).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
here=$(cd "$(dirname "$0")" && pwd)

# Seconds to wait for a daemon to answer after its start, and to exit after SIGTERM.
READY_TIMEOUT=20
STOP_TIMEOUT=10
# Seconds to let unbound's dnstap queue drain before it is stopped. unbound writes its queue out
# when 32 messages wait, else on a 1-second timer, and when it stops it sends only the message in
# progress: whatever is still queued is lost (dnstap/dtstream.c). Waiting longer than the timer
# gives a reader every message.
DNSTAP_DRAIN=2

die() {
  echo "rig.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Paths go into configs through sed and quotes: keep them to plain characters.
check_path() {
  case $1 in
    /*) ;;
    *) die "$2 must be an absolute path: $1" ;;
  esac
  case $1 in
    *[!A-Za-z0-9._/+-]*) die "$2 may hold only letters, digits and . _ / + -: $1" ;;
  esac
}

check_port() {
  case $1 in
    '' | *[!0-9]*) die "$2: '$1' is not a port number" ;;
  esac
  [ "$1" -ge 1 ] && [ "$1" -le 65535 ] || die "$2: '$1' is not a port number (1-65535)"
}

# ------------------------------------------------------------ processes

# Whether a process of this name runs with this pid (a pid file can outlive its daemon, and the
# pid can be reused by something else, which must never be signalled). nsd renames its processes
# ("nsd: xfrd", "nsd: main"), so the name is matched as a prefix.
is_daemon() { # pid name
  local comm
  [ -n "$1" ] || return 1
  read -r comm 2>/dev/null <"/proc/$1/comm" || return 1
  case $comm in
    "$2" | "$2:"*) ;;
    *) return 1 ;;
  esac
  [ "$(proc_state "$1")" != Z ]
}

proc_state() { # pid → its state letter (R, S, Z…)
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  echo "${stat%% *}"
}

# Whether a live (not zombie) process is left in the process group: both daemons detach into a
# session of their own, so the group of the pid file's process holds all of the instance's
# processes (nsd has three). A zombie holds no socket; its reaping is up to init.
group_alive() { # pgid
  local f stat state pgrp
  for f in /proc/[0-9]*/stat; do
    read -r stat 2>/dev/null <"$f" || continue
    read -r state _ pgrp _ <<<"${stat##*) }"
    [ "$pgrp" = "$1" ] && [ "$state" != Z ] && return 0
  done
  return 1
}

stop_daemon() { # name
  local name=$1 pidfile="$dir/$1.pid" pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if is_daemon "$pid" "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 20; i++)); do
      group_alive "$pid" || break
      sleep 0.05
    done
    if group_alive "$pid"; then
      echo "rig.sh: $name (pid $pid) did not stop in ${STOP_TIMEOUT}s: SIGKILL" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        group_alive "$pid" || break
        sleep 0.05
      done
      group_alive "$pid" && die "$name (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$pidfile"
}

# With dnstap on and unbound running: wait for its queue to go out (see DNSTAP_DRAIN).
drain_dnstap() {
  [ -f "$dir/rig.env" ] || return 0
  local socket tcp
  socket=$(sed -n 's/^DNSTAP_SOCKET=//p' "$dir/rig.env")
  tcp=$(sed -n 's/^DNSTAP_TCP=//p' "$dir/rig.env")
  [ -n "$socket$tcp" ] || return 0
  is_daemon "$(cat "$dir/unbound.pid" 2>/dev/null || true)" unbound || return 0
  sleep "$DNSTAP_DRAIN"
}

log_tail() { # file
  [ -f "$1" ] && tail -n 20 "$1" >&2 || true
}

# ------------------------------------------------------------ start

load_env() {
  [ -f "$dir/rig.env" ] || die "no rig in $dir (rig.sh start first)"
  # shellcheck disable=SC1091
  . "$dir/rig.env"
}

wait_nsd() {
  local i
  for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
    # nsd logs no dnstap: probing it adds nothing to what a dnstap reader sees
    if dig +short +time=1 +tries=1 @127.0.0.1 -p "$AUTH_PORT" test. SOA 2>/dev/null | grep -q 'ns1.test'; then
      return 0
    fi
    is_daemon "$(cat "$dir/nsd.pid" 2>/dev/null || true)" nsd || [ "$i" -lt 20 ] || break
    sleep 0.1
  done
  return 1
}

start_unbound() {
  unbound -c "$dir/unbound.conf" || {
    log_tail "$dir/unbound.log"
    return 1
  }
  local i
  for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
    # the control socket, not a query: a probe query would show up in the dnstap feed
    unbound-control -c "$dir/unbound.conf" status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log_tail "$dir/unbound.log"
  return 1
}

start() {
  local names=2000 auth_port=15300 resolver_port=15353 socket='' tcp='' dnstap=yes identity=rig queries=no
  while [ $# -gt 0 ]; do
    case $1 in
      --names) names=${2:?--names N}; shift 2 ;;
      --auth-port) auth_port=${2:?--auth-port P}; shift 2 ;;
      --resolver-port) resolver_port=${2:?--resolver-port P}; shift 2 ;;
      --dnstap-socket) socket=${2:?--dnstap-socket PATH}; shift 2 ;;
      --dnstap-tcp) tcp=${2:?--dnstap-tcp ADDR@PORT}; shift 2 ;;
      --no-dnstap) dnstap=no; shift ;;
      --dnstap-identity) identity=${2:?--dnstap-identity ID}; shift 2 ;;
      --dnstap-queries) queries=yes; shift ;;
      *) die "unknown option '$1' (rig.sh without arguments lists them)" ;;
    esac
  done
  check_port "$auth_port" --auth-port
  check_port "$resolver_port" --resolver-port
  [ "$auth_port" != "$resolver_port" ] || die "--auth-port and --resolver-port must differ"
  [ -z "$socket" ] || [ -z "$tcp" ] || die "--dnstap-socket and --dnstap-tcp exclude each other"
  case $identity in
    '' | *[!A-Za-z0-9._:/-]*) die "--dnstap-identity may hold only letters, digits and . _ : / -" ;;
  esac
  case $tcp in
    '') ;;
    *[!0-9.@]* | *@ | @*) die "--dnstap-tcp: '$tcp' is not ADDR@PORT (IPv4)" ;;
  esac
  if is_daemon "$(cat "$dir/nsd.pid" 2>/dev/null || true)" nsd ||
    is_daemon "$(cat "$dir/unbound.pid" 2>/dev/null || true)" unbound; then
    die "a rig already runs in $dir (rig.sh stop $dir first)"
  fi
  [ -n "$socket" ] || socket="$dir/dnstap.sock"
  case $socket in /*) ;; *) socket="$PWD/$socket" ;; esac
  check_path "$socket" --dnstap-socket
  # sun_path holds 108 bytes with its NUL
  [ "${#socket}" -le 107 ] || die "--dnstap-socket: the path is longer than 107 bytes: $socket"
  [ "$dnstap" = yes ] || socket=''
  [ "$dnstap" = yes ] || tcp=''
  [ -z "$tcp" ] || socket=''

  "$here/mkzone.sh" "$names" >"$dir/zone.test"
  printf '%s\n' '$TTL 300' \
    'example. 300 IN SOA ns1.test. admin.test. 1 3600 600 86400 300' \
    'example. 300 IN NS ns1.test.' >"$dir/zone.example"
  awk -v n="$names" 'BEGIN { for (i = 1; i <= n; i++) printf "h%d.test A\n", i }' >"$dir/queries.txt"
  printf '%s\n' 'test SOA' 'test NS' 'ns1.test A' 'www.shop.test A' 'www.shop.test AAAA' 'alias.test A' \
    'cdn.test A' 'mail.test MX' 'mx1.test A' 'txt.test TXT' '_sip._tcp.test SRV' 'sip.test A' \
    'nothere.test A' 'www.shop.test MX' >"$dir/typed-queries.txt"
  local subst="s#@DIR@#$dir#g; s#@AUTH_PORT@#$auth_port#g; s#@RESOLVER_PORT@#$resolver_port#g"
  sed "$subst" "$here/nsd.conf.in" >"$dir/nsd.conf"
  sed "$subst" "$here/unbound.conf.in" >"$dir/unbound.conf"
  if [ "$dnstap" = yes ]; then
    {
      echo 'dnstap:'
      echo '  dnstap-enable: yes'
      if [ -n "$tcp" ]; then
        echo "  dnstap-ip: \"$tcp\""
        echo '  dnstap-tls: no'
      else
        echo "  dnstap-socket-path: \"$socket\""
      fi
      echo '  dnstap-send-identity: yes'
      echo "  dnstap-identity: \"$identity\""
      echo '  dnstap-send-version: yes'
      echo '  dnstap-log-resolver-response-messages: yes'
      echo '  dnstap-log-client-response-messages: yes'
      echo "  dnstap-log-resolver-query-messages: $queries"
      echo "  dnstap-log-client-query-messages: $queries"
    } >>"$dir/unbound.conf"
  fi
  {
    echo "NAMES=$names"
    echo "AUTH_PORT=$auth_port"
    echo "RESOLVER_PORT=$resolver_port"
    echo "DNSTAP_SOCKET=$socket"
    echo "DNSTAP_TCP=$tcp"
    echo "DNSTAP_IDENTITY=$identity"
  } >"$dir/rig.env"
  nsd-checkconf "$dir/nsd.conf" || die "nsd.conf does not check"
  unbound-checkconf "$dir/unbound.conf" >/dev/null || die "unbound.conf does not check"

  AUTH_PORT=$auth_port
  rm -f "$dir/nsd.log" "$dir/unbound.log"
  if ! nsd -c "$dir/nsd.conf" || ! wait_nsd; then
    log_tail "$dir/nsd.log"
    stop_daemon nsd
    die "nsd did not start on 127.0.0.1:$auth_port (port in use? see $dir/nsd.log)"
  fi
  if ! start_unbound; then
    stop_daemon unbound
    stop_daemon nsd
    die "unbound did not start on 127.0.0.1:$resolver_port (port in use? see $dir/unbound.log)"
  fi
  echo "rig up in $dir: nsd 127.0.0.1:$auth_port, unbound 127.0.0.1:$resolver_port," \
    "dnstap ${tcp:-${socket:-off}}, $names hosts (queries.txt)"
}

# ------------------------------------------------------------ main

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case $cmd in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    check_path "$dir" DIR
    start "$@"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd)
    case ${1:-} in
      '') drain_dnstap ;;
      --no-drain) ;;
      *) die "stop: unknown option '$1'" ;;
    esac
    stop_daemon unbound
    stop_daemon nsd
    ;;
  restart-resolver)
    dir=$(cd "$dir" && pwd)
    load_env
    drain_dnstap
    stop_daemon unbound
    start_unbound || die "unbound did not start again on 127.0.0.1:$RESOLVER_PORT (see $dir/unbound.log)"
    ;;
  status)
    dir=$(cd "$dir" && pwd)
    is_daemon "$(cat "$dir/nsd.pid" 2>/dev/null || true)" nsd || die "nsd is not running"
    is_daemon "$(cat "$dir/unbound.pid" 2>/dev/null || true)" unbound || die "unbound is not running"
    echo "nsd and unbound run in $dir"
    ;;
  *) usage ;;
esac
