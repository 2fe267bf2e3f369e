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
