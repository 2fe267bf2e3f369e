#!/bin/sh
# Lab hook: the DB2 CLP/db2pd emulator (tests/emulators/db2) on the hosts of group db2.
# Runs inside the host's namespaces (its own /opt, /home, /etc/passwd with db2inst1). Idempotent:
# - refreshes the emulator code in /opt/ibm/db2/V10.5/{bin,adm};
# - creates the instance tree ~db2inst1/sqllib (db2profile, bin/adm links, db2emu state dir) when missing;
# - on db2a only, creates the database STMS (circular logging, no HADR) when the instance has no state yet;
#   db2b starts with an empty directory (the db2_hadr role restores it from db2a's backup);
# - db2pd format per host: db2a prints the 10.1+ key = value format, db2b the 9.7 table format
#   (edit ~db2inst1/sqllib/db2emu/config.json to change it);
# - "boot": a database whose HADR daemon is gone (lab-down) is marked inactive, as after a reboot.
set -eu
case " $LAB_GROUPS " in *" db2 "*) ;; *) exit 0 ;; esac
INST=db2inst1
DB2DIR=/opt/ibm/db2/V10.5
SRC="$REPO/tests/emulators/db2"
HOME_DIR=$(getent passwd "$INST" | cut -d: -f6)
if [ -z "$HOME_DIR" ]; then
  # Do not block lab-up for every other host: say it loudly; the DB2 tests then fail with this reason.
  echo "30-db2: WARNING: user $INST does not exist on $LAB_HOST (per-host /etc/passwd not mounted?): DB2 emulator NOT installed" >&2
  exit 0
fi

mkdir -p "$DB2DIR/bin" "$DB2DIR/adm"
for f in db2emu.py db2 db2pd; do
  rm -f "$DB2DIR/bin/.$f.new"
  cp "$SRC/$f" "$DB2DIR/bin/.$f.new" && chmod 755 "$DB2DIR/bin/.$f.new"
  mv -f "$DB2DIR/bin/.$f.new" "$DB2DIR/bin/$f"
done
ln -sfn ../bin/db2pd "$DB2DIR/adm/db2pd"

SQLLIB="$HOME_DIR/sqllib"
mkdir -p "$HOME_DIR" "$SQLLIB/db2emu" "$HOME_DIR/backup" "$HOME_DIR/arch"
ln -sfn "$DB2DIR/bin" "$SQLLIB/bin"
ln -sfn "$DB2DIR/adm" "$SQLLIB/adm"
cat > "$SQLLIB/db2profile" <<PROFILE
# db2profile of instance $INST (lab: DB2 emulator, tests/emulators/db2)
DB2INSTANCE=$INST
INSTHOME=$HOME_DIR
DB2DIR=$DB2DIR
PATH=$SQLLIB/bin:$SQLLIB/adm:\$PATH
export DB2INSTANCE INSTHOME DB2DIR PATH
PROFILE
[ -f "$HOME_DIR/.profile" ] || printf '. %s/sqllib/db2profile\n' "$HOME_DIR" > "$HOME_DIR/.profile"
if [ ! -f "$SQLLIB/db2emu/config.json" ]; then
  case "$LAB_HOST" in db2b) FMT=9.7 ;; *) FMT=10.1 ;; esac
  printf '{"instance": "%s", "db2pd_format": "%s", "cfg_level": "10.5", "start_wait_cap": 20}\n' "$INST" "$FMT" \
    > "$SQLLIB/db2emu/config.json"
fi
chown -R "$INST:" "$HOME_DIR"

STATE="$SQLLIB/db2emu/state.json"
if [ "$LAB_HOST" = db2a ] && [ ! -f "$STATE" ]; then
  su - "$INST" -c "db2 create db STMS"
fi
su - "$INST" -c "python3 $DB2DIR/bin/db2emu.py --lab-boot"
echo "30-db2: DB2 emulator ready on $LAB_HOST (instance $INST, home $HOME_DIR)"
