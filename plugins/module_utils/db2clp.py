# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the DB2 `db2` CLP and `db2pd` as the instance owner, and parse their documented outputs.

Runs on the DB2 host (Python 3.6+, standard library only).  The parsers are pure functions over the text the
tools print under LANG=C; they refuse localized output with a clear error rather than guess.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd
import re

try:
    from shlex import quote as shell_quote
except ImportError:  # pragma: no cover - Python 2 fallback for the sanity run
    from pipes import quote as shell_quote

C_LOCALE = 'LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES; '

# CLP exit codes (IBM "Command line processor return codes").
RC_OK, RC_NO_ROWS, RC_WARNING, RC_ERROR, RC_SYSTEM = 0, 1, 2, 4, 8

MSG_START = re.compile(r'^((?:SQL|DB2|DBA|DBI|CLI|ADM)\d{4,5}[A-Z])(?:\s+|$)(.*)$')
HADR_PARAMS = ('HADR_LOCAL_HOST', 'HADR_LOCAL_SVC', 'HADR_REMOTE_HOST', 'HADR_REMOTE_SVC', 'HADR_REMOTE_INST',
               'HADR_SYNCMODE', 'HADR_PEER_WINDOW', 'HADR_TIMEOUT')
SYNCMODES = ('SYNC', 'NEARSYNC', 'ASYNC', 'SUPERASYNC')


class Db2Error(Exception):
    """A db2/db2pd call failed, or printed something the parsers refuse; the message says what and why."""


class Db2LocaleError(Db2Error):
    """The output is localized (not LANG=C) and cannot be parsed safely."""


# --------------------------------------------------------------------------------------------------- messages

def parse_messages(text):
    """The messages (`DB20000I  ...`, `SQL1013N  ...`) in CLP output, with wrapped lines joined.

    Returns a list of dicts: id, severity ('I', 'W' or 'E' for N/E/C), text (one line).
    """
    messages = []
    current = None
    for line in text.splitlines():
        match = MSG_START.match(line)
        if match:
            current = {'id': match.group(1), 'text': match.group(2)}
            last = match.group(1)[-1]
            current['severity'] = 'I' if last == 'I' else ('W' if last == 'W' else 'E')
            messages.append(current)
        elif current is not None and line.strip():
            joiner = '' if current['text'].endswith(' ') else ' '
            current['text'] = current['text'] + joiner + line.strip()
        else:
            current = None
    for message in messages:
        message['text'] = re.sub(r'\s+$', '', message['text'])
    return messages


def message_ids(text):
    return [message['id'] for message in parse_messages(text)]


def errors_in(text):
    return [message for message in parse_messages(text) if message['severity'] == 'E']


def describe_failure(rc, out, err=''):
    """One line for an error message: the DB2 message(s) or the raw output."""
    errors = errors_in(out)
    if errors:
        detail = '; '.join('%s %s' % (m['id'], m['text']) for m in errors)
    else:
        detail = (out.strip() or err.strip() or '(no output)').replace('\n', ' | ')
    return 'rc=%s: %s' % (rc, detail)


def check_english(text, what):
    """Refuse localized output: the parsers match English (LANG=C) labels only."""
    for char in text:
        if ord(char) > 127:
            raise Db2LocaleError(
                'The output of %s is not in English (found the non-ASCII character %r). Its labels cannot be '
                'parsed safely; the collection runs db2/db2pd with LANG=C LC_ALL=C, so check the instance '
                "owner's profile (DB2 message catalog, DB2CODEPAGE/locale settings)." % (what, char))


# --------------------------------------------------------------------------------------------------- list db directory

DIRECTORY_KEYS = {
    'Database alias': 'alias',
    'Database name': 'name',
    'Local database directory': 'local_directory',
    'Database directory': 'database_directory',
    'Node name': 'node',
    'Database release level': 'release_level',
    'Comment': 'comment',
    'Directory entry type': 'entry_type',
    'Catalog database partition number': 'catalog_partition',
    'Alternate server hostname': 'alternate_hostname',
    'Alternate server port number': 'alternate_port',
    'Authentication': 'authentication',
    'Gateway node name': 'gateway_node',
    'Alternate server node name': 'alternate_node',
    'Alternate server gateway node name': 'alternate_gateway_node',
}
ENTRY_RE = re.compile(r'^Database (\d+) entry:\s*$')


