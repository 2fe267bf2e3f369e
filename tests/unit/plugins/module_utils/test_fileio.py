# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import fileio
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.writer_fakes import (
    FakeModule, RealMoveModule)

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


@pytest.mark.parametrize('content, shown', [
    (b'caf\xe9 \xc3\xa9\n', u'caf\\xe9 \xe9\n'),               # ISO-8859-1 byte next to UTF-8
    (b'caf\xe9'.decode('utf-8', 'surrogateescape'), u'caf\\xe9'),  # text read with surrogateescape
    (u'plain \xe9', u'plain \xe9'),
    (u'lone \ud800', u'lone \\ud800'),                              # no byte made it: shown, not refused
    (b'', u''),
])
def test_display_is_valid_text(content, shown):
    assert fileio.display(content) == shown
    shown.encode('utf-8')  # strict: what the controller's JSON check requires


def test_text_diff_of_a_non_utf8_file_is_valid_text():
    """A module returning this diff must pass the controller's "Refusing to deserialize an invalid UTF8 string
    value" check: no surrogates."""
    diff = fileio.text_diff('/opt/x.xml', b'<a>Z\xfcrich</a>\n', u'<a>Z\xfcrich\udcfc</a>\n')
    assert diff['before'] == u'<a>Z\\xfcrich</a>\n'
    assert diff['after'] == u'<a>Z\xfcrich\\xfc</a>\n'
    for value in diff.values():
        value.encode('utf-8')


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


@pytest.mark.parametrize('mask', [0o022, 0o077, 0o000])
def test_write_if_changed_create_mode_survives_atomic_move(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / 'state.json'
    fileio.write_if_changed(RealMoveModule(), str(path), b'{}', create_mode=0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize('mask', [0o022, 0o077, 0o000])
def test_directory_writer_new_files_get_the_mode(tmp_path, umask, mask):
    umask(mask)
    writer = fileio.DirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    changed, info = writer.write('a@x.jpg', b'\xff\xd8data', missing=True)
    assert changed and info.st_size == 6
    assert stat.S_IMODE((tmp_path / 'a@x.jpg').stat().st_mode) == 0o644
    assert (tmp_path / 'a@x.jpg').read_bytes() == b'\xff\xd8data'
    assert [p.name for p in tmp_path.iterdir()] == ['a@x.jpg']


def test_directory_writer_compares_and_replaces_atomically(tmp_path):
    module = RealMoveModule()
    writer = fileio.DirectoryWriter(module, str(tmp_path), 0o644)
    target = tmp_path / 'a@x.jpg'
    target.write_bytes(b'same')
    inode = target.stat().st_ino
    assert writer.write('a@x.jpg', b'same') == (False, None)
    assert target.stat().st_ino == inode
    changed, info = writer.write('a@x.jpg', b'new content')
    assert changed and info.st_ino == target.stat().st_ino != inode  # a new file renamed over the old one
    assert target.read_bytes() == b'new content'
    assert [p.name for p in tmp_path.iterdir()] == ['a@x.jpg'] and module.cleanup_files == []


def test_directory_writer_check_mode_writes_nothing(tmp_path):
    writer = fileio.DirectoryWriter(RealMoveModule(check_mode=True), str(tmp_path), 0o644)
    assert writer.write('a@x.jpg', b'new', missing=True) == (True, None)
    (tmp_path / 'b@x.jpg').write_bytes(b'old')
    assert writer.write('b@x.jpg', b'new') == (True, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['b@x.jpg'] and (tmp_path / 'b@x.jpg').read_bytes() == b'old'


def test_directory_writer_replaces_a_stale_temporary_file(tmp_path):
    writer = fileio.DirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    (tmp_path / ('.sametime-%d-1.tmp' % os.getpid())).write_bytes(b'left by a killed run')
    assert writer.write('a@x.jpg', b'photo', missing=True)[0]
    assert [p.name for p in tmp_path.iterdir()] == ['a@x.jpg']


def test_directory_writer_failure_raises_and_leaves_nothing(tmp_path):
    module = RealMoveModule()
    writer = fileio.DirectoryWriter(module, str(tmp_path), 0o644)
    (tmp_path / 'a@x.jpg').mkdir()  # rename() of a file over a directory fails
    with pytest.raises(OSError) as info:
        writer.write('a@x.jpg', b'photo', missing=True)
    assert info.value.errno == errno.EISDIR
    assert [p.name for p in tmp_path.iterdir()] == ['a@x.jpg'] and module.cleanup_files == []


def test_directory_writer_with_selinux_goes_through_atomic_move(tmp_path, umask):
    umask(0o077)
    moved = []

    class SELinuxModule(RealMoveModule):
        def atomic_move(self, src, dest, unsafe_writes=False):
            moved.append(dest)
            os.rename(src, dest)
            os.chmod(dest, 0o600)  # what ansible-core does to a file it creates under this umask

    writer = fileio.DirectoryWriter(SELinuxModule(selinux=True), str(tmp_path), 0o644)
    changed, info = writer.write('a@x.jpg', b'photo', missing=True)
    assert changed and moved == [str(tmp_path / 'a@x.jpg')]
    assert stat.S_IMODE((tmp_path / 'a@x.jpg').stat().st_mode) == 0o644 == stat.S_IMODE(info.st_mode)


def test_replace_with_stream_check_mode_needs_no_folder(tmp_path):
    real = fileio.replace_with_stream(FakeModule(), str(tmp_path / 'real.tar'), lambda handle: handle.write(b'set'))
    missing = tmp_path / 'not-yet' / 'bundle.tar'
    result = fileio.replace_with_stream(FakeModule(check_mode=True), str(missing), lambda handle: handle.write(b'set'))
    assert result == {'changed': True, 'sha256': real['sha256']}
    assert not missing.parent.exists()
