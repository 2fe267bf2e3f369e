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
import time

from ansible.module_utils.basic import AnsibleModule

try:
    from shlex import quote as shell_quote
except ImportError:  # pragma: no cover - Python 2 fallback for the sanity run
    from pipes import quote as shell_quote

C_LOCALE = 'LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES; '

# CLP exit codes (IBM "Command line processor return codes").
RC_OK, RC_NO_ROWS, RC_WARNING, RC_ERROR, RC_SYSTEM = 0, 1, 2, 4, 8

MSG_START = re.compile(r'^((?:SQL|DB2|DBA|DBI|CLI|ADM)\d{4,5}[A-Z])(?:\s+|$)(.*)$')
SYNCMODES = ('SYNC', 'NEARSYNC', 'ASYNC', 'SUPERASYNC')
HADR_ROLES = ('PRIMARY', 'STANDBY', 'STANDARD')


class Db2Error(Exception):
    """A db2/db2pd call failed, or printed something the parsers refuse; the message says what and why."""


class Db2IncompleteOutput(Db2Error):
    """db2pd printed its header but no complete HADR block (transient output): re-read, never guess a role."""


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


def _first_non_ascii(text):
    for char in text:
        if ord(char) > 127:
            return char
    return None


def refuse_unrecognised(text, what, expected):
    """Raise for output that lacks the English labels a parser needs (`expected`, a description).

    Output is "localized" only when those labels are missing and the text holds non-ASCII characters; a comment or
    a path with an accented letter in otherwise English output is data, not a locale problem. Either way the error
    quotes the raw text."""
    char = _first_non_ascii(text)
    if char is not None:
        raise Db2LocaleError(
            'The output of %s is not in English: %s is missing and it holds the non-ASCII character %r. Its labels '
            'cannot be parsed safely; the collection runs db2/db2pd with LANG=C LC_ALL=C, so check the instance '
            "owner's profile (DB2 message catalog, DB2CODEPAGE/locale settings). Raw output: %r"
            % (what, expected, char, text[:400]))
    raise Db2Error('Unrecognised %s output (%s is missing): %r' % (what, expected, text[:400]))


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


EMPTY_DIRECTORY = {
    # message id -> the English text that must accompany it (a localized catalog prints the id with other words)
    'SQL1057W': 'The system database directory is empty.',
    'SQL1031N': 'The database directory cannot be found on the indicated file system.',
}
DIRECTORY_HEADER_RE = re.compile(r'^\s*(System|Local) Database Directory(?: on .*)?\s*$')


