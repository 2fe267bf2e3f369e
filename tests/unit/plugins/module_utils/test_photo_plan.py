# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""photo_plan: which entries may get a file, which bytes are a photo, what marks a change (and the report helpers)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import photo_ldap, photo_names, photo_plan, photo_report

JPEG = b'\xff\xd8\xff\xe0' + b'\x00\x10JFIF' + b'x' * 40 + b'\xff\xd9'


@pytest.mark.parametrize('mail, name, why', [
    ('jane.doe@acme.example', 'jane.doe@acme.example.jpg', None),
    ('Jane.Doe@ACME.Example', 'jane.doe@acme.example.jpg', None),
    (b'bytes.user@acme.example', 'bytes.user@acme.example.jpg', None),
    ("o'brien+tag@acme.example", "o'brien+tag@acme.example.jpg", None),
    ('pct%user@acme.example', 'pct%user@acme.example.jpg', None),
    ('sub/user@acme.example', None, 'mail contains a path separator'),
    ('../../etc/passwd@acme.example', None, 'mail contains a path separator'),
    ('..user@acme.example', None, "mail contains '..'"),
    ('user@acme..example', None, "mail contains '..'"),
    ('back\\slash@acme.example', None, 'mail contains a path separator'),
    ('nul\x00user@acme.example', None, 'mail contains NUL'),
    (b'nul\x00user@acme.example', None, 'mail contains NUL'),
    ('tab\tuser@acme.example', None, 'mail contains control characters'),
    ('new\nline@acme.example', None, 'mail contains control characters'),
    ('j\u00fcrgen@acme.example', None, 'mail is not ASCII'),
    ('\u212aelvin@acme.example', None, 'mail is not ASCII'),
    ('user@acme.example\n', None, 'mail contains control characters'),
    (b'\xff\xfe@acme.example', None, 'mail is not UTF-8'),
    ('', None, 'mail is empty'),
    (None, None, 'no mail value'),
    ('no-at-sign.acme.example', None, 'mail is not shaped like an address'),
    ('two@@acme.example', None, 'mail is not shaped like an address'),
    ('space user@acme.example', None, 'mail is not shaped like an address'),
    ('.leading@acme.example', None, 'mail is not shaped like an address'),
    ('trailing.@acme.example', None, 'mail is not shaped like an address'),
    ('user@localhost', None, 'mail is not shaped like an address'),
    ('user@-bad.example', None, 'mail is not shaped like an address'),
    ('a' * 240 + '@acme.example', None, 'mail is longer than 250 characters'),
])
def test_photo_file_name(mail, name, why):
    assert photo_names.file_name(mail) == (name, why)


def test_file_names_never_leave_the_folder():
    for mail in ('a/b@x.example', '..@x.example', 'x@..', '/abs@x.example', 'a@x.example/..', '.\x00@x.example'):
        name, _why = photo_names.file_name(mail)
        assert name is None or os.path.basename(name) == name and not name.startswith('.')


@pytest.mark.parametrize('data, limit, reason', [
    (JPEG, 0, None),
    (JPEG, len(JPEG), None),
    (JPEG + b'\x00\x00', 0, None),
    (JPEG, len(JPEG) - 1, 'too_large'),
    (b'', 0, 'empty_photo'),
    (None, 0, 'empty_photo'),
    (b'\x89PNG\r\n\x1a\n' + b'x' * 20, 0, 'not_jpeg'),
    (b'GIF89a' + b'x' * 20, 0, 'not_jpeg'),
    (JPEG[:-2], 0, 'not_jpeg'),  # truncated: no end marker
])
def test_check_photo(data, limit, reason):
    got, detail = photo_plan.check_photo(data, limit)
    assert got == reason
    assert (detail is None) == (reason is None)


def test_classify_entries_reports_duplicates_and_invalid():
    entries = [
        {'dn': 'uid=a', 'mail': b'Dup@acme.example', 'token': 't'},
        {'dn': 'uid=b', 'mail': b'dup@ACME.example', 'token': 't'},
        {'dn': 'uid=c', 'mail': b'ok@acme.example', 'token': 't'},
        {'dn': 'uid=d', 'mail': b'bad/x@acme.example', 'token': 't'},
    ]
    candidates, skipped, protected = photo_plan.classify_entries(entries)
    assert sorted(candidates) == ['ok@acme.example.jpg']
    assert protected == set(['dup@acme.example.jpg', 'ok@acme.example.jpg'])
    reasons = sorted((s['dn'], s['reason']) for s in skipped)
    assert reasons == [('uid=a', 'duplicate_mail'), ('uid=b', 'duplicate_mail'), ('uid=d', 'invalid_mail')]
    dup_a = [s for s in skipped if s['dn'] == 'uid=a'][0]
    assert 'uid=b' in dup_a['detail']


def test_change_token_and_first_value_are_case_insensitive():
    raw = {'EntryCSN': [b'2026-01'], 'modifyTimestamp': [b'2026'], 'thumbnailPhoto;binary': [b'x']}
    assert photo_plan.change_token(raw, ['entryCSN', 'uSNChanged', 'modifyTimestamp']) == 'entryCSN=2026-01|modifyTimestamp=2026'
    assert photo_ldap.first_value(raw, 'thumbnailphoto') == b'x'
    assert photo_ldap.first_value(raw, 'mail') is None


def test_printable_escapes_control_characters():
    assert photo_report.printable(b'a\x00b\nc') == 'a\\x00b\\x0ac'
    assert photo_report.printable(b'\xff') == '\\xff'
