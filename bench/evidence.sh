#!/usr/bin/env bash
# bench/evidence.sh [RECORDS] [BATCH]
#
# Evidence throughput (release build), on a real SQLite file (WAL, synchronous=FULL):
#  - write: sign (CMS, P-256) + log (Merkle leaf) + store, pinned to one core (target >= 5,000/s);
#  - stamp: RFC 3161 tokens from the built-in TSA for every record and the checkpoint;
#  - audit: the whole log, three ways: leaves and roots against the signed checkpoints (the default,
#    target >= 20,000/s), plus every record's CMS signature (--signatures), plus every record's
#    own time-stamp (--deep). Then on all cores.
# Also prints `openssl speed` for ECDSA P-256 on this machine: the ceiling of per-record signature checks.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-20000}
BATCH=${2:-100}
swift build -c release --product EvidenceBenchmark >/dev/null
BIN=$(swift build -c release --show-bin-path)/EvidenceBenchmark
echo "== one core"
taskset -c 0 "$BIN" "$RECORDS" "$BATCH"
echo "== all cores ($(nproc))"
"$BIN" "$RECORDS" "$BATCH" | grep audit
echo "== openssl speed ecdsap256 (one core)"
openssl speed -seconds 2 ecdsap256 2>/dev/null | tail -1
