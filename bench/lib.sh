# bench/lib.sh: what the benchmark scripts share; sourced, not run.
#
#   source "$(dirname "$0")/lib.sh"
#   bench_setup NAME          # cd to the repository, release build ($BIN), $WORK, the cleanup trap
#   peer_start                # the Postfix peer (../shared/tools/postfix-peer.sh), stopped on exit
#   { fefaent_toml spool; evidence_toml; echo "[limits]..."; } >"$DIR/fefaent.toml"
#   start_fefaent "$DIR/fefaent.toml"; ...; stop_fefaent
#
# The configuration every benchmark starts from is the shipped one: an MX listener on $PORT for the
# certifier address, and (evidence_toml) the evidence writer with the built-in TSA, keys made by
# `fefaent keys init` in the folder's keys/. On exit the daemon ($FEFAENT_PID) is stopped, the peer
# stopped if it was started, the function named in $BENCH_CLEANUP run, and $WORK removed.

bench_setup() { # NAME: $WORK is /var/tmp/fefaent-NAME.XXXXXX
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  PEER=${PEER_TOOL:-../shared/tools/postfix-peer.sh}
  PEER_DIR=${PEER_DIR:-/tmp/postfix-peer}
  PORT=${FEFAENT_BENCH_PORT:-2725}
  WORK=$(mktemp -d "/var/tmp/fefaent-$1.XXXXXX")
  swift build -c release --product fefaent >/dev/null 2>&1
  BIN=$(swift build -c release --show-bin-path)/fefaent
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "${FEFAENT_PID:-}" ] && kill -TERM "$FEFAENT_PID" 2>/dev/null && wait "$FEFAENT_PID" 2>/dev/null
  [ -n "${PEER_STARTED:-}" ] && bash "$PEER" stop >/dev/null 2>&1
  [ -n "${BENCH_CLEANUP:-}" ] && "$BENCH_CLEANUP"
  rm -rf "$WORK"
}

peer_start() {
  bash "$PEER" start >/dev/null
  PEER_STARTED=1
}

fefaent_toml() { # SPOOL: [server], [certification] and the MX listener on $PORT
  cat <<TOML
[server]
hostname = "fefaent.localhost"
spool = "$1"
log_level = "warning"
[certification]
certifier_addresses = ["certify@fefaent.localhost"]
[[listener]]
name = "mx"
kind = "mx"
address = "127.0.0.1:$PORT"
TOML
}

evidence_toml() { # the evidence writer with the built-in TSA; keys in keys/ next to the config
  cat <<TOML
[evidence]
certificate = "keys/signing.pem"
key = "keys/signing.key"
ca = "keys/ca.pem"
tsa_certificate = "keys/tsa.pem"
tsa_key = "keys/tsa.key"
log_key = "keys/log.key"
TOML
}

certified_toml() { # after evidence_toml: signed PDFs, DKIM, checkpoints every CHECKPOINT_MS; ends in [delivery]
  cat <<TOML
pdf_certificate = "keys/pdf-signing.pem"
pdf_key = "keys/pdf-signing.key"
checkpoint_interval_ms = ${CHECKPOINT_MS:-200}
[dkim]
key = "keys/dkim.key"
[delivery]
TOML
}

start_fefaent() { # CONFIG [BINARY]: serves CONFIG (log next to it) and waits for $PORT
  "${2:-$BIN}" serve --config "$1" 2>>"$(dirname "$1")/fefaent.log" &
  FEFAENT_PID=$!
  wait_for_port "$PORT"
}

stop_fefaent() {
  kill -TERM "$FEFAENT_PID" && wait "$FEFAENT_PID" || true
  FEFAENT_PID=
}

wait_for_port() { # PORT on 127.0.0.1, up to 10 s
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    sleep 0.1
  done
}

wait_until() { # TIMEOUT CONDITION...: bench/waitfor.py; prints the time they all held, fails on timeout
  python3 bench/waitfor.py "$@"
}

wait_for_postfix_queue() { # [TIMEOUT]: until the peer's queue is empty (default 120 s); prints the time it was
  wait_until "${1:-120}" "files:$PEER_DIR/queue/incoming,$PEER_DIR/queue/active,$PEER_DIR/queue/deferred:0"
}

count() { # DATABASE SQL: the first column of the first row (one Python start: not for timed loops, see wait_until)
  python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1], timeout=30).execute(sys.argv[2]).fetchone()[0])" "$@"
}

cpu() { # PID: CPU seconds (user + system) the process has used
  python3 -c "import os,sys; f=open(f'/proc/{sys.argv[1]}/stat').read().rsplit(')',1)[1].split(); print((int(f[11])+int(f[12]))/os.sysconf('SC_CLK_TCK'))" "$1"
}

now() { date +%s.%N; }

median() { python3 -c "import statistics,sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.0f}')" "$@"; }
