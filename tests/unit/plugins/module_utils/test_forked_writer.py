# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""ForkedDirectoryWriter against the real file system, and against DirectoryWriter: the same operations must leave the
same folder behind."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal
import stat
import time

import pytest
from ansible_collections.sametime.deploy.plugins.module_utils import fileio, forked_writer
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.writer_fakes import Failed, RealMoveModule


WRITERS = {'forked': forked_writer.ForkedDirectoryWriter, 'sequential': fileio.DirectoryWriter}


def listing(folder):
    return dict((p.name, p.read_bytes()) for p in sorted(folder.iterdir()))


def written_stat(folder, name):
    info = (folder / name).stat()
    return (info.st_size, info.st_mtime_ns)


def stats_of(result, writer_stats):
    """{name: (size, mtime_ns)}: finish() of the forked writer, the write/commit results of the sequential one."""
    return writer_stats or dict((name, (info.st_size, info.st_mtime_ns)) for name, info in result.items())


@pytest.mark.parametrize('kind', sorted(WRITERS))
@pytest.mark.parametrize('mask', [0o022, 0o077, 0o000])
def test_new_files_whole_with_the_mode_and_their_stats(tmp_path, umask, kind, mask):
    umask(mask)
    writer = WRITERS[kind](RealMoveModule(), str(tmp_path), 0o644)
    returned = {}
    for i in range(50):
        changed, info = writer.write('u%02d@x.jpg' % i, b'\xff\xd8' + bytes([i]) * (i * 100), missing=True)
        assert changed
        if info is not None:
            returned['u%02d@x.jpg' % i] = info
    stats = stats_of(returned, writer.finish())
    assert listing(tmp_path) == dict(('u%02d@x.jpg' % i, b'\xff\xd8' + bytes([i]) * (i * 100)) for i in range(50))
    for name in stats:
        assert stats[name] == written_stat(tmp_path, name)
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644
    assert len(stats) == 50


@pytest.mark.parametrize('kind', sorted(WRITERS))
def test_stage_commit_discard_remove(tmp_path, kind):
    """A staged replacement goes in on commit only; discard leaves the old file; remove takes back a created one."""
    (tmp_path / 'kept@x.jpg').write_bytes(b'old kept')
    (tmp_path / 'replaced@x.jpg').write_bytes(b'old replaced')
    old_inode = (tmp_path / 'kept@x.jpg').stat().st_ino
    writer = WRITERS[kind](RealMoveModule(), str(tmp_path), 0o644)
    keep = writer.stage(b'new kept')
    replace = writer.stage(b'new replaced')
    writer.write('created@x.jpg', b'created', missing=True)
    writer.write('taken-back@x.jpg', b'taken back', missing=True)
    writer.remove('taken-back@x.jpg')
    writer.discard(keep)
    committed = writer.commit(replace, 'replaced@x.jpg')
    stats = writer.finish()
    assert listing(tmp_path) == {'created@x.jpg': b'created', 'kept@x.jpg': b'old kept',
                                 'replaced@x.jpg': b'new replaced'}
    assert (tmp_path / 'kept@x.jpg').stat().st_ino == old_inode
    replaced_stat = stats['replaced@x.jpg'] if stats else (committed.st_size, committed.st_mtime_ns)
    assert replaced_stat == written_stat(tmp_path, 'replaced@x.jpg')
    assert 'taken-back@x.jpg' not in stats


@pytest.mark.parametrize('kind', sorted(WRITERS))
def test_write_compares_first(tmp_path, kind):
    (tmp_path / 'same@x.jpg').write_bytes(b'same')
    inode = (tmp_path / 'same@x.jpg').stat().st_ino
    writer = WRITERS[kind](RealMoveModule(), str(tmp_path), 0o644)
    assert writer.write('same@x.jpg', b'same') == (False, None)
    assert writer.write('other@x.jpg', b'other')[0] is True  # not there yet: created
    writer.finish()
    assert (tmp_path / 'same@x.jpg').stat().st_ino == inode
    assert listing(tmp_path) == {'other@x.jpg': b'other', 'same@x.jpg': b'same'}


@pytest.mark.parametrize('kind', sorted(WRITERS))
def test_abort_takes_back_created_and_staged_files_only(tmp_path, kind):
    (tmp_path / 'existing@x.jpg').write_bytes(b'existing')
    (tmp_path / 'committed@x.jpg').write_bytes(b'before')
    (tmp_path / 'replaced@x.jpg').write_bytes(b'before')
    writer = WRITERS[kind](RealMoveModule(), str(tmp_path), 0o644)
    writer.write('new1@x.jpg', b'1', missing=True)
    writer.commit(writer.stage(b'after'), 'committed@x.jpg')
    writer.write('replaced@x.jpg', b'after')
    writer.stage(b'never committed')
    writer.write('new2@x.jpg', b'2', missing=True)
    writer.abort()
    assert listing(tmp_path) == {'committed@x.jpg': b'after', 'existing@x.jpg': b'existing',
                                 'replaced@x.jpg': b'after'}


