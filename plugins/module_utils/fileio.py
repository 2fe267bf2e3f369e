# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one write path of the collection (runs on managed hosts: Python 3.6+, stdlib only).

tempfile in the destination folder -> attributes -> atomic_move; backup before replacing;
an in-place write where the destination is a bind mount (a namespace's or container's
/etc/hosts), because rename() onto a mount point fails with EBUSY. DirectoryWriter is the
same path for thousands of small files in one folder (photos), with the per-file work
of atomic_move done once per folder.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native


def read_bytes(path):
    """Return the file's bytes, or None when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except IOError as exc:  # FileNotFoundError is 3.3+, IOError keeps the intent visible
        if exc.errno == 2:
            return None
        raise


def mount_points(mountinfo_path='/proc/self/mountinfo'):
    """Mount points of this process's mount namespace (the fifth field of mountinfo, octal escapes decoded)."""
    points = set()
    try:
        with open(mountinfo_path, 'r') as handle:
            for line in handle:
                fields = line.split(' ')
                if len(fields) > 4:
                    points.add(fields[4].encode('latin-1').decode('unicode_escape'))
    except IOError:
        pass
    return points


def is_bind_mounted(path, mountinfo_path='/proc/self/mountinfo'):
    """True when the file itself is a mount point, so it cannot be renamed over."""
    return os.path.realpath(path) in mount_points(mountinfo_path)


def display(content):
    """File content (bytes, or text holding undecodable bytes as surrogates) as valid text for a result, a warning
    or a --diff: bytes that are not UTF-8 become ``\\xNN``. The controller refuses a module result whose JSON holds
    a lone surrogate ("Refusing to deserialize an invalid UTF8 string value")."""
    if not isinstance(content, bytes):
        try:
            content = u'%s' % (content,)
            content = content.encode('utf-8', 'surrogateescape')
        except UnicodeEncodeError:  # a surrogate that no undecodable byte produced
            return content.encode('utf-8', 'backslashreplace').decode('utf-8')
    return content.decode('utf-8', 'backslashreplace')


def text_diff(path, before, after):
    """A --diff dict for text content (bytes or text), with the path as header; always valid text (display())."""
    return {
        'before': display(before or b''),
        'after': display(after or b''),
        'before_header': '%s (content)' % path,
        'after_header': '%s (content)' % path,
    }


def write_if_changed(module, path, content, backup=False, create_mode=None):
    """Make `path` hold `content` (bytes or text).

    Returns a dict: changed, backup_file (when a backup was made), write_method
    ('atomic', 'in_place' or None), diff (when the module runs with --diff).
    Check mode computes the same result and writes nothing.
    """
    content = to_bytes(content, errors='surrogate_or_strict')
    current = read_bytes(path)
    result = {'changed': current != content, 'write_method': None}
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = text_diff(path, current, content)
    if not result['changed'] or module.check_mode:
        return result

    if backup and current is not None:
        result['backup_file'] = module.backup_local(path)

    if current is not None and is_bind_mounted(path):
        _write_in_place(module, path, content)
        result['write_method'] = 'in_place'
        return result

    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix='.sametime-', dir=directory)
        module.add_cleanup_file(tmp)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(content)
        if current is None and create_mode is not None:
            os.chmod(tmp, create_mode)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Could not write a temporary file in %s: %s' % (directory, to_native(exc)))
    module.atomic_move(tmp, os.path.realpath(path) if current is not None else path,
                       unsafe_writes=module.params.get('unsafe_writes', False))
    _forget_cleanup_file(module, tmp)
    if current is None and create_mode is not None:
        # atomic_move gives a file it creates 0666 & ~umask, whatever the temporary file had
        os.chmod(path, create_mode)
    result['write_method'] = 'atomic'
    return result


