# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""fileio.DirectoryWriter's file system work in a forked child process (POSIX, Python 3.6+, stdlib only).

Creating thousands of small files costs about as much CPU as reading them from LDAP, and in one Python process the two
take turns. Here the caller (decoding LDAP messages) only queues operations into a pipe; a forked child carries them
out in order, on the other core. Threads would not do: every system call of the writer would wait for the GIL.

Operations and their guarantees are those of DirectoryWriter: a file appears whole (temporary file with the final mode
in the same folder, then rename); a staged file waits until commit or discard; remove() takes back a file this run
created. Results come back once, from finish(): {name: (size, mtime_ns)} of every file created or committed.

When an operation fails, the child removes the files this run created and the staged ones, ignores the operations
that follow, and finish() fails the module with the first error. abort() does the same cleanup on purpose (a failed
LDAP search). When the caller dies, the child reads end-of-file and cleans up the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import marshal
import os
import struct

from ansible_collections.sametime.deploy.plugins.module_utils.fileio import DirectoryWriter, unlink_quietly, write_new_file

_HEADER = struct.Struct('!cHI')  # operation, name length, data length
_CREATE, _REPLACE, _STAGE, _COMMIT, _DISCARD, _REMOVE, _ABORT, _END = b'C', b'W', b'S', b'M', b'D', b'R', b'A', b'E'
_PIPE_BUFFER = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux: a larger pipe means fewer wake-ups of the two processes


def _encode(name):
    return name.encode('utf-8', 'surrogateescape')


def _decode(raw):
    return raw.decode('utf-8', 'surrogateescape')


def available(module):
    """Whether a ForkedDirectoryWriter can stand in for DirectoryWriter here (check mode writes nothing; with SELinux
    every file goes through atomic_move, which needs the module's process)."""
    return hasattr(os, 'fork') and not module.check_mode and not module.selinux_enabled()


