#!/usr/bin/env bash
# bench/reception.sh [MAILS] [SESSIONS] [KB]
#
# Certified reception throughput, side by side with Postfix delivering the same mails to a Maildir.
# smtp-source hands MAILS copies of one KB KiB mail (From sender@bench.test to claims@company.test)
# over SESSIONS sessions to each server:
#   - Postfix (a private instance on 127.0.0.1:2635, its `virtual` agent) stores each mail in a
#     Maildir; the clock stops when the Maildir holds every mail;
#   - Fefaent receives it on its MX port for a reception mailbox charged to an account: SPF, DKIM
#     and DMARC checked (a dnsmasq on loopback publishes bench.test's records), the Maildir copy
#     written and synced before the 250, the unit charged, the ReceivedFromNonERDS record signed and
#     logged; the clock stops when the evidence log holds every record. (Acknowledgements go out
#     too, within the mailbox's hourly limit of 10 per sender.)
# FS=own (the default, as root) gives each server its own fresh ext4 file system (a 4 GB image on a
# loop device, mkfs.ext4's defaults: journaled, as production mail servers run): on this machine's
# unjournaled root file system, ext4 reads the inode of every recently freed inode number (freed in the
# last minute, six while its block is dirty) each time it allocates one, and Postfix frees one queue
# file per mail, so whichever server came after it paid for its deletions. FS=shared runs both in
# one folder of the root file system, as before.
# SETTLE=S (default 30) waits S seconds before each turn.
# ROUNDS=N (default 3) alternates the two servers N times and prints the median of each: single runs
# on a small virtual machine vary by a factor of two.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MAILS=${1:-2000}
SESSIONS=${2:-20}
KB=${3:-4}
ROUNDS=${ROUNDS:-3}
SETTLE=${SETTLE:-30}
POSTFIX_PORT=2635
DNS_PORT=2653
bench_setup reception
chmod 755 "$WORK"
FWORK="$WORK/fefaent"
FS=${FS:-$([ "$(id -u)" = 0 ] && echo own || echo shared)}
stop_others() { # the private Postfix, dnsmasq and the loop file systems
  [ -f "$WORK/postfix/etc/main.cf" ] && postfix -c "$WORK/postfix/etc" stop >/dev/null 2>&1
  [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2>/dev/null
  if [ "$FS" = own ]; then
    umount "$WORK/postfix" 2>/dev/null
    umount "$FWORK" 2>/dev/null
  fi
  true
}
BENCH_CLEANUP=stop_others
own_file_system() { # $1: the folder that becomes the mount point
  mkdir -p "$1"
  truncate -s 4G "$1.img"
  mkfs.ext4 -q -F "$1.img"
  mount -o loop "$1.img" "$1"
  chmod 755 "$1"
}
if [ "$FS" = own ]; then
  own_file_system "$WORK/postfix"
  own_file_system "$FWORK"
else
  mkdir -p "$FWORK"
fi
files() { find "$1" -type f 2>/dev/null | wc -l; }

python3 - "$WORK/mail.eml" "$KB" <<'PY'
import sys
path, kb = sys.argv[1], int(sys.argv[2])
head = ("From: Sender <sender@bench.test>\r\nTo: Claims <claims@company.test>\r\nSubject: A claim\r\n"
        "Message-ID: <bench@bench.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
line = "The quick brown fox jumps over the lazy dog, received and certified.\r\n"
body = line * max(1, (kb * 1024 - len(head)) // len(line))
open(path, "w", newline="").write((head + body).replace("\r\n", "\n"))  # smtp-source sends CRLF
PY
source_mails() { # $1: target
  smtp-source -s "$SESSIONS" -m "$MAILS" -F "$WORK/mail.eml" -f sender@bench.test -t claims@company.test -c "$1" >/dev/null
}

# Postfix: virtual(8) delivery of company.test to a Maildir owned by nobody.
mkdir -p "$WORK/postfix/etc" "$WORK/postfix/queue" "$WORK/postfix/data" "$WORK/postfix/vmail"
chown postfix "$WORK/postfix/data"
chown nobody:nogroup "$WORK/postfix/vmail"
cat >"$WORK/postfix/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $WORK/postfix/queue
data_directory = $WORK/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = peer.localdomain
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = company.test
virtual_mailbox_base = $WORK/postfix/vmail
virtual_mailbox_maps = static:claims/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
maillog_file = $WORK/postfix/maillog
default_process_limit = 100
CF
cat >"$WORK/postfix/etc/master.cf" <<CF
127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
postfix -c "$WORK/postfix/etc" set-permissions >/dev/null 2>&1 || true
postfix -c "$WORK/postfix/etc" start >/dev/null 2>&1
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$POSTFIX_PORT) 2>/dev/null && break; sleep 0.2; done

# bench.test's SPF allows loopback; its DMARC policy is published.
dnsmasq --keep-in-foreground --port=$DNS_PORT --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
  --conf-file=/dev/null --local=/test/ "--txt-record=bench.test,v=spf1 ip4:127.0.0.1 -all" \
  "--txt-record=_dmarc.bench.test,v=DMARC1; p=reject" >/dev/null 2>&1 &
DNS_PID=$!
"$BIN" keys init --dir "$FWORK/keys" --hostname fefaent.localhost >/dev/null
{
  fefaent_toml spool
  evidence_toml
  certified_toml
  cat <<TOML
nameserver = "127.0.0.1:$DNS_PORT"
[delivery.routes]
"*" = "127.0.0.1:9"
TOML
} >"$FWORK/fefaent.toml"
"$BIN" account add company --no-password --units 1000000 --config "$FWORK/fefaent.toml" >/dev/null
"$BIN" mailbox add claims@company.test --account company --maildir "$FWORK/maildir" --config "$FWORK/fefaent.toml" >/dev/null
start_fefaent "$FWORK/fefaent.toml"
EVIDENCE="$FWORK/spool/evidence.sqlite"
[ -n "${PERF_OUT:-}" ] && (sleep "${PERF_DELAY:-0}"; perf record -F 999 -g -o "$PERF_OUT" -p "$FEFAENT_PID" -- sleep "${PERF_SECONDS:-10}") 2>/dev/null &

postfix_round() { # $1: round; prints mails/s
  local t0 t1
  t0=$(now)
  source_mails 127.0.0.1:$POSTFIX_PORT
  t1=$(wait_until 600 "files:$WORK/postfix/vmail/claims/new:$(($1 * MAILS))")
  python3 -c "print(f'{$MAILS / ($t1 - $t0):.0f}')"
}
fefaent_round() { # $1: round; prints mails/s and the seconds to the last 250
  local t0 ta t1 c0 c1
  t0=$(now)
  c0=$(cpu "$FEFAENT_PID")
  source_mails 127.0.0.1:$PORT
  ta=$(now)
  [ "$(files "$FWORK/maildir/new")" -ge $(($1 * MAILS)) ] || echo "MISSING: the Maildir lacks mails after the last 250" >&2
  t1=$(wait_until 600 "sql:$EVIDENCE:$(($1 * MAILS)):select count(*) from record where kind = 'ReceivedFromNonERDS'")
  c1=$(cpu "$FEFAENT_PID")
  python3 -c "print(f'{$MAILS / ($t1 - $t0):.0f} {$ta - $t0:.2f} {$t1 - $t0:.2f} {($c1 - $c0) * 1000 / $MAILS:.2f}')"
}

echo "== $MAILS mails of $KB KiB, $SESSIONS sessions, to one mailbox; $ROUNDS alternating rounds"
P=(); F=()
for round in $(seq "$ROUNDS"); do
  sleep "$SETTLE"
  p=$(postfix_round "$round")
  sleep "$SETTLE"
  read -r f accepted recorded cpums < <(fefaent_round "$round")
  P+=("$p"); F+=("$f")
  echo "round $round: postfix (virtual(8) into a Maildir, to the last mail stored) $p mails/s; fefaent (every copy in the Maildir at the last 250 after ${accepted} s, every record signed and logged after ${recorded} s) $f mails/s, daemon CPU ${cpums} ms per mail"
done
CHARGED=$(count "$FWORK/spool/queue.sqlite" "select -sum(change) from ledger where reason = 'certified reception'")
stop_fefaent
POSTFIX=$(median "${P[@]}")
FEFAENT=$(median "${F[@]}")
echo "medians: postfix $POSTFIX mails/s, fefaent $FEFAENT mails/s; units charged: $CHARGED"
python3 -c "print(f'ratio fefaent/postfix (medians): {$FEFAENT / $POSTFIX:.2f}x')"
