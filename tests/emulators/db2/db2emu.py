# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small DB2 LUW `db2` CLP and `db2pd` emulator for the lab and the tests.

One file, Python 3 standard library only.  Installed as `db2emu.py` next to two small sh wrappers, `db2` and
`db2pd`, which run `python3 db2emu.py --tool db2|db2pd ...`.  Output texts, message ids and exit codes follow
/work/shared/reference/db2.md (see docs/db2.md for what is documented and what is an emulator choice).

State is kept per instance in a directory (default `~$DB2INSTANCE/sqllib/db2emu`, or `$DB2EMU_STATE_DIR`):
  state.json          databases, their db cfg, HADR role, activation, pending states, directory entries
  config.json         emulator settings for this host (db2pd format 10.1|9.7, cfg level, start wait cap, ...)
  hadr.<DB>.pid       pid of the HADR daemon of an active HADR database
  hadr.<DB>.peer.json what the daemon last heard from its partner
  hadr.<DB>.log       the daemon's log
A HADR database (primary or standby) runs a daemon that listens on HADR_LOCAL_HOST:HADR_LOCAL_SVC and exchanges a
heartbeat with HADR_REMOTE_HOST:HADR_REMOTE_SVC once a second, so the pair's state is real network state.
"""

from __future__ import print_function

import contextlib
import fcntl
import json
import os
import pwd
import re
import select
import shlex
import signal
import socket
import sys
import time

DEFAULT_CONFIG = {
    'db2pd_format': '10.1',      # '10.1' (key = value) or '9.7' (table)
    'cfg_level': '10.5',         # '9.7', '10.5' or '11.5': which HADR lines `get db cfg` shows
    'db2_version': '10.5',       # emulated release: 9.7 and 10.1 name backup images
                                 # <alias>.0.<inst>.NODE0000.CATN0000.<ts>.001, 10.5+ <alias>.0.<inst>.DBPART000.<ts>.001
    'db2pd_transient_reads': 0,  # the next N `db2pd -hadr` of an active database print only the header and the
                                 # transient "Changing data structure forced command termination." (tests)
    'release_level': 'f.00',     # "Database release level" in the directory
    'start_wait_cap': 20,        # seconds: START HADR AS PRIMARY waits min(HADR_TIMEOUT, this) for the standby
    'warning_rc': 2,             # CLP exit code for warnings (reference: uncertain, 0 or 2)
    'peer_stale_after': 8,       # seconds without a heartbeat before the pair counts as disconnected
                                 # (a partner that stops says BYE, so this only covers a lost host)
}

CFG_DEFAULTS = [
    # keyword, label, default, levels ('all', '10', '11')
    ('HADR_LOCAL_HOST', 'HADR local host name', '', 'all'),
    ('HADR_LOCAL_SVC', 'HADR local service name', '', 'all'),
    ('HADR_REMOTE_HOST', 'HADR remote host name', '', 'all'),
    ('HADR_REMOTE_SVC', 'HADR remote service name', '', 'all'),
    ('HADR_REMOTE_INST', 'HADR instance name of remote server', '', 'all'),
    ('HADR_TIMEOUT', 'HADR timeout value', '120', 'all'),
    ('HADR_TARGET_LIST', 'HADR target list', '', '10'),
    ('HADR_SYNCMODE', 'HADR log write synchronization mode', 'NEARSYNC', 'all'),
    ('HADR_SPOOL_LIMIT', 'HADR spool log data limit (4KB)', 'AUTOMATIC(52000)', '10'),
    ('HADR_REPLAY_DELAY', 'HADR log replay delay (seconds)', '0', '10'),
    ('HADR_PEER_WINDOW', 'HADR peer window duration (seconds)', '0', 'all'),
    ('HADR_SSL_LABEL', 'HADR SSL certificate label', '', '11'),
    ('HADR_SSL_HOST_VAL', 'HADR SSL Hostname Validation', 'OFF', '11'),
]
LOG_CFG = [
    ('LOGARCHMETH1', 'First log archive method', 'OFF'),
    ('LOGARCHMETH2', 'Second log archive method', 'OFF'),
    ('LOGINDEXBUILD', 'Log pages during index rebuild', 'OFF'),
    ('INDEXREC', 'Index re-creation time and redo index build', 'SYSTEM (RESTART)'),
]
SYNCMODES = ('SYNC', 'NEARSYNC', 'ASYNC', 'SUPERASYNC')
NUMERIC_CFG = ('HADR_TIMEOUT', 'HADR_PEER_WINDOW', 'HADR_REPLAY_DELAY')
REQUIRED_HADR = ('HADR_LOCAL_HOST', 'HADR_LOCAL_SVC', 'HADR_REMOTE_HOST', 'HADR_REMOTE_SVC', 'HADR_REMOTE_INST')

MESSAGES = {
    'DB20000I': 'The {cmd} command completed successfully.',
    'DB21056W': 'Directory changes may not be effective until the directory cache is refreshed.',
    'DB21034E': 'The command was processed as an SQL statement because it was not a valid Command Line '
                'Processor command.  During SQL processing it returned:',
    'SQL0104N': 'An unexpected token "{tok}" was found following "{after}".  Expected tokens may include:  '
                '"{exp}".  SQLSTATE=42601',
    'SQL1005N': 'The database alias "{db}" already exists in either the local database directory or system '
                'database directory.',
    'SQL1013N': 'The database alias name or database name "{db}" could not be found.  SQLSTATE=42705',
    'SQL1031N': 'The database directory cannot be found on the indicated file system.  SQLSTATE=58031',
    'SQL1035N': 'The operation failed because the specified database cannot be connected to in the mode '
                'requested.  SQLSTATE=57019',
    'SQL1057W': 'The system database directory is empty.  SQLSTATE=01606',
    'SQL1116N': 'A connection to or activation of database "{db}" cannot be made because of BACKUP PENDING.  '
                'SQLSTATE=57019',
    'SQL1117N': 'A connection to or activation of database "{db}" cannot be made because of ROLL-FORWARD '
                'PENDING.  SQLSTATE=57019',
    'SQL1363W': 'Database must be deactivated and reactivated before the changes to one or more of the '
                'configuration parameters will be effective.',
    'SQL1390C': 'The environment variable DB2INSTANCE is not defined or is invalid.',
    'SQL1490W': 'Activate database is successful, however, the database has already been activated on one or '
                'more nodes.',
    'SQL1496W': 'Deactivate database is successful, however, the database was not activated.',
    'SQL1767N': 'Start HADR cannot complete. Reason code = "{rc}".',
    'SQL1768N': 'Unable to start HADR. Reason code = "{rc}".',
    'SQL1769N': 'Stop HADR cannot complete. Reason code = "{rc}".',
    'SQL1770N': 'Takeover HADR cannot complete. Reason code = "{rc}".',
    'SQL2001N': 'The utility was interrupted.  The output data may be incomplete.',
    'SQL2036N': 'The path for the file or device "{path}" is not valid.',
    'SQL2413N': 'Online backup is not allowed because the database is not recoverable or a backup pending '
                'condition is in effect.',
    'SQL2522N': 'More than one backup file matches the time stamp value provided for the backed up database '
                'image.',
    'SQL2539W': 'The specified name of the backup image to restore is the same as the name of the target '
                'database.  Restoring to an existing database that is the same as the backup image database '
                'will cause the current database to be overwritten by the backup version.',
    'SQL2542N': 'No match for a database image file was found based on the source database alias "{db}" and '
                'timestamp "{ts}" provided.',
}
# Documented localized text (reference section 2); every other text is English whatever the locale.
LOCALIZED = {'zh': {'SQL1057W': '系统数据库目录为空。'}}


class ClpError(Exception):
    """Ends a command: the messages already queued plus this one are printed."""


# --------------------------------------------------------------------------------------------------- output

def wrap(text, width=80):
    """The CLP wraps messages at about 80 columns, keeping the trailing blank on the broken line."""
    lines, cur = [], ''
    for tok in re.findall(r'\S+\s*', text):
        if cur and len(cur + tok.rstrip()) > width:
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    lines.append(cur)
    return '\n'.join(lines)


class Out(object):
    def __init__(self):
        self.parts = []
        self.severity = 'I'

    def text(self, text):
        self.parts.append(text)

    def msg(self, msgid, **kw):
        lang = locale_name()[:2]
        template = LOCALIZED.get(lang, {}).get(msgid) or MESSAGES[msgid]
        body = template.format(**kw)
        sep = ' ' if msgid in LOCALIZED.get(lang, {}) else '  '
        self.parts.append(wrap(msgid + sep + body) + '\n')
        sev = msgid[-1]
        if sev in 'NEC':
            self.severity = 'E'
        elif sev == 'W' and self.severity != 'E':
            self.severity = 'W'

    def rc(self, config, suppress_warnings=False):
        if self.severity == 'E':
            return 4
        if self.severity == 'W' and not suppress_warnings:
            return int(config.get('warning_rc', 2))
        return 0


def locale_name():
    for var in ('LC_ALL', 'LC_MESSAGES', 'LANG'):
        if os.environ.get(var):
            return os.environ[var]
    return 'C'


# --------------------------------------------------------------------------------------------------- state

def instance_name():
    return os.environ.get('DB2INSTANCE', '')


def state_dir():
    if os.environ.get('DB2EMU_STATE_DIR'):
        return os.environ['DB2EMU_STATE_DIR']
    inst = instance_name()
    if not inst:
        return None
    try:
        home = pwd.getpwnam(inst).pw_dir
    except KeyError:
        return None
    return os.path.join(home, 'sqllib', 'db2emu')


def load_config(sdir):
    config = dict(DEFAULT_CONFIG)
    try:
        with open(os.path.join(sdir, 'config.json')) as handle:
            config.update(json.load(handle))
    except (IOError, OSError, ValueError):
        pass
    if not config.get('instance'):
        config['instance'] = instance_name() or 'db2inst1'
    return config


def _write_json(path, data):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.rename(tmp, path)


def _read_json(path, default):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return default


@contextlib.contextmanager
def locked_state(sdir, write=True):
    """The instance state under an flock; saved on a clean exit when `write`."""
    lock = open(os.path.join(sdir, '.lock'), 'a')
    try:
        fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
        state = _read_json(os.path.join(sdir, 'state.json'), {'databases': {}})
        state.setdefault('databases', {})
        yield state
        if write:
            _write_json(os.path.join(sdir, 'state.json'), state)
    finally:
        lock.close()


def new_database(name, local_dir, release):
    cfg = dict((key, default) for key, _label, default, _lvl in CFG_DEFAULTS)
    cfg.update(dict((key, default) for key, _label, default in LOG_CFG))
    return {
        'alias': name, 'name': name, 'local_dir': local_dir, 'release': release, 'comment': '',
        'entry_type': 'Indirect', 'alt_host': '', 'alt_port': '', 'cfg': cfg,
        'hadr_role': 'STANDARD', 'active': False, 'activated_at': 0, 'rollforward_pending': False,
        'backup_pending': False, 'hadr_effective': {}, 'hadr_started_at': 0,
    }


# --------------------------------------------------------------------------------------------------- db2 CLP

def tokenize(argv):
    text = ' '.join(argv)
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _kw(tokens, i):
    return tokens[i].upper() if i < len(tokens) else ''


def _db_token(tokens, i, out):
    if _kw(tokens, i) not in ('DB', 'DATABASE'):
        out.msg('SQL0104N', tok=tokens[i] if i < len(tokens) else 'END-OF-STATEMENT',
                after=tokens[i - 1] if i else '', exp='DATABASE')
        raise ClpError()
    if i + 1 >= len(tokens):
        out.msg('SQL0104N', tok='END-OF-STATEMENT', after=tokens[i], exp='<database-alias>')
        raise ClpError()
    return tokens[i + 1].upper()


def _get_db(state, alias, out):
    db = state['databases'].get(alias)
    if db is None:
        out.msg('SQL1013N', db=alias)
        raise ClpError()
    return db


def run_clp(argv, out, sdir, config):
    suppress = False
    while argv and argv[0][:1] in '-+' and len(argv[0]) <= 3:
        if argv[0].lower() == '+w':
            suppress = True
        argv = argv[1:]
    tokens = tokenize(argv)
    words = [t.upper() for t in tokens]
    try:
        if not words:
            out.msg('SQL0104N', tok='END-OF-STATEMENT', after='', exp='LIST')
        elif words[:2] == ['LIST', 'DB'] or words[:2] == ['LIST', 'DATABASE']:
            cmd_list_directory(words, tokens, out, sdir, config)
        elif words[:3] == ['UPDATE', 'ALTERNATE', 'SERVER']:
            cmd_update_alternate(tokens, words, out, sdir)
        elif words[:1] == ['GET'] and len(words) > 2 and (words[1:3] == ['DB', 'CFG'] or words[1:3] == [
                'DATABASE', 'CONFIGURATION'] or words[1:3] == ['DB', 'CONFIGURATION'] or words[1:3] == ['DATABASE', 'CFG']):
            cmd_get_db_cfg(tokens, words, out, sdir, config)
        elif words[:1] == ['UPDATE'] and len(words) > 2 and words[1] in ('DB', 'DATABASE') and words[2] in (
                'CFG', 'CONFIGURATION'):
            cmd_update_db_cfg(tokens, words, out, sdir, config)
        elif words[:1] == ['CREATE'] and len(words) > 2 and words[1] in ('DB', 'DATABASE'):
            cmd_create(tokens, words, out, sdir, config)
        elif words[:1] == ['BACKUP']:
            cmd_backup(tokens, words, out, sdir, config)
        elif words[:1] == ['RESTORE']:
            cmd_restore(tokens, words, out, sdir, config)
        elif words[:1] in (['ACTIVATE'], ['DEACTIVATE']):
            cmd_activation(tokens, words, out, sdir, config)
        elif words[:2] == ['START', 'HADR']:
            cmd_start_hadr(tokens, words, out, sdir, config)
        elif words[:2] == ['STOP', 'HADR']:
            cmd_stop_hadr(tokens, words, out, sdir, config)
        elif words[:2] == ['TAKEOVER', 'HADR']:
            cmd_takeover(tokens, words, out, sdir, config)
        elif words[:1] == ['TERMINATE']:
            out.msg('DB20000I', cmd='TERMINATE')
        else:
            out.msg('DB21034E')
            out.msg('SQL0104N', tok=tokens[0], after='BEGIN-OF-STATEMENT', exp='JOIN <joined_table>')
    except ClpError:
        pass
    return out.rc(config, suppress)


def cmd_list_directory(words, tokens, out, sdir, config):
    with locked_state(sdir, write=False) as state:
        dbs = list(state['databases'].values())
    if 'ON' in words:
        path = tokens[words.index('ON') + 1] if words.index('ON') + 1 < len(tokens) else ''
        local = [d for d in dbs if d['local_dir'] == path.rstrip('/') or d['local_dir'] == path]
        if not local:
            out.msg('SQL1031N')
            return
        lines = ['', ' Local Database Directory on %s' % path, '',
                 ' Number of entries in the directory = %d' % len(local), '']
        for num, db in enumerate(local, 1):
            lines += ['Database %d entry:' % num, '']
            for label, value in (('Database alias', db['alias']), ('Database name', db['name']),
                                 ('Database directory', 'SQL%05d' % num), ('Database release level', db['release']),
                                 ('Comment', db['comment']), ('Directory entry type', 'Home'),
                                 ('Catalog database partition number', '0'), ('Database member number', '0')):
                lines.append(' %s= %s' % (label.ljust(37), value))
            lines.append('')
        out.text('\n'.join(lines) + '\n')
        return
    if not dbs:
        out.text('\n')
        out.msg('SQL1057W')
        out.text('\n')
        return
    lines = ['', ' System Database Directory', '', ' Number of entries in the directory = %d' % len(dbs), '']
    for num, db in enumerate(sorted(dbs, key=lambda d: d.get('catalog_seq', 0)), 1):
        lines += ['Database %d entry:' % num, '']
        for label, value in (('Database alias', db['alias']), ('Database name', db['name']),
                             ('Local database directory', db['local_dir']), ('Database release level', db['release']),
                             ('Comment', db['comment']), ('Directory entry type', db['entry_type']),
                             ('Catalog database partition number', '0'),
                             ('Alternate server hostname', db['alt_host']),
                             ('Alternate server port number', db['alt_port'])):
            lines.append(' %s= %s' % (label.ljust(37), value))
        lines.append('')
    out.text('\n'.join(lines) + '\n')


def cmd_update_alternate(tokens, words, out, sdir):
    # UPDATE ALTERNATE SERVER FOR {DATABASE|DB} alias USING HOSTNAME h PORT p
    if _kw(tokens, 3) != 'FOR':
        out.msg('SQL0104N', tok=tokens[3] if len(tokens) > 3 else 'END-OF-STATEMENT', after='SERVER', exp='FOR')
        raise ClpError()
    alias = _db_token(tokens, 4, out)
    rest = words[6:]
    if words[6:7] != ['USING'] or 'HOSTNAME' not in rest or 'PORT' not in rest:
        out.msg('SQL0104N', tok=tokens[6] if len(tokens) > 6 else 'END-OF-STATEMENT', after=tokens[5],
                exp='USING HOSTNAME')
        raise ClpError()
    hi, pi = words.index('HOSTNAME'), words.index('PORT')
    if hi + 1 >= len(tokens) or pi + 1 >= len(tokens):
        out.msg('SQL0104N', tok='END-OF-STATEMENT', after=tokens[-1], exp='<hostname>')
        raise ClpError()
    host, port = tokens[hi + 1], tokens[pi + 1]
    if host == 'NULL' or host == '':
        host = ''
    if port == 'NULL' or port == '':
        port = ''
    if port and not port.isdigit():
        out.msg('SQL0104N', tok=port, after='PORT', exp='<port-number>')
        raise ClpError()
    if (host and not port) or (port and not host) or len(host) > 255 or len(port) > 14:
        out.msg('SQL0104N', tok=tokens[pi + 1], after='PORT', exp='NULL')
        raise ClpError()
    with locked_state(sdir) as state:
        db = _get_db(state, alias, out)
        db['alt_host'], db['alt_port'] = host, port
    out.msg('DB20000I', cmd='UPDATE ALTERNATE SERVER FOR DATABASE')
    out.msg('DB21056W')


def _cfg_lines(db, config):
    level = str(config.get('cfg_level', '10.5'))
    major = int(level.split('.', maxsplit=1)[0])
    cfg = db['cfg']
    yes = {True: 'YES', False: 'NO'}
    lines = ['', '       Database Configuration for Database %s' % db['name'], '',
             ' %s = %s' % ('Database configuration release level'.ljust(55), '0x1000'),
             ' %s = %s' % ('Database release level'.ljust(55), '0x1000'), '',
             ' %s = %s' % ('Backup pending'.ljust(55), yes[bool(db['backup_pending'])]), '',
             ' %s = %s' % ('All committed transactions have been written to disk'.ljust(55), yes[not db['active']]),
             ' %s = %s' % ('Rollforward pending'.ljust(55), 'DATABASE' if db['rollforward_pending'] else 'NO'),
             ' %s = %s' % ('Restore pending'.ljust(55), 'NO'), '',
             ' %s = %s' % ('HADR database role'.ljust(55), db['hadr_role'])]
    for key, label, _default, lvl in CFG_DEFAULTS:
        if lvl == '10' and major < 10 or lvl == '11' and major < 11:
            continue
        kw = '(%s)' % key
        lines.append(' %s%s = %s' % (label, kw.rjust(55 - len(label)), cfg.get(key, '')))
    lines.append('')
    for key, label, _default in LOG_CFG:
        kw = '(%s)' % key
        lines.append(' %s%s = %s' % (label, kw.rjust(55 - len(label)), cfg.get(key, '')))
    return lines


def cmd_get_db_cfg(tokens, words, out, sdir, config):
    if _kw(tokens, 3) != 'FOR' or len(tokens) < 5:
        out.msg('SQL0104N', tok=tokens[3] if len(tokens) > 3 else 'END-OF-STATEMENT', after=tokens[2], exp='FOR')
        raise ClpError()
    alias = tokens[4].upper()
    with locked_state(sdir, write=False) as state:
        db = _get_db(state, alias, out)
    out.text('\n'.join(_cfg_lines(db, config)) + '\n\n')


def _normalize_cfg_value(key, value, out, config):
    level = int(str(config.get('cfg_level', '10.5')).split('.', maxsplit=1)[0])
    known = dict((k, lvl) for k, _l, _d, lvl in CFG_DEFAULTS)
    known.update(dict((k, 'all') for k, _l, _d in LOG_CFG))
    if key not in known or known[key] == '10' and level < 10 or known[key] == '11' and level < 11:
        out.msg('SQL0104N', tok=key, after='USING', exp='ALT_COLLATE')
        raise ClpError()
    if value.upper() == 'NULL':
        return ''
    if key == 'HADR_SYNCMODE':
        if value.upper() not in SYNCMODES:
            out.msg('SQL0104N', tok=value, after=key, exp='NEARSYNC')
            raise ClpError()
        return value.upper()
    if key in NUMERIC_CFG:
        if not re.match(r'^-?\d+$', value):
            out.msg('SQL0104N', tok=value, after=key, exp='<integer>')
            raise ClpError()
        return str(int(value))
    if key in ('LOGARCHMETH1', 'LOGARCHMETH2'):
        if value.upper() in ('OFF', 'LOGRETAIN', 'USEREXIT', 'TSM'):
            return value.upper()
        method, rest = value.split(':', 1) if ':' in value else (value, None)
        if rest is not None and method.upper() == 'DISK' and rest.startswith('/'):
            # DB2 prints a DISK path with a trailing slash (reference section 3 sample `DISK:/db2/arch/mysample/`)
            return 'DISK:' + rest.rstrip('/') + '/'
        if rest is not None and method.upper() in ('TSM', 'VENDOR'):
            return method.upper() + ':' + rest
        out.msg('SQL0104N', tok=value, after=key, exp='OFF')
        raise ClpError()
    if key in ('LOGINDEXBUILD', 'HADR_SSL_HOST_VAL'):
        return value.upper()
    if key == 'INDEXREC':
        return value.upper()
    return value


def cmd_update_db_cfg(tokens, words, out, sdir, config):
    # UPDATE {DB|DATABASE} {CFG|CONFIGURATION} FOR alias USING name value [name value ...] [IMMEDIATE|DEFERRED]
    if _kw(tokens, 3) != 'FOR' or _kw(tokens, 5) != 'USING':
        out.msg('SQL0104N', tok=tokens[3] if len(tokens) > 3 else 'END-OF-STATEMENT', after=tokens[2], exp='FOR')
        raise ClpError()
    alias = tokens[4].upper()
    pairs = tokens[6:]
    if pairs and pairs[-1].upper() in ('IMMEDIATE', 'DEFERRED'):
        pairs = pairs[:-1]
    if not pairs or len(pairs) % 2:
        out.msg('SQL0104N', tok='END-OF-STATEMENT', after=tokens[-1], exp='<value>')
        raise ClpError()
    with locked_state(sdir) as state:
        db = _get_db(state, alias, out)
        changes = {}
        for i in range(0, len(pairs), 2):
            key = pairs[i].upper()
            changes[key] = _normalize_cfg_value(key, pairs[i + 1], out, config)
        was_circular = db['cfg'].get('LOGARCHMETH1', 'OFF') == 'OFF' and db['cfg'].get('LOGARCHMETH2', 'OFF') == 'OFF'
        db['cfg'].update(changes)
        now_circular = db['cfg'].get('LOGARCHMETH1', 'OFF') == 'OFF' and db['cfg'].get('LOGARCHMETH2', 'OFF') == 'OFF'
        if was_circular and not now_circular:
            db['backup_pending'] = True
        active = db['active']
    out.msg('DB20000I', cmd='UPDATE DATABASE CONFIGURATION')
    if active and any(k.startswith('LOGARCH') or k.startswith('HADR_') for k in changes):
        out.msg('SQL1363W')


def cmd_create(tokens, words, out, sdir, config):
    alias = tokens[2].upper() if len(tokens) > 2 else ''
    home = os.path.dirname(os.path.dirname(os.path.abspath(sdir)))
    on = tokens[words.index('ON') + 1] if 'ON' in words and words.index('ON') + 1 < len(tokens) else home
    with locked_state(sdir) as state:
        if alias in state['databases']:
            out.msg('SQL1005N', db=alias)
            raise ClpError()
        db = new_database(alias, on, config.get('release_level', 'f.00'))
        db['catalog_seq'] = max([d.get('catalog_seq', 0) for d in state['databases'].values()] + [0]) + 1
        state['databases'][alias] = db
    out.msg('DB20000I', cmd='CREATE DATABASE')


def backup_image_name(alias, config, stamp):
    """The image file name BACKUP writes on UNIX: NODEnnnn.CATNnnnn up to 10.1 (IBM KC 9.7 "Backup overview"),
    DBPARTnnn from 10.5 (corpus file backup_image_names.txt)."""
    major, minor = (int(part) for part in (str(config.get('db2_version', '10.5')).split('.') + ['0'])[:2])
    partition = 'NODE0000.CATN0000' if (major, minor) < (10, 5) else 'DBPART000'
    return '%s.0.%s.%s.%s.001' % (alias, config['instance'], partition, stamp)


def cmd_backup(tokens, words, out, sdir, config):
    # BACKUP {DB|DATABASE} alias [ONLINE] [TO dir] [COMPRESS] [WITHOUT PROMPTING]
    alias = _db_token(tokens, 1, out)
    online = 'ONLINE' in words
    target = tokens[words.index('TO') + 1] if 'TO' in words and words.index('TO') + 1 < len(tokens) else os.getcwd()
    if not os.path.isdir(target) or not os.access(target, os.W_OK):
        out.msg('SQL2036N', path=target)
        raise ClpError()
    with locked_state(sdir) as state:
        db = _get_db(state, alias, out)
        if db['hadr_role'] == 'STANDBY':
            out.msg('SQL1035N')
            raise ClpError()
        if online:
            circular = db['cfg'].get('LOGARCHMETH1') == 'OFF' and db['cfg'].get('LOGARCHMETH2') == 'OFF'
            if circular or db['backup_pending']:
                out.msg('SQL2413N')
                raise ClpError()
        elif db['active']:
            out.msg('SQL1035N')
            raise ClpError()
        stamp = time.strftime('%Y%m%d%H%M%S')
        name = backup_image_name(alias, config, stamp)
        while os.path.exists(os.path.join(target, name)) or stamp <= db.get('last_backup', ''):
            time.sleep(0.2)
            stamp = time.strftime('%Y%m%d%H%M%S')
            name = backup_image_name(alias, config, stamp)
        image = {'emulated_db2_backup_image': 1, 'alias': alias, 'timestamp': stamp, 'online': online,
                 'source_instance': config['instance'], 'cfg': db['cfg'], 'name': db['name']}
        _write_json(os.path.join(target, name), image)
        db['backup_pending'] = False
        db['last_backup'] = stamp
    out.text('\nBackup successful. The timestamp for this backup image is : %s\n\n' % stamp)


def cmd_restore(tokens, words, out, sdir, config):
    # RESTORE {DB|DATABASE} alias [FROM dir] [TAKEN AT ts] [REPLACE HISTORY FILE] [WITHOUT PROMPTING]
    alias = _db_token(tokens, 1, out)
    source = tokens[words.index('FROM') + 1] if 'FROM' in words and words.index('FROM') + 1 < len(tokens) else os.getcwd()
    stamp = ''
    if 'TAKEN' in words and words.index('TAKEN') + 2 < len(tokens):
        stamp = tokens[words.index('TAKEN') + 2]
    if not os.path.isdir(source):
        out.msg('SQL2036N', path=source)
        raise ClpError()
    pattern = re.compile(r'^%s\.0\.[^.]+\.(?:DBPART\d{3}|NODE\d{4}\.CATN\d{4})\.(\d{14})\.001$' % re.escape(alias))
    matches = sorted(f for f in os.listdir(source) if pattern.match(f) and pattern.match(f).group(1).startswith(stamp))
    if not matches:
        out.msg('SQL2542N', db=alias, ts=stamp)
        raise ClpError()
    if len(matches) > 1:
        out.msg('SQL2522N')
        raise ClpError()
    image = _read_json(os.path.join(source, matches[0]), None)
    if not image or not image.get('emulated_db2_backup_image'):
        out.msg('SQL2542N', db=alias, ts=stamp)
        raise ClpError()
    with locked_state(sdir) as state:
        existing = state['databases'].get(alias)
        if existing is not None:
            if existing['active']:
                out.msg('SQL1035N')
                raise ClpError()
            if 'WITHOUT' not in words:
                sys.stdout.write('SQL2539W  Warning!  Restoring to an existing database that is the same as the '
                                 'backup image database.  The database files will be deleted.\n'
                                 'Do you want to continue ? (y/n) ')
                sys.stdout.flush()
                answer = sys.stdin.readline().strip().lower()
                if answer != 'y':
                    out.msg('SQL2001N')
                    raise ClpError()
        home = os.path.dirname(os.path.dirname(os.path.abspath(sdir)))
        db = new_database(alias, existing['local_dir'] if existing else home, config.get('release_level', 'f.00'))
        db['name'] = image.get('name', alias)
        db['cfg'].update(image.get('cfg', {}))
        db['rollforward_pending'] = True
        if existing:
            db['alt_host'], db['alt_port'] = existing['alt_host'], existing['alt_port']
            db['catalog_seq'] = existing.get('catalog_seq', 0)
        else:
            db['catalog_seq'] = max([d.get('catalog_seq', 0) for d in state['databases'].values()] + [0]) + 1
        state['databases'][alias] = db
    if existing is not None:
        out.msg('SQL2539W')
    out.msg('DB20000I', cmd='RESTORE DATABASE')


# --------------------------------------------------------------------------------------------------- HADR

def _port(value):
    if str(value).isdigit():
        return int(value)
    try:
        return socket.getservbyname(value, 'tcp')
    except (OSError, socket.error):
        return None


def _addr(host):
    try:
        return socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except (OSError, socket.error):
        return None


def _info(db, config):
    eff = db.get('hadr_effective') or db['cfg']
    return {'db': db['name'], 'role': db['hadr_role'], 'active': db['active'], 'instance': config['instance'],
            'host': eff.get('HADR_LOCAL_HOST'), 'svc': eff.get('HADR_LOCAL_SVC'),
            'remote_inst': eff.get('HADR_REMOTE_INST'), 'syncmode': eff.get('HADR_SYNCMODE'),
            'timeout': eff.get('HADR_TIMEOUT'), 'peer_window': eff.get('HADR_PEER_WINDOW'),
            'hostname': socket.gethostname()}


def peer_problem(own, peer):
    """Why `peer` (the info the partner sent) cannot pair with `own`; '' when it can."""
    if not peer or not peer.get('active'):
        return 'partner not active'
    if peer.get('db') != own.get('db'):
        return 'database name mismatch'
    pair = set([own.get('role'), peer.get('role')])
    if pair != set(['PRIMARY', 'STANDBY']):
        return 'roles %s/%s do not pair' % (own.get('role'), peer.get('role'))
    if own.get('remote_inst') != peer.get('instance') or peer.get('remote_inst') != own.get('instance'):
        return 'HADR_REMOTE_INST mismatch'
    if own.get('timeout') != peer.get('timeout') or own.get('peer_window') != peer.get('peer_window'):
        return 'HADR_TIMEOUT/HADR_PEER_WINDOW mismatch'
    return ''


def exchange(host, svc, message, timeout=1.0):
    """Send one JSON line to a HADR daemon; returns its JSON reply or None."""
    addr, port = _addr(host), _port(svc)
    if not addr or not port:
        return None
    try:
        conn = socket.create_connection((addr, port), timeout=timeout)
    except (OSError, socket.error):
        return None
    try:
        conn.settimeout(timeout + 2)
        conn.sendall((json.dumps(message) + '\n').encode('utf-8'))
        data = b''
        while not data.endswith(b'\n'):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        return json.loads(data.decode('utf-8')) if data.strip() else None
    except (OSError, socket.error, ValueError):
        return None
    finally:
        conn.close()


def _pidfile(sdir, alias):
    return os.path.join(sdir, 'hadr.%s.pid' % alias)


def _peerfile(sdir, alias):
    return os.path.join(sdir, 'hadr.%s.peer.json' % alias)


def _daemon_alive(sdir, alias):
    try:
        with open(_pidfile(sdir, alias)) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        return pid
    except (IOError, OSError, ValueError):
        return 0


def _stop_daemon(sdir, alias):
    pid = _daemon_alive(sdir, alias)
    if pid:
        try:
            os.kill(pid, 15)
        except OSError:
            pass
        for _i in range(50):
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)
    for path in (_pidfile(sdir, alias), _peerfile(sdir, alias)):
        try:
            os.unlink(path)
        except OSError:
            pass


def _bind(eff):
    """A listening socket on HADR_LOCAL_HOST:HADR_LOCAL_SVC, or the SQL1768N reason code."""
    addr = _addr(eff.get('HADR_LOCAL_HOST', ''))
    if not addr:
        return None, 4
    port = _port(eff.get('HADR_LOCAL_SVC', ''))
    if not port:
        return None, 5
    if not _port(eff.get('HADR_REMOTE_SVC', '')):
        return None, 6
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((addr, port))
    except (OSError, socket.error) as exc:
        sock.close()
        return None, 4 if exc.errno == 99 else 5
    sock.listen(8)
    return sock, 0


def _spawn_daemon(sdir, alias, sock, config):
    pid = os.fork()
    if pid:
        sock.close()
        os.waitpid(pid, 0)
        for _i in range(100):
            if _daemon_alive(sdir, alias):
                return
            time.sleep(0.02)
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        log = os.open(os.path.join(sdir, 'hadr.%s.log' % alias), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        keep = sock.fileno()
        for fd in range(3, 1024):
            if fd != keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        with open(_pidfile(sdir, alias), 'w') as handle:
            handle.write('%d\n' % os.getpid())
        daemon_loop(sdir, alias, sock, config)
    except Exception as exc:  # pylint: disable=broad-except
        sys.stderr.write('hadr daemon %s: %r\n' % (alias, exc))
    finally:
        try:
            with open(_pidfile(sdir, alias)) as handle:
                if int(handle.read().strip()) == os.getpid():
                    os.unlink(_pidfile(sdir, alias))
        except (IOError, OSError, ValueError):
            pass
        os._exit(0)


def _record_peer(sdir, alias, peer, stale_after=8):
    now = time.time()
    old = _read_json(_peerfile(sdir, alias), {})
    fresh = old.get('seen') and now - old['seen'] <= stale_after and (old.get('peer') or {}).get('role') == peer.get('role')
    _write_json(_peerfile(sdir, alias), {'seen': now, 'since': old.get('since') if fresh else now, 'peer': peer})


def daemon_loop(sdir, alias, sock, config):
    running = [True]

    def _term(_sig, _frame):
        running[0] = False

    signal.signal(signal.SIGTERM, _term)
    last_beat = 0.0
    eff = {}
    while running[0]:
        with locked_state(sdir, write=False) as state:
            db = state['databases'].get(alias)
        if not db or not db['active'] or db['hadr_role'] == 'STANDARD' or _daemon_alive(sdir, alias) != os.getpid():
            break
        eff = db['hadr_effective']
        try:
            ready = select.select([sock], [], [], 0.3)[0]
        except (OSError, select.error):
            ready = []
        if ready:
            try:
                conn, _addr_ = sock.accept()
                _serve(conn, sdir, alias, config)
            except (OSError, socket.error):
                pass
        if time.time() - last_beat >= 1.0:
            last_beat = time.time()
            reply = exchange(eff.get('HADR_REMOTE_HOST'), eff.get('HADR_REMOTE_SVC'),
                             {'type': 'HELLO', 'info': _info(db, config)}, timeout=0.5)
            if reply and reply.get('info'):
                _record_peer(sdir, alias, reply['info'])
    sock.close()
    # Tell the partner at once, as a closed HADR connection would.
    exchange(eff.get('HADR_REMOTE_HOST'), eff.get('HADR_REMOTE_SVC'), {'type': 'BYE'}, timeout=0.5)


def _serve(conn, sdir, alias, config):
    conn.settimeout(2)
    try:
        data = b''
        while not data.endswith(b'\n'):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        message = json.loads(data.decode('utf-8'))
        kind = message.get('type')
        reply = {'ok': False}
        if kind == 'HELLO':
            with locked_state(sdir, write=False) as state:
                db = state['databases'].get(alias)
            if message.get('info'):
                _record_peer(sdir, alias, message['info'])
            reply = {'ok': True, 'info': _info(db, config)}
        elif kind == 'BYE':
            record = _read_json(_peerfile(sdir, alias), {})
            if record:
                record['bye'] = True
                _write_json(_peerfile(sdir, alias), record)
            reply = {'ok': True}
        elif kind in ('TAKEOVER', 'FORCE'):
            with locked_state(sdir) as state:
                db = state['databases'].get(alias)
                if db and db['hadr_role'] == 'PRIMARY' and db['active']:
                    if kind == 'TAKEOVER':
                        db['hadr_role'] = 'STANDBY'
                    else:
                        db['active'] = False  # a forced takeover shuts the old primary down
                    reply = {'ok': True}
                else:
                    reply = {'ok': False, 'reason': 'not an active primary'}
            if message.get('info'):
                _record_peer(sdir, alias, message['info'])
            with locked_state(sdir, write=False) as state:
                reply['info'] = _info(state['databases'][alias], config)
        conn.sendall((json.dumps(reply) + '\n').encode('utf-8'))
    except (OSError, socket.error, ValueError):
        pass
    finally:
        conn.close()


def _hadr_prechecks(db, out):
    cfg = db['cfg']
    if cfg.get('LOGARCHMETH1', 'OFF') == 'OFF' and cfg.get('LOGARCHMETH2', 'OFF') == 'OFF':
        out.msg('SQL1768N', rc=1)
        raise ClpError()
    if any(not cfg.get(key) for key in REQUIRED_HADR):
        out.msg('SQL1768N', rc=8)
        raise ClpError()


def cmd_start_hadr(tokens, words, out, sdir, config):
    # START HADR ON {DB|DATABASE} alias AS {PRIMARY [BY FORCE] | STANDBY}
    if _kw(tokens, 2) != 'ON':
        out.msg('SQL0104N', tok=tokens[2] if len(tokens) > 2 else 'END-OF-STATEMENT', after='HADR', exp='ON')
        raise ClpError()
    alias = _db_token(tokens, 3, out)
    role = _kw(tokens, 6)
    if _kw(tokens, 5) != 'AS' or role not in ('PRIMARY', 'STANDBY'):
        out.msg('SQL0104N', tok=tokens[5] if len(tokens) > 5 else 'END-OF-STATEMENT', after=tokens[4], exp='AS')
        raise ClpError()
    force = words[7:9] == ['BY', 'FORCE']
    with locked_state(sdir, write=False) as state:
        db = _get_db(state, alias, out)
        _hadr_prechecks(db, out)
        if db['active'] and db['hadr_role'] == role and _daemon_alive(sdir, alias):
            out.msg('SQL1767N', rc=2)  # emulator choice: HADR already started in this role
            raise ClpError()
        if role == 'STANDBY':
            if db['active']:
                out.msg('SQL1767N', rc=3)  # emulator choice: the database must be deactivated first
                raise ClpError()
            if not db['rollforward_pending'] and db['hadr_role'] == 'STANDARD':
                out.msg('SQL1768N', rc=2)
                raise ClpError()
        else:
            if db['hadr_role'] == 'STANDBY':
                out.msg('SQL1767N', rc=1)  # emulator choice: a standby becomes primary by TAKEOVER only
                raise ClpError()
            if db['backup_pending']:
                out.msg('SQL1116N', db=alias)
                raise ClpError()
            if db['rollforward_pending']:
                out.msg('SQL1117N', db=alias)
                raise ClpError()
        eff = dict(db['cfg'])
    _stop_daemon(sdir, alias)
    sock, reason = _bind(eff)
    if sock is None:
        out.msg('SQL1768N', rc=reason)
        raise ClpError()
    if role == 'PRIMARY' and not force:
        with locked_state(sdir, write=False) as state:
            own = dict(state['databases'][alias])
        own['hadr_role'], own['active'], own['hadr_effective'] = 'PRIMARY', True, eff
        own_info = _info(own, config)
        wait = min(int(eff.get('HADR_TIMEOUT') or 120), float(config.get('start_wait_cap', 20)))
        deadline = time.time() + wait
        paired = False
        while True:
            reply = exchange(eff['HADR_REMOTE_HOST'], eff['HADR_REMOTE_SVC'], {'type': 'HELLO', 'info': own_info})
            if reply and reply.get('info') and not peer_problem(own_info, reply['info']):
                paired = True
                break
            if time.time() >= deadline:
                break
            time.sleep(0.5)
        if not paired:
            sock.close()
            out.msg('SQL1768N', rc=7)
            raise ClpError()
        _record_peer(sdir, alias, reply['info'])
    with locked_state(sdir) as state:
        db = state['databases'][alias]
        db['hadr_role'] = role
        db['active'] = True
        db['activated_at'] = db['hadr_started_at'] = time.time()
        db['hadr_effective'] = eff
        if role == 'PRIMARY':
            db['rollforward_pending'] = False
    _spawn_daemon(sdir, alias, sock, config)
    out.msg('DB20000I', cmd='START HADR ON DATABASE')


def cmd_stop_hadr(tokens, words, out, sdir, config):
    if _kw(tokens, 2) != 'ON':
        out.msg('SQL0104N', tok=tokens[2] if len(tokens) > 2 else 'END-OF-STATEMENT', after='HADR', exp='ON')
        raise ClpError()
    alias = _db_token(tokens, 3, out)
    with locked_state(sdir) as state:
        db = _get_db(state, alias, out)
        if db['hadr_role'] == 'STANDARD':
            out.msg('SQL1769N', rc=1)  # emulator choice: not a HADR database
            raise ClpError()
        if db['hadr_role'] == 'STANDBY' and db['active']:
            out.msg('SQL1769N', rc=2)  # emulator choice: deactivate the standby first
            raise ClpError()
        if db['hadr_role'] == 'STANDBY':
            db['rollforward_pending'] = True
        db['hadr_role'] = 'STANDARD'
        db['hadr_effective'] = {}
    _stop_daemon(sdir, alias)
    out.msg('DB20000I', cmd='STOP HADR ON DATABASE')


def _peer_status(sdir, alias, db, config):
    """(connected, seconds since last heartbeat or None, peer info)."""
    record = _read_json(_peerfile(sdir, alias), {})
    seen = record.get('seen')
    if not seen:
        return False, None, None
    age = time.time() - seen
    own = _info(db, config)
    ok = (not record.get('bye') and age <= float(config.get('peer_stale_after', 8))
          and not peer_problem(own, record.get('peer')))
    return ok, age, record.get('peer')


def cmd_takeover(tokens, words, out, sdir, config):
    # TAKEOVER HADR ON {DB|DATABASE} alias [BY FORCE [PEER WINDOW ONLY]]
    if _kw(tokens, 2) != 'ON':
        out.msg('SQL0104N', tok=tokens[2] if len(tokens) > 2 else 'END-OF-STATEMENT', after='HADR', exp='ON')
        raise ClpError()
    alias = _db_token(tokens, 3, out)
    force = words[5:7] == ['BY', 'FORCE']
    window_only = words[7:10] == ['PEER', 'WINDOW', 'ONLY']
    with locked_state(sdir, write=False) as state:
        db = _get_db(state, alias, out)
    if db['hadr_role'] != 'STANDBY' or not db['active']:
        out.msg('SQL1770N', rc=1)  # emulator choice: takeover runs on an active standby only
        raise ClpError()
    eff = db['hadr_effective']
    connected, age, _peer = _peer_status(sdir, alias, db, config)
    own = _info(db, config)
    if not force:
        if not connected and eff.get('HADR_SYNCMODE') != 'SUPERASYNC':
            out.msg('SQL1770N', rc=2)  # emulator choice: not in PEER state
            raise ClpError()
        reply = exchange(eff['HADR_REMOTE_HOST'], eff['HADR_REMOTE_SVC'], {'type': 'TAKEOVER', 'info': own},
                         timeout=5.0)
        deadline = time.time() + 10
        while not (reply and reply.get('ok')) and time.time() < deadline:
            # The answer may have been lost (a busy host): the primary's own word on its role decides.
            hello = exchange(eff['HADR_REMOTE_HOST'], eff['HADR_REMOTE_SVC'], {'type': 'HELLO', 'info': own},
                             timeout=2.0)
            if hello and (hello.get('info') or {}).get('role') == 'STANDBY':
                reply = {'ok': True, 'info': hello['info']}
                break
            time.sleep(0.5)
        if not reply or not reply.get('ok'):
            out.msg('SQL1770N', rc=3)  # emulator choice: the primary did not answer the role switch
            raise ClpError()
    else:
        window = int(eff.get('HADR_PEER_WINDOW') or 0)
        if window_only and not (connected or (age is not None and age <= window)):
            out.msg('SQL1770N', rc=4)  # emulator choice: outside the peer window
            raise ClpError()
        reply = exchange(eff['HADR_REMOTE_HOST'], eff['HADR_REMOTE_SVC'], {'type': 'FORCE', 'info': own},
                         timeout=1.0)
    with locked_state(sdir) as state:
        db = state['databases'][alias]
        db['hadr_role'] = 'PRIMARY'
        db['rollforward_pending'] = False
    if reply and reply.get('info'):
        _record_peer(sdir, alias, reply['info'])
    out.msg('DB20000I', cmd='TAKEOVER HADR ON DATABASE')


def cmd_activation(tokens, words, out, sdir, config):
    alias = _db_token(tokens, 1, out)
    if words[0] == 'DEACTIVATE':
        with locked_state(sdir) as state:
            db = _get_db(state, alias, out)
            was = db['active']
            db['active'] = False
        _stop_daemon(sdir, alias)
        if was:
            out.msg('DB20000I', cmd='DEACTIVATE DATABASE')
        else:
            out.msg('SQL1496W')
        return
    with locked_state(sdir, write=False) as state:
        db = _get_db(state, alias, out)
    if db['active']:
        out.msg('SQL1490W')
        return
    if db['hadr_role'] in ('PRIMARY', 'STANDBY'):
        # A HADR database activates in its role (the primary waits for its standby, as START HADR does).
        cmd_start_hadr(['START', 'HADR', 'ON', 'DB', alias, 'AS', db['hadr_role']],
                       ['START', 'HADR', 'ON', 'DB', alias.upper(), 'AS', db['hadr_role']], _Quiet(out), sdir, config)
        out.msg('DB20000I', cmd='ACTIVATE DATABASE')
        return
    if db['backup_pending']:
        out.msg('SQL1116N', db=alias)
        raise ClpError()
    if db['rollforward_pending']:
        out.msg('SQL1117N', db=alias)
        raise ClpError()
    with locked_state(sdir) as state:
        state['databases'][alias]['active'] = True
        state['databases'][alias]['activated_at'] = time.time()
    out.msg('DB20000I', cmd='ACTIVATE DATABASE')


class _Quiet(object):
    """Forwards errors of a nested command, swallows its success message."""

    def __init__(self, out):
        self.out = out

    def msg(self, msgid, **kw):
        if msgid != 'DB20000I':
            self.out.msg(msgid, **kw)

    def text(self, text):
        self.out.text(text)


# --------------------------------------------------------------------------------------------------- db2pd

def _uptime(since):
    secs = int(max(0, time.time() - (since or time.time())))
    return 'Up %d days %02d:%02d:%02d' % (secs // 86400, secs % 86400 // 3600, secs % 3600 // 60, secs % 60)


def _camel(value):
    return ''.join(part.capitalize() for part in value.split('_'))


def hadr_view(sdir, alias, db, config):
    connected, age, _peer = _peer_status(sdir, alias, db, config)
    eff = db.get('hadr_effective') or db['cfg']
    role = db['hadr_role']
    window = int(eff.get('HADR_PEER_WINDOW') or 0)
    if connected:
        state = 'REMOTE_CATCHUP' if eff.get('HADR_SYNCMODE') == 'SUPERASYNC' else 'PEER'
    elif role == 'STANDBY':
        state = 'REMOTE_CATCHUP_PENDING'
    elif age is not None and window and age <= window:
        state = 'DISCONNECTED_PEER'
    else:
        state = 'DISCONNECTED'
    record = _read_json(_peerfile(sdir, alias), {})
    since = record.get('since') if connected else (record.get('seen') or db.get('hadr_started_at'))
    return {'role': role, 'state': state, 'connected': connected, 'eff': eff, 'since': since or time.time(),
            'window': window}


def _take_transient_read(sdir, config):
    """Count down config `db2pd_transient_reads` (kept in transient_reads.json so that it is used once)."""
    wanted = int(config.get('db2pd_transient_reads', 0) or 0)
    if wanted <= 0:
        return False
    path = os.path.join(sdir, 'transient_reads.json')
    done = _read_json(path, {'done': 0}).get('done', 0)
    if done >= wanted:
        return False
    _write_json(path, {'done': done + 1})
    return True


def run_db2pd(argv, sdir, config):
    args = [a.lower() for a in argv]
    if '-db' not in args or '-hadr' not in args or args.index('-db') + 1 >= len(args):
        sys.stdout.write('Option -hadr requires -db <database> or -alldbs option and active database.\n')
        return 1
    alias = argv[args.index('-db') + 1].upper()
    with locked_state(sdir, write=False) as state:
        db = state['databases'].get(alias)
    member = 'Member' if config.get('db2pd_format') != '9.7' else 'Partition'
    if db is None or not db['active']:
        sys.stdout.write('\nDatabase %s not activated on database %s 0 or this database name cannot be found in '
                         'the local database directory.\n\nOption -hadr requires -db <database> or -alldbs option and '
                         'active database.\n\n' % (alias, member.lower()))
        return 0
    kind = 'Standby' if db['hadr_role'] == 'STANDBY' else 'Active'
    head = 'Database %s 0 -- Database %s -- %s -- %s' % (member, db['name'], kind, _uptime(db.get('activated_at')))
    if config.get('db2pd_format') != '9.7':
        head += ' -- Date %s' % time.strftime('%Y-%m-%d-%H.%M.%S.000000')
    lines = ['', head, '']
    if _take_transient_read(sdir, config):
        sys.stdout.write('\n'.join(lines + ['Changing data structure forced command termination.', '']) + '\n')
        return 0
    if db['hadr_role'] == 'STANDARD':
        # Real db2pd says so in words (corpus db2pd_hadr_not_active_standard.txt); never the header alone.
        sys.stdout.write('\n'.join(lines + ['HADR is not active.', '']) + '\n')
        return 0
    view = hadr_view(sdir, alias, db, config)
    eff = view['eff']
    if config.get('db2pd_format') == '9.7':
        conn_time = time.strftime('%a %b %d %H:%M:%S %Y', time.localtime(view['since']))
        conn_time += ' (%d)' % int(view['since'])
        lines += ['HADR Information:',
                  'Role    State                SyncMode HeartBeatsMissed   LogGapRunAvg (bytes)',
                  '%s%s%s%s%s' % (view['role'].capitalize().ljust(8), _camel(view['state']).ljust(21),
                                  eff.get('HADR_SYNCMODE', '').capitalize().ljust(9),
                                  ('0' if view['connected'] else '1').ljust(19), '0'),
                  '',
                  'ConnectStatus ConnectTime                           Timeout',
                  '%s%s%s' % (('Connected' if view['connected'] else 'Disconnected').ljust(14), conn_time.ljust(38),
                              eff.get('HADR_TIMEOUT', '')),
                  '',
                  'PeerWindowEnd                         PeerWindow',
                  '%s%s' % ('Null (0)'.ljust(38), view['window']),
                  '',
                  'LocalHost                                LocalService',
                  '%s%s' % (eff.get('HADR_LOCAL_HOST', '').ljust(41), eff.get('HADR_LOCAL_SVC', '')),
                  '',
                  'RemoteHost                               RemoteService      RemoteInstance',
                  '%s%s%s' % (eff.get('HADR_REMOTE_HOST', '').ljust(41), eff.get('HADR_REMOTE_SVC', '').ljust(19),
                              eff.get('HADR_REMOTE_INST', '')),
                  '']
        sys.stdout.write('\n'.join(lines) + '\n')
        return 0
    primary = view['role'] == 'PRIMARY'
    local, remote = eff.get('HADR_LOCAL_HOST', ''), eff.get('HADR_REMOTE_HOST', '')
    stamp = time.strftime('%m/%d/%Y %H:%M:%S.000000', time.localtime(view['since']))
    fields = [
        ('HADR_ROLE', view['role']), ('REPLAY_TYPE', 'PHYSICAL'), ('HADR_SYNCMODE', eff.get('HADR_SYNCMODE', '')),
        ('STANDBY_ID', '1' if primary else '0'), ('LOG_STREAM_ID', '0'), ('HADR_STATE', view['state']),
        ('HADR_FLAGS', 'TCP_PROTOCOL' if view['connected'] else ''),
        ('PRIMARY_MEMBER_HOST', local if primary else remote),
        ('PRIMARY_INSTANCE', config['instance'] if primary else eff.get('HADR_REMOTE_INST', '')),
        ('PRIMARY_MEMBER', '0'),
        ('STANDBY_MEMBER_HOST', remote if primary else local),
        ('STANDBY_INSTANCE', eff.get('HADR_REMOTE_INST', '') if primary else config['instance']),
        ('STANDBY_MEMBER', '0'),
        ('HADR_CONNECT_STATUS', 'CONNECTED' if view['connected'] else 'DISCONNECTED'),
        ('HADR_CONNECT_STATUS_TIME', '%s (%d)' % (stamp, int(view['since']))),
        ('HEARTBEAT_INTERVAL(seconds)', '1'),
        ('HADR_TIMEOUT(seconds)', eff.get('HADR_TIMEOUT', '')),
        ('HADR_LOG_GAP(bytes)', '0'),
        ('PEER_WINDOW(seconds)', str(view['window'])),
        ('READS_ON_STANDBY_ENABLED', 'N'),
    ]
    lines += ['%s = %s' % (key.rjust(37), value) for key, value in fields]
    sys.stdout.write('\n'.join(lines) + '\n\n')
    return 0


# --------------------------------------------------------------------------------------------------- entry

def lab_reset(sdir):
    """Tests: stop every HADR daemon and remove state.json (config.json is kept; the lab hook recreates STMS)."""
    with locked_state(sdir, write=False) as state:
        aliases = list(state['databases'])
    for alias in aliases:
        _stop_daemon(sdir, alias)
    with locked_state(sdir, write=False):
        for name in ('state.json', 'transient_reads.json'):
            try:
                os.unlink(os.path.join(sdir, name))
            except OSError:
                pass
    return 0


def lab_boot(sdir):
    """After a lab (re)start: a database whose HADR daemon is gone is not active any more (as after a reboot)."""
    with locked_state(sdir) as state:
        for alias, db in state['databases'].items():
            if db['active'] and db['hadr_role'] != 'STANDARD' and not _daemon_alive(sdir, alias):
                db['active'] = False
                sys.stdout.write('db2emu: %s was active without its HADR daemon: now inactive\n' % alias)
    return 0


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    tool = os.path.basename(argv[0])
    if argv[1:2] == ['--tool'] and len(argv) > 2:
        tool = argv[2]
        argv = [tool] + argv[3:]
    sdir = state_dir()
    if sdir is None or not os.path.isdir(sdir):
        out = Out()
        out.msg('SQL1390C')
        sys.stdout.write(''.join(out.parts))
        return 4
    config = load_config(sdir)
    if argv[1:2] == ['--lab-boot']:
        return lab_boot(sdir)
    if argv[1:2] == ['--lab-reset']:
        return lab_reset(sdir)
    if tool.startswith('db2pd'):
        return run_db2pd(argv[1:], sdir, config)
    out = Out()
    try:
        rc = run_clp(argv[1:], out, sdir, config)
    finally:
        sys.stdout.write(''.join(out.parts))
        sys.stdout.flush()
    return rc


if __name__ == '__main__':
    sys.exit(main())
