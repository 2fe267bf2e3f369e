#!/bin/sh
# Lab hook: slapd on ldap hosts (config, schema, generated users in .lab/ldap; see tests/lab/ldapgen.py).
# Runs inside the host's namespaces; idempotent (reloads data only when LAB_USERS/LAB_PHOTO_SIZE ask
# for a different set than the one loaded; starts slapd when not running).
set -eu
case " $LAB_GROUPS " in *" ldap "*) ;; *) exit 0 ;; esac
set -- up --lab-dir "$LAB_DIR" --repo "$REPO"
if [ -n "${LAB_USERS:-}" ]; then set -- "$@" --users "$LAB_USERS"; fi
if [ -n "${LAB_PHOTO_SIZE:-}" ]; then set -- "$@" --photo-size "$LAB_PHOTO_SIZE"; fi
exec python3 "$REPO/tests/lab/ldapgen.py" "$@"
