# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the photo modules report: the one error type, skipped entries, counts, and causes of file system errors.

Standard library only (shared by ldap_photo_export and ldap_photo_url on the controller).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

# Why an export left a user without a photo file (the keys of skipped_by_reason, in this order). not_jpeg and
# too_large only without resize; resize_refused only with it (the photo could not be re-encoded: photo_resize).
SKIP_REASONS = ('invalid_mail', 'duplicate_mail', 'not_jpeg', 'too_large', 'empty_photo', 'resize_refused',
                'changed_during_export')

# errno -> the cause as an operator reads it; anything else is reported with the system's own text
OS_ERROR_CAUSES = {
    errno.ENOSPC: 'the disk is full (ENOSPC)',
    errno.EDQUOT: 'the disk quota is exhausted (EDQUOT)',
    errno.EACCES: 'permission denied (EACCES)',
    errno.EPERM: 'operation not permitted (EPERM)',
    errno.EROFS: 'the file system is read-only (EROFS)',
    errno.ENOENT: 'no such file or folder (ENOENT)',
    errno.ELOOP: 'a symbolic link is in the way (ELOOP)',
}


class PhotoError(Exception):
    """A failure that must stop the run; the message says what and where."""


def os_error_cause(exc):
    """The cause of an OSError in words, naming the errno: 'the disk is full (ENOSPC)'."""
    cause = OS_ERROR_CAUSES.get(getattr(exc, 'errno', None))
    if cause:
        return cause
    code = errno.errorcode.get(getattr(exc, 'errno', None))
    text = getattr(exc, 'strerror', None) or str(exc)
    return '%s (%s)' % (text, code) if code else text


def file_error(action, path, exc):
    """A PhotoError for a failed file operation: 'cannot write <path>: the disk is full (ENOSPC)'."""
    return PhotoError('cannot %s %s: %s' % (action, path, os_error_cause(exc)))


def printable(value):
    """A log-safe text rendering of an attribute value (bytes or text): control characters escaped."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'backslashreplace')
    out = []
    for char in value:
        if ord(char) < 32 or ord(char) == 127:
            out.append('\\x%02x' % ord(char))
        else:
            out.append(char)
    return ''.join(out)


def skip_record(entry, reason, detail):
    return {'dn': entry['dn'], 'mail': printable(entry.get('mail')), 'reason': reason, 'detail': detail}


def resize_record(entry, name, detail):
    """A photo served as a re-encoded JPEG (resize): who, which file, and what was done (photo_resize's reason)."""
    return {'dn': entry['dn'], 'mail': printable(entry.get('mail')), 'file': name, 'detail': detail}


def duplicate_records(name, holders):
    """The 'duplicate_mail' reports of the entries that share the file name `name`, each naming the others."""
    dns = sorted(holder['dn'] for holder in holders)
    return [skip_record(holder, 'duplicate_mail', '%s is also the mail of %s'
                        % (name[:-4], '; '.join(dn for dn in dns if dn != holder['dn']))) for holder in holders]


def count_by_reason(skipped, reasons=()):
    """{reason: count} of skip records; every reason in `reasons` is present (0 when none)."""
    counts = dict((reason, 0) for reason in reasons)
    for record in skipped:
        counts[record['reason']] = counts.get(record['reason'], 0) + 1
    return counts


def sort_skipped(skipped):
    skipped.sort(key=lambda s: (s['reason'], s['dn']))
    return skipped