def _snake(label):
    return re.sub(r'[^a-z0-9]+', '_', label.lower()).strip('_')


def parse_db_directory(text):
    """Entries of `db2 list db directory` (LANG=C) as a list of dicts keyed like DIRECTORY_KEYS' values.

    An empty directory (SQL1057W, or SQL1031N for `... on <path>`) gives []. Unknown labels are kept in
    snake_case. Raises Db2LocaleError for localized output, Db2Error for anything unrecognised.
    """
    check_english(text, 'db2 list db directory')
    ids = message_ids(text)
    if 'SQL1057W' in ids or 'SQL1031N' in ids:
        return []
    errors = errors_in(text)
    if errors:
        raise Db2Error('db2 list db directory failed: %s' % '; '.join('%s %s' % (m['id'], m['text']) for m in errors))
    entries = []
    current = None
    saw_header = False
    for line in text.splitlines():
        if 'Database Directory' in line and not line.startswith('Database '):
            saw_header = True
        if ENTRY_RE.match(line):
            current = {'entry_number': int(ENTRY_RE.match(line).group(1))}
            entries.append(current)
            continue
        if current is None or '=' not in line:
            continue
        label, value = line.split('=', 1)
        label = label.strip()
        current[DIRECTORY_KEYS.get(label, _snake(label))] = value.strip()
    if not saw_header:
        raise Db2Error('Unrecognised `db2 list db directory` output (no "System/Local Database Directory" '
                       'header; localized or not a CLP?): %r' % text[:300])
    for entry in entries:
        if 'alias' not in entry:
            raise Db2Error('A directory entry has no "Database alias" line (localized output?): %r' % entry)
    return entries


def find_entry(entries, alias):
    """The directory entry whose alias is `alias` (case-insensitive, as DB2 folds aliases), or None."""
    for entry in entries:
        if entry.get('alias', '').upper() == alias.upper():
            return entry
    return None


# --------------------------------------------------------------------------------------------------- get db cfg

CFG_KEYWORD_RE = re.compile(r'^\s*(.*?)\s*\(([A-Z][A-Z0-9_]*)\)\s*=\s?(.*)$')
CFG_LABELS = {
    'HADR database role': 'HADR_DB_ROLE',
    'Backup pending': 'BACKUP_PENDING',
    'Rollforward pending': 'ROLLFORWARD_PENDING',
    'Restore pending': 'RESTORE_PENDING',
    'Database is consistent': 'DATABASE_CONSISTENT',
}


def parse_db_cfg(text):
    """`db2 get db cfg for X` (LANG=C) as a dict: KEYWORD -> value for `label (KEYWORD) = value` lines, plus
    HADR_DB_ROLE, BACKUP_PENDING, ROLLFORWARD_PENDING, RESTORE_PENDING from their keyword-less lines.
    Values are stripped (empty values may carry a trailing blank)."""
    check_english(text, 'db2 get db cfg')
    errors = errors_in(text)
    if errors:
        raise Db2Error('db2 get db cfg failed: %s' % '; '.join('%s %s' % (m['id'], m['text']) for m in errors))
    cfg = {}
    for line in text.splitlines():
        match = CFG_KEYWORD_RE.match(line)
        if match:
            cfg[match.group(2)] = match.group(3).strip()
            continue
        if '=' in line:
            label, value = line.split('=', 1)
            key = CFG_LABELS.get(label.strip())
            if key:
                cfg[key] = value.strip()
    if 'HADR_DB_ROLE' not in cfg and 'HADR_LOCAL_HOST' not in cfg:
        raise Db2Error('Unrecognised `db2 get db cfg` output (no "HADR database role" line; localized?): %r'
                       % text[:300])
    return cfg


def archive_logging_on(cfg):
    """HADR needs archive logging: LOGARCHMETH1 (or 2) other than OFF."""
    return any(cfg.get(key, 'OFF').upper() not in ('OFF', '') for key in ('LOGARCHMETH1', 'LOGARCHMETH2'))


