# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import tarfile

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import ldap_photos as lp
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.writer_fakes import FakeModule

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
    assert lp.photo_file_name(mail) == (name, why)


def test_file_names_never_leave_the_folder():
    for mail in ('a/b@x.example', '..@x.example', 'x@..', '/abs@x.example', 'a@x.example/..', '.\x00@x.example'):
        name, _why = lp.photo_file_name(mail)
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
    got, detail = lp.check_photo(data, limit)
    assert got == reason
    assert (detail is None) == (reason is None)


@pytest.mark.parametrize('user_filter, attrs, expected', [
    ('(objectClass=person)', ['mail', 'jpegPhoto'], '(&(objectClass=person)(mail=*)(jpegPhoto=*))'),
    ('objectClass=person', ['mail'], '(&(objectClass=person)(mail=*))'),
    ('', ['mail'], '(&(objectClass=*)(mail=*))'),
    (None, [], '(&(objectClass=*))'),
    ('(|(ou=a)(ou=b))', ['mail'], '(&(|(ou=a)(ou=b))(mail=*))'),
])
def test_combine_filter(user_filter, attrs, expected):
    assert lp.combine_filter(user_filter, attrs) == expected


@pytest.mark.parametrize('template, name, url', [
    ('http://photos.example/{mail}.jpg', 'jane@acme.example.jpg', 'http://photos.example/jane@acme.example.jpg'),
    ('http://p/{mail}.jpg', "o'b+x@a.example.jpg", "http://p/o%27b%2Bx@a.example.jpg"),
    ('http://p/{mail}.jpg', 'a~b_c-d.e@a.example.jpg', 'http://p/a~b_c-d.e@a.example.jpg'),
    ('http://p/{mail}.jpg', 'a#b?c%d@a.example.jpg', 'http://p/a%23b%3Fc%25d@a.example.jpg'),
    ('http://p/photo?email={mail}', 'x@a.example.jpg', 'http://p/photo?email=x@a.example'),
])
def test_render_url(template, name, url):
    assert lp.render_url(template, name) == url


@pytest.mark.parametrize('template, ok', [
    ('http://p/{mail}.jpg', True),
    ('http://p/photo.jpg', False),
    ('http://p/{mail}/{uid}.jpg', False),
    ('http://p/{0}.jpg', False),
    ('http://p/{mail} .jpg', False),
    ('', False),
])
def test_validate_url_template(template, ok):
    assert (lp.validate_url_template(template) is None) == ok


def test_classify_entries_reports_duplicates_and_invalid():
    entries = [
        {'dn': 'uid=a', 'mail': b'Dup@acme.example', 'token': 't'},
        {'dn': 'uid=b', 'mail': b'dup@ACME.example', 'token': 't'},
        {'dn': 'uid=c', 'mail': b'ok@acme.example', 'token': 't'},
        {'dn': 'uid=d', 'mail': b'bad/x@acme.example', 'token': 't'},
    ]
    candidates, skipped, protected = lp.classify_entries(entries)
    assert sorted(candidates) == ['ok@acme.example.jpg']
    assert protected == set(['dup@acme.example.jpg', 'ok@acme.example.jpg'])
    reasons = sorted((s['dn'], s['reason']) for s in skipped)
    assert reasons == [('uid=a', 'duplicate_mail'), ('uid=b', 'duplicate_mail'), ('uid=d', 'invalid_mail')]
    dup_a = [s for s in skipped if s['dn'] == 'uid=a'][0]
    assert 'uid=b' in dup_a['detail']


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
    assert lp.needs_fetch('n.jpg', entry, state, file_stat) is expected


def test_change_token_and_first_value_are_case_insensitive():
    raw = {'EntryCSN': [b'2026-01'], 'modifyTimestamp': [b'2026'], 'thumbnailPhoto;binary': [b'x']}
    assert lp.change_token(raw, ['entryCSN', 'uSNChanged', 'modifyTimestamp']) == 'entryCSN=2026-01|modifyTimestamp=2026'
    assert lp.first_value(raw, 'thumbnailphoto') == b'x'
    assert lp.first_value(raw, 'mail') is None


def test_printable_escapes_control_characters():
    assert lp.printable(b'a\x00b\nc') == 'a\\x00b\\x0ac'
    assert lp.printable(b'\xff') == '\\xff'


def test_list_photo_files_only_regular_jpgs(tmp_path):
    (tmp_path / 'a@x.example.jpg').write_bytes(JPEG)
    (tmp_path / '.hidden.jpg').write_bytes(JPEG)
    (tmp_path / 'notes.txt').write_bytes(b'x')
    (tmp_path / 'sub.jpg').mkdir()
    os.symlink('/etc/passwd', str(tmp_path / 'link@x.example.jpg'))
    assert sorted(lp.list_photo_files(str(tmp_path))) == ['a@x.example.jpg']
    assert lp.list_photo_files(str(tmp_path / 'missing')) == {}


def test_bundle_is_deterministic_and_replaced_only_on_change(tmp_path):
    dest = tmp_path / 'staging'
    dest.mkdir()
    for i in range(3):
        (dest / ('u%d@x.example.jpg' % i)).write_bytes(JPEG + bytes([i]))
        os.utime(str(dest / ('u%d@x.example.jpg' % i)), (1700000000 + i, 1700000000 + i))
    (dest / lp.STATE_FILE_NAME).write_text(u'{}')
    bundle = str(tmp_path / 'photos.tar')
    module = FakeModule()
    changed, sha = lp.build_bundle(module, str(dest), bundle)
    assert changed
    assert module.cleanup_files == []  # the renamed temporary file is no longer registered
    with open(bundle, 'rb') as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == sha
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ['u0@x.example.jpg', 'u1@x.example.jpg', 'u2@x.example.jpg', '.complete']
    assert [m.mtime for m in members[:3]] == [1700000000, 1700000001, 1700000002]
    inode = os.stat(bundle).st_ino
    assert lp.build_bundle(module, str(dest), bundle) == (False, sha)
    assert os.stat(bundle).st_ino == inode  # not replaced
    assert [p for p in os.listdir(str(tmp_path)) if p.startswith('.sametime')] == []
    (dest / 'u1@x.example.jpg').unlink()
    changed, sha2 = lp.build_bundle(module, str(dest), bundle)
    assert changed and sha2 != sha


def test_bundle_needs_existing_folder(tmp_path):
    with pytest.raises(lp.PhotoExportError, match='does not exist'):
        lp.build_bundle(FakeModule(), str(tmp_path), str(tmp_path / 'no' / 'photos.tar'))


def test_settings_key_changes_with_relevant_options():
    base = {'server_uri': 'ldap://x', 'search_base': 'dc=x', 'search_filter': '(a=b)', 'mail_attribute': 'mail',
            'photo_attribute': 'jpegPhoto', 'max_photo_bytes': 10, 'change_attributes': ['entryCSN'], 'prune': True}
    other = dict(base, photo_attribute='thumbnailPhoto')
    assert lp.settings_key(base) != lp.settings_key(other)
    assert lp.settings_key(base) == lp.settings_key(dict(base, prune=False))
