#!/usr/bin/env bash
# bench/relay.sh [MAILS] [SESSIONS] [KB]
#
# Relay throughput, Fefaent side by side with Postfix on this machine: smtp-source hands
# MAILS mails of KB KiB over SESSIONS sessions (defaults 3000, 20, 4) to each server, which
# relays them to the same smtp-sink (../shared/tools/postfix-peer.sh). The clock runs from the
# first mail sent until the last one is delivered (Postfix: its queue is empty; Fefaent: every
# recipient is `delivered` in its queue and, with EVIDENCE=yes (the default: the server users
# run), the evidence log holds a signed RelayToNonERDS record for every one). Both accept relay
# from 127.0.0.0/8 without AUTH. ROUNDS (default 3) alternates the two and prints the medians, their
# ratio and the spread of the single rounds' ratios. SKIP_DEFERRED=1 leaves out the second part.
# Fefaent runs the shipped [delivery] settings (poll_interval_ms 1000: each commit wakes its queue
# runner; connection_cache_ms 2000). Both servers are watched by one bench/waitfor.py process.
#
# Then: acceptance with 10,000 deferred mails in the queue vs. an empty queue (target: < 10 % slower).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MAILS=${1:-3000}
SESSIONS=${2:-20}
KB=${3:-4}
ROUNDS=${ROUNDS:-3}
EVIDENCE=${EVIDENCE:-yes}
bench_setup relay
"$BIN" keys init --dir "$WORK/keys" >/dev/null

start_spool() { # $1: spool folder, $2: extra TOML
  {
    fefaent_toml "$1"
    printf '[auth]\ntrusted_networks = ["127.0.0.0/8"]\n'
    [ "$EVIDENCE" = yes ] && evidence_toml
    echo "$2"
  } >"$WORK/fefaent.toml"
  start_fefaent "$WORK/fefaent.toml"
}

peer_start
if [ -z "${SKIP_RELAY:-}" ]; then
echo "== relay: $MAILS mails of $KB KiB, $SESSIONS sessions, into smtp-sink, $ROUNDS alternating rounds"
P=(); F=()
for round in $(seq "$ROUNDS"); do
  T0=$(now)
  bash "$PEER" bench 127.0.0.1:2625 "$MAILS" "$SESSIONS" "$KB" >/dev/null
  T1=$(wait_for_postfix_queue 600)
  P+=("$(python3 -c "print(f'{$MAILS / ($T1 - $T0):.0f}')")")

  start_spool "$WORK/spool-$round" "[delivery.routes]
\"*\" = \"127.0.0.1:2626\""
  T0=$(now)
  BENCH_TO=rcpt@bench.test bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB" >/dev/null
  DONE=("sql:$WORK/spool-$round/queue.sqlite:$MAILS:select count(*) from recipient where state = 'delivered'")
  [ "$EVIDENCE" = yes ] && DONE+=("sql:$WORK/spool-$round/evidence.sqlite:$MAILS:select count(*) from record where kind = 'RelayToNonERDS'")
  T1=$(wait_until 600 "${DONE[@]}")
  stop_fefaent
  F+=("$(python3 -c "print(f'{$MAILS / ($T1 - $T0):.0f}')")")
  echo "round $round: postfix ${P[-1]} mails/s, fefaent (evidence: $EVIDENCE) ${F[-1]} mails/s, first sent to last delivered"
done
python3 - "${P[*]}" "${F[*]}" <<'PY'
import statistics, sys
p, f = ([float(x) for x in a.split()] for a in sys.argv[1:3])
ratios = [b / a for a, b in zip(p, f)]
print(f"medians: postfix {statistics.median(p):.0f}, fefaent {statistics.median(f):.0f} mails/s; "
      f"ratio of the medians {statistics.median(f) / statistics.median(p):.2f}x "
      f"(single rounds {min(ratios):.2f}x to {max(ratios):.2f}x)")
PY
fi

[ -n "${SKIP_DEFERRED:-}" ] && exit 0
echo "== acceptance with 10,000 deferred mails in the queue"
# Deferred mails: routed to a port nobody listens on, retried only after an hour.
DEFERRED_ROUTES="[delivery]
retry_initial = 3600
poll_interval_ms = 200
[delivery.routes]
\"deferred.test\" = \"127.0.0.1:9\""
start_spool "$WORK/loaded" "$DEFERRED_ROUTES"
BENCH_TO=x@deferred.test bash "$PEER" bench 127.0.0.1:$PORT 10000 "$SESSIONS" "$KB" >/dev/null
wait_until 600 "sql:$WORK/loaded/queue.sqlite:10000:select count(*) from recipient where state = 'deferred'" >/dev/null
echo "deferred in the queue: $(count "$WORK/loaded/queue.sqlite" "select count(*) from recipient where state = 'deferred'")"
stop_fefaent
# Alternate empty and loaded queues, three rounds each, so drift of the machine hits both alike.
RESULTS=()
for round in 1 2 3; do
  for spool in empty loaded; do
    start_spool "$WORK/$spool" "$DEFERRED_ROUTES"
    RATE=$(BENCH_TO=certify@fefaent.localhost bash "$PEER" bench 127.0.0.1:$PORT "$MAILS" "$SESSIONS" "$KB")
    stop_fefaent
    echo "round $round, $spool queue: $RATE"
    RESULTS+=("$spool $RATE")
  done
done
python3 - "${RESULTS[@]}" <<'PY'
import re, statistics, sys
rates = {"empty": [], "loaded": []}
for line in sys.argv[1:]:
    rates[line.split()[0]].append(float(re.search(r"([0-9.]+) mails/s", line).group(1)))
base, loaded = statistics.median(rates["empty"]), statistics.median(rates["loaded"])
print(f"median acceptance: empty queue {base:.0f} mails/s, 10k deferred {loaded:.0f} mails/s: "
      f"{(1 - loaded / base) * 100:+.1f} % slower (target: under 10 %)")
PY