# --------------------------------------------------------------------------------------------------- db2pd -hadr

DB2PD_HEADER_RE = re.compile(r'^Database (?:Member|Partition) \d+ -- Database (\S+) -- ([A-Za-z ]+?) -- Up')
DB2PD_KV_RE = re.compile(r'^\s*([A-Z][A-Z0-9_]*)(?:\(([a-zA-Z]+)\))?\s*=\s?(.*)$')


def _camel_to_upper(value):
    return re.sub(r'(?<=[a-z])(?=[A-Z])', '_', value.strip()).upper()


def _int_or_none(value):
    match = re.match(r'^\s*(-?\d+)', value or '')
    return int(match.group(1)) if match else None


def parse_db2pd_hadr(text):
    """`db2pd -db X -hadr` in the 10.1+ key = value format or the 9.7 table format.

    Returns a dict: active (bool), format ('10.1', '9.7' or None), database, role, state, syncmode,
    connect_status, log_gap, timeout, peer_window (ints or None), fields (the raw key/values).
    For a database that is not active: {'active': False, ...} with role/state None.
    """
    check_english(text, 'db2pd -hadr')
    result = {'active': False, 'format': None, 'database': None, 'role': None, 'state': None, 'syncmode': None,
              'connect_status': None, 'log_gap': None, 'timeout': None, 'peer_window': None, 'fields': {}}
    if re.search(r'not activated on database (member|partition)', text) or 'requires -db <database>' in text:
        return result
    lines = text.splitlines()
    header = None
    for line in lines:
        header = DB2PD_HEADER_RE.match(line) or header
        if header:
            break
    has_hadr = 'HADR Information:' in text or re.search(r'^\s*HADR_ROLE\s*=', text, re.M)
    if header is None and not has_hadr:
        raise Db2Error('Unrecognised `db2pd -hadr` output (no "Database Member/Partition N -- Database X" '
                       'header and no HADR block; localized?): %r' % text[:300])
    result['active'] = True
    result['database'] = header.group(1) if header else None
    fields = {}
    for line in lines:
        match = DB2PD_KV_RE.match(line)
        if match and not line.startswith('Database '):
            key = match.group(1)
            if key in fields:  # several standbys: keep the first (principal) block
                continue
            fields[key] = match.group(3).strip()
    if 'HADR_ROLE' in fields:
        result.update({
            'format': '10.1', 'role': fields.get('HADR_ROLE'), 'state': fields.get('HADR_STATE'),
            'syncmode': fields.get('HADR_SYNCMODE'), 'connect_status': fields.get('HADR_CONNECT_STATUS'),
            'log_gap': _int_or_none(fields.get('HADR_LOG_GAP')), 'timeout': _int_or_none(fields.get('HADR_TIMEOUT')),
            'peer_window': _int_or_none(fields.get('PEER_WINDOW')),
            'primary_host': fields.get('PRIMARY_MEMBER_HOST'), 'standby_host': fields.get('STANDBY_MEMBER_HOST'),
        })
        result['fields'] = fields
        return result
    if 'HADR Information:' in text:
        return _parse_db2pd_97(lines, result)
    # An active database without HADR shows the header only.
    result.update({'format': None, 'role': 'STANDARD'})
    return result


def _block_values(lines, header_word):
    """The line after the header line that starts with `header_word` in the 9.7 table format."""
    for index, line in enumerate(lines):
        if line.split()[:1] == [header_word] and index + 1 < len(lines):
            return lines[index + 1]
    return None