def parse_db_directory(text):
    """Entries of `db2 list db directory` (LANG=C) as a list of dicts keyed like DIRECTORY_KEYS' values.

    An empty directory (SQL1057W, or SQL1031N for `... on <path>`, with their English text) gives []. Unknown
    labels are kept in snake_case. Raises Db2LocaleError for localized output (the English header, entry or
    message text missing), Db2Error for anything else unrecognised.
    """
    messages = parse_messages(text)
    for message in messages:
        english = EMPTY_DIRECTORY.get(message['id'])
        if english is not None:
            if english not in message['text']:
                refuse_unrecognised(text, 'db2 list db directory', 'the English text of %s (%r)'
                                    % (message['id'], english))
            return []
    errors = [m for m in messages if m['severity'] == 'E']
    if errors:
        raise Db2Error('db2 list db directory failed: %s' % '; '.join('%s %s' % (m['id'], m['text']) for m in errors))
    entries = []
    current = None
    saw_header = False
    for line in text.splitlines():
        if DIRECTORY_HEADER_RE.match(line):
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
        refuse_unrecognised(text, 'db2 list db directory', 'the "System/Local Database Directory" header')
    for entry in entries:
        if 'alias' not in entry:
            refuse_unrecognised(text, 'db2 list db directory', 'the "Database alias" line of entry %s'
                                % entry['entry_number'])
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
    Values are stripped (empty values may carry a trailing blank).

    The `HADR database role` line is required and must hold PRIMARY, STANDBY or STANDARD: the role decides what
    may run, so output without it is refused (localized when it also holds non-ASCII text), never defaulted."""
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
    if 'HADR_DB_ROLE' not in cfg:
        refuse_unrecognised(text, 'db2 get db cfg', 'the "HADR database role" line')
    if cfg['HADR_DB_ROLE'] not in HADR_ROLES:
        raise Db2Error('`db2 get db cfg` shows the HADR database role %r, not one of %s: %r'
                       % (cfg['HADR_DB_ROLE'], ', '.join(HADR_ROLES), text[:400]))
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


DB2PD_NOT_ACTIVATED_RE = re.compile(r'^Database \S+ not activated on database (?:member|partition) \d+', re.M)
DB2PD_HADR_NOT_ACTIVE = 'HADR is not active.'


def parse_db2pd_hadr(text):
    """`db2pd -db X -hadr` in the 10.1+ key = value format or the 9.7 table format.

    Returns a dict: active (bool), format ('10.1', '9.7' or None), database, role, state, syncmode,
    connect_status, log_gap, timeout, peer_window (ints or None), fields (the raw key/values).
    Recognised, and nothing else:
      - "Database X not activated on database member/partition N ..." -> active False, role None;
      - the database header and "HADR is not active." -> active, role STANDARD;
      - an HADR block (10.1+ HADR_ROLE = ..., or 9.7 "HADR Information:") with a known role -> that role.
    The header alone, or with other lines (db2pd prints transient ones such as "Changing data structure forced
    command termination."), is Db2IncompleteOutput: never a role. The runner re-reads; the caller fails.
    """
    result = {'active': False, 'format': None, 'database': None, 'role': None, 'state': None, 'syncmode': None,
              'connect_status': None, 'log_gap': None, 'timeout': None, 'peer_window': None, 'fields': {}}
    if DB2PD_NOT_ACTIVATED_RE.search(text):
        return result
    lines = text.splitlines()
    header = None
    for line in lines:
        header = DB2PD_HEADER_RE.match(line)
        if header:
            break
    has_101 = re.search(r'^\s*HADR_ROLE\s*=', text, re.M) is not None
    has_97 = 'HADR Information:' in text
    not_active = any(line.strip() == DB2PD_HADR_NOT_ACTIVE for line in lines)
    if header is None and not (has_101 or has_97):
        refuse_unrecognised(text, 'db2pd -hadr', 'the "Database Member/Partition N -- Database X" header')
    if not_active and (has_101 or has_97):
        raise Db2Error('`db2pd -hadr` printed both "HADR is not active." and an HADR block: %r' % text[:400])
    result['active'] = True
    result['database'] = header.group(1) if header else None
    if not_active:
        result['role'] = 'STANDARD'
        return result
    if has_101:
        return _parse_db2pd_101(text, lines, result)
    if has_97:
        return _parse_db2pd_97(lines, result)
    raise Db2IncompleteOutput(
        '`db2pd -hadr` printed the database header but neither an HADR block nor "HADR is not active.": %r'
        % text[:400])


def _parse_db2pd_101(text, lines, result):
    fields = {}
    for line in lines:
        match = DB2PD_KV_RE.match(line)
        if match and not line.startswith('Database '):
            key = match.group(1)
            if key in fields:  # several standbys: keep the first (principal) block
                continue
            fields[key] = match.group(3).strip()
    role = fields.get('HADR_ROLE')
    if role not in HADR_ROLES:
        raise Db2Error('`db2pd -hadr` shows HADR_ROLE %r, not one of %s: %r'
                       % (role, ', '.join(HADR_ROLES), text[:400]))
    missing = [key for key in ('HADR_STATE', 'HADR_CONNECT_STATUS') if not fields.get(key)]
    if missing:
        raise Db2IncompleteOutput('`db2pd -hadr` HADR block without %s: %r' % (', '.join(missing), text[:400]))
    result.update({
        'format': '10.1', 'role': role, 'state': fields.get('HADR_STATE'),
        'syncmode': fields.get('HADR_SYNCMODE'), 'connect_status': fields.get('HADR_CONNECT_STATUS'),
        'log_gap': _int_or_none(fields.get('HADR_LOG_GAP')), 'timeout': _int_or_none(fields.get('HADR_TIMEOUT')),
        'peer_window': _int_or_none(fields.get('PEER_WINDOW')),
        'primary_host': fields.get('PRIMARY_MEMBER_HOST'), 'standby_host': fields.get('STANDBY_MEMBER_HOST'),
    })
    result['fields'] = fields
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
        raise Db2IncompleteOutput('9.7 db2pd output without a "Role State SyncMode ..." row: %r' % '\n'.join(lines)[:300])
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
    if role not in HADR_ROLES:
        raise Db2Error('9.7 db2pd output shows the role %r, not one of %s: %r'
                       % (fields['Role'], ', '.join(HADR_ROLES), '\n'.join(lines)[:400]))
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


# --------------------------------------------------------------------------------------------------- backup images

# UNIX image names: <alias>.<type>.<instance>.<partition>.<timestamp>.<sequence>, the partition part NODEnnnn.CATNnnnn
# on 9.7 and 10.1, DBPARTnnn from 10.5 (corpus file backup_image_names.txt); type 0 is a full database backup.
IMAGE_PARTITION = r'(?:NODE\d{4}\.CATN\d{4}|DBPART\d{3})'
TIMESTAMP_RE = re.compile(r'^\d{14}$')


def backup_image_re(alias, timestamp, instance=None):
    """The names of the full database image of `alias` taken at `timestamp` (of `instance`, or any instance)."""
    owner = re.escape(instance) if instance else r'[A-Za-z][A-Za-z0-9_]{0,7}'
    return re.compile(r'^%s\.0\.%s\.%s\.%s\.001$' % (re.escape(alias.upper()), owner, IMAGE_PARTITION,
                                                     re.escape(timestamp)))


def find_backup_image(names, alias, timestamp, instance=None):
    """The one file name in `names` that is the image of `alias` taken at `timestamp`; Db2Error for none or more
    (the error lists the names that look alike: same alias and timestamp, an unknown partition part)."""
    pattern = backup_image_re(alias, timestamp, instance)
    found = sorted(name for name in names if pattern.match(name))
    if len(found) == 1:
        return found[0]
    alike = sorted(name for name in names if name.upper().startswith(alias.upper() + '.') and timestamp in name)
    raise Db2Error('Expected one backup image of %s taken at %s (%s.0.%s.<NODEnnnn.CATNnnnn|DBPARTnnn>.%s.001), '
                   'found %s%s.' % (alias.upper(), timestamp, alias.upper(), instance or '<instance>', timestamp,
                                    len(found), (' (%s)' % ', '.join(found)) if found else
                                    (' (names alike: %s)' % ', '.join(alike) if alike else '')))


def _list_dir(path, option):
    try:
        return os.listdir(path)
    except OSError as exc:
        raise Db2Error('%s %s cannot be listed: %s' % (option, path, exc))


def validate_image_params(params, dir_option):
    """Input errors of db2_backup/db2_restore, each naming its option (checked before any db2 runs)."""
    problems = connection_problems(params)
    value = params.get(dir_option)
    if not value or not ABS_PATH_RE.match(str(value)):
        problems.append('%s %r is not an absolute path without blanks, quotes or shell characters' % (dir_option, value))
    value = params.get('timestamp')
    if value is not None and not TIMESTAMP_RE.match(str(value)):
        problems.append('timestamp %r is not a backup timestamp (14 digits, yyyymmddhhmmss)' % (value,))
    return problems


def backup_plan(alias, cfg, status, mode):
    """(offline, deactivate) for BACKUP DATABASE, or Db2Error why it must not run.

    mode auto: offline when DB2 refuses an online backup (BACKUP PENDING, or circular logging: SQL2413N), else
    online. An offline backup of an active database deactivates it first, and only a database that is neither
    configured nor running in an HADR role (HADR database role STANDARD, db2pd STANDARD or not active)."""
    pending = cfg.get('BACKUP_PENDING') == 'YES'
    offline = mode == 'offline' or (mode == 'auto' and (pending or not archive_logging_on(cfg)))
    if not offline and pending:
        raise Db2Error('%s is in BACKUP PENDING state: DB2 takes only an offline backup (SQL2413N); use '
                       'mode=offline or mode=auto. Nothing was changed.' % alias)
    live_role = status['role'] if status['active'] else None
    if status['active'] and live_role is None:
        raise Db2Error('db2pd shows %s active without a role. Nothing was changed.' % alias)
    if live_role == 'STANDBY' or cfg['HADR_DB_ROLE'] == 'STANDBY':
        raise Db2Error('%s is an HADR STANDBY on this host (configured role %s, live role %s); back up the primary. '
                       'Nothing was changed.' % (alias, cfg['HADR_DB_ROLE'], live_role or 'none: not active'))
    deactivate = offline and status['active']
    if deactivate and (live_role != 'STANDARD' or cfg['HADR_DB_ROLE'] != 'STANDARD'):
        raise Db2Error('An offline backup of %s needs it deactivated, but it is an HADR %s (configured role %s): an '
                       'HADR primary is never deactivated here. Take an online backup (mode=online; needs archive '
                       'logging and no BACKUP PENDING). Nothing was changed.'
                       % (alias, live_role, cfg['HADR_DB_ROLE']))
    return offline, deactivate


def backup_database(runner, params, check_mode):
    """BACKUP DATABASE <alias> [ONLINE] TO <target_dir> on this host; returns the timestamp BACKUP printed and the
    one image named by alias, instance and that timestamp (see the db2_backup module documentation)."""
    problems = validate_image_params(params, 'target_dir')
    if problems:
        raise Db2Error('Invalid db2_backup options (nothing was run): %s' % '; '.join(problems))
    target = params['target_dir']
    if not os.path.isdir(target):
        raise Db2Error('target_dir %s is not a directory on this host. Nothing was changed.' % target)
    entry = _require_entry(runner, params['database'])
    alias = entry['alias']
    cfg = runner.db_cfg(alias)
    status = runner.hadr_status(alias)
    offline, deactivate = backup_plan(alias, cfg, status, params.get('mode') or 'auto')
    commands = []
    if deactivate:
        require_local_entry(entry, 'deactivate db %s' % alias)
        commands.append('deactivate db %s' % alias)
    commands.append('backup db %s%s to %s' % (alias, '' if offline else ' online', target))
    result = {'changed': True, 'database': alias, 'commands': ['db2 %s' % c for c in commands],
              'offline': offline, 'deactivated': deactivate, 'timestamp': None, 'image': None, 'image_name': None}
    if check_mode:
        return result
    out = ''
    for command in commands:
        out = runner.run_checked(command)
    timestamp = parse_backup_timestamp(out)
    if timestamp is None:
        raise Db2Error('`db2 %s` did not print "Backup successful. The timestamp for this backup image is : '
                       '<14 digits>": %r' % (commands[-1], out[:400]))
    name = find_backup_image(_list_dir(target, 'target_dir'), alias, timestamp, runner.instance)
    result.update({'timestamp': timestamp, 'image_name': name, 'image': os.path.join(target, name)})
    return result


def restore_database(runner, params, check_mode):
    """RESTORE DATABASE <alias> FROM <source_dir> TAKEN AT <timestamp> REPLACE HISTORY FILE WITHOUT PROMPTING,
    deactivating the database first when it runs; the database is left in ROLLFORWARD PENDING (an HADR standby
    to be). Never over a database whose configured or live HADR role is PRIMARY."""
    problems = validate_image_params(params, 'source_dir')
    if not params.get('timestamp'):
        problems.append('timestamp is required')
    if problems:
        raise Db2Error('Invalid db2_restore options (nothing was run): %s' % '; '.join(problems))
    source, timestamp = params['source_dir'], str(params['timestamp'])
    alias = params['database'].upper()
    entry = find_entry(runner.directory(), params['database'])
    active = False
    if entry is not None:
        alias = entry['alias']
        cfg = runner.db_cfg(alias)
        status = runner.hadr_status(alias)
        live_role = status['role'] if status['active'] else None
        if status['active'] and live_role is None:
            raise Db2Error('db2pd shows %s active without a role. Nothing was changed.' % alias)
        why = demotion_refusal(alias, cfg['HADR_DB_ROLE'], live_role, False)
        if why:
            raise Db2Error(why.replace('deactivated or made a standby', 'deactivated or restored over'))
        active = status['active']
        if active:
            require_local_entry(entry, 'deactivate db %s' % alias)
        else:
            require_local_entry(entry, 'restore db %s' % alias)
    if not os.path.isdir(source):
        raise Db2Error('source_dir %s is not a directory on this host. Nothing was changed.' % source)
    # Before anything runs: RESTORE would fail after the deactivation (SQL2542N/SQL2522N) otherwise.
    name = find_backup_image(_list_dir(source, 'source_dir'), alias, timestamp)
    commands = (['deactivate db %s' % alias] if active else []) + [
        'restore db %s from %s taken at %s replace history file without prompting' % (alias, source, timestamp)]
    result = {'changed': True, 'database': alias, 'commands': ['db2 %s' % c for c in commands],
              'image': os.path.join(source, name), 'image_name': name, 'deactivated': active,
              'rollforward_pending': None}
    if check_mode:
        return result
    for command in commands:
        out = runner.run_checked(command)
    if 'DB20000I' not in message_ids(out):
        raise Db2Error('`db2 %s` did not report DB20000I: %r' % (commands[-1], out[:400]))
    result['rollforward_pending'] = runner.db_cfg(alias).get('ROLLFORWARD_PENDING')
    return result


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


# --------------------------------------------------------------------------------------------------- input syntax
# Every value below ends up in a CLP command line (`update db cfg for X using K V`, `start hadr on db X`): one
# that holds a blank or a quote would smuggle a second parameter in, so each is checked against the syntax DB2
# documents for that parameter before any db2 runs.

HOST_LABEL_RE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
IPV4_RE = re.compile(r'^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$')
SERVICE_NAME_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_.+-]{0,62}$')
# Instance names: at most 8 characters, letters, digits and underscore, not starting with a digit or underscore.
INSTANCE_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_]{0,7}$')
# Database aliases: at most 8 characters of a-z, A-Z, 0-9, @, #, $ and _, not starting with a digit or _.
ALIAS_RE = re.compile(r'^[A-Za-z@#$][A-Za-z0-9@#$_]{0,7}$')
ABS_PATH_RE = re.compile(r'^/[^\s"\'`;|&<>*?$\\]*$')
TSM_CLASS_RE = re.compile(r'^[A-Za-z0-9_.-]{1,30}$')


def is_host(value):
    """A host name (RFC 1123 labels) or an IPv4/IPv6 address, at most 255 characters."""
    if not value or len(value) > 255:
        return False
    if ':' in value:
        return re.match(r'^[0-9A-Fa-f:.]+$', value) is not None and value.count(':') >= 2
    if IPV4_RE.match(value):
        return True
    if re.match(r'^[\d.]+$', value):
        return False  # digits and dots only but not a valid IPv4 address
    return all(HOST_LABEL_RE.match(label) for label in value.rstrip('.').split('.'))


def is_service(value):
    """A TCP port number (1-65535) or a service name (as in /etc/services)."""
    value = str(value)
    if value.isdigit():
        return 0 < int(value) < 65536
    return SERVICE_NAME_RE.match(value) is not None


def logarchmeth_problem(value):
    """None when `value` is a LOGARCHMETH1 value DB2 documents, else why not.

    OFF | LOGRETAIN | USEREXIT | DISK:<absolute path> | TSM[:<management class>] | VENDOR:<absolute library path>
    (IBM KC "logarchmeth1 - Primary log archive method", 9.7-11.5)."""
    text = str(value)
    method, sep, rest = text.partition(':')
    method = method.upper()
    if not sep and method in ('OFF', 'LOGRETAIN', 'USEREXIT', 'TSM'):
        return None
    if sep and method == 'DISK':
        return None if ABS_PATH_RE.match(rest) else 'DISK: needs an absolute path without blanks, quotes or shell ' \
            'characters'
    if sep and method == 'TSM':
        return None if TSM_CLASS_RE.match(rest) else 'TSM: needs a management class name (letters, digits, _.-)'
    if sep and method == 'VENDOR':
        return None if ABS_PATH_RE.match(rest) else 'VENDOR: needs the absolute path of the vendor library'
    return 'not one of OFF, LOGRETAIN, USEREXIT, DISK:<path>, TSM[:<class>], VENDOR:<library>'


def connection_argument_spec():
    """The options every DB2 module takes (doc fragment sametime.deploy.db2)."""
    return dict(
        instance=dict(type='str', default='db2inst1'),
        database=dict(type='str', required=True),
        db2profile=dict(type='path'),
    )


def db2_module(options=None, **module_args):
    """The AnsibleModule of a DB2 module: the shared connection options, the module's own, check mode."""
    return AnsibleModule(argument_spec=dict(connection_argument_spec(), **(options or {})), supports_check_mode=True,
                         **module_args)


def run_db2(module, operation):
    """operation(runner) on the module's instance; a Db2Error fails the module with its text."""
    try:
        return operation(Db2Runner(module, module.params['instance'], module.params['db2profile']))
    except Db2Error as exc:
        module.fail_json(msg=str(exc))
    return None  # not reached: fail_json exits


def connection_problems(params):
    """Input errors of the connection options, each naming its option."""
    problems = []
    value = params.get('instance')
    if value is not None and not INSTANCE_RE.match(str(value)):
        problems.append('instance %r is not a DB2 instance name (1-8 letters, digits or _, starting with a letter)'
                        % (value,))
    value = params.get('database')
    if not value or not ALIAS_RE.match(str(value)):
        problems.append('database %r is not a DB2 database alias (1-8 characters: letters, digits, @, #, $, _; '
                        'not starting with a digit or _)' % (value,))
    return problems


def validate_hadr_params(params):
    """Input errors for db2_hadr, each naming its option (a list of strings). Checked before any db2 runs."""
    problems = []
    database = params.get('database')
    if not database or not ALIAS_RE.match(str(database)):
        problems.append('database %r is not a DB2 database alias (1-8 characters: letters, digits, @, #, $, _; '
                        'not starting with a digit or _)' % (database,))
    for option in ('local_host', 'remote_host'):
        value = params.get(option)
        if value is not None and not is_host(str(value)):
            problems.append('%s %r is not a host name or IP address' % (option, value))
    for option in ('local_svc', 'remote_svc'):
        value = params.get(option)
        if value is not None and not is_service(value):
            problems.append('%s %r is not a port number (1-65535) or a service name' % (option, value))
    value = params.get('remote_instance')
    if value is not None and not INSTANCE_RE.match(str(value)):
        problems.append('remote_instance %r is not a DB2 instance name (1-8 letters, digits or _, starting with a '
                        'letter)' % (value,))
    value = params.get('syncmode')
    if value is not None and str(value).upper() not in SYNCMODES:
        problems.append('syncmode %r is not one of %s' % (value, ', '.join(SYNCMODES)))
    for option, low in (('peer_window', 0), ('timeout', 1)):
        value = params.get(option)
        if value is not None and (not re.match(r'^\d+$', str(value)) or int(value) < low):
            problems.append('%s %r is not a whole number of seconds >= %d' % (option, value, low))
    value = params.get('logarchmeth1')
    if value is not None:
        why = logarchmeth_problem(value)
        if why:
            problems.append('logarchmeth1 %r: %s' % (value, why))
    return problems


def normalize_logarchmeth(value):
    """LOGARCHMETH1 as `get db cfg` prints it: the method upper-cased and a DISK path with one trailing slash
    (DB2 prints `DISK:/db2/arch/`, whether `DISK:/db2/arch` or `disk:/db2/arch/` was set)."""
    text = str(value).strip()
    method, sep, rest = text.partition(':')
    if not sep:
        return method.upper()
    if method.upper() == 'DISK':
        return 'DISK:' + rest.rstrip('/') + '/'
    return method.upper() + ':' + rest


def normalize_cfg_value(key, value):
    """A cfg value (wanted or as printed) in the form compared: what `get db cfg` prints for it."""
    if value is None:
        return None
    value = str(value).strip()
    if key == 'HADR_SYNCMODE':
        return value.upper()
    if key in ('HADR_TIMEOUT', 'HADR_PEER_WINDOW', 'HADR_LOCAL_SVC', 'HADR_REMOTE_SVC') and value.isdigit():
        return str(int(value))
    if key in ('LOGARCHMETH1', 'LOGARCHMETH2') and value:
        return normalize_logarchmeth(value)
    return value


def cfg_changes(current, wanted):
    """{KEY: (current, wanted)} for every wanted (not None) value that differs from the current cfg.
    Host names compare case-insensitively (DNS names), LOGARCHMETH normalised (normalize_logarchmeth),
    everything else exactly."""
    changes = {}
    for key, value in sorted(wanted.items()):
        if value is None:
            continue
        want = normalize_cfg_value(key, value)
        have = current.get(key, '')
        if key in ('HADR_LOCAL_HOST', 'HADR_REMOTE_HOST'):
            same = have.lower() == want.lower()
        else:
            same = normalize_cfg_value(key, have) == want
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

    reread_attempts = 3
    reread_delay = 2.0

    def hadr_status(self, database):
        """parse_db2pd_hadr of `db2pd -db X -hadr`; incomplete output is re-read (reread_attempts times,
        reread_delay seconds apart), then an error quoting the raw text of every read."""
        attempts = max(1, int(getattr(self, 'reread_attempts', 3)))
        reads = []
        for attempt in range(attempts):
            rc, out, err = self.db2pd(['-db', database, '-hadr'])
            if rc != 0 and not out.strip():
                raise Db2Error('db2pd -db %s -hadr failed: rc=%s %s' % (database, rc, err.strip()))
            try:
                return parse_db2pd_hadr(out)
            except Db2IncompleteOutput:
                reads.append(out)
                if attempt + 1 < attempts:
                    time.sleep(float(getattr(self, 'reread_delay', 2.0)))
        raise Db2Error('`db2pd -db %s -hadr` did not show the HADR role of %s in %d reads (only its header, or '
                       'transient lines). The role is not guessed and nothing was changed. Raw output: %s'
                       % (database, database, len(reads), ' || '.join(repr(r[:400]) for r in reads)))

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
            'source': None, 'cfg': {}, 'alternate_hostname': None, 'alternate_port': None, 'db2pd_format': None,
            'entry_type': None}
    if entry is None:
        return info
    info['database'] = entry['alias']
    info['entry_type'] = entry.get('entry_type')
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


