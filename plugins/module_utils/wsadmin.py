# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""WebSphere administration from a managed host (Python 3.6+, stdlib + ansible.module_utils).

* Builders of wsadmin scripts that keep to the Jython 2.1 subset (WAS 8.5.5 runs Jython 2.1, WAS 9 runs 2.7): no
  True/False, with, sorted, set, generator/conditional expressions, json, nested functions, lambda, `except X as e`;
  substring tests use str.find (2.1's `in` only takes one character). They also parse as Python 3, which is how the
  tests check them (tests/unit/plugins/module_utils/jython21.py).
* Scripts print `RESULT|kind|key=value|...` lines (percent-escaped) that `parse_results` reads.
* `run_wsadmin` serves the credentials (-p, com.ibm.SOAP.loginUserid/loginPassword) through a FIFO in a private
  directory, so they are never in a process listing nor in a file, and forces English output (-javaoption).
* `run_profile_tool` runs startServer.sh & co. of a profile; `parse_server_status` reads serverStatus.sh.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import tempfile
import threading

RESULT_PREFIX = 'RESULT|'
NONE_TOKEN = '%00'

# A Jython 2.1-safe prelude shared by every generated script.
PRELUDE = '''\
import sys


def _q(value):
    if value is None:
        return '%00'
    text = str(value)
    text = text.replace('%', '%25')
    text = text.replace('|', '%7C')
    text = text.replace('=', '%3D')
    text = text.replace('\\n', '%0A')
    text = text.replace('\\r', '%0D')
    return text


def _emit(kind, pairs):
    out = 'RESULT|' + kind
    for pair in pairs:
        out = out + '|' + _q(pair[0]) + '=' + _q(pair[1])
    print(out)


def _lines(text):
    result = []
    if text is None:
        return result
    for line in str(text).split('\\n'):
        line = line.strip()
        if line:
            result.append(line)
    return result


def _idlist(text):
    result = []
    if text is None:
        return result
    text = str(text).strip()
    if text[:1] == '[' and text[-1:] == ']':
        text = text[1:-1]
    current = ''
    quoted = 0
    depth = 0
    for ch in text:
        if ch == '"':
            quoted = 1 - quoted
        elif ch == '(':
            depth = depth + 1
            current = current + ch
        elif ch == ')':
            depth = depth - 1
            current = current + ch
        elif (ch == ' ' or ch == '\\n') and not quoted and depth == 0:
            if current:
                result.append(current)
            current = ''
        else:
            current = current + ch
    if current:
        result.append(current)
    return result


def _norm_list(value):
    if value is None:
        return None
    parts = []
    for part in str(value).split(','):
        part = part.strip()
        if part:
            parts.append(part)
    return ','.join(parts)
'''


# ---- names that become part of a WAS target, a containment path or a script -------------------------------------

# IBM, "Object names: What the name string cannot contain" (WAS ND 8.5.5,
# https://www.ibm.com/docs/en/was-nd/8.5.5?topic=files-object-names-what-name-string-cannot-contain):
# / \ * , : ; = + ? | < > & % ' " ]]> # $ ~ ( ), no leading period, no leading or trailing space.
WAS_NAME_FORBIDDEN = '/\\*,:;=+?|<>&%\'"#$~()'
# Module display names and virtual host names are matched, not created, so IBM's object-name table does not bind
# them; they still must not break the target string or wsadmin's list syntax, nor carry control characters.
DISPLAY_NAME_FORBIDDEN = '"[]{}'
# DB2 database names: 1-8 characters, letters, digits, @ # $, not starting with a digit (DB2 "Naming rules").
DB2_DATABASE_RE = re.compile(r'^[A-Za-z@#$][A-Za-z0-9@#$]{0,7}$')
TARGET_RE = re.compile(r'^WebSphere:cell=([^,]*),(node=([^,]*),server=([^,]*)|cluster=([^,]*))$')


def _control_chars(value):
    return [ch for ch in value if ord(ch) < 32 or ord(ch) == 127]


def was_name_error(option, value, kind='object'):
    """None when `value` is a name WAS allows for option `option`; otherwise an error naming the option.

    kind: 'object' (cell, node, server, application, cluster: IBM's object-name rules, and no leading '-' because
    the profile tools take a server name as a command-line argument), 'display' (module display names).
    """
    if value is None:
        return None
    text = '%s' % (value,)
    if text == '':
        return '%s must not be empty' % option
    if _control_chars(text):
        return '%s %r contains control characters, which WAS does not allow in a name' % (option, text)
    if text != text.strip():
        return '%s %r has leading or trailing spaces, which WAS does not allow in a name' % (option, text)
    forbidden = WAS_NAME_FORBIDDEN if kind == 'object' else DISPLAY_NAME_FORBIDDEN
    bad = sorted(set([ch for ch in text if ch in forbidden]))
    if kind == 'object' and text.find(']]>') >= 0:
        bad.append(']]>')
    if bad:
        return ('%s %r contains %s, which WAS does not allow in this name (it would change the target or the '
                'script)' % (option, text, ' '.join(bad)))
    if kind == 'object' and text[0] in '.-':
        return '%s %r must not begin with %r' % (option, text, text[0])
    return None


def target_error(option, target):
    """None when `target` is WebSphere:cell=C,node=N,server=S or WebSphere:cell=C,cluster=X with valid names."""
    match = TARGET_RE.match(target or '')
    if not match:
        return ('%s %r is not of the form WebSphere:cell=CELL,node=NODE,server=SERVER or '
                'WebSphere:cell=CELL,cluster=CLUSTER' % (option, target))
    parts = [('cell', match.group(1))]
    if match.group(5) is not None:
        parts.append(('cluster', match.group(5)))
    else:
        parts += [('node', match.group(3)), ('server', match.group(4))]
    for what, value in parts:
        error = was_name_error('%s (%s of %r)' % (option, what, target), value)
        if error:
            return error
    return None


def name_errors(checks):
    """checks: list of (option, value, kind) with kind object|display|db2|target|host; returns the errors."""
    errors = []
    for option, value, kind in checks:
        if value is None:
            continue
        if kind == 'target':
            error = target_error(option, value)
        elif kind == 'db2':
            error = None if DB2_DATABASE_RE.match(value) else (
                '%s %r is not a DB2 database name (1-8 letters, digits, @ # $)' % (option, value))
        elif kind == 'host':
            error = None if HOST_RE.match(value) else '%s %r is not a host name or address' % (option, value)
        else:
            error = was_name_error(option, value, kind)
        if error:
            errors.append(error)
    return errors


HOST_RE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$')


def py_literal(value):
    """A Jython 2.1 literal for str/int/bool/None/list/tuple (bool becomes 1/0; non-ASCII uses u'\\uXXXX')."""
    if value is None:
        return 'None'
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return '[%s]' % ', '.join([py_literal(v) for v in value])
    text = '%s' % (value,)
    out = []
    wide = False
    for ch in text:
        code = ord(ch)
        if ch == '\\':
            out.append('\\\\')
        elif ch == "'":
            out.append("\\'")
        elif 32 <= code < 127:
            out.append(ch)
        elif code < 256 and code in (9, 10, 13):
            out.append({9: '\\t', 10: '\\n', 13: '\\r'}[code])
        elif code < 0x10000:
            wide = wide or code > 127
            out.append('\\x%02x' % code if code < 128 else '\\u%04x' % code)
        else:
            raise ValueError('character U+%X cannot be written for Jython 2.1' % code)
    return "%s'%s'" % ('u' if wide else '', ''.join(out))


def java_regex_literal(text):
    """Escape a literal for a Java regex (and Python's re): wsadmin matches module name/URI as regexes."""
    return re.sub(r'([\\.^$|?*+()\[\]{}])', r'\\\1', text)


def script(body, **params):
    """PRELUDE + assignments of params (as _NAME = literal) + body."""
    lines = [PRELUDE, '']
    for key in sorted(params):
        lines.append('_%s = %s' % (key.upper(), py_literal(params[key])))
    lines.append('')
    lines.append(body)
    return '\n'.join(lines) + '\n'


def _unquote(text):
    if text == NONE_TOKEN:
        return None
    return (text.replace('%7C', '|').replace('%3D', '=').replace('%0A', '\n').replace('%0D', '\r')
            .replace('%25', '%'))


def parse_results(stdout):
    """RESULT lines -> list of dicts, each with 'kind' plus its fields."""
    results = []
    for line in (stdout or '').splitlines():
        line = line.strip()
        if not line.startswith(RESULT_PREFIX):
            continue
        parts = line.split('|')
        record = {'kind': _unquote(parts[1]) if len(parts) > 1 else ''}
        for part in parts[2:]:
            key, sep, value = part.partition('=')
            if sep:
                record[_unquote(key)] = _unquote(value)
        results.append(record)
    return results


def classify_failure(rc, stdout, stderr, host=None, port=None):
    """A clear message for a failed wsadmin run, or None when it did not fail."""
    text = '%s\n%s' % (stdout or '', stderr or '')
    if 'WASX7246E' in text:
        return ('WebSphere rejected the administrative credentials (WASX7246E: authentication failure at %s:%s). '
                'Check the user name and password; nothing was changed.' % (host, port))
    if 'WASX7023E' in text or 'ADMC0016E' in text:
        return ('wsadmin could not connect to the deployment manager at %s:%s (WASX7023E). Is the deployment '
                'manager running and the SOAP port right?' % (host, port))
    match = re.search(r'WASX7017E:.*', text)
    if match:
        return 'The wsadmin script failed: %s' % match.group(0).strip()
    if rc != 0:
        return 'wsadmin exited with %s: %s' % (rc, (stderr or stdout or '').strip()[-2000:])
    match = re.search(r'(WASX\d{4}E|ADM[A-Z]\d{4}E):.*', text)
    if match:
        return 'wsadmin exited with 0 but reported an error: %s' % match.group(0).strip()
    return None


def escape_property(text):
    """Escape a value for a Java .properties file."""
    out = []
    for i, ch in enumerate(text):
        if ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch in '=:#!' or (ch == ' ' and i == 0):
            out.append('\\' + ch)
        else:
            out.append(ch)
    return ''.join(out)


def credentials_properties(username, password):
    return ('# written by sametime.deploy for one wsadmin run, removed afterwards\n'
            'com.ibm.SOAP.loginUserid=%s\ncom.ibm.SOAP.loginPassword=%s\n'
            % (escape_property(username or ''), escape_property(password or '')))


class CredentialFifo(object):
    """The credentials properties served through a named pipe (FIFO) in a private 0700 directory.

    A FIFO has no data on disk: what is written lives in the kernel's pipe buffer until the reader takes it, and
    vanishes with the processes. So a SIGKILL of the module (or of wsadmin), or the controller dropping the
    connection, at any instant leaves at most an empty FIFO node, never the password. POSIX mkfifo/open semantics,
    the same on Linux and AIX; Java's FileInputStream reads a FIFO like a file. A writer thread serves the content to
    every reader that opens the FIFO (so a tool that reads the file twice gets it twice) until close().
    """

    def __init__(self, directory, content):
        self.path = os.path.join(directory, 'credentials.properties')
        self._data = content.encode('utf-8')
        self._closing = False
        os.mkfifo(self.path, 0o600)
        self._thread = threading.Thread(target=self._serve)
        self._thread.daemon = True
        self._thread.start()

    def _serve(self):
        while not self._closing:
            try:
                fd = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens the FIFO
            except OSError:
                return
            try:
                if not self._closing:
                    view = memoryview(self._data)
                    while view:
                        view = view[os.write(fd, view):]
            except OSError:  # the reader went away (EPIPE): serve the next one
                pass
            finally:
                os.close(fd)

    def close(self):
        """Stop serving: a non-blocking reader releases the writer's open(); then remove the FIFO."""
        self._closing = True
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            fd = None
        self._thread.join(10)
        if fd is not None:
            os.close(fd)
        try:
            os.unlink(self.path)
        except OSError:
            pass


def wsadmin_command(wsadmin, host, port, script_path, props_path=None, extra_args=None):
    """The wsadmin argv: English labels and messages (-Duser.language=en -Duser.region=US), SOAP to host:port."""
    cmd = [wsadmin, '-lang', 'jython', '-conntype', 'SOAP', '-host', str(host), '-port', str(port),
           '-javaoption', ENGLISH_JAVA_OPTIONS]
    if props_path:
        cmd += ['-p', props_path]
    return cmd + list(extra_args or []) + ['-f', script_path]


ENGLISH_JAVA_OPTIONS = '-Duser.language=en -Duser.region=US'
# The JVM of a profile tool takes its default locale from the environment (LC_ALL before LANG) on Linux and AIX.
ENGLISH_ENVIRONMENT = {'LC_ALL': 'C', 'LANG': 'C', 'LC_MESSAGES': 'C'}


def run_wsadmin(module, wsadmin, source, host, port, username=None, password=None, extra_args=None):
    """Run `source` with wsadmin; returns dict(rc, stdout, stderr, results, failure).

    The credentials reach wsadmin through `-p <FIFO>` (see CredentialFifo): never in argv, never in a file.
    """
    if not os.path.exists(wsadmin):
        module.fail_json(msg='wsadmin not found at %s (check profile_root or wsadmin_path)' % wsadmin)
    workdir = tempfile.mkdtemp(prefix='sametime-wsadmin-')
    fifo = None
    try:
        script_path = os.path.join(workdir, 'script.py')
        with open(script_path, 'w') as handle:
            handle.write(source)
        if username is not None:
            fifo = CredentialFifo(workdir, credentials_properties(username, password))
        cmd = wsadmin_command(wsadmin, host, port, script_path, fifo.path if fifo else None, extra_args)
        rc, out, err = module.run_command(cmd, environ_update=ENGLISH_ENVIRONMENT)
    finally:
        if fifo is not None:
            fifo.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return {'rc': rc, 'stdout': out, 'stderr': err, 'results': parse_results(out), 'cmd': cmd,
            'failure': classify_failure(rc, out, err, host, port)}


def run_profile_tool(module, profile_root, tool, args=None, username=None, password=None):
    """Run <profile_root>/bin/<tool>.sh with args (+ -username/-password when given); returns (rc, out, err).

    The tools take credentials only as -username/-password (visible in the process list while they run) or from the
    profile's properties/soap.client.props (com.ibm.SOAP.loginUserid/loginPassword) when none are given; callers pass
    username=None for the latter. The tool's JVM gets an English locale from the environment (LC_ALL=C).
    """
    path = os.path.join(profile_root, 'bin', '%s.sh' % tool)
    if not os.path.exists(path):
        module.fail_json(msg='%s not found (is profile_root %s a WebSphere profile?)' % (path, profile_root))
    cmd = [path] + list(args or [])
    if username:
        cmd += ['-username', username, '-password', password or '']
    return module.run_command(cmd, environ_update=ENGLISH_ENVIRONMENT)


# What each profile tool prints when it did its job, by message id (ids are the same in every language):
# ADMU3000I "Server {0} open for e-business; process id is {1}", ADMU4000I "Server {0} stop completed.",
# ADMU0402I "The configuration for node {0} has been synchronized with Deployment Manager {1}: {2}",
# ADMU0508I "The {0} "{1}" is {2}", ADMU0509I "The {0} "{1}" cannot be reached. It appears to be stopped."
# (IBM WAS 8.5.5 messages, ADMU; samples with their sources in tests/corpus/was/).
TOOL_SUCCESS_IDS = {
    'startServer': ('ADMU3000I',), 'startNode': ('ADMU3000I',),
    'stopServer': ('ADMU4000I', 'ADMU0509I'), 'stopNode': ('ADMU4000I', 'ADMU0509I'),
    'syncNode': ('ADMU0402I',), 'serverStatus': ('ADMU0508I', 'ADMU0509I'),
}
_ERROR_ID_RE = re.compile(r'\b(ADM[A-Z]\d{4}E|WASX\d{4}E)\b')


def tool_output_failure(tool, rc, out, err):
    """None when the tool succeeded by its documented message id; otherwise the reason, quoting the raw text."""
    text = '%s\n%s' % (out or '', err or '')
    quoted = text.strip()[-1500:]
    if rc != 0:
        hint = ''
        if 'ADMN0022E' in text or 'ADMC0053E' in text:
            hint = ' WebSphere rejected the credentials.'
        return '%s.sh failed (rc %s).%s %s' % (tool, rc, hint, quoted)
    error = _ERROR_ID_RE.search(text)
    if error:
        return '%s.sh exited with 0 but reported %s: %s' % (tool, error.group(1), quoted)
    wanted = TOOL_SUCCESS_IDS.get(tool, ())
    if wanted and not [i for i in wanted if re.search(r'\b%s:' % i, text)]:
        return ('%s.sh exited with 0 without the message that reports success (%s); output not recognised: %s'
                % (tool, ' or '.join(wanted), quoted))
    return None


def tool_or_fail(module, profile_root, tool, args=None, username=None, password=None):
    rc, out, err = run_profile_tool(module, profile_root, tool, args, username, password)
    failure = tool_output_failure(tool, rc, out, err)
    if failure:
        module.fail_json(msg=failure, rc=rc, stdout=out, stderr=err)
    return out


def parse_server_status(stdout, server):
    """'STARTED' or 'STOPPED' from serverStatus.sh output, read by message id; None when not recognised.

    ADMU0509I naming the server (in double quotes) means stopped; ADMU0508I naming it means the state in the
    message's last word, and only STARTED is accepted (a STARTING/STOPPING server, or a text where the state cannot
    be found, is not a state this layer acts on). The ids and the state constant are not translated, so a tool JVM in
    another language still reads right.
    """
    found = None
    for line in (stdout or '').splitlines():
        line = line.strip()
        if ('"%s"' % server) not in line:
            continue
        if line.startswith('ADMU0509I:'):
            state = 'STOPPED'
        elif line.startswith('ADMU0508I:'):
            words = re.findall(r'[A-Z]{4,}', line.split('"%s"' % server, 1)[1])
            state = 'STARTED' if words == ['STARTED'] else None
            if state is None:
                return None
        else:
            continue
        if found is not None and found != state:
            return None
        found = state
    return found


def server_state(module, profile_root, server, username=None, password=None, stopped_rcs=(0,)):
    """STARTED or STOPPED as serverStatus.sh reports it; fails quoting the output when it cannot be read.

    IBM documents no exit code for serverStatus.sh; STARTED needs exit 0, STOPPED (ADMU0509I) is accepted with any
    exit code in stopped_rcs (the modules' status_stopped_rcs option, default [0]).
    """
    rc, out, err = run_profile_tool(module, profile_root, 'serverStatus', [server], username, password)
    state = parse_server_status(out, server)
    if not (state == 'STOPPED' and rc in stopped_rcs):
        failure = tool_output_failure('serverStatus', rc, out, err)
        if failure:
            module.fail_json(msg=failure, rc=rc, stdout=out, stderr=err)
    if state is None:
        module.fail_json(msg='cannot read the state of %s from serverStatus.sh (expected ADMU0508I ... STARTED or '
                             'ADMU0509I for "%s"): %s' % (server, server, out.strip()[-1500:]))
    return state


# ---- script bodies ------------------------------------------------------------------------------------------------

DATASOURCE_REROUTE = '''\
# First pass: select and check every data source; nothing changes when one of them cannot be changed safely.
plan = []
problems = 0
for ds in _lines(AdminConfig.list('DataSource')):
    name = AdminConfig.showAttribute(ds, 'name')
    ps = AdminConfig.showAttribute(ds, 'propertySet')
    props = {}
    twice = []
    if ps:
        for pid in _idlist(AdminConfig.showAttribute(ps, 'resourceProperties')):
            pname = AdminConfig.showAttribute(pid, 'name')
            if pname in props.keys() and pname not in twice:
                twice.append(pname)
            props[pname] = pid
    db = ''
    if 'databaseName' in props.keys():
        db = AdminConfig.showAttribute(props['databaseName'], 'value')
    if db is None:
        db = ''
    if str(db).upper() not in _DATABASES:
        _emit('skipped', [['id', ds], ['name', name], ['database', db]])
        continue
    if not ps:
        _emit('error', [['id', ds], ['name', name], ['message', 'data source has no property set']])
        problems = problems + 1
        continue
    clash = []
    for want in _PROPERTIES:
        if want[0] in twice:
            clash.append(want[0])
    if clash:
        _emit('error', [['id', ds], ['name', name], ['message', 'data source has more than one custom property named '
                                                                + ','.join(clash) + '; fix it by hand first']])
        problems = problems + 1
        continue
    plan.append([ds, name, db, ps, props])
if problems:
    sys.exit(0)
changed = 0
for entry in plan:
    ds = entry[0]
    name = entry[1]
    ps = entry[3]
    props = entry[4]
    _emit('selected', [['id', ds], ['name', name], ['database', entry[2]]])
    for want in _PROPERTIES:
        before = None
        if want[0] in props.keys():
            before = AdminConfig.showAttribute(props[want[0]], 'value')
        if want[3] == 'list':
            same = _norm_list(before) == _norm_list(want[2])
        else:
            same = before is not None and str(before) == want[2]
        if same:
            continue
        if _APPLY:
            if want[0] in props.keys():
                # The DB2 templates may already hold the property: change its value, keep it (and its type).
                AdminConfig.modify(props[want[0]], [['value', want[2]]])
            else:
                AdminConfig.create('J2EEResourceProperty', ps, [['name', want[0]], ['type', want[1]],
                                                                ['value', want[2]]])
        changed = changed + 1
        _emit('changed', [['id', ds], ['name', name], ['property', want[0]], ['before', before],
                          ['after', want[2]]])
if changed and _APPLY:
    AdminConfig.save()
    _emit('saved', [['changes', changed]])
'''

MODULE_MAPPING = '''\
def _re(text):
    out = ''
    for ch in text:
        if ch in _REGEX_SPECIAL:
            out = out + '\\\\'
        out = out + ch
    return out


def _unreadable(app, option, text):
    _emit('unreadable', [['application', app], ['option', option], ['text', text]])
    sys.exit(0)


def _records(app, option, labels, need_one):
    # Fail closed: once the first label line is seen, every line must carry one of the English labels (wsadmin runs
    # with -Duser.language=en), and every record must have all of them; otherwise report the raw text.
    text = AdminApp.view(app, [option])
    records = []
    current = None
    started = 0
    for line in _lines(text):
        label = None
        for candidate in labels:
            if line[:len(candidate)] == candidate:
                label = candidate
        if label is None:
            if started:
                _unreadable(app, option, text)
            continue
        started = 1
        if label == labels[0]:
            current = {}
            records.append(current)
        elif current is None or label in current.keys():
            _unreadable(app, option, text)
        current[label] = line[len(label):].strip()
    if need_one and not records:
        _unreadable(app, option, text)
    for rec in records:
        if len(rec.keys()) != len(labels):
            _unreadable(app, option, text)
    return records


def _modules(app):
    found = []
    for rec in _records(app, '-MapModulesToServers', ['Module:', 'URI:', 'Server:'], 1):
        targets = []
        for target in rec['Server:'].split('+'):
            if target:
                targets.append(target)
        found.append([rec['Module:'], rec['URI:'], targets, None])
    return found


def _vhost(app, mod):
    for rec in _records(app, '-MapWebModToVH', ['Web module:', 'URI:', 'Virtual host:'], 0):
        if rec['Web module:'] == mod[0] and rec['URI:'] == mod[1]:
            return rec['Virtual host:']
    return None


def _same_targets(a, b):
    if len(a) != len(b):
        return 0
    for x in a:
        if x not in b:
            return 0
    return 1


cell = _CELL
if not cell:
    cell = AdminControl.getCell()
target = 'WebSphere:cell=%s,node=%s,server=%s' % (cell, _NODE, _SERVER)
wanted = [target] + _EXTRA_TARGETS
apps = _lines(AdminApp.list())
if _APPLICATION:
    if _APPLICATION not in apps:
        _emit('application_absent', [['application', _APPLICATION]])
        sys.exit(0)
    candidates = [_APPLICATION]
else:
    candidates = []
    for app in apps:
        for mod in _modules(app):
            if target in mod[2] and app not in candidates:
                candidates.append(app)
if not candidates:
    _emit('no_application', [['target', target]])
    sys.exit(0)
hits = []
for app in candidates:
    for mod in _modules(app):
        if mod[0] == _MODULE:
            hits.append([app, mod])
if not hits:
    _emit('module_absent', [['module', _MODULE], ['applications', ','.join(candidates)], ['target', target]])
    sys.exit(0)
if len(hits) > 1:
    names = []
    for hit in hits:
        names.append(hit[0])
    _emit('ambiguous', [['module', _MODULE], ['applications', ','.join(names)]])
    sys.exit(0)
app = hits[0][0]
mod = hits[0][1]
if _VIRTUAL_HOST:
    mod[3] = _vhost(app, mod)
    if mod[3] is None:
        _emit('error', [['name', _MODULE], ['message', 'AdminApp.view -MapWebModToVH of %s does not list the module '
                                                       '(not a web module?)' % app]])
        sys.exit(0)
changes = 0
if not _same_targets(mod[2], wanted):
    if _APPLY:
        AdminApp.edit(app, ['-MapModulesToServers', [[_MODULE_RE, _re(mod[1]), '+'.join(wanted)]]])
    changes = changes + 1
if _VIRTUAL_HOST and mod[3] != _VIRTUAL_HOST:
    if _APPLY:
        AdminApp.edit(app, ['-MapWebModToVH', [[_MODULE_RE, _re(mod[1]), _VIRTUAL_HOST]]])
    changes = changes + 1
if changes and _APPLY:
    # Read the edit back before saving: the row must have hit exactly this module and left exactly `wanted`.
    after = None
    for other in _modules(app):
        if other[0] == mod[0] and other[1] == mod[1]:
            after = other
    problem = ''
    if after is None:
        problem = 'the module is no longer listed after AdminApp.edit'
    elif not _same_targets(after[2], wanted):
        problem = 'AdminApp.edit left the targets %s instead of %s' % ('+'.join(after[2]), '+'.join(wanted))
    elif _VIRTUAL_HOST and _vhost(app, after) != _VIRTUAL_HOST:
        problem = 'AdminApp.edit left the virtual host %s instead of %s' % (_vhost(app, after), _VIRTUAL_HOST)
    if problem:
        AdminConfig.reset()
        _emit('error', [['name', _MODULE], ['message', problem + '; nothing was saved']])
        sys.exit(0)
_emit('module', [['application', app], ['module', mod[0]], ['uri', mod[1]], ['targets_before', '+'.join(mod[2])],
                 ['targets_after', '+'.join(wanted)], ['vhost_before', mod[3]], ['vhost_after', _VIRTUAL_HOST],
                 ['changes', changes]])
if changes and _APPLY:
    AdminConfig.save()
    _emit('saved', [['changes', changes]])
'''

NODE_SYNC = '''\
if _NODE:
    bean = AdminControl.completeObjectName('type=NodeSync,process=nodeagent,node=%s,*' % _NODE)
    if not bean:
        _emit('node_inactive', [['node', _NODE]])
    else:
        _emit('synced', [['node', _NODE], ['result', AdminControl.invoke(bean, 'sync')]])
else:
    AdminNodeManagement.syncActiveNodes()
    _emit('synced', [['node', '*'], ['result', 'true']])
'''


def _refuse_bad_names(checks):
    """The builders' own guard: a name that would change a target or a script never reaches wsadmin."""
    errors = name_errors(checks)
    if errors:
        raise ValueError('; '.join(errors))


def datasource_reroute_script(databases, properties, apply_changes):
    """properties: list of (name, java type, value, 'list'|'plain')."""
    _refuse_bad_names([('database_names', d, 'db2') for d in databases])
    return script(DATASOURCE_REROUTE, databases=[d.upper() for d in databases],
                  properties=[list(p) for p in properties], apply=apply_changes)


def module_mapping_script(module_name, node, server, application=None, cell=None, virtual_host='default_host',
                          extra_targets=None, apply_changes=True):
    _refuse_bad_names([('node', node, 'object'), ('server', server, 'object'), ('cell', cell or None, 'object'),
                       ('application', application or None, 'object'), ('module', module_name, 'display'),
                       ('virtual_host', virtual_host or None, 'object')]
                      + [('extra_targets', t, 'target') for t in (extra_targets or [])])
    # The module URI is only known inside the script, which escapes it with _re (same rules as java_regex_literal).
    return script(MODULE_MAPPING, module=module_name, module_re=java_regex_literal(module_name), node=node,
                  server=server, application=application or '', cell=cell or '',
                  virtual_host=virtual_host or '', extra_targets=list(extra_targets or []), apply=apply_changes,
                  regex_special=list('\\.^$|?*+()[]{}'))


def node_sync_script(node=None):
    _refuse_bad_names([('node', node or None, 'object')])
    return script(NODE_SYNC, node=node or '')


# ---- module glue (used by every wsadmin module) ------------------------------------------------------------------

def connection_argument_spec():
    return dict(
        profile_root=dict(type='path'),
        wsadmin_path=dict(type='path'),
        host=dict(type='str', default='localhost'),
        port=dict(type='int', default=8879),
        username=dict(type='str', required=True),
        password=dict(type='str', required=True, no_log=True),
    )


def profile_tool_argument_spec():
    """Options of the modules that run a profile's tools (doc fragment sametime.deploy.was_profile_tools)."""
    return dict(
        tool_credentials=dict(type='str', choices=['argv', 'soap_client_props'], default='argv'),
        status_stopped_rcs=dict(type='list', elements='int', default=[0]),
    )


def wsadmin_for(params):
    if params.get('wsadmin_path'):
        return params['wsadmin_path']
    if not params.get('profile_root'):
        return None
    return os.path.join(params['profile_root'], 'bin', 'wsadmin.sh')


def run_checked(module, source, host=None, port=None):
    """Run a generated script with the module's connection options; fail_json on any failure."""
    params = module.params
    wsadmin = wsadmin_for(params)
    if wsadmin is None:
        module.fail_json(msg='one of profile_root or wsadmin_path is required')
    res = run_wsadmin(module, wsadmin, source, host or params['host'], port or params['port'],
                      params['username'], params['password'])
    if res['failure']:
        module.fail_json(msg=res['failure'], rc=res['rc'], stdout=res['stdout'], stderr=res['stderr'])
    errors = [r for r in res['results'] if r['kind'] == 'error']
    if errors:
        detail = '; '.join(['%s: %s' % (e.get('name'), e.get('message')) for e in errors])
        module.fail_json(msg='wsadmin reported errors: %s' % detail, results=res['results'])
    return res['results']
