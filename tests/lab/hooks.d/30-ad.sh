#!/bin/sh
# Lab hook: the Samba AD DC on ad hosts (provisioned domain, lab CA, generated users in .lab/ad; see tests/lab/adgen.py).
# Runs inside the host's namespaces with Debian's python3 (python3-samba); idempotent (re-seeds only when
# LAB_USERS/LAB_PHOTO_SIZE ask for a different set than the one loaded; starts samba when not running).
set -eu
case " $LAB_GROUPS " in *" ad "*) ;; *) exit 0 ;; esac
set -- up --lab-dir "$LAB_DIR" --repo "$REPO"
if [ -n "${LAB_USERS:-}" ]; then set -- "$@" --users "$LAB_USERS"; fi
if [ -n "${LAB_PHOTO_SIZE:-}" ]; then set -- "$@" --photo-size "$LAB_PHOTO_SIZE"; fi
exec /usr/bin/python3 "$REPO/tests/lab/adgen.py" "$@"
