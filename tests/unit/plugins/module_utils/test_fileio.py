# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import fileio

MOUNTINFO = (
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
    "301 22 8:1 /work/.lab/hosts/m1/etc/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw\n"
    "302 22 8:1 /x /srv/with\\040space rw,relatime - ext4 /dev/vda1 rw\n"
)


@pytest.mark.parametrize('path, expected', [
    ('/etc/hosts', True),
    ('/etc/hostname', False),
    ('/srv/with space', True),
    ('/', True),
])
def test_is_bind_mounted(tmp_path, path, expected):
    info = tmp_path / 'mountinfo'
    info.write_text(MOUNTINFO)
    assert fileio.is_bind_mounted(path, str(info)) is expected


def test_read_bytes_missing(tmp_path):
    assert fileio.read_bytes(str(tmp_path / 'nope')) is None


def test_text_diff_headers():
    diff = fileio.text_diff('/etc/hosts', b'a\n', None)
    assert diff == {'before': 'a\n', 'after': '', 'before_header': '/etc/hosts (content)',
                    'after_header': '/etc/hosts (content)'}


class FakeModule(object):
    params = {}
    _diff = False

    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.cleanup_files = []

    def add_cleanup_file(self, path):
        self.cleanup_files.append(path)

    def atomic_move(self, src, dest, unsafe_writes=False):
        os.rename(src, dest)


@pytest.mark.parametrize('check_mode', [False, True])
def test_replace_with_stream(tmp_path, check_mode):
    path = tmp_path / 'bundle.tar'
    path.write_bytes(b'old')
    module = FakeModule(check_mode)
    result = fileio.replace_with_stream(module, str(path), lambda handle: handle.write(b'new'))
    assert result['changed'] is True
    assert result['sha256'] == '11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437'
    assert path.read_bytes() == (b'old' if check_mode else b'new')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['bundle.tar']
    assert module.cleanup_files == []


def test_replace_with_stream_unchanged_and_failing_producer(tmp_path):
    path = tmp_path / 'bundle.tar'
    path.write_bytes(b'same')
    module = FakeModule()
    inode = path.stat().st_ino
    assert fileio.replace_with_stream(module, str(path), lambda handle: handle.write(b'same'))['changed'] is False
    assert path.stat().st_ino == inode

    def broken(handle):
        handle.write(b'half')
        raise IOError('disk full')

    with pytest.raises(IOError):
        fileio.replace_with_stream(module, str(path), broken)
    assert path.read_bytes() == b'same'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['bundle.tar']


def test_write_if_changed_forgets_its_renamed_temp_file(tmp_path):
    module = FakeModule()
    for i in range(3):
        result = fileio.write_if_changed(module, str(tmp_path / ('f%d' % i)), b'x')
        assert result['changed'] and result['write_method'] == 'atomic'
    assert module.cleanup_files == []