def _parse_db2pd_97(lines, result):
    values = _block_values(lines, 'Role')
    if values is None or len(values.split()) < 4:
        raise Db2Error('9.7 db2pd output without a "Role State SyncMode ..." row: %r' % '\n'.join(lines)[:300])
    cols = values.split()
    fields = {'Role': cols[0], 'State': cols[1], 'SyncMode': cols[2], 'HeartBeatsMissed': cols[3]}
    if len(cols) > 4:
        fields['LogGapRunAvg'] = cols[4]
    connect = _block_values(lines, 'ConnectStatus')
    if connect and connect.split():
        fields['ConnectStatus'] = connect.split()[0]
        fields['Timeout'] = connect.split()[-1]
        fields['ConnectTime'] = ' '.join(connect.split()[1:-1])
    window = _block_values(lines, 'PeerWindowEnd')
    if window and window.split():
        fields['PeerWindow'] = window.split()[-1]
    local = _block_values(lines, 'LocalHost')
    if local and len(local.split()) >= 2:
        fields['LocalHost'], fields['LocalService'] = local.split()[:2]
    remote = _block_values(lines, 'RemoteHost')
    if remote and len(remote.split()) >= 2:
        fields['RemoteHost'], fields['RemoteService'] = remote.split()[:2]
        if len(remote.split()) >= 3:
            fields['RemoteInstance'] = remote.split()[2]
    role = _camel_to_upper(fields['Role'])
    result.update({
        'format': '9.7', 'role': role, 'state': _camel_to_upper(fields['State']),
        'syncmode': fields['SyncMode'].upper(),
        'connect_status': _camel_to_upper(fields['ConnectStatus']) if 'ConnectStatus' in fields else None,
        'log_gap': _int_or_none(fields.get('LogGapRunAvg')), 'timeout': _int_or_none(fields.get('Timeout')),
        'peer_window': _int_or_none(fields.get('PeerWindow')), 'fields': fields,
    })
    if 'LocalHost' in fields and 'RemoteHost' in fields:
        result['primary_host'] = fields['LocalHost'] if role == 'PRIMARY' else fields['RemoteHost']
        result['standby_host'] = fields['RemoteHost'] if role == 'PRIMARY' else fields['LocalHost']
    return result


def parse_backup_timestamp(text):
    """`Backup successful. The timestamp for this backup image is : 20181012140633` -> '20181012140633'."""
    match = re.search(r'timestamp for this backup image is\s*:\s*(\d{14})', text)
    return match.group(1) if match else None


# --------------------------------------------------------------------------------------------------- plans

def alternate_server_plan(entry, hostname, port, state):
    """What `update alternate server` must do for a directory entry.

    Returns (needed, clp_command_tail, before, after) where before/after are 'host:port' or ''.
    """
    before = ''
    if entry.get('alternate_hostname'):
        before = '%s:%s' % (entry.get('alternate_hostname'), entry.get('alternate_port', ''))
    if state == 'absent':
        return bool(before), 'using hostname NULL port NULL', before, ''
    after = '%s:%s' % (hostname, port)
    return before != after, 'using hostname %s port %s' % (hostname, port), before, after


def validate_alternate(hostname, port, state):
    """Input errors for db2_alternate_server (a list of strings)."""
    problems = []
    if state == 'present':
        if not hostname:
            problems.append('hostname is required with state=present')
        elif len(hostname) > 255 or not re.match(r'^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$', hostname):
            problems.append('hostname %r is not a host name or IP address (at most 255 characters)' % hostname)
        if port is None:
            problems.append('port is required with state=present')
        elif not 0 < int(port) < 65536:
            problems.append('port %r is not a TCP port number (PORT takes a number, not a service name)' % port)
    return problems


def normalize_cfg_value(key, value):
    """A wanted HADR cfg value as `get db cfg` prints it."""
    if value is None:
        return None
    value = str(value).strip()
    if key == 'HADR_SYNCMODE':
        return value.upper()
    if key in ('HADR_TIMEOUT', 'HADR_PEER_WINDOW', 'HADR_LOCAL_SVC', 'HADR_REMOTE_SVC') and value.isdigit():
        return str(int(value))
    return value


def cfg_changes(current, wanted):
    """{KEY: (current, wanted)} for every wanted (not None) value that differs from the current cfg.
    Host names compare case-insensitively (DNS names); everything else exactly."""
    changes = {}
    for key, value in sorted(wanted.items()):
        if value is None:
            continue
        want = normalize_cfg_value(key, value)
        have = current.get(key, '')
        if key in ('HADR_LOCAL_HOST', 'HADR_REMOTE_HOST'):
            same = have.lower() == want.lower()
        else:
            same = have == want
        if not same:
            changes[key] = (have, want)
    return changes