def require_local_entry(entry, what):
    """HADR commands (START/STOP/TAKEOVER HADR, DEACTIVATE) go to the alias' database, and IBM's HADR guidance
    says they must not go through an alias that clients can be rerouted on: "HADR commands should run on a
    database alias that has no ACR" (IBM db2-hadr-wiki, clientReroute "HADR Admin Commands"). Client reroute only
    works over TCP/IP (IBM KC 9.7 c0011558 "Automatic client reroute ... only supported with TCP/IP"), and a
    local database's own entry (type Indirect) is attached locally, not over TCP/IP; so only an Indirect entry is
    used here, and the caller verifies on this host (db2pd, which never goes through the directory) that the
    command took effect here."""
    if entry.get('entry_type') != 'Indirect':
        raise Db2Error('%s: the directory entry of %s is of type %r, not Indirect (a database of this instance). '
                       'HADR commands through a cataloged (Remote/LDAP) alias can reach another server; run them on '
                       'the server that holds the database, with its local alias. Nothing was changed.'
                       % (what, entry.get('alias'), entry.get('entry_type')))


def demotion_refusal(alias, cfg_role, live_role, reintegrate):
    """Why a plan that deactivates the database or starts it as standby must not run, or None.

    A database whose configured or live role is PRIMARY is never demoted; the one exception is reintegrate=true
    for a database that is not running as primary (the old primary after a forced takeover)."""
    if live_role == 'PRIMARY':
        return ('%s runs as the HADR PRIMARY on this host; it will not be deactivated or made a standby here. Use '
                'a takeover on the other node (playbooks/db2_takeover.yml). Nothing was changed.' % alias)
    if cfg_role == 'PRIMARY' and not reintegrate:
        return ('%s is configured as the HADR PRIMARY on this host (HADR database role = PRIMARY, live role %s); '
                'it will not be deactivated or made a standby here. Use a takeover on the other node '
                '(playbooks/db2_takeover.yml), or reintegrate=true for the inactive former primary after a forced '
                'takeover. Nothing was changed.' % (alias, live_role or 'none: not active'))
    return None


