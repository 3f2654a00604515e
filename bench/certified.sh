#!/usr/bin/env bash
# bench/certified.sh [MAILS] [SESSIONS] [KB]
#
# Certified mail throughput, side by side with Postfix relaying the same mails on this machine.
# smtp-source hands MAILS copies of one KB KiB mail (From sender@bench.test, To rcpt@bench.test,
# Cc the certifier) over SESSIONS sessions to each server:
#   - Postfix (../shared/tools/postfix-peer.sh) relays it to smtp-sink as it is;
#   - Fefaent receives it on its MX port addressed to the certifier (Cc mode, the account's network
#     trusted), charges a unit, builds the certified copy (pixel, From the certifier, RSA DKIM),
#     delivers it to the same smtp-sink, signs and logs the evidence, and sends the sender the
#     processing notice and the delivery certificate with its signed evidence PDF.
# The clock runs from the first mail sent to the last delivery: Postfix's queue empty; for Fefaent,
# every certified copy delivered (and, reported apart, every notice delivered too).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MAILS=${1:-2000}
SESSIONS=${2:-20}
KB=${3:-4}
bench_setup certified

# The mail: headers as a mail client writes them, the body padded to KB KiB.
python3 - "$WORK/mail.eml" "$KB" <<'PY'
import sys
path, kb = sys.argv[1], int(sys.argv[2])
head = ("From: Sender <sender@bench.test>\r\nTo: Recipient <rcpt@bench.test>\r\nCc: certify@fefaent.localhost\r\n"
        "Subject: Certified benchmark\r\nMessage-ID: <bench@bench.test>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n")
line = "The quick brown fox jumps over the lazy dog, certified and time-stamped.\r\n"
body = line * max(1, (kb * 1024 - len(head)) // len(line))
open(path, "w", newline="").write((head + body).replace("\r\n", "\n"))  # smtp-source sends CRLF
PY
source_mails() { # $1: target, $2: recipient
  smtp-source -s "$SESSIONS" -m "$MAILS" -F "$WORK/mail.eml" -f sender@bench.test -t "$2" -c "$1" >/dev/null
}

peer_start
echo "== $MAILS mails of $KB KiB, $SESSIONS sessions, one recipient each"
T0=$(now)
source_mails 127.0.0.1:2625 rcpt@bench.test
T1=$(wait_for_postfix_queue 240)
POSTFIX=$(python3 -c "print(f'{$MAILS / ($T1 - $T0):.0f}')")
echo "postfix, relayed as they are: $(python3 -c "print(f'{$T1 - $T0:.2f}')") s to the last delivery: $POSTFIX mails/s"

"$BIN" keys init --dir "$WORK/keys" --hostname fefaent.localhost >/dev/null
{
  fefaent_toml spool
  evidence_toml
  certified_toml
  cat <<TOML
[delivery.routes]
"*" = "127.0.0.1:2626"
TOML
} >"$WORK/fefaent.toml"
"$BIN" account add bench --no-password --domain bench.test --network 127.0.0.0/8 --units 1000000 \
  --config "$WORK/fefaent.toml" >/dev/null
start_fefaent "$WORK/fefaent.toml"
DB="$WORK/spool/queue.sqlite"
# PERF_OUT=FILE [PERF_DELAY=S] [PERF_SECONDS=N]: profile the daemon from S seconds after the first mail (perf record -g), for
# `perf report -i FILE`.
[ -n "${PERF_OUT:-}" ] && (sleep "${PERF_DELAY:-0}"; perf record -F 999 -g -o "$PERF_OUT" -p "$FEFAENT_PID" -- sleep "${PERF_SECONDS:-30}") 2>/dev/null &
T0=$(now)
source_mails 127.0.0.1:$PORT certify@fefaent.localhost
T_ACCEPTED=$(now)
T1=$(wait_until 300 "sql:$DB:$MAILS:select count(*) from recipient where kind = 'certified' and state = 'delivered'")
CPU1=$(cpu "$FEFAENT_PID")
NOTICES=$((MAILS * 2))  # a processing notice and a delivery certificate per mail
T2=$(wait_until 1200 "sql:$DB:$NOTICES:select count(*) from recipient r join message m on m.id = r.message_id where m.listener = 'local' and r.state = 'delivered'")
CPU2=$(cpu "$FEFAENT_PID")
CHARGED=$(count "$DB" "select -sum(change) from ledger where actor = 'certification'")
stop_fefaent
FEFAENT=$(python3 -c "print(f'{$MAILS / ($T1 - $T0):.0f}')")
echo "fefaent, certified: accepted in $(python3 -c "print(f'{$T_ACCEPTED - $T0:.2f}')") s; every copy delivered after $(python3 -c "print(f'{$T1 - $T0:.2f}')") s: $FEFAENT mails/s"
echo "  every notice delivered (processing notice + delivery certificate with its PDF, $NOTICES mails) after $(python3 -c "print(f'{$T2 - $T0:.2f}')") s: $(python3 -c "print(f'{$MAILS / ($T2 - $T0):.0f}')") certified mails/s with their notices"
echo "  units charged: $CHARGED; daemon CPU: $CPU1 s when the last copy was delivered, $CPU2 s with every notice"
python3 -c "print(f'ratio fefaent/postfix (to the last copy delivered): {$FEFAENT / $POSTFIX:.2f}x')"
