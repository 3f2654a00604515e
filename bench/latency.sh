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
source "$(dirname "$0")/lib.sh"
MAILS=${1:-5000}
KB=${2:-4}
ROUNDS=${ROUNDS:-1}
CONCURRENCY=${CONCURRENCY:-20 100 1000}
ulimit -n 65536 2>/dev/null || true
bench_setup latency
"$BIN" keys init --dir "$WORK/keys" >/dev/null

start_round() { # $1: a fresh folder
  mkdir -p "$1"
  ln -sfn "$WORK/keys" "$1/keys"
  { fefaent_toml spool; printf '[limits]\nconnections = 5000\n'; evidence_toml; } >"$1/fefaent.toml"
  start_fefaent "$1/fefaent.toml"
}

peer_start
echo "== the 250's latency: $MAILS mails of $KB KiB (at least two per session), $ROUNDS round(s)"
for round in $(seq "$ROUNDS"); do
  for clients in $CONCURRENCY; do
    mails=$((MAILS > 2 * clients ? MAILS : 2 * clients))
    wait_for_postfix_queue >/dev/null
    echo "round $round, $clients clients: postfix $(python3 bench/latency.py 127.0.0.1:2625 "$clients" "$mails" "$KB")"
    wait_for_postfix_queue >/dev/null
    start_round "$WORK/f-$round-$clients"
    echo "round $round, $clients clients: fefaent $(python3 bench/latency.py 127.0.0.1:$PORT "$clients" "$mails" "$KB" certify@fefaent.localhost)"
    stop_fefaent
  done
done
