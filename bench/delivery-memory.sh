#!/usr/bin/env bash
# bench/delivery-memory.sh [MB] [SERVERS]
#
# Streaming delivery: one MB-megabyte message (default 20) relayed to SERVERS recipients at
# SERVERS different domains (default 100), all delivered at once into one smtp-sink that reads and
# drops. Prints the release daemon's resident memory before the mail and its peak (VmHWM) by the
# last delivery, its anonymous memory (RssAnon: the heap and stacks, without the program's and the
# Swift libraries' code mapped from disk, about 42 MB of the resident figure) before and at its
# highest (sampled every 50 ms), and the time from the 250 to the last delivery. Target: under 64 MB.
#
# CERTIFIED=1: the same as a certified mail (Cc the certifier, a short text and an MB-megabyte
# attachment, evidence and DKIM on): each recipient gets a copy of its own (pixel, headers, DKIM),
# planned over the stored original and streamed from the spool; timed to the last copy delivered.
# NOTICES=1 (with CERTIFIED=1): then also until the sender's notices are delivered (a processing
# notice and a delivery certificate per recipient, each a signed PDF that embeds the mail), with the
# peaks over both.
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
CERTIFIED=${CERTIFIED:-}
{
  fefaent_toml spool
  cat <<TOML
[limits]
message_size = $(((MB + 2) * 1048576))
[auth]
trusted_networks = ["127.0.0.0/8"]
TOML
  if [ -n "$CERTIFIED" ]; then
    evidence_toml
    certified_toml  # ends in [delivery]
  else
    echo '[delivery]'
  fi
  cat <<TOML
concurrency = $SERVERS
destination_concurrency = $SERVERS
[delivery.routes]
"*" = "127.0.0.1:$SINK_PORT"
TOML
} >"$WORK/fefaent.toml"
if [ -n "$CERTIFIED" ]; then
  "$BIN" keys init --dir "$WORK/keys" --hostname fefaent.localhost >/dev/null
  "$BIN" account add bench --no-password --domain bench.test --network 127.0.0.0/8 --units 1000000 \
    --config "$WORK/fefaent.toml" >/dev/null
fi
start_fefaent "$WORK/fefaent.toml"
sleep 1
# PERF_OUT=FILE: profile the daemon for PERF_SECONDS (default 20) from the mail on (perf record -g).
[ -n "${PERF_OUT:-}" ] && (perf record -F 499 -g -o "$PERF_OUT" -p "$FEFAENT_PID" -- sleep "${PERF_SECONDS:-20}") 2>/dev/null &
BEFORE=$(kib "$FEFAENT_PID" VmRSS)
ANON_BEFORE=$(kib "$FEFAENT_PID" RssAnon)
ANON_PEAK=$ANON_BEFORE
python3 - "$PORT" "$MB" "$SERVERS" "$CERTIFIED" <<'PY'
import base64, os, smtplib, sys
port, mb, servers, certified = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
recipients = [f"user@d{n}.bench.test" for n in range(servers)]
if certified:
    # A short text and a PDF-sized attachment (base64), Cc the certifier, as a company MTA sends it.
    attachment = base64.encodebytes(os.urandom(mb * 1_000_000 * 3 // 4)).replace(b"\n", b"\r\n")
    to = ",\r\n ".join(recipients)  # folded: a header line stays under 1000 octets
    message = (f"From: Sender <a@bench.test>\r\nTo: {to}\r\nCc: certify@fefaent.localhost\r\n"
               "Subject: large\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
               "--b\r\nContent-Type: text/plain\r\n\r\nThe contract is attached.\r\n--b\r\n"
               "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode()
    message += attachment + b"--b--\r\n"
    envelope = ["certify@fefaent.localhost"]
else:
    line = b"The quick brown fox jumps over the lazy dog, relayed in pieces.\r\n"
    message = b"From: a@bench.test\r\nTo: many\r\nSubject: large\r\n\r\n" + line * (mb * 1_000_000 // len(line))
    envelope = recipients
with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
    client.sendmail("a@bench.test", envelope, message)
PY
KIND=$([ -n "$CERTIFIED" ] && echo "certified" || echo "relay")
T0=$(now)
for _ in $(seq 6000); do
  left=$(count "$WORK/spool/queue.sqlite" "select count(*) from recipient where kind = '$KIND' and state != 'delivered'")
  anon=$(kib "$FEFAENT_PID" RssAnon)
  [ "$anon" -gt "$ANON_PEAK" ] && ANON_PEAK=$anon
  [ "$left" = 0 ] && break
  sleep 0.05
done
T1=$(now)
PEAK=$(kib "$FEFAENT_PID" VmHWM)
python3 -c "print(f'$MB MB ($KIND) to $SERVERS servers at once: delivered in {$T1 - $T0:.1f} s; resident {$BEFORE / 1024:.0f} MB before, peak {$PEAK / 1024:.0f} MB; anonymous {$ANON_BEFORE / 1024:.0f} MB before, peak {$ANON_PEAK / 1024:.0f} MB')"
if [ -n "$CERTIFIED" ] && [ -n "${NOTICES:-}" ]; then
  for _ in $(seq 3000); do
    sent=$(count "$WORK/spool/queue.sqlite" "select count(*) from recipient r join message m on m.id = r.message_id where m.listener = 'local' and r.state = 'delivered'")
    anon=$(kib "$FEFAENT_PID" RssAnon)
    [ "$anon" -gt "$ANON_PEAK" ] && ANON_PEAK=$anon
    [ "$sent" -ge $((SERVERS + 1)) ] && break
    sleep 0.2
  done
  T2=$(now)
  PEAK=$(kib "$FEFAENT_PID" VmHWM)
  python3 -c "print(f'with the notices ($sent delivered, each certificate a signed PDF with the mail in it): done after {$T2 - $T0:.1f} s; resident peak {$PEAK / 1024:.0f} MB, anonymous peak {$ANON_PEAK / 1024:.0f} MB')"
fi