def update_cfg_command(database, changes):
    pairs = ' '.join('%s %s' % (key, value[1] if value[1] != '' else 'NULL') for key, value in sorted(changes.items()))
    return 'update db cfg for %s using %s' % (database, pairs)


# --------------------------------------------------------------------------------------------------- runner

class Db2Runner(object):
    """Runs `db2` and `db2pd` as the instance owner with LANG=C.

    As root it wraps the call in `su - <instance> -c` (a login shell, like the instance owner's own sessions);
    as any other user it runs the command directly. Either way the instance's db2profile is sourced first.
    """

    def __init__(self, module, instance, db2profile=None, su_path=None):
        self.module = module
        self.instance = instance
        try:
            self.home = pwd.getpwnam(instance).pw_dir
        except KeyError:
            raise Db2Error('The instance owner %r does not exist on this host (no passwd entry).' % instance)
        self.db2profile = db2profile or os.path.join(self.home, 'sqllib', 'db2profile')
        if not os.path.exists(self.db2profile):
            raise Db2Error('The DB2 profile %s does not exist: is %r a DB2 instance on this host?'
                           % (self.db2profile, instance))
        self.su_path = su_path or module.get_bin_path('su', required=False) or '/bin/su'

    def argv(self, script):
        full = '. %s >/dev/null 2>&1; %s%s' % (shell_quote(self.db2profile), C_LOCALE, script)
        if os.geteuid() == 0 and self.instance != 'root':
            return [self.su_path, '-', self.instance, '-c', full]
        return ['/bin/sh', '-c', full]

    def clp(self, command):
        """Run `db2 "<command>"`; returns (rc, stdout, stderr)."""
        return self.module.run_command(self.argv('db2 %s' % shell_quote(command)),
                                       environ_update={'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'})

    def db2pd(self, args):
        return self.module.run_command(self.argv('db2pd %s' % ' '.join(shell_quote(a) for a in args)),
                                       environ_update={'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'})

    # ---- reads

    def directory(self):
        rc, out, err = self.clp('list db directory')
        if rc not in (RC_OK, RC_WARNING) and 'SQL1057W' not in out:
            raise Db2Error('db2 list db directory failed (%s)' % describe_failure(rc, out, err))
        return parse_db_directory(out)

    def db_cfg(self, database):
        rc, out, err = self.clp('get db cfg for %s' % database)
        if rc not in (RC_OK, RC_WARNING):
            raise Db2Error('db2 get db cfg for %s failed (%s)' % (database, describe_failure(rc, out, err)))
        return parse_db_cfg(out)

    def hadr_status(self, database):
        rc, out, err = self.db2pd(['-db', database, '-hadr'])
        if rc != 0 and not out.strip():
            raise Db2Error('db2pd -db %s -hadr failed: rc=%s %s' % (database, rc, err.strip()))
        return parse_db2pd_hadr(out)

    # ---- writes

    def run_checked(self, command, accept_rc=(RC_OK, RC_WARNING)):
        """Run a CLP command that must succeed: rc in accept_rc and no error message. Returns stdout."""
        rc, out, err = self.clp(command)
        if rc not in accept_rc or errors_in(out):
            raise Db2Error('`db2 %s` failed (%s)' % (command, describe_failure(rc, out, err)))
        return out


# --------------------------------------------------------------------------------------------------- flows

def _require_entry(runner, database):
    entries = runner.directory()
    entry = find_entry(entries, database)
    if entry is None:
        known = ', '.join(sorted(e.get('alias', '?') for e in entries)) or 'none'
        raise Db2Error('Database alias %r is not in the system database directory of instance %r on this host '
                       '(aliases found: %s). Nothing was changed.' % (database, runner.instance, known))
    return entry


