#!/usr/bin/env bash
# Print the newest usable python3.13/python3.12 (PATH first, then pyenv's installs), else python3.
# pyenv shims exist for versions that are not active and fail when run, so every candidate is tried.
for c in python3.13 python3.12 \
         "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 \
         "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12; do
  if "$c" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
command -v python3
