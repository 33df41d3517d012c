#!/usr/bin/env bash
# The Debian packages the test suite needs (tests/system-packages.txt): `make test` runs this
# first. A missing one is installed with apt-get when this user can (root, or sudo without a
# password); otherwise the script stops at once with one line saying what to install, so that
# no test is skipped because a program is absent.
set -euo pipefail
list="$(dirname "$0")/system-packages.txt"

installed() {  # package, then the program it provides (checked where dpkg is not at hand)
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
  else
    command -v "$2" >/dev/null 2>&1
  fi
}

missing=()
while read -r package program _; do
  [[ -z "$package" || "$package" == \#* ]] && continue
  installed "$package" "$program" || missing+=("$package")
done < "$list"
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ "$(id -u)" -eq 0 ]] || sudo="sudo -n"
if command -v apt-get >/dev/null 2>&1 && { [[ -z "$sudo" ]] || sudo -n true 2>/dev/null; }; then
  echo "make test: installing ${missing[*]} (apt-get)"
  if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
fi
echo "make test: the tests need ${missing[*]}: install with \`sudo apt-get install -y ${missing[*]}\`" >&2
exit 1
