#!/usr/bin/env bash
# bench/ingress.sh [MAILS] [SESSIONS] [KB]
#
# Durable acceptance, Fefaent side by side with Postfix on this machine, both driven by
# Postfix's smtp-source (MAILS mails of KB KiB over SESSIONS parallel sessions; defaults
# 5000, 20, 4). Postfix runs as a loopback relay into smtp-sink (../shared/tools/postfix-peer.sh);
# Fefaent runs `fefaent serve` (release build) with a fresh spool on the same disk. Every
# mail is acknowledged only after it is on disk in both. Prints mails/s of each and the ratio.
# Then measures what a 20 MB message adds to Fefaent's peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."
MAILS=${1:-5000}
SESSIONS=${2:-20}
KB=${3:-4}
PEER=${PEER_TOOL:-../shared/tools/postfix-peer.sh}
WORK=$(mktemp -d /var/tmp/fefaent-bench.XXXXXX)
PORT=${FEFAENT_BENCH_PORT:-2725}

swift build -c release --product fefaent >/dev/null
BIN=$(swift build -c release --show-bin-path)/fefaent

cleanup() {
  [ -n "${FEFAENT_PID:-}" ] && kill -TERM "$FEFAENT_PID" 2>/dev/null && wait "$FEFAENT_PID" 2>/dev/null || true
  bash "$PEER" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" keys init --dir "$WORK/keys" >/dev/null
cat >"$WORK/fefaent.toml" <<TOML
[server]
hostname = "fefaent.localhost"
spool = "spool"
log_level = "warning"
[certification]
certifier_addresses = ["certify@fefaent.localhost"]
[limits]
message_size = 26214400
[[listener]]
name = "mx"
kind = "mx"
address = "127.0.0.1:$PORT"
TOML
"$BIN" serve --config "$WORK/fefaent.toml" 2>"$WORK/fefaent.log" &
FEFAENT_PID=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

bash "$PEER" start >/dev/null
echo "== durable acceptance: $MAILS mails of $KB KiB, $SESSIONS sessions, smtp-source"
POSTFIX=$(bash "$PEER" bench 127.0.0.1:2625 "$MAILS" "$SESSIONS" "$KB")
echo "postfix: $POSTFIX"
# Let Postfix finish relaying its queue to smtp-sink, so its delivery work does not run during Fefaent's turn.
for _ in $(seq 120); do
  [ -z "$(find "${PEER_DIR:-/tmp/postfix-peer}"/queue/incoming "${PEER_DIR:-/tmp/postfix-peer}"/queue/active "${PEER_DIR:-/tmp/postfix-peer}"/queue/deferred -type f 2>/dev/null | head -1)" ] && break
  sleep 0.5
done
FEFAENT=$(BENCH_TO=certify@fefaent.localhost bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB")
echo "fefaent: $FEFAENT"
QUEUED=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/spool/queue.sqlite').execute('select count(*) from message').fetchone()[0])")
echo "fefaent queued $QUEUED of $MAILS mails (every one with its row and octets on disk)"
python3 - "$POSTFIX" "$FEFAENT" <<'PY'
import re, sys
rate = lambda s: float(re.search(r"([0-9.]+) mails/s", s).group(1))
p, f = rate(sys.argv[1]), rate(sys.argv[2])
print(f"ratio fefaent/postfix: {f / p:.2f}x  ({f:.0f} vs {p:.0f} mails/s)")
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
