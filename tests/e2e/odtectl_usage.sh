#!/usr/bin/env bash
# odtectl's own usage: COMMAND --help explains a command (exit 0), --opt=value is read like
# --opt value (a bad value is named, exit 2), an option that takes no value refuses one.
# usage: odtectl_usage.sh ODTECTL
set -uo pipefail
o=$1
fail() { echo "FAIL: $*"; exit 1; }
"$o" positions --help | grep -q 'greeks in' || fail "positions --help does not explain the greeks"
out=$("$o" --timeout=abc status 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q "got 'abc'" <<<"$out" || fail "--timeout=abc: rc $rc, $out"
out=$("$o" --socket=/nonexistent/odte.sock --timeout=100 status 2>&1)
grep -q 'connect to /nonexistent/odte.sock' <<<"$out" || fail "--socket=PATH not used: $out"
out=$("$o" --json=yes status 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q 'takes no value' <<<"$out" || fail "--json=yes: rc $rc, $out"
out=$("$o" nosuch --help 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "nosuch --help: rc $rc"
echo "odtectl_usage: ok"
