#!/usr/bin/env bash
# bench/delivery-memory.sh [MB] [SERVERS]
#
# Streaming delivery: one MB-megabyte message (default 20) relayed to SERVERS recipients at
# SERVERS different domains (default 100), all delivered at once into one smtp-sink that reads and
# drops. Prints the release daemon's resident memory before the mail and its peak (VmHWM) by the
# last delivery, its anonymous memory (RssAnon: the heap and stacks, without the program's and the
# Swift libraries' code mapped from disk, about 42 MB of the resident figure) before and at its
# highest (sampled every 50 ms), and the time from the 250 to the last delivery. Target: under 64 MB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MB=${1:-20}
SERVERS=${2:-100}
SINK_PORT=2626
bench_setup delivery
stop_sink() { [ -n "${SINK_PID:-}" ] && kill "$SINK_PID" 2>/dev/null || true; }
BENCH_CLEANUP=stop_sink
kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

smtp-sink $([ "$(id -u)" = 0 ] && echo "-u postfix") "127.0.0.1:$SINK_PORT" 512 &
SINK_PID=$!
{
  fefaent_toml spool
  cat <<TOML
[limits]
message_size = $(((MB + 1) * 1048576))
[auth]
trusted_networks = ["127.0.0.0/8"]
[delivery]
poll_interval_ms = 20
concurrency = $SERVERS
[delivery.routes]
"*" = "127.0.0.1:$SINK_PORT"
TOML
} >"$WORK/fefaent.toml"
start_fefaent "$WORK/fefaent.toml"
sleep 1
BEFORE=$(kib "$FEFAENT_PID" VmRSS)
ANON_BEFORE=$(kib "$FEFAENT_PID" RssAnon)
ANON_PEAK=$ANON_BEFORE
python3 - "$PORT" "$MB" "$SERVERS" <<'PY'
import smtplib, sys
port, mb, servers = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
line = b"The quick brown fox jumps over the lazy dog, relayed in pieces.\r\n"
body = line * (mb * 1_000_000 // len(line))
message = b"From: a@bench.test\r\nTo: many\r\nSubject: large\r\n\r\n" + body
with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
    client.sendmail("a@bench.test", [f"user@d{n}.bench.test" for n in range(servers)], message)
PY
T0=$(now)
for _ in $(seq 6000); do
  left=$(count "$WORK/spool/queue.sqlite" "select count(*) from recipient where state != 'delivered'")
  anon=$(kib "$FEFAENT_PID" RssAnon)
  [ "$anon" -gt "$ANON_PEAK" ] && ANON_PEAK=$anon
  [ "$left" = 0 ] && break
  sleep 0.05
done
T1=$(now)
PEAK=$(kib "$FEFAENT_PID" VmHWM)
python3 -c "print(f'$MB MB to $SERVERS servers at once: delivered in {$T1 - $T0:.1f} s; resident {$BEFORE / 1024:.0f} MB before, peak {$PEAK / 1024:.0f} MB; anonymous {$ANON_BEFORE / 1024:.0f} MB before, peak {$ANON_PEAK / 1024:.0f} MB')"
