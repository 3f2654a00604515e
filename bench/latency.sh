#!/usr/bin/env bash
# bench/latency.sh [MAILS] [KB]   (CONCURRENCY="20 100 1000", ROUNDS=1)
#
# The latency of the 250 under many clients, Fefaent side by side with Postfix on this machine:
# bench/latency.py opens 20, 100 and 1,000 SMTP sessions at once and sends MAILS mails (default
# 5000, at least two per session) of KB KiB (default 4), timing each 250 from the end of data.
# Postfix runs as a loopback relay into smtp-sink (../shared/tools/postfix-peer.sh, its default
# smtpd process limit of 100: more clients wait to be accepted, which the latency shows); Fefaent
# runs as shipped (release build, [evidence] on: each acceptance writes its outbox row in the
# spool transaction; the writer signs, logs and time-stamps alongside). Prints, for each, mails/s
# and p50/p90/p99/max in ms, alternating Postfix and Fefaent.
set -euo pipefail
cd "$(dirname "$0")/.."
MAILS=${1:-5000}
KB=${2:-4}
ROUNDS=${ROUNDS:-1}
CONCURRENCY=${CONCURRENCY:-20 100 1000}
PEER=${PEER_TOOL:-../shared/tools/postfix-peer.sh}
WORK=$(mktemp -d /var/tmp/fefaent-latency.XXXXXX)
PORT=${FEFAENT_BENCH_PORT:-2725}
ulimit -n 65536 2>/dev/null || true

swift build -c release --product fefaent >/dev/null
BIN=$(swift build -c release --show-bin-path)/fefaent

cleanup() {
  [ -n "${FEFAENT_PID:-}" ] && kill -TERM "$FEFAENT_PID" 2>/dev/null && wait "$FEFAENT_PID" 2>/dev/null || true
  bash "$PEER" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
"$BIN" keys init --dir "$WORK/keys" >/dev/null

start_fefaent() { # $1: a fresh folder
  mkdir -p "$1"
  ln -sfn "$WORK/keys" "$1/keys"
  cat >"$1/fefaent.toml" <<TOML
[server]
hostname = "fefaent.localhost"
spool = "spool"
log_level = "warning"
[certification]
certifier_addresses = ["certify@fefaent.localhost"]
[limits]
connections = 5000
[[listener]]
name = "mx"
kind = "mx"
address = "127.0.0.1:$PORT"
[evidence]
certificate = "keys/signing.pem"
key = "keys/signing.key"
ca = "keys/ca.pem"
tsa_certificate = "keys/tsa.pem"
tsa_key = "keys/tsa.key"
log_key = "keys/log.key"
TOML
  "$BIN" serve --config "$1/fefaent.toml" 2>"$1/fefaent.log" &
  FEFAENT_PID=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
}
stop_fefaent() { kill -TERM "$FEFAENT_PID" && wait "$FEFAENT_PID" || true; FEFAENT_PID=; }
wait_for_postfix_queue() {
  for _ in $(seq 240); do
    [ -z "$(find "${PEER_DIR:-/tmp/postfix-peer}"/queue/incoming "${PEER_DIR:-/tmp/postfix-peer}"/queue/active "${PEER_DIR:-/tmp/postfix-peer}"/queue/deferred -type f 2>/dev/null | head -1)" ] && break
    sleep 0.5
  done
}

bash "$PEER" start >/dev/null
echo "== the 250's latency: $MAILS mails of $KB KiB (at least two per session), $ROUNDS round(s)"
for round in $(seq "$ROUNDS"); do
  for clients in $CONCURRENCY; do
    mails=$((MAILS > 2 * clients ? MAILS : 2 * clients))
    wait_for_postfix_queue
    echo "round $round, $clients clients: postfix $(python3 bench/latency.py 127.0.0.1:2625 "$clients" "$mails" "$KB")"
    wait_for_postfix_queue
    start_fefaent "$WORK/f-$round-$clients"
    echo "round $round, $clients clients: fefaent $(python3 bench/latency.py 127.0.0.1:$PORT "$clients" "$mails" "$KB" certify@fefaent.localhost)"
    stop_fefaent
  done
done
