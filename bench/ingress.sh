#!/usr/bin/env bash
# bench/ingress.sh [MAILS] [SESSIONS] [KB]   (ROUNDS=3)
#
# Durable acceptance, Fefaent side by side with Postfix on this machine, both driven by
# Postfix's smtp-source (MAILS mails of KB KiB over SESSIONS parallel sessions; defaults
# 5000, 20, 4). Postfix runs as a loopback relay into smtp-sink (../shared/tools/postfix-peer.sh);
# Fefaent runs `fefaent serve` (release build) with a fresh spool on the same disk, twice: as
# shipped (with [evidence]: every acceptance writes its outbox row in the spool transaction, and
# the evidence writer signs, logs and time-stamps alongside), and without [evidence] (no outbox),
# which tells what the evidence costs acceptance. Every mail is acknowledged only after it is on
# disk. Prints mails/s of each and the ratios. Then measures what a 20 MB message adds to
# Fefaent's peak resident memory.
#
# BASE_BIN=path/to/an/older/fefaent adds a fourth turn each round: that build, with evidence, on the
# same configuration (e.g. a `git worktree` of an earlier commit built with -c release): what a
# change costs acceptance as shipped. EVIDENCE_INTERVAL_MS (default 1000) is the evidence writer's
# interval; 60000 keeps the writer asleep during the runs, so what remains is the cost of the
# acceptance path itself (the outbox row in the spool transaction).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MAILS=${1:-5000}
SESSIONS=${2:-20}
KB=${3:-4}
ROUNDS=${ROUNDS:-3}
bench_setup bench
"$BIN" keys init --dir "$WORK/keys" >/dev/null

# start_round DIR EVIDENCE(yes|no) [BINARY]: a fresh spool in DIR, keys shared.
start_round() {
  local dir=$1
  mkdir -p "$dir"
  ln -sfn "$WORK/keys" "$dir/keys"
  {
    fefaent_toml spool
    echo "[limits]"
    echo "message_size = 26214400"
    if [ "$2" = yes ]; then
      evidence_toml
      echo "checkpoint_interval_ms = ${EVIDENCE_INTERVAL_MS:-1000}"
    fi
  } >"$dir/fefaent.toml"
  start_fefaent "$dir/fefaent.toml" "${3:-$BIN}"
}

rate() { sed -E 's/.* ([0-9.]+) mails\/s.*/\1/' <<<"$1"; }

peer_start
echo "== durable acceptance: $MAILS mails of $KB KiB, $SESSIONS sessions, smtp-source, $ROUNDS alternating rounds"
P=(); N=(); F=(); B=()
for round in $(seq "$ROUNDS"); do
  POSTFIX=$(bash "$PEER" bench 127.0.0.1:2625 "$MAILS" "$SESSIONS" "$KB")
  # Let Postfix relay its queue to smtp-sink, so its delivery work does not run during Fefaent's turn.
  wait_for_postfix_queue 120 >/dev/null
  start_round "$WORK/plain-$round" no
  PLAIN=$(BENCH_TO=certify@fefaent.localhost bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB")
  stop_fefaent
  start_round "$WORK/shipped-$round" yes
  FEFAENT=$(BENCH_TO=certify@fefaent.localhost bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB")
  BASE_LINE=""
  if [ -n "${BASE_BIN:-}" ]; then
    stop_fefaent
    start_round "$WORK/base-$round" yes "$BASE_BIN"
    BASE=$(BENCH_TO=certify@fefaent.localhost bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB")
    B+=("$(rate "$BASE")")
    BASE_LINE=", base build with evidence $(rate "$BASE")"
    stop_fefaent
    start_round "$WORK/shipped-$round-again" yes
    SHIPPED_AGAIN=$(BENCH_TO=certify@fefaent.localhost bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB")
    F+=("$(rate "$SHIPPED_AGAIN")")
    BASE_LINE="$BASE_LINE, with evidence again $(rate "$SHIPPED_AGAIN")"
  fi
  echo "round $round: postfix $(rate "$POSTFIX"), fefaent without evidence $(rate "$PLAIN"), with evidence $(rate "$FEFAENT")$BASE_LINE mails/s"
  P+=("$(rate "$POSTFIX")"); N+=("$(rate "$PLAIN")"); F+=("$(rate "$FEFAENT")")
  if [ "$round" -lt "$ROUNDS" ]; then stop_fefaent; fi
done
SHIPPED="$WORK/shipped-$ROUNDS"
[ -n "${BASE_BIN:-}" ] && SHIPPED="$WORK/shipped-$ROUNDS-again"
QUEUED=$(python3 -c "import sqlite3; print(sqlite3.connect('$SHIPPED/spool/queue.sqlite').execute('select count(*) from message').fetchone()[0])")
echo "last round: fefaent queued $QUEUED of $MAILS mails (each with its row, its outbox row and its octets on disk)"
# The writer catches up: every outbox row becomes a signed record.
CAUGHT_UP_FROM=$(date +%s.%N)
for _ in $(seq 600); do
  LEFT=$(python3 -c "import sqlite3; print(sqlite3.connect('$SHIPPED/spool/queue.sqlite').execute('select count(*) from evidence_outbox').fetchone()[0])")
  [ "$LEFT" = 0 ] && break
  sleep 0.1
done
RECORDS=$(python3 -c "import sqlite3; print(sqlite3.connect('$SHIPPED/spool/evidence.sqlite').execute('select count(*) from record').fetchone()[0])")
echo "evidence: $RECORDS signed records, $LEFT outbox rows waiting, $(python3 -c "import time; print(f'{time.time() - $CAUGHT_UP_FROM:.1f}')") s after the last mail"
python3 - "${P[*]}" "${N[*]}" "${F[*]}" "${B[*]:-}" <<'PY'
import statistics, sys
p, n, f = (statistics.median(map(float, a.split())) for a in sys.argv[1:4])
print(f"medians: postfix {p:.0f}, fefaent without evidence {n:.0f}, with evidence {f:.0f} mails/s")
print(f"ratio fefaent (with evidence)/postfix: {f / p:.2f}x")
print(f"evidence costs acceptance {100 * (1 - f / n):.1f} %")
if sys.argv[4].strip():
    b = statistics.median(map(float, sys.argv[4].split()))
    print(f"base build with evidence {b:.0f} mails/s: this build is {100 * (f / b - 1):+.1f} %")
PY

echo "== peak resident memory for one 20 MB message"
python3 - "$PORT" "$FEFAENT_PID" <<'PY'
import smtplib, sys
port, pid = int(sys.argv[1]), sys.argv[2]
def hwm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = hwm()
line = b"0123456789" * 99 + b"01234567\r\n"
body = b"Subject: big\r\n\r\n" + line * (20 * 1024 * 1024 // len(line))
with smtplib.SMTP("127.0.0.1", port, timeout=120) as c:
    c.ehlo("bench"); c.mail("a@bench.test", [f"SIZE={len(body)}"]); c.rcpt("certify@fefaent.localhost")
    code, reply = c.data(body)
    assert code == 250, reply
after = hwm()
print(f"peak RSS {before} KiB -> {after} KiB: +{after - before} KiB for a {len(body)} octet message (target < 8192 KiB)")
PY
