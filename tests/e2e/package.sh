#!/usr/bin/env bash
# End to end: the Debian package as an operator installs it (issue 17, section 2).
#  1. cpack builds odte_VERSION_ARCH.deb from the build folder; lintian finds no error or warning;
#     the control files say what dpkg must know (the conffile, the maintainer scripts).
#  2. Unpacked into a scratch root: the binaries, the unit, sysusers.d, tmpfiles.d, the conffile,
#     the docs where the unit's Documentation= points. systemd-sysusers and systemd-tmpfiles (what
#     the postinst runs) applied to that root make the odte user, the odte-operators group with
#     odte in it, and the state, log and run directories with their owners and modes.
#  3. `systemd-analyze verify` accepts the installed unit (its ExecStart= pointed at the unpacked
#     odted) and `systemd-analyze security --offline` rates it at most 2.0.
#  4. As root only (else the rest is skipped, saying so): the installed odted runs on the installed
#     config, as a throwaway service user with the throwaway operators group as supplementary
#     group, in the environment systemd gives it (CREDENTIALS_DIRECTORY with the key as the
#     credential massive_key, RUNTIME_DIRECTORY, STATE_DIRECTORY, LOGS_DIRECTORY, NOTIFY_SOCKET,
#     WATCHDOG_USEC), against `odte replay-server`: READY=1 and WATCHDOG=1 arrive, an operator in
#     the group reaches the admin socket and another user does not, SIGTERM stops it cleanly.
# usage: package.sh BIN_DIR SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 build=$3 work=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
bin=$(realpath "$bin") src=$(realpath "$src") build=$(realpath "$build") work=$(realpath "$work")