def ensure_alternate_server(runner, database, hostname, port, state, check_mode):
    """Make the alternate server of `database` hostname:port (state=present) or empty (absent)."""
    problems = validate_alternate(hostname, port, state)
    if problems:
        raise Db2Error('; '.join(problems))
    entry = _require_entry(runner, database)
    needed, tail, before, after = alternate_server_plan(entry, hostname, port, state)
    result = {'changed': needed, 'database': entry['alias'], 'entry_type': entry.get('entry_type'),
              'before': before, 'after': after, 'alternate_hostname': entry.get('alternate_hostname', ''),
              'alternate_port': entry.get('alternate_port', ''), 'messages': []}
    if not needed or check_mode:
        if check_mode and needed:
            result['alternate_hostname'] = hostname if state == 'present' else ''
            result['alternate_port'] = str(port) if state == 'present' else ''
        return result
    command = 'update alternate server for database %s %s' % (entry['alias'], tail)
    out = runner.run_checked(command)
    result['messages'] = ['%s %s' % (m['id'], m['text']) for m in parse_messages(out)]
    if 'SQL1889W' in message_ids(out):
        raise Db2Error('DB2 ignored the update (SQL1889W): %r is a client instance; run this on the server '
                       'instance that holds the database.' % runner.instance)
    # Re-read: rc 0/2 only says the command ran; the directory says whether it took effect.
    confirmed = find_entry(runner.directory(), database) or {}
    result['alternate_hostname'] = confirmed.get('alternate_hostname', '')
    result['alternate_port'] = confirmed.get('alternate_port', '')
    now = ''
    if result['alternate_hostname']:
        now = '%s:%s' % (result['alternate_hostname'], result['alternate_port'])
    if now != after:
        raise Db2Error('`db2 %s` reported success but `list db directory` shows %r instead of %r.'
                       % (command, now, after))
    return result


def hadr_info(runner, database):
    """Role, state, connect status and log gap: from db2pd when the database is active, else from db cfg."""
    entry = find_entry(runner.directory(), database)
    info = {'exists': entry is not None, 'database': database, 'active': False, 'role': None, 'state': None,
            'connect_status': None, 'log_gap': None, 'syncmode': None, 'peer_window': None, 'timeout': None,
            'source': None, 'cfg': {}, 'alternate_hostname': None, 'alternate_port': None, 'db2pd_format': None}
    if entry is None:
        return info
    info['database'] = entry['alias']
    info['alternate_hostname'] = entry.get('alternate_hostname', '')
    info['alternate_port'] = entry.get('alternate_port', '')
    cfg = runner.db_cfg(entry['alias'])
    info['cfg'] = dict((k, v) for k, v in cfg.items()
                       if k.startswith('HADR_') or k.startswith('LOGARCHMETH') or k.endswith('_PENDING'))
    status = runner.hadr_status(entry['alias'])
    if status['active'] and status['role']:
        info.update(dict((k, status[k]) for k in ('active', 'role', 'state', 'connect_status', 'log_gap',
                                                  'syncmode', 'peer_window', 'timeout')))
        info['source'] = 'db2pd'
        info['db2pd_format'] = status['format']
    else:
        info['role'] = cfg.get('HADR_DB_ROLE')
        info['syncmode'] = cfg.get('HADR_SYNCMODE')
        info['peer_window'] = _int_or_none(cfg.get('HADR_PEER_WINDOW'))
        info['timeout'] = _int_or_none(cfg.get('HADR_TIMEOUT'))
        info['source'] = 'db cfg'
    return info


