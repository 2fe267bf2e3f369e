#!/bin/sh
# sysdeps.sh [--list] PROFILE...: the Debian packages of bindep.txt for these profiles (lab, test, bench, venv).
#   default  installs the missing ones when root with apt-get (and says what it installs); otherwise stops,
#            before anything else runs, naming the packages and the command that installs them
#   --list   prints the packages of the profiles, one a line (what `bindep -l newline PROFILE...` prints)
# Reads the bindep subset bindep.txt uses: `name [selector ...]  # comment`, selectors `profile`, `!profile`,
# `platform:X`, `!platform:X`; anything else (version constraints, unknown syntax) stops with the line quoted.
# This machine's platforms: dpkg, and ID / ID_LIKE of /etc/os-release. env: BINDEP_FILE (default bindep.txt).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
file=${BINDEP_FILE:-$repo/bindep.txt}
list=0
if [ "${1:-}" = --list ]; then list=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--list] PROFILE..." >&2; exit 2; }
[ -r "$file" ] || { echo "sysdeps: cannot read $file" >&2; exit 2; }

platforms=dpkg
if [ -r /etc/os-release ]; then
  # shellcheck source=/dev/null
  platforms="$platforms $(. /etc/os-release; echo "${ID:-} ${ID_LIKE:-}")"
fi

packages=$(awk -v profiles=" $* " -v platforms=" $platforms " '
  function fail(msg) { printf "sysdeps: %s:%d: %s: %s\n", FILENAME, FNR, msg, $0 > "/dev/stderr"; bad = 1; exit 2 }
  {
    line = $0; sub(/#.*/, "", line)
    if (line ~ /^[ \t]*$/) next
    if (!match(line, /^[ \t]*[A-Za-z0-9][A-Za-z0-9.+_-]*/)) fail("not a package name")
    name = substr(line, RSTART, RLENGTH); gsub(/[ \t]/, "", name)
    rest = substr(line, RSTART + RLENGTH)
    sel = ""
    if (rest ~ /^[ \t]*\[[^]]*\][ \t]*$/) { sel = rest; gsub(/^[ \t]*\[|\][ \t]*$/, "", sel) }
    else if (rest !~ /^[ \t]*$/) fail("only `name [selectors]` is understood (no version constraints)")
    n = split(sel, atoms, /[ \t]+/)
    pos_prof = 0; prof_ok = 0; prof_no = 0; pos_plat = 0; plat_ok = 0; plat_no = 0
    for (i = 1; i <= n; i++) {
      a = atoms[i]; if (a == "") continue
      neg = (substr(a, 1, 1) == "!"); if (neg) a = substr(a, 2)
      if (a ~ /^platform:[A-Za-z0-9._-]+$/) {
        hit = index(platforms, " " substr(a, 10) " ") > 0
        if (neg) { if (hit) plat_no = 1 } else { pos_plat = 1; if (hit) plat_ok = 1 }
      } else if (a ~ /^[A-Za-z0-9_-]+$/) {
        hit = index(profiles, " " a " ") > 0
        if (neg) { if (hit) prof_no = 1 } else { pos_prof = 1; if (hit) prof_ok = 1 }
      } else fail("unknown selector \"" atoms[i] "\"")
    }
    if (plat_no || prof_no || (pos_plat && !plat_ok) || (pos_prof && !prof_ok)) next
    if (!(name in seen)) { seen[name] = 1; print name }
  }' "$file")

if [ $list = 1 ]; then
  [ -z "$packages" ] || printf '%s\n' "$packages"
  exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "sysdeps: this is not a Debian machine (no dpkg-query); the lab and the tests need these Debian packages" \
       "(profiles $*): $packages" >&2
  exit 1
fi
missing=
for p in $packages; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
missing=${missing# }
[ -n "$missing" ] || exit 0
command="apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "sysdeps: missing Debian packages (bindep.txt, profiles $*): $missing" >&2
  echo "sysdeps: install them as root, then run make again:  apt-get update && $command" >&2
  exit 1
fi
echo "sysdeps: installing Debian packages (bindep.txt, profiles $*): $missing"
export DEBIAN_FRONTEND=noninteractive
# other apt runs on the machine hold the dpkg lock: wait for it rather than fail
apt-get -q -o DPkg::Lock::Timeout=300 update
# shellcheck disable=SC2086  # one word per package
apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $missing