def _forget_cleanup_file(module, tmp):
    # The temporary file was renamed into place. AnsibleModule.add_cleanup_file tests list membership, so a
    # module writing thousands of files would grow quadratically if the entries stayed.
    files = getattr(module, 'cleanup_files', None)
    if files and files[-1] == tmp:
        files.pop()
    elif files and tmp in files:
        files.remove(tmp)


def file_sha256(path):
    """sha256 hex digest of a file, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, 'rb') as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b''):
                digest.update(chunk)
    except (IOError, OSError):
        return None
    return digest.hexdigest()


class _NullSink(object):
    """A file-like object that only counts (check mode of replace_with_stream)."""

    def __init__(self):
        self.position = 0

    def write(self, data):
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position


class _HashingWriter(object):
    def __init__(self, handle, digest):
        self.handle = handle
        self.digest = digest

    def write(self, data):
        self.digest.update(data)
        return self.handle.write(data)

    def tell(self):
        return self.handle.tell()


def replace_with_stream(module, path, produce, create_mode=0o644):
    """Like write_if_changed, for content too large to hold in memory.

    `produce(handle)` writes the new content to a file-like object (write/tell). The content streams into a
    temporary file beside `path` while it is hashed; the file is replaced atomically only when the sha256
    differs. Check mode computes the same answer and leaves the file alone. Errors from `produce` propagate
    after the temporary file is removed. Returns a dict: changed, sha256.
    """
    digest = hashlib.sha256()
    if module.check_mode:
        # only the hash is needed: nothing is written, so the folder need not exist yet
        produce(_HashingWriter(_NullSink(), digest))
        result = {'sha256': digest.hexdigest()}
        result['changed'] = file_sha256(path) != result['sha256']
        return result
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.sametime-', dir=directory)
    module.add_cleanup_file(tmp)
    try:
        with os.fdopen(fd, 'wb') as handle:
            produce(_HashingWriter(handle, digest))
    except BaseException:
        os.unlink(tmp)
        _forget_cleanup_file(module, tmp)
        raise
    result = {'sha256': digest.hexdigest()}
    result['changed'] = file_sha256(path) != result['sha256']
    if not result['changed'] or module.check_mode:
        os.unlink(tmp)
        _forget_cleanup_file(module, tmp)
        return result
    os.chmod(tmp, create_mode)
    module.atomic_move(tmp, path, unsafe_writes=module.params.get('unsafe_writes', False))
    _forget_cleanup_file(module, tmp)
    return result


def _write_in_place(module, path, content):
    try:
        with open(path, 'r+b') as handle:
            handle.seek(0)
            handle.write(content)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
    except (IOError, OSError) as exc:
        module.fail_json(msg='Could not write %s in place: %s' % (path, to_native(exc)))


def unlink_quietly(path, dir_fd=None):
    """Remove a file this code made, if it is still there (cleanup must not hide the error being handled)."""
    try:
        os.unlink(path, **({} if dir_fd is None else {'dir_fd': dir_fd}))
    except OSError:
        pass


def write_new_file(path, content, mode, fix_mode=False, dir_fd=None):
    """Create `path` with `mode` (O_EXCL, no symlink followed; `fix_mode` when the umask would take bits away) and
    write all of `content`. A file already there is a leftover temporary file of a killed run that had the same pid:
    it is replaced. Returns the new file's stat; on failure the file is removed and the error raised."""
    at = {} if dir_fd is None else {'dir_fd': dir_fd}
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    try:
        fd = os.open(path, flags, mode, **at)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise
        os.unlink(path, **at)
        fd = os.open(path, flags, mode, **at)
    try:
        if fix_mode:
            os.fchmod(fd, mode)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        info = os.fstat(fd)
    except BaseException:
        os.close(fd)
        unlink_quietly(path, dir_fd)
        raise
    os.close(fd)
    return info