# 1. Build the package and lint it.
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/deb/odte_*.deb)
[ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || { ls -l "$work/deb"; fail "no single odte_*.deb built"; }
deb=${debs[0]}
command -v lintian > /dev/null || fail "lintian is not installed (scripts/setup installs it)"
lintian --fail-on error,warning --tag-display-limit 0 "$deb" > "$work/lintian.log" 2>&1 ||
  { cat "$work/lintian.log"; fail "lintian reports errors or warnings on $(basename "$deb")"; }
dpkg-deb --control "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/odte/odted.toml ] || fail "conffiles is not /etc/odte/odted.toml"
for s in postinst prerm postrm; do
  [ -x "$work/control/$s" ] || fail "no executable $s"
done
grep -q "systemd-sysusers odte.conf" "$work/control/postinst" || fail "the postinst does not create the users"
grep -q "systemd-tmpfiles --create odte.conf" "$work/control/postinst" || fail "the postinst does not create the directories"
dpkg-deb -f "$deb" Depends | grep -q systemd || fail "the package does not depend on systemd"

# 2. Unpack into a scratch root (in /tmp: the throwaway users below must reach it).
root=$(mktemp -d "${TMPDIR:-/tmp}/odte-pkg-root.XXXXXX")
chmod 0755 "$root"
users=()
cleanup() {
  set +e
  for p in "${daemon:-}" "${server:-}" "${listener:-}"; do [ -n "$p" ] && kill "$p" 2> /dev/null; done
  for u in "${users[@]}"; do userdel "$u" 2> /dev/null; done
  [ -n "${ops:-}" ] && groupdel "$ops" 2> /dev/null
  rm -rf "$root"
}
trap cleanup EXIT
dpkg-deb -x "$deb" "$root"
unit=$root/lib/systemd/system/odted.service
for f in usr/bin/odted usr/bin/odtectl usr/bin/odte lib/systemd/system/odted.service \
         usr/lib/sysusers.d/odte.conf usr/lib/tmpfiles.d/odte.conf etc/odte/odted.toml \
         usr/share/doc/odte/operations.md usr/share/doc/odte/copyright usr/share/man/man1/odted.1.gz; do
  [ -e "$root/$f" ] || fail "/$f is not in the package"
done
[ "$(stat -c %a "$root/etc/odte/odted.toml")" = 644 ] || fail "/etc/odte/odted.toml is not readable by the service"
grep -q "^Documentation=file:///usr/share/doc/odte/operations.md" "$unit" || fail "Documentation= does not name the installed docs"
grep -q "^ExecStart=/usr/bin/odted --config /etc/odte/odted.toml" "$unit" || fail "ExecStart= does not name the installed odted"
"$root/usr/bin/odted" --check-config "$root/etc/odte/odted.toml" > /dev/null || fail "the installed config does not pass --check-config"
"$root/usr/bin/odted" --version | grep -q odted || fail "the installed odted does not run"

# What the postinst runs, on the scratch root: the users and the directories.
mkdir -p "$root/etc" "$root/var/lib" "$root/var/log" "$root/run"
systemd-sysusers --root="$root" odte.conf > "$work/sysusers.log" 2>&1 || { cat "$work/sysusers.log"; fail "systemd-sysusers"; }
grep -q "^odte:" "$root/etc/passwd" || fail "systemd-sysusers made no odte user"
grep -q "^odte-operators:x:[0-9]*:odte$" "$root/etc/group" || { cat "$root/etc/group"; fail "odte is not in odte-operators"; }
systemd-tmpfiles --root="$root" --create odte.conf > "$work/tmpfiles.log" 2>&1 || { cat "$work/tmpfiles.log"; fail "systemd-tmpfiles"; }
odte_uid=$(awk -F: '$1 == "odte" {print $3}' "$root/etc/passwd")
for d in var/lib/odte:750 var/log/odte:750 run/odte:755; do
  [ "$(stat -c %a:%u "$root/${d%:*}")" = "${d#*:}:$odte_uid" ] ||
    fail "/${d%:*} is $(stat -c %a:%u "$root/${d%:*}"), not ${d#*:} owned by odte ($odte_uid)"
done

# 3. The unit as systemd sees it.
# verify wants ExecStart='s program on this host: the same unit, pointed at the unpacked odted.
mkdir -p "$work/verify"
sed -e "s|^ExecStart=/usr/bin/odted|ExecStart=$root/usr/bin/odted|" "$unit" > "$work/verify/odted.service"
systemd-analyze verify "$work/verify/odted.service" > "$work/verify.log" 2>&1 ||
  { cat "$work/verify.log"; fail "systemd-analyze verify refuses the installed unit"; }
[ ! -s "$work/verify.log" ] || { cat "$work/verify.log"; fail "systemd-analyze verify warns about the installed unit"; }
systemd-analyze security --offline=yes "$unit" > "$work/security.log" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for odted.service: \([0-9.]*\).*/\1/p' "$work/security.log")
[ -n "$exposure" ] || { cat "$work/security.log"; fail "systemd-analyze security gave no exposure level"; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || { cat "$work/security.log"; fail "exposure $exposure is above 2.0"; }

if [ "$(id -u)" != 0 ]; then
  echo "package: built, lint-clean, unit verified (exposure $exposure); running as the odte user skipped: needs root to create throwaway users"
  exit 0
fi

# 4. Run the installed odted as systemd would. Throwaway users and group, removed on exit (the
# real odte user is the package's; the test leaves the host's users alone).
tag=$$
svc=odtes$tag op=odteo$tag other=odtex$tag ops=odteg$tag
groupadd "$ops"
useradd --system --user-group --no-create-home --shell /usr/sbin/nologin --groups "$ops" "$svc"; users+=("$svc")
useradd --system --user-group --no-create-home --shell /usr/sbin/nologin --groups "$ops" "$op"; users+=("$op")
useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$other"; users+=("$other")
ops_gid=$(getent group "$ops" | cut -d: -f3)

# The recorded day served as the feed and the REST API.
recording=$src/data/replay/spy-0dte-2026-07-20.odr
printf 'e2e-test-key' > "$work/key"
"$bin/odte" replay-server --recording "$recording" --key-file "$work/key" --speed 600 --clock shared \
  > "$work/server.out" 2> "$work/server.err" &
server=$!
port=
for _ in $(seq 100); do
  port=$(head -1 "$work/server.out" 2> /dev/null | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.err"; fail "replay-server did not report its port"; }

# The installed config, its directories moved into the scratch root and its feed pointed at the
# replay-server; api_key_file stays "massive_key" (the credential) and the socket group is the
# throwaway operators' group.
grep -q '^api_key_file = "massive_key"' "$root/etc/odte/odted.toml" || fail "the installed config does not name the credential massive_key"
grep -q '^socket_group = "odte-operators"' "$root/etc/odte/odted.toml" || fail "the installed config does not give the socket to odte-operators"
sed -e "s|/var/lib/odte|$root/var/lib/odte|g; s|/var/log/odte|$root/var/log/odte|g; s|/run/odte|$root/run/odte|g" \
    -e "s|wss://socket.massive.com|ws://127.0.0.1:$port|" -e "s|^indices_url = .*|indices_url = \"\"|" \
    -e "s|^underlyings = .*|underlyings = [\"SPY\"]\nrest_url = \"http://127.0.0.1:$port\"|" \
    -e "s|^max_option_contracts = .*|max_option_contracts = 40|" -e "s|^stale_after_ms = .*|stale_after_ms = 900000|" \
    -e "s|^metrics_port = .*|metrics_port = 0|" -e "s|^socket_group = .*|socket_group = \"$ops\"|" \
    "$root/etc/odte/odted.toml" > "$root/etc/odte/test.toml"
chmod 0644 "$root/etc/odte/test.toml"

# The directories as systemd sets them up at start (owner User=, the unit's modes), the credential
# as LoadCredential= gives it (a read-only directory of the service user's).
install -d -m 0750 -o "$svc" -g "$svc" "$root/var/lib/odte" "$root/var/log/odte"
install -d -m 0755 -o "$svc" -g "$svc" "$root/run/odte"
install -d -m 0755 "$root/creds"
install -d -m 0500 -o "$svc" -g "$svc" "$root/creds/odted.service"
install -m 0400 -o "$svc" -g "$svc" "$work/key" "$root/creds/odted.service/massive_key"
install -d -m 0777 "$root/notify"

# NOTIFY_SOCKET: a datagram socket that writes down what the daemon says.
python3 - "$root/notify/sock" "$work/notify.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode() + "\n")
PY
listener=$!
for _ in $(seq 50); do [ -S "$root/notify/sock" ] && break; sleep 0.1; done
[ -S "$root/notify/sock" ] || fail "the notify listener did not start"

cd /
setpriv --reuid="$svc" --regid="$svc" --groups="$ops_gid" --inh-caps=-all --bounding-set=-all \
  env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$root/creds/odted.service" \
  RUNTIME_DIRECTORY="$root/run/odte" STATE_DIRECTORY="$root/var/lib/odte" LOGS_DIRECTORY="$root/var/log/odte" \
  NOTIFY_SOCKET="$root/notify/sock" WATCHDOG_USEC=2000000 \
  "$root/usr/bin/odted" --config "$root/etc/odte/test.toml" > "$work/odted.out" 2> "$work/odted.err" &
daemon=$!
log=$root/var/log/odte/odted.log
showlogs() { cat "$work/odted.err"; tail -20 "$log" 2> /dev/null || true; }
for _ in $(seq 600); do
  grep -q "READY=1" "$work/notify.log" 2> /dev/null && break
  kill -0 "$daemon" 2> /dev/null || { showlogs; fail "the installed odted exited before READY=1"; }
  sleep 0.1
done
grep -q "READY=1" "$work/notify.log" || { showlogs; fail "no READY=1 within 60 s"; }
for _ in $(seq 50); do grep -q "WATCHDOG=1" "$work/notify.log" && break; sleep 0.1; done
grep -q "WATCHDOG=1" "$work/notify.log" || { showlogs; fail "no WATCHDOG=1 within 5 s of READY=1"; }

sock=$root/run/odte/admin.sock
[ -S "$sock" ] || fail "no admin socket at $sock"
[ "$(stat -c '%a %U %G' "$sock")" = "660 $svc $ops" ] || fail "the admin socket is $(stat -c '%a %U %G' "$sock"), not 660 $svc $ops"
find "$root/var/lib/odte" -type f -user "$svc" | grep -q . || fail "the service user wrote nothing in the state directory"
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
as "$op" "$root/usr/bin/odtectl" --socket "$sock" status > "$work/op.out" 2>&1 ||
  { cat "$work/op.out"; showlogs; fail "an operator in the operators' group cannot reach the admin socket"; }
if as "$other" "$root/usr/bin/odtectl" --socket "$sock" status > "$work/other.out" 2>&1; then
  cat "$work/other.out"; fail "a user outside the operators' group reached the admin socket"
fi
grep -qi "permission denied" "$work/other.out" || { cat "$work/other.out"; fail "the refusal does not say permission denied"; }

kill -TERM "$daemon"
set +e
wait "$daemon"
rc=$?
set -e
daemon=
[ "$rc" = 0 ] || { showlogs; fail "the installed odted did not stop cleanly (exit $rc)"; }
grep -q "STOPPING=1" "$work/notify.log" || fail "no STOPPING=1 at the stop"
[ ! -e "$sock" ] || fail "the admin socket was left after the stop"
echo "package: lint-clean deb installed; odted ran as the service user with the credential; exposure $exposure; operator admitted, other user refused"
