# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an export remembers between runs, and what the photo folder holds.

<dest>/.ldap_photo_export.json, written by a complete run only: per lower-cased DN the change token the server
returned, the file name, and either the (size, mtime_ns) of the file as written (with `resized`: what the
re-encoding did, when the file is a resized copy of the photo) or the reason its content was refused. `settings_key`
ties it to the search settings: a changed setting makes the next run read everything.

Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.sametime.deploy.plugins.module_utils import fileio

STATE_FILE_NAME = '.ldap_photo_export.json'
STATE_VERSION = 1
SETTINGS = ('server_uri', 'search_base', 'search_filter', 'mail_attribute', 'photo_attribute', 'max_photo_bytes',
            'change_attributes')


def settings_key(params):
    """Changing one of these invalidates what the state file remembers.

    resize and max_edge count only while resize is on: turning it on or off, or another max_edge with it on, reads
    every photo again; with resize off the key is the one of a state written before resize existed (an upgrade
    reads nothing again), and max_edge, unused then, does not matter."""
    values = [params.get(k) for k in SETTINGS]
    if params.get('resize'):
        values.append({'resize': True, 'max_edge': params.get('max_edge')})
    return hashlib.sha256(to_bytes(json.dumps(values, sort_keys=True))).hexdigest()


def state_path(dest):
    return os.path.join(dest, STATE_FILE_NAME)


def read_state(path, consume):
    """Feed the state file's bytes to consume(chunk), 1 MiB at a time; False when it is missing or not a regular file
    (a symbolic link is not followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return True
            consume(chunk)
    finally:
        os.close(fd)


def read_state_bytes(path):
    """The state file's bytes, or None (missing, not a regular file, a symbolic link)."""
    chunks = []
    return b''.join(chunks) if read_state(path, chunks.append) else None


def load_document(dest):
    """The whole state file (version, settings, export, entries) when it is one of ours, else None."""
    raw = read_state_bytes(state_path(dest))
    try:
        state = json.loads(raw.decode('utf-8')) if raw is not None else None
    except ValueError:  # also UnicodeDecodeError
        return None
    if not isinstance(state, dict) or state.get('version') != STATE_VERSION or not isinstance(state.get('entries'), dict):
        return None
    return state


def load_state(dest, settings):
    """The entries of the state file when it was written with these settings, else {}."""
    state = load_document(dest)
    if state is None or state.get('settings') != settings:
        return {}
    return state['entries']


def save_state(module, dest, settings, entries, export=None):
    """Write the state file (mode 0600) when its bytes differ; returns whether it changed. `export`: the export
    settings that turn a photo into the file's bytes (mail, photo and change attributes, size limit), so that
    ldap_photo_url can bring the tokens of the entries it modified up to date.

    Never through a symbolic link: the new file is renamed over the path, which replaces a link itself and leaves
    its target alone (a warning says so). Raises OSError; nothing is left behind."""
    path = state_path(dest)
    if module.check_mode:
        return True
    if os.path.islink(path):
        module.warn('%s was a symbolic link (to %s): it is replaced by a regular file, its target is left alone'
                    % (path, os.readlink(path)))
    fd, tmp = tempfile.mkstemp(prefix='.sametime-', suffix='.tmp', dir=dest)  # mode 0600
    try:
        with os.fdopen(fd, 'wb') as handle:
            digest = write_document(handle, {'version': STATE_VERSION, 'settings': settings, 'export': export}, entries)
        if digest == state_digest(path):
            os.unlink(tmp)
            return False
        os.rename(tmp, path)
    except BaseException:
        fileio.unlink_quietly(tmp)
        raise
    return True


def write_document(handle, head, entries):
    """Write json.dumps(dict(head, entries=entries), sort_keys=True, separators=(',', ':')) entry by entry, without
    the whole text in memory; returns its sha256."""
    digest = hashlib.sha256()

    def put(text):
        data = to_bytes(text)
        digest.update(data)
        handle.write(data)

    items = sorted(dict(head, entries=None).items())
    put('{')
    for index, (key, value) in enumerate(items):
        put('%s%s:' % (',' if index else '', json.dumps(key)))
        if key != 'entries':
            put(json.dumps(value, sort_keys=True, separators=(',', ':')))
            continue
        put('{')
        for number, name in enumerate(sorted(entries)):
            put('%s%s:%s' % (',' if number else '', json.dumps(name),
                             json.dumps(entries[name], sort_keys=True, separators=(',', ':'))))
        put('}')
    put('}')
    return digest.hexdigest()


def state_digest(path):
    """sha256 of the state file's bytes, or None (missing, not a regular file, a symbolic link)."""
    digest = hashlib.sha256()
    return digest.hexdigest() if read_state(path, digest.update) else None


def needs_fetch(name, entry, state_entry, file_stat):
    """True when the entry's photo must be read from LDAP in pass 2.

    state_entry: what the last complete run recorded for this DN (or None); file_stat: (size,
    mtime_ns) of dest/<name> now (or None when missing).
    """
    if not state_entry or not entry.get('token') or state_entry.get('token') != entry['token']:
        return True
    if state_entry.get('name') != name:
        return True
    if state_entry.get('reason'):
        return False  # content was refused last time and has not changed since
    return file_stat is None or list(file_stat) != state_entry.get('stat')


def list_photo_files(dest):
    """{name: (size, mtime_ns)} of the '*.jpg' regular files directly in dest."""
    found = {}
    try:
        listing = os.listdir(dest)
    except OSError:
        return found
    for name in listing:
        if not name.endswith('.jpg') or name.startswith('.'):
            continue
        try:
            st = os.lstat(os.path.join(dest, name))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found[name] = file_stat(st)
    return found


def file_stat(st):
    """(size, mtime_ns) of an os.stat result, as the state remembers a file."""
    return st.st_size, getattr(st, 'st_mtime_ns', int(st.st_mtime * 1e9))
