# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""On-disk state of an emulated WAS profile: profile.json, state.json, events.jsonl, the DM's cell.json.

Python 2.7 (Jython) and Python 3 compatible on purpose.
"""

from __future__ import absolute_import, division, print_function

import hashlib
import json
import os
import socket
import time

EMU_DIR = 'emulator'


def profile_file(profile_dir, name):
    return os.path.join(profile_dir, EMU_DIR, name)


def read_json(path, default=None):
    if not os.path.exists(path):
        return default
    handle = open(path, 'r')
    try:
        return json.loads(handle.read())
    finally:
        handle.close()


def write_json(path, data):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    handle = open(tmp, 'w')
    try:
        handle.write(json.dumps(data, indent=1, sort_keys=True))
        handle.write('\n')
    finally:
        handle.close()
    os.rename(tmp, path)


def sha256(text):
    if not isinstance(text, bytes):
        text = text.encode('utf-8')
    return hashlib.sha256(text).hexdigest()


def load_profile(profile_dir):
    conf = read_json(profile_file(profile_dir, 'profile.json'))
    if conf is None:
        raise SystemExit('emulator: %s is not an emulated WAS profile (no emulator/profile.json)' % profile_dir)
    return conf


def jvm_language(conf, javaoptions=()):
    """The default language of a WAS client JVM (wsadmin, the profile tools), as Java derives it.

    A -Duser.language=xx among the JVM options wins (wsadmin -javaoption; the last one counts); then the language
    the profile's JVMs are configured with (profile.json jvm_language, standing for -Duser.language in the profile's
    setupCmdLine/JVM arguments, which the environment does not override); then LC_ALL, LC_MESSAGES, LANG (C and
    POSIX are English); then English.
    """
    found = None
    for option in javaoptions:
        for word in option.split():
            if word.startswith('-Duser.language='):
                found = word.split('=', 1)[1]
    if found:
        return found
    if conf.get('jvm_language'):
        return conf['jvm_language']
    for name in ('LC_ALL', 'LC_MESSAGES', 'LANG'):
        value = os.environ.get(name)
        if value:
            if value in ('C', 'POSIX') or value.startswith('C.'):
                return 'en'
            return value.split('_')[0].split('.')[0] or 'en'
    return 'en'


def credentials_ok(conf, user, password):
    sec = conf.get('security') or {}
    if not sec.get('enabled', True):
        return True
    return user == sec.get('user') and password is not None and sha256(password) == sec.get('password_sha256')


def append_event(profile_dir, event, **fields):
    record = {'t': time.time(), 'event': event, 'host': socket.gethostname(),
              'profile': os.path.basename(os.path.normpath(profile_dir))}
    record.update(fields)
    handle = open(profile_file(profile_dir, 'events.jsonl'), 'a')
    try:
        handle.write(json.dumps(record, sort_keys=True) + '\n')
    finally:
        handle.close()
    return record


def read_events(profile_dir):
    path = profile_file(profile_dir, 'events.jsonl')
    out = []
    if os.path.exists(path):
        handle = open(path, 'r')
        try:
            for line in handle.readlines():
                line = line.strip()
                if line:
                    out.append(json.loads(line))
        finally:
            handle.close()
    return out


class Lock(object):
    """A directory lock (mkdir is atomic everywhere, also under Jython); stale after `stale` seconds."""

    def __init__(self, path, timeout=120, stale=600):
        self.path = path
        self.timeout = timeout
        self.stale = stale

    def acquire(self):
        deadline = time.time() + self.timeout
        while 1:
            try:
                os.mkdir(self.path)
                return
            except OSError:
                try:
                    if time.time() - os.stat(self.path).st_mtime > self.stale:
                        os.rmdir(self.path)
                        continue
                except OSError:
                    continue
                if time.time() > deadline:
                    raise SystemExit('emulator: timed out waiting for the lock %s' % self.path)
                time.sleep(0.1)

    def release(self):
        try:
            os.rmdir(self.path)
        except OSError:
            pass


def resolve_dmgr(conf, host, port):
    """Map a -host/-port pair to the DM profile directory reachable from this host, or None."""
    for entry in conf.get('connect') or []:
        if int(entry.get('port')) == int(port) and host in entry.get('hosts', []):
            return entry.get('profile_dir')
    return None


def server_status(profile_dir, server):
    """'STARTED' or 'STOPPED'. A server with a process (http endpoint) is started only while its pid lives."""
    state = read_json(profile_file(profile_dir, 'state.json'), {}) or {}
    entry = (state.get('servers') or {}).get(server) or {}
    if entry.get('status') != 'STARTED':
        return 'STOPPED'
    pid = entry.get('pid')
    if pid:
        if not os.path.exists('/proc/%d' % int(pid)):
            return 'STOPPED'
        try:
            handle = open('/proc/%d/cmdline' % int(pid), 'r')
            try:
                if 'server_proc' not in handle.read():
                    return 'STOPPED'
            finally:
                handle.close()
        except (IOError, OSError):
            return 'STOPPED'
    return 'STARTED'


def set_server_state(profile_dir, server, status, pid=None):
    path = profile_file(profile_dir, 'state.json')
    state = read_json(path, {}) or {}
    servers = state.setdefault('servers', {})
    servers[server] = {'status': status, 'pid': pid, 'since': time.time()}
    write_json(path, state)