class ForkedDirectoryWriter(DirectoryWriter):
    """DirectoryWriter whose file system work (create, stage, commit, discard, remove) a forked child carries out in
    order; write() and stage_if_changed() still compare here. `created` and `staged` are kept on this side too, so
    that the files can be removed here if the child dies."""

    def __init__(self, module, directory, mode=0o644):
        super(ForkedDirectoryWriter, self).__init__(module, directory, mode)
        self.broken = None
        ops_read, ops_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            import fcntl
            fcntl.fcntl(ops_write, _F_SETPIPE_SZ, _PIPE_BUFFER)
        except (ImportError, IOError, OSError):
            pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the default pipe works too
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child; its effects are what the tests check
            code = 1
            try:
                os.close(ops_write)
                os.close(reply_read)
                _detach(keep=(ops_read, reply_write))
                _Child(directory, mode, self.fix_mode).serve(ops_read, reply_write)
                code = 0
            finally:
                os._exit(code)  # never run the parent's exit handlers or flush its buffers
        os.close(ops_read)
        os.close(reply_write)
        self.ops = os.fdopen(ops_write, 'wb', _PIPE_BUFFER)
        self.reply = reply_read

    def _send(self, operation, name='', data=b''):
        if self.broken:
            return
        raw = _encode(name)
        try:
            self.ops.write(_HEADER.pack(operation, len(raw), len(data)) + raw)
            if data:
                self.ops.write(data)
        except (IOError, OSError) as exc:  # the child is gone: finish() reports what it said, or this
            self.broken = 'the writer process stopped taking work: %s' % exc

    def _temporary(self, token):
        return os.path.join(self.directory, '.sametime-%d-%s.tmp' % (self.pid, token))

    def _put(self, name, content, new):
        """Queue the file; its stat comes from finish()."""
        if new:
            self.created.add(name)
        self._send(_CREATE if new else _REPLACE, name, content)
        return None

    def stage(self, content, register=False):  # pylint: disable=unused-argument
        """Queue a temporary file holding `content`; returns the token for commit() or discard()."""
        self.counter += 1
        token = str(self.counter)
        self.staged.add(token)
        self._send(_STAGE, token, content)
        return token, None

    def commit(self, staged, name):
        token = staged[0]
        self.staged.discard(token)
        self._send(_COMMIT, token + '\0' + name)

    def discard(self, staged):
        self.staged.discard(staged[0])
        self._send(_DISCARD, staged[0])

    def remove(self, name):
        """Take back a file that this run created."""
        self.created.discard(name)
        self._send(_REMOVE, name)

    def _close(self, operation):
        self._send(operation)
        try:
            self.ops.close()
        except (IOError, OSError):
            pass
        chunks = []
        while True:
            chunk = os.read(self.reply, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(self.reply)
        os.waitpid(self.pid, 0)
        try:
            return marshal.loads(b''.join(chunks))
        except (EOFError, ValueError, TypeError):
            return None

    def _clean_up_after_the_child(self):
        """The child died without a word: remove what it may have left."""
        for name in self.created:
            unlink_quietly(os.path.join(self.directory, name))
        for token in self.staged:
            unlink_quietly(self._temporary(token))
        unlink_quietly(self._temporary('new'))

    def finish(self):
        """Wait for every queued operation; {name: (size, mtime_ns)} of the files created or committed."""
        reply = self._close(_END)
        if reply is None:
            self._clean_up_after_the_child()
            self.module.fail_json(msg='Writing the files in %s failed: %s' % (
                self.directory, self.broken or 'the writer process ended without a result'))
        error, done = reply
        if error:
            self.module.fail_json(msg=error)
        return done

    def abort(self):
        """Remove the files this run created and the staged ones (the caller failed)."""
        if self._close(_ABORT) is None:
            self._clean_up_after_the_child()


def _detach(keep):
    """In the child: hold none of the module's descriptors (Ansible waits for the end of the module's stdout; the LDAP
    socket belongs to the parent)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _max_fd())


def _max_fd():
    try:
        return min(os.sysconf('SC_OPEN_MAX'), 65536)
    except (AttributeError, ValueError, OSError):
        return 1024


class _Child(object):
    def __init__(self, directory, mode, fix_mode):
        self.directory = directory
        self.mode = mode
        self.fix_mode = fix_mode
        self.created = set()
        self.staged = {}
        self.done = {}
        self.pid = os.getpid()
        # names relative to the folder: no path walk per call (dir_fd is POSIX; without it, full paths)
        if os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd and os.unlink in os.supports_dir_fd:
            self.dir_fd = os.open(directory, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
            self.at_both = {'src_dir_fd': self.dir_fd, 'dst_dir_fd': self.dir_fd}
        else:  # pragma: no cover - every POSIX system that has fork() has dir_fd
            self.dir_fd = None
            self.at_both = {}
            self.temporary = lambda token: os.path.join(directory, '.sametime-%d-%s.tmp' % (self.pid, token))

    def serve(self, ops_fd, reply_fd):
        ops = os.fdopen(ops_fd, 'rb', _PIPE_BUFFER)
        error = None
        ended = False
        while True:
            header = ops.read(_HEADER.size)
            if len(header) < _HEADER.size:
                break  # the parent is gone
            operation, name_size, data_size = _HEADER.unpack(header)
            raw_name = ops.read(name_size) if name_size else b''
            data = ops.read(data_size) if data_size else b''
            if len(raw_name) < name_size or len(data) < data_size:
                break  # the parent died in the middle of an operation: never write a part of it
            name = _decode(raw_name)
            if operation in (_END, _ABORT):
                ended = operation == _END
                break
            if error:
                continue
            try:
                self.apply(operation, name, data)
            except (IOError, OSError) as exc:
                where = getattr(exc, 'filename2', None) or getattr(exc, 'filename', None) or ''  # a rename's target
                error = 'Writing %s failed: %s' % (os.path.join(self.directory, where), exc.strerror or exc)
        if error or not ended:
            self.clean_up()
        reply = marshal.dumps((error, {} if error or not ended else self.done))
        view = memoryview(reply)
        while view:
            view = view[os.write(reply_fd, view):]
        os.close(reply_fd)

    def apply(self, operation, name, data):
        if operation in (_CREATE, _REPLACE):
            tmp = self.temporary('new')
            info = self.write_new(tmp, data)
            try:
                self.rename(tmp, name)
            except OSError:
                self.unlink(tmp)
                raise
            if operation == _CREATE:  # a replaced file is not taken back, like a committed one
                self.created.add(name)
            self.done[name] = info
        elif operation == _STAGE:
            tmp = self.temporary(name)
            self.staged[name] = (tmp, self.write_new(tmp, data))
        elif operation == _COMMIT:
            token, target = name.split('\0', 1)
            tmp, info = self.staged[token]
            self.rename(tmp, target)  # if this fails, clean_up still finds the staged file
            del self.staged[token]
            self.done[target] = info
        elif operation == _DISCARD:
            tmp, _info = self.staged.pop(name)
            self.unlink(tmp)
        elif operation == _REMOVE:
            self.created.discard(name)
            self.done.pop(name, None)
            self.unlink(name)

    def temporary(self, token):
        return '.sametime-%d-%s.tmp' % (self.pid, token)

    def write_new(self, name, data):
        info = write_new_file(name, data, self.mode, self.fix_mode, self.dir_fd)
        return info.st_size, info.st_mtime_ns

    def rename(self, source, target):
        os.rename(source, target, **self.at_both)

    def unlink(self, name):
        unlink_quietly(name, self.dir_fd)

    def clean_up(self):
        for name in self.created:
            self.unlink(name)
        for tmp, _info in self.staged.values():
            self.unlink(tmp)
        self.created.clear()
        self.staged.clear()