class DirectoryWriter(object):
    """Whole-file writes of many files into one directory, each atomic for readers: a temporary file beside the
    target (created with the final mode), then rename() over it.

    AnsibleModule.atomic_move costs about ten system calls and a SELinux lookup per file (keep the old file's owner
    and mode, fix the umask, copy the context); for a folder of thousands of photos that the module owns, the mode
    is set at creation and the rest is decided once here. With SELinux enabled every file still goes through
    atomic_move, so that contexts stay right. Check mode compares and writes nothing.

    The writer remembers what this run created and staged, so that remove() and abort() can take it back (a
    duplicate found late, a failed search).
    """

    def __init__(self, module, directory, mode=0o644):
        self.module = module
        self.directory = directory
        self.mode = mode
        self.use_atomic_move = bool(module.selinux_enabled())
        umask = os.umask(0)
        os.umask(umask)
        self.fix_mode = (mode & ~umask) != mode
        self.counter = 0
        self.created = set()  # files this run created (abort and remove take them back)
        self.staged = set()

    def write(self, name, content, missing=False):
        """Make <directory>/<name> hold `content` (bytes). `missing=True` says the caller knows that the file does
        not exist (no read to compare). Returns (changed, stat of the written file or None)."""
        if not missing:
            current = read_bytes(os.path.join(self.directory, name))
            if current == content:
                return False, None
            missing = current is None
        return True, self._put(name, content, missing)

    def stage_if_changed(self, name, content):
        """Stage `content` for <directory>/<name> (see stage) unless that file holds it already; then None."""
        if read_bytes(os.path.join(self.directory, name)) == content:
            return None
        return self.stage(content)

    def _put(self, name, content, new):
        """Write a file whose content differs (or that is `new`); its stat, or None in check mode."""
        info = self.commit(self.stage(content, register=True), name)
        if new and info is not None:
            self.created.add(name)
        return info

    def remove(self, name):
        """Take back a file that this run created."""
        self.created.discard(name)
        if not self.module.check_mode:
            unlink_quietly(os.path.join(self.directory, name))

    def abort(self):
        """Remove the files this run created and the staged ones (the caller failed)."""
        for name in list(self.created):
            self.remove(name)
        for tmp in list(self.staged):
            self.discard((tmp, None))

    def stage(self, content, register=False):
        """Write `content` to a new temporary file in the directory, to be committed (renamed to its name) or
        discarded later. The caller removes what it staged when it fails (discard); `register` also hands the
        file to the module's cleanup (for one file at a time: that list is searched linearly).
        Returns (temporary path, stat), or (None, None) in check mode. An OSError is raised with nothing left
        behind."""
        if self.module.check_mode:
            return None, None
        self.counter += 1
        tmp = os.path.join(self.directory, '.sametime-%d-%d.tmp' % (os.getpid(), self.counter))
        if register:
            self.module.add_cleanup_file(tmp)
        else:
            self.staged.add(tmp)
        try:
            info = write_new_file(tmp, content, self.mode, self.fix_mode)
        except BaseException:
            self.discard((tmp, None))
            raise
        return tmp, info

    def commit(self, staged, name):
        """Rename a staged file to <directory>/<name>; returns its stat (None in check mode). An OSError (the
        staged file removed) is the caller's to report: it knows the run's context."""
        tmp, info = staged
        if tmp is None:
            return None
        self.staged.discard(tmp)
        path = os.path.join(self.directory, name)
        try:
            if self.use_atomic_move:
                # atomic_move copies the old file's mode and times or applies the umask: set ours, stat again
                self.module.atomic_move(tmp, path, unsafe_writes=False)
                os.chmod(path, self.mode)
                info = os.stat(path)
            else:
                os.rename(tmp, path)
        except BaseException:
            self.discard(staged)
            raise
        _forget_cleanup_file(self.module, tmp)
        return info

    def discard(self, staged):
        """Remove a staged file that will not be committed."""
        tmp = staged[0]
        if tmp is None:
            return
        self.staged.discard(tmp)
        unlink_quietly(tmp)
        _forget_cleanup_file(self.module, tmp)