def ensure_hadr(runner, params, check_mode):
    """Configure HADR on this node and start it in the wanted role (see the db2_hadr module documentation)."""
    database, role, state = params['database'], params['role'], params['state']
    entry = _require_entry(runner, database)
    alias = entry['alias']
    cfg = runner.db_cfg(alias)
    wanted = {
        'HADR_LOCAL_HOST': params.get('local_host'), 'HADR_LOCAL_SVC': params.get('local_svc'),
        'HADR_REMOTE_HOST': params.get('remote_host'), 'HADR_REMOTE_SVC': params.get('remote_svc'),
        'HADR_REMOTE_INST': params.get('remote_instance'), 'HADR_SYNCMODE': params.get('syncmode'),
        'HADR_PEER_WINDOW': params.get('peer_window'), 'HADR_TIMEOUT': params.get('timeout'),
        'LOGARCHMETH1': params.get('logarchmeth1'),
    }
    if wanted['HADR_SYNCMODE'] is not None and str(wanted['HADR_SYNCMODE']).upper() not in SYNCMODES:
        raise Db2Error('syncmode %r is not one of %s' % (wanted['HADR_SYNCMODE'], ', '.join(SYNCMODES)))
    result = {'changed': False, 'database': alias, 'commands': [], 'cfg_changes': {}, 'restart_required': False,
              'warnings': []}
    status = runner.hadr_status(alias)
    cfg_role = cfg.get('HADR_DB_ROLE', 'STANDARD')
    live_role = status['role'] if status['active'] else None

    def run(command):
        result['changed'] = True
        result['commands'].append('db2 %s' % command)
        if not check_mode:
            runner.run_checked(command)

    if state == 'stopped':
        if cfg_role != 'STANDARD':
            if live_role == 'STANDBY':
                run('deactivate db %s' % alias)
            run('stop hadr on db %s' % alias)
        return _finish(runner, alias, result, check_mode)

    changes = cfg_changes(cfg, wanted)
    result['cfg_changes'] = dict((k, {'before': v[0], 'after': v[1]}) for k, v in changes.items())
    if state == 'started':
        # Refuse before the first write: the role can only change by takeover.
        if role == 'standby' and (live_role == 'PRIMARY' or (live_role is None and cfg_role == 'PRIMARY'
                                                             and not params.get('reintegrate'))):
            raise Db2Error('%s is the HADR PRIMARY on this host (%s); it will not be made a standby here. Use a '
                           'takeover on the other node (playbooks/db2_takeover.yml), or reintegrate=true for an inactive former '
                           'primary after a forced takeover. '
                           'Nothing was changed.' % (alias, 'active' if live_role else 'inactive'))
        if role == 'primary' and cfg_role == 'STANDBY':
            raise Db2Error('%s is the HADR STANDBY on this host; a standby becomes primary only by TAKEOVER HADR '
                           '(playbooks/db2_takeover.yml). Nothing was changed.' % alias)
        merged = dict(cfg)
        merged.update(dict((k, v[1]) for k, v in changes.items()))
        if not archive_logging_on(merged):
            raise Db2Error('HADR needs archive logging but %s uses circular logging (LOGARCHMETH1=OFF). Set the '
                           'logarchmeth1 option (then take a backup: the change leaves BACKUP PENDING). Nothing '
                           'was changed.' % alias)
        if role == 'primary' and live_role != 'PRIMARY' and (cfg.get('BACKUP_PENDING') == 'YES' or (
                changes.get('LOGARCHMETH1') and cfg.get('LOGARCHMETH1', 'OFF') == 'OFF')):
            raise Db2Error('%s is (or will be, after switching to archive logging) in BACKUP PENDING state: take '
                           'a backup before starting HADR as primary. Nothing was changed.' % alias)
    if changes:
        run(update_cfg_command(alias, changes))
        if live_role in ('PRIMARY', 'STANDBY') and any(k.startswith('HADR_') for k in changes):
            result['restart_required'] = True
            result['warnings'].append('HADR settings of %s changed while HADR runs as %s; they take effect when '
                                      'HADR is restarted (deactivate/start hadr).' % (alias, live_role))
    if state == 'configured':
        return _finish(runner, alias, result, check_mode)

    if role == 'standby':
        if live_role != 'STANDBY':
            if status['active']:
                run('deactivate db %s' % alias)
            run('start hadr on db %s as standby' % alias)
    else:
        if live_role != 'PRIMARY':
            run('start hadr on db %s as primary%s' % (alias, ' by force' if params.get('force') else ''))
    return _finish(runner, alias, result, check_mode)


def _finish(runner, alias, result, check_mode):
    info = hadr_info(runner, alias)
    for key in ('role', 'state', 'connect_status', 'log_gap', 'active', 'source'):
        result[key] = info[key]
    result['hadr_cfg'] = info['cfg']
    return result