def ensure_hadr(runner, params, check_mode):
    """Configure HADR on this node and start it in the wanted role (see the db2_hadr module documentation)."""
    problems = validate_hadr_params(params)
    if problems:
        raise Db2Error('Invalid db2_hadr options (nothing was run): %s' % '; '.join(problems))
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
    result = {'changed': False, 'database': alias, 'commands': [], 'cfg_changes': {}, 'restart_required': False,
              'warnings': []}
    status = runner.hadr_status(alias)
    cfg_role = cfg['HADR_DB_ROLE']
    live_role = status['role'] if status['active'] else None
    if status['active'] and live_role is None:  # parse_db2pd_hadr never does this; refuse rather than assume
        raise Db2Error('db2pd shows %s active without a role. Nothing was changed.' % alias)
    allow_demotion = bool(params.get('reintegrate'))

    def run(command):
        words = command.lower().split()
        if words[:1] == ['deactivate'] or (words[:2] == ['start', 'hadr'] and words[-2:] == ['as', 'standby']):
            why = demotion_refusal(alias, cfg_role, live_role, allow_demotion)
            if why:  # the plan checks below refuse first; this is the last line of defence
                raise Db2Error(why)
        if words[0] in ('deactivate', 'start', 'stop', 'takeover'):
            require_local_entry(entry, '`db2 %s`' % command)
        result['changed'] = True
        result['commands'].append('db2 %s' % command)
        if not check_mode:
            runner.run_checked(command)

    if state == 'stopped':
        if cfg_role != 'STANDARD':
            require_local_entry(entry, 'stop hadr')
            if live_role == 'STANDBY':
                run('deactivate db %s' % alias)
            run('stop hadr on db %s' % alias)
        return _finish(runner, alias, result, check_mode)

    changes = cfg_changes(cfg, wanted)
    result['cfg_changes'] = dict((k, {'before': v[0], 'after': v[1]}) for k, v in changes.items())
    if state == 'started':
        # Refuse before the first write: the role can only change by takeover.
        require_local_entry(entry, 'start hadr')
        if role == 'standby' and live_role != 'STANDBY':
            why = demotion_refusal(alias, cfg_role, live_role, allow_demotion)
            if why:
                raise Db2Error(why)
        if role == 'primary' and (cfg_role == 'STANDBY' or live_role == 'STANDBY'):
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

    started = False
    if role == 'standby':
        if live_role != 'STANDBY':
            if status['active']:
                run('deactivate db %s' % alias)
            run('start hadr on db %s as standby' % alias)
            started = True
    else:
        if live_role != 'PRIMARY':
            run('start hadr on db %s as primary%s' % (alias, ' by force' if params.get('force') else ''))
            started = True
    result = _finish(runner, alias, result, check_mode)
    if started and not check_mode and result.get('role') != role.upper():
        raise Db2Error('`db2 start hadr on db %s as %s` reported success, but db2pd on this host shows the role %r '
                       '(source: %s). The command may have reached another server; check both servers.'
                       % (alias, role, result.get('role'), result.get('source')))
    return result


def _finish(runner, alias, result, check_mode):
    info = hadr_info(runner, alias)
    for key in ('role', 'state', 'connect_status', 'log_gap', 'active', 'source'):
        result[key] = info[key]
    result['hadr_cfg'] = info['cfg']
    return result
