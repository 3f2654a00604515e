#!/usr/bin/env bash
# bench/message.sh [ROUNDS]
#
# The MIME parser (release build, one core):
#  1. a 20 MB message with a 15 MB base64 attachment (11 MB decoded), streamed from disk in 256 KiB reads:
#     parse + SHA-256 of every decoded part, MB/s of input and peak RSS above the baseline
#     (targets: >= 200 MB/s, < 2 MiB);
#  2. the mail-gem corpus held in memory, Fefaent's parser (with per-part hashing) against
#     Python's email.message_from_bytes (parse only) in the same run; prints the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
CORPUS=${CORPUS:-../shared/corpus/mail-gem}
WORK=$(mktemp -d /var/tmp/fefaent-message-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

swift build -c release --product MailMessageBenchmark >/dev/null
BIN=$(swift build -c release --show-bin-path)/MailMessageBenchmark

python3 - "$WORK/big.eml" <<'PY'
import base64, os, sys
random = os.urandom(11 * 1000 * 1000)  # 15 MB once base64-encoded
text = ("Dear customer, this is the notice. " * 40 + "\r\n") * 120
html = "<html><body>" + ("<p>Dear customer, this is the notice.</p>\r\n" * 2500) + "</body></html>\r\n"
b64 = base64.encodebytes(random).replace(b"\n", b"\r\n")
with open(sys.argv[1], "wb") as out:
    out.write(b"From: Sender <sender@example.test>\r\nTo: rcpt@example.org\r\nSubject: big\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
              b"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n"
              b"--b2\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    out.write(text.encode())
    out.write(b"\r\n--b2\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
    out.write(html.encode())
    out.write(b"\r\n--b2--\r\n--b1\r\nContent-Type: application/octet-stream\r\n"
              b"Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
    out.write(b64)
    # Pad to 20 MB with a second, text attachment.
    size = out.tell()
    out.write(b"--b1\r\nContent-Type: text/plain; name=\"log.txt\"\r\nContent-Disposition: attachment\r\n\r\n")
    line = b"2026-11-23T10:00:00Z delivered to rcpt@example.org: 250 2.0.0 Ok\r\n"
    out.write(line * ((20 * 1000 * 1000 - size) // len(line)))
    out.write(b"--b1--\r\n")
PY

echo "== 20 MB message ($(stat -c %s "$WORK/big.eml") bytes), taskset to one core"
taskset -c 0 "$BIN" big "$WORK/big.eml" 5

mapfile -t FILES < <(find "$CORPUS" -name '*.eml' | sort)
echo "== corpus: ${#FILES[@]} messages, $ROUNDS rounds"
FEFAENT_LINE=$(taskset -c 0 "$BIN" corpus "$ROUNDS" "${FILES[@]}")
echo "fefaent $FEFAENT_LINE"
PYTHON_LINE=$(taskset -c 0 python3 - "$ROUNDS" "${FILES[@]}" <<'PY'
import email, email.policy, sys, time
rounds, paths = int(sys.argv[1]), sys.argv[2:]
messages = [open(p, "rb").read() for p in paths]
best = float("inf")
for _ in range(rounds):
    start = time.perf_counter()
    for raw in messages:
        email.message_from_bytes(raw, policy=email.policy.compat32)
    best = min(best, time.perf_counter() - start)
total = sum(map(len, messages))
print(f"corpus: {len(messages)} messages in {best:.4f} s (best of {rounds}) = {len(messages) / best:.0f} messages/s, "
      f"{total / 1e6 / best:.1f} MB/s")
PY
)
echo "python  $PYTHON_LINE"
python3 - "$FEFAENT_LINE" "$PYTHON_LINE" <<'PY'
import re, sys
rate = lambda line: float(re.search(r"= (\d+) messages/s", line).group(1))
print(f"ratio: Fefaent parses the corpus {rate(sys.argv[1]) / rate(sys.argv[2]):.1f}x as fast as Python's email")
PY
