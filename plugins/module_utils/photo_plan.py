# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure decisions of the photo workflows: which entries may get a photo file (names, duplicates), whether a photo's
bytes are acceptable, and what marks an entry as changed. Standard library only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.sametime.deploy.plugins.module_utils import photo_names
from ansible_collections.sametime.deploy.plugins.module_utils.photo_ldap import first_value
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import (
    duplicate_records, printable, skip_record)
from ansible_collections.sametime.deploy.plugins.module_utils.photo_resize import sniff_format, structure_problem

DEFAULT_CHANGE_ATTRIBUTES = ('entryCSN', 'uSNChanged', 'modifyTimestamp')


def check_photo(data, max_bytes):
    """(None, None) when `data` is an acceptable JPEG, else (reason, detail)."""
    if not data:
        return 'empty_photo', 'photo attribute is empty'
    if max_bytes and len(data) > max_bytes:
        return 'too_large', 'photo has %d bytes, more than max_photo_bytes=%d' % (len(data), max_bytes)
    # the same rules as the resize path (photo_resize), so that resize on and off agree on what a whole JPEG is
    if sniff_format(data) != 'jpeg':
        return 'not_jpeg', 'no JPEG start marker (first bytes %s)' % printable(data[:4])
    if structure_problem(data, 'jpeg'):
        return 'not_jpeg', 'no JPEG end marker (truncated data?)'
    return None, None


def change_token(raw_attributes, change_attributes):
    """The concatenated change markers of an entry ('' when the server returned none)."""
    parts = []
    for attr in change_attributes:
        value = first_value(raw_attributes, attr)
        if value is not None:
            parts.append('%s=%s' % (attr, value.decode('utf-8', 'surrogateescape') if isinstance(value, bytes) else value))
    return '|'.join(parts)


def classify_entries(entries):
    """Pass-1 decisions. `entries`: list of dicts with dn, mail (raw), token.

    Returns (candidates, skipped, protected): candidates maps file name -> entry for entries that
    may be exported; skipped is a list of report dicts; protected is the set of file names that
    belong to people still found (never pruned).
    """
    by_name = {}
    skipped = []
    for entry in entries:
        name, why = photo_names.file_name(entry['mail'])
        if name is None:
            skipped.append(skip_record(entry, 'invalid_mail', why))
            continue
        entry['name'] = name
        by_name.setdefault(name, []).append(entry)
    candidates = {}
    for name, holders in by_name.items():
        if len(holders) == 1:
            candidates[name] = holders[0]
            continue
        skipped.extend(duplicate_records(name, holders))
    return candidates, skipped, set(by_name)
