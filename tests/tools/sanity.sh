#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection, offline.
# usage: tests/tools/sanity.sh <venv dir> [ansible-test sanity args...]
# ansible-test needs the collection under a real .../ansible_collections/sametime/deploy/ folder (it resolves symlinks)
# and it bootstraps pip in its venvs from a script it downloads; we give it an offline stand-in.
set -euo pipefail
venv=$(cd "$1" && pwd); shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
py="$venv/bin/python"
pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
at_dir=$("$py" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
mkdir -p "$HOME/.ansible/test/cache"
grep -ohE "pip='[0-9.]+'" "$at_dir/_internal/python_requirements.py" | grep -oE "[0-9.]+" | sort -u |
  while read -r v; do
    cp "$repo/tests/sanity/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_${v//./_}.py"
  done
core=$("$py" -c 'from ansible.release import __version__ as v; print(".".join(v.split(".")[:2]))')
# one folder per run: several runs (2.21 and 2.16, or two developers) may overlap
top="$repo/build/sanity-$core-$$"
trap 'rm -rf "$top"' EXIT
dest="$top/ansible_collections/sametime/deploy"
mkdir -p "$dest"
(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest")
cd "$dest"
git init -q && git add -A
export PATH="$venv/bin:$PATH"
python_args=(--python "$pyver")
if [ -n "${SANITY_ALL_PYTHONS:-}" ]; then
  # Multi-version tests (compile, import) then run for every target Python found on PATH: pyenv's 3.6+ installs.
  for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin; do PATH="$PATH:$d"; done
  python_args=()
fi
ansible-test sanity --local "${python_args[@]}" --color no "$@"
