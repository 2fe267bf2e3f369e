# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""photo_state: when a photo must be read again, what the folder holds, what invalidates the state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import photo_state

JPEG = b'\xff\xd8\xff\xe0' + b'\x00\x10JFIF' + b'x' * 40 + b'\xff\xd9'


@pytest.mark.parametrize('entry, state, file_stat, expected', [
    ({'token': 't1'}, None, (10, 5), True),
    ({'token': ''}, {'token': '', 'name': 'n.jpg', 'stat': [10, 5]}, (10, 5), True),
    ({'token': 't1'}, {'token': 't0', 'name': 'n.jpg', 'stat': [10, 5]}, (10, 5), True),
    ({'token': 't1'}, {'token': 't1', 'name': 'other.jpg', 'stat': [10, 5]}, (10, 5), True),
    ({'token': 't1'}, {'token': 't1', 'name': 'n.jpg', 'stat': [10, 5]}, (10, 5), False),
    ({'token': 't1'}, {'token': 't1', 'name': 'n.jpg', 'stat': [10, 5]}, (10, 6), True),
    ({'token': 't1'}, {'token': 't1', 'name': 'n.jpg', 'stat': [10, 5]}, None, True),
    ({'token': 't1'}, {'token': 't1', 'name': 'n.jpg', 'reason': 'not_jpeg'}, None, False),
])
def test_needs_fetch(entry, state, file_stat, expected):
    assert photo_state.needs_fetch('n.jpg', entry, state, file_stat) is expected


def test_list_photo_files_only_regular_jpgs(tmp_path):
    (tmp_path / 'a@x.example.jpg').write_bytes(JPEG)
    (tmp_path / '.hidden.jpg').write_bytes(JPEG)
    (tmp_path / 'notes.txt').write_bytes(b'x')
    (tmp_path / 'sub.jpg').mkdir()
    os.symlink('/etc/passwd', str(tmp_path / 'link@x.example.jpg'))
    assert sorted(photo_state.list_photo_files(str(tmp_path))) == ['a@x.example.jpg']
    assert photo_state.list_photo_files(str(tmp_path / 'missing')) == {}


def test_settings_key_changes_with_relevant_options():
    base = {'server_uri': 'ldap://x', 'search_base': 'dc=x', 'search_filter': '(a=b)', 'mail_attribute': 'mail',
            'photo_attribute': 'jpegPhoto', 'max_photo_bytes': 10, 'change_attributes': ['entryCSN'], 'prune': True}
    other = dict(base, photo_attribute='thumbnailPhoto')
    assert photo_state.settings_key(base) != photo_state.settings_key(other)
    assert photo_state.settings_key(base) == photo_state.settings_key(dict(base, prune=False))


class StateModule(object):
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def test_state_round_trip_mode_and_no_rewrite(tmp_path, umask):
    umask(0o022)
    module = StateModule()
    entries = {'uid=a,o=x': {'token': 't', 'name': 'a@x.example.jpg', 'stat': [3, 4]}}
    assert photo_state.save_state(module, str(tmp_path), 'k', entries) is True
    path = tmp_path / photo_state.STATE_FILE_NAME
    assert oct(os.stat(str(path)).st_mode & 0o777) == oct(0o600)
    inode = os.stat(str(path)).st_ino
    assert photo_state.save_state(module, str(tmp_path), 'k', entries) is False
    assert os.stat(str(path)).st_ino == inode
    assert photo_state.load_state(str(tmp_path), 'k') == entries
    assert photo_state.load_state(str(tmp_path), 'other settings') == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == [photo_state.STATE_FILE_NAME]


@pytest.mark.parametrize('check_mode', [False, True])
def test_state_is_never_written_through_a_symlink(tmp_path, check_mode):
    dest, outside = tmp_path / 'dest', tmp_path / 'outside'
    dest.mkdir()
    outside.write_bytes(b'not yours')
    link = dest / photo_state.STATE_FILE_NAME
    os.symlink(str(outside), str(link))
    module = StateModule(check_mode)
    entries = {'uid=a,o=x': {'token': 't', 'name': 'a@x.example.jpg', 'stat': [3, 4]}}
    assert photo_state.save_state(module, str(dest), 'k', entries) is True
    assert outside.read_bytes() == b'not yours'
    if check_mode:
        assert os.path.islink(str(link)) and module.warnings == []
        return
    assert not os.path.islink(str(link)) and photo_state.load_state(str(dest), 'k') == entries
    assert module.warnings == ['%s was a symbolic link (to %s): it is replaced by a regular file, its target is left '
                               'alone' % (link, outside)]


def test_a_symlinked_state_is_not_read(tmp_path):
    """A state file planted elsewhere and linked in is not trusted: the run reads everything."""
    real = tmp_path / 'real'
    real.mkdir()
    entries = {'uid=a,o=x': {'token': 't', 'name': 'a@x.example.jpg', 'stat': [3, 4]}}
    photo_state.save_state(StateModule(), str(real), 'k', entries)
    dest = tmp_path / 'dest'
    dest.mkdir()
    os.symlink(str(real / photo_state.STATE_FILE_NAME), str(dest / photo_state.STATE_FILE_NAME))
    assert photo_state.load_state(str(real), 'k') == entries
    assert photo_state.load_state(str(dest), 'k') == {}