def test_a_failed_operation_fails_finish_and_takes_back_the_run(tmp_path):
    (tmp_path / 'existing@x.jpg').write_bytes(b'existing')
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    writer.write('first@x.jpg', b'1', missing=True)
    writer.stage(b'staged')
    writer.write('no-such-folder/x.jpg', b'2', missing=True)  # ENOENT in the child
    writer.write('after@x.jpg', b'3', missing=True)  # ignored once an operation failed
    with pytest.raises(Failed) as info:
        writer.finish()
    assert 'Writing' in str(info.value) and str(tmp_path) in str(info.value)
    assert listing(tmp_path) == {'existing@x.jpg': b'existing'}


def test_a_killed_child_is_reported_and_cleaned_up_after(tmp_path):
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    writer.write('first@x.jpg', b'1', missing=True)
    writer.ops.flush()
    for _attempt in range(500):  # until the child has created it
        if (tmp_path / 'first@x.jpg').exists():
            break
        time.sleep(0.01)
    assert (tmp_path / 'first@x.jpg').exists()
    os.kill(writer.pid, signal.SIGKILL)
    writer.write('second@x.jpg', b'2' * (1 << 21), missing=True)  # more than the pipe holds: EPIPE
    with pytest.raises(Failed) as info:
        writer.finish()
    assert 'writer process' in str(info.value)
    assert listing(tmp_path) == {}


def test_the_child_cleans_up_when_the_parent_goes_away(tmp_path):
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    writer.write('first@x.jpg', b'1', missing=True)
    writer.stage(b'staged')
    writer.ops.close()  # end-of-file without "end": what the child sees when the module dies
    _pid, status = os.waitpid(writer.pid, 0)
    os.close(writer.reply)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert listing(tmp_path) == {}


@pytest.mark.parametrize('check_mode, selinux, expected', [
    (False, False, True),
    (True, False, False),
    (False, True, False),
])
def test_available(check_mode, selinux, expected):
    assert forked_writer.available(RealMoveModule(check_mode=check_mode, selinux=selinux)) is expected


def test_names_outside_ascii_round_trip(tmp_path):
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    name = u'm\u00fcller@x.jpg'
    writer.write(name, b'photo', missing=True)
    stats = writer.finish()
    assert list(stats) == [name] and (tmp_path / name).read_bytes() == b'photo'


def test_the_child_holds_none_of_the_modules_descriptors(tmp_path):
    """Ansible reads the module's stdout to its end: a child that kept it open would hold the task up."""
    held = open(str(tmp_path / 'held-by-the-module'), 'w')  # stands in for the LDAP socket
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    try:
        fds = []
        for _attempt in range(500):
            fds = sorted(int(fd) for fd in os.listdir('/proc/%d/fd' % writer.pid))
            if len(fds) == 6:
                break
            time.sleep(0.01)
        targets = [os.readlink('/proc/%d/fd/%d' % (writer.pid, fd)) for fd in fds]
        assert fds[:3] == [0, 1, 2] and targets[:3] == ['/dev/null'] * 3
        # its two pipes and the folder it writes into
        assert sorted(t.split(':')[0] for t in targets[3:]) == sorted(['pipe', 'pipe', str(tmp_path)]), targets
    finally:
        writer.finish()
        held.close()


@pytest.mark.parametrize('kind', sorted(WRITERS))
def test_stage_if_changed_and_a_compared_new_file_is_taken_back(tmp_path, kind):
    (tmp_path / 'same@x.jpg').write_bytes(b'same')
    writer = WRITERS[kind](RealMoveModule(), str(tmp_path), 0o644)
    assert writer.stage_if_changed('same@x.jpg', b'same') is None
    assert writer.stage_if_changed('same@x.jpg', b'new') is not None
    assert writer.write('compared-new@x.jpg', b'x')[0] is True
    writer.abort()  # the file found missing by the compare is this run's too
    assert listing(tmp_path) == {'same@x.jpg': b'same'}


def test_an_operation_cut_short_by_the_parents_death_is_not_carried_out(tmp_path):
    (tmp_path / 'replaced@x.jpg').write_bytes(b'before')
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    frame = forked_writer._HEADER.pack(forked_writer._REPLACE, len(b'replaced@x.jpg'), 100) + b'replaced@x.jpg'
    writer.ops.write(frame + b'x' * 40)  # 40 of the announced 100 bytes, then the parent is gone
    writer.ops.close()
    os.waitpid(writer.pid, 0)
    os.close(writer.reply)
    assert listing(tmp_path) == {'replaced@x.jpg': b'before'}


def test_a_failed_commit_leaves_no_temporary_file(tmp_path):
    (tmp_path / 'a-folder@x.jpg').mkdir()  # rename() of a file over a folder fails
    writer = forked_writer.ForkedDirectoryWriter(RealMoveModule(), str(tmp_path), 0o644)
    writer.commit(writer.stage(b'photo'), 'a-folder@x.jpg')
    with pytest.raises(Failed) as info:
        writer.finish()
    assert 'Writing %s failed' % (tmp_path / 'a-folder@x.jpg') in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a-folder@x.jpg']
