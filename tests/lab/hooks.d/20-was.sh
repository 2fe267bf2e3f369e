#!/bin/sh
# Lab hook: emulated WebSphere ND 8.5.5 (tests/emulators/was) on the ssc, stproxy and meeting hosts.
# Runs inside the host's namespaces. Idempotent: profile trees, the DM's cell model, server state and config
# documents (e.g. stproxyconfig.xml) are kept when present; the emulator code and profile scripts are refreshed;
# STMeetingServer (the one server with a process: its HTTP endpoint) is started when it is not running.
set -eu
case " $LAB_GROUPS " in *" ssc "*|*" stproxy "*|*" meeting "*) ;; *) exit 0 ;; esac
command -v jython >/dev/null || { echo "20-was: jython is not installed (apt-get install jython)" >&2; exit 1; }
export PYTHONPATH="$REPO/tests/emulators/was"
python3 -m wasemu.lab install --host "$LAB_HOST" --host-root "$LAB_HOST_ROOT" --lab-dir "$LAB_DIR"
python3 -m wasemu.lab boot --host "$LAB_HOST" --lab-dir "$LAB_DIR"
echo "20-was: WebSphere emulator ready on $LAB_HOST"
