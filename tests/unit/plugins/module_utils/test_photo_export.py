# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""photo_export against a fake ldap3 connection and a real folder: the errors name their cause (disk full,
permission, the LDAP server gone - with the entries read and the pass), and a failed run leaves the folder as it was."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

import pytest

ldap3 = pytest.importorskip('ldap3')
from ldap3.core.exceptions import LDAPResponseTimeoutError, LDAPSocketReceiveError

from ansible_collections.sametime.deploy.plugins.module_utils import fileio, photo_export, photo_state
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import PhotoError
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.writer_fakes import RealMoveModule

BASE = 'ou=people,o=x'


def jpeg(tag):
    return b'\xff\xd8\xff\xe0' + tag.encode('ascii') * 20 + b'\xff\xd9'


class ExportModule(RealMoveModule):
    _diff = False

    def warn(self, text):
        pass


class FakeConnection(object):
    """What photo_export uses of an ldap3 Connection: extend.standard.paged_search(generator=True), result.
    `fail` = (search number, entries before the error, exception): that search raises after so many entries."""

    def __init__(self, users, fail=None):
        self.users = users  # [(uid, mail, photo, token)]
        self.fail = fail
        self.searches = 0
        self.result = None
        self.extend = self
        self.standard = self

    def paged_search(self, base, search_filter, search_scope=None, attributes=None, paged_size=None, generator=False):
        assert generator and base == BASE
        self.searches += 1
        self.result = {'result': 0}
        wanted = [a.lower() for a in attributes]
        for index, (uid, mail, photo, token) in enumerate(self.users):
            if self.fail and self.fail[0] == self.searches and index == self.fail[1]:
                raise self.fail[2]
            raw = {'mail': [mail.encode('ascii')], 'entryCSN': [token.encode('ascii')]}
            if 'thumbnailphoto' in wanted:
                raw['thumbnailPhoto'] = [photo]
            yield {'type': 'searchResEntry', 'dn': 'uid=%s,%s' % (uid, BASE), 'raw_attributes': raw}


USERS = [('u%d' % i, 'u%d@x.example' % i, jpeg('u%d' % i), 'csn-%d' % i) for i in range(5)]


def params(dest, **extra):
    out = {'server_uri': 'ldap://fake', 'search_base': BASE, 'search_filter': '(objectClass=person)',
           'mail_attribute': 'mail', 'photo_attribute': 'thumbnailPhoto', 'change_attributes': ['entryCSN'],
           'incremental': True, 'dest': str(dest), 'page_size': 2, 'max_photo_bytes': 46080, 'fetch_threshold': 0,
           'prune': True, 'report_limit': 100, 'file_mode': 0o644}
    out.update(extra)
    return out


def folder(dest):
    return dict((name, (dest / name).read_bytes()) for name in sorted(os.listdir(str(dest))))


def test_a_fake_export_writes_the_photos(tmp_path):
    result = photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    assert result['written'] == 5 and folder(tmp_path)['u3@x.example.jpg'] == jpeg('u3')
    again = photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    assert (again['written'], again['fetched'], again['unchanged']) == (0, 0, 5)


@pytest.mark.parametrize('code, cause', [
    (errno.ENOSPC, 'the disk is full (ENOSPC)'),
    (errno.EDQUOT, 'the disk quota is exhausted (EDQUOT)'),
    (errno.EACCES, 'permission denied (EACCES)'),
    (errno.EROFS, 'the file system is read-only (EROFS)'),
    (errno.EIO, 'Input/output error (EIO)'),
])
def test_a_failing_photo_write_names_the_cause_and_takes_back_the_files(tmp_path, monkeypatch, code, cause):
    real = fileio.write_new_file
    calls = []

    def write_then_fail(path, content, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code), path)
        return real(path, content, *args, **kwargs)

    monkeypatch.setattr(fileio, 'write_new_file', write_then_fail)
    with pytest.raises(PhotoError) as info:
        photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    assert str(info.value) == 'cannot write %s: %s' % (tmp_path / 'u2@x.example.jpg', cause)
    assert folder(tmp_path) == {}  # the two files written before are taken back, no temporary file is left


def test_a_failing_replacement_leaves_the_old_files(tmp_path, monkeypatch):
    """Replacements wait as temporary files until the search is complete: a full disk leaves every old file."""
    for uid, mail, _photo, _token in USERS:
        (tmp_path / (mail + '.jpg')).write_bytes(jpeg('old ' + uid))
    before = folder(tmp_path)
    real = fileio.write_new_file
    calls = []

    def fill_the_disk(path, content, *args, **kwargs):
        calls.append(path)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, 'No space left on device', path)
        return real(path, content, *args, **kwargs)

    monkeypatch.setattr(fileio, 'write_new_file', fill_the_disk)
    with pytest.raises(PhotoError, match=r'cannot write .*u3@x\.example\.jpg: the disk is full \(ENOSPC\)$'):
        photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    assert folder(tmp_path) == before


def test_a_full_disk_for_the_state_file_is_named(tmp_path, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(photo_state.tempfile, 'mkstemp', no_space)
    with pytest.raises(PhotoError) as info:
        photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    assert str(info.value) == 'cannot write the state file %s: the disk is full (ENOSPC)' % (
        tmp_path / photo_state.STATE_FILE_NAME)


def test_a_dest_that_cannot_be_created_is_named(tmp_path):
    (tmp_path / 'file').write_bytes(b'x')
    with pytest.raises(PhotoError) as info:
        photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path / 'file' / 'staging'))
    assert 'cannot create dest %s: ' % (tmp_path / 'file' / 'staging') in str(info.value)
    assert 'ENOTDIR' in str(info.value)


GONE = LDAPSocketReceiveError('error receiving data: [Errno 104] Connection reset by peer')
SILENT = LDAPResponseTimeoutError('no response from server')


@pytest.mark.parametrize('with_state, fail, message', [
    (False, (1, 3, GONE),
     'LDAP search under %s failed after 3 entries of the one search (mail, photo and change markers): the '
     'connection to the LDAP server was lost (LDAPSocketReceiveError: error receiving data: [Errno 104] Connection '
     'reset by peer)' % BASE),
    (True, (1, 2, GONE),
     'LDAP search under %s failed after 2 entries of pass 1 (mail and change markers): the connection to the LDAP '
     'server was lost (LDAPSocketReceiveError: error receiving data: [Errno 104] Connection reset by peer)' % BASE),
    (True, (2, 4, SILENT),
     'LDAP search under %s failed after 4 entries of pass 2 (photos of new and changed entries): the LDAP server '
     'stopped answering (LDAPResponseTimeoutError: no response from server)' % BASE),
])
def test_ldap_gone_names_the_pass_and_the_entries_read(tmp_path, with_state, fail, message):
    if with_state:
        photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    before = folder(tmp_path)
    changed = [(uid, mail, jpeg('new ' + uid), token + '-2') for uid, mail, _photo, token in USERS]
    with pytest.raises(PhotoError) as info:
        photo_export.export_photos(ExportModule(), FakeConnection(changed, fail), params(tmp_path))
    assert str(info.value) == message
    after = folder(tmp_path)
    # nothing pruned, no file of a one-search run left behind, the state as it was; pass 2 has put in the new photos
    # it read before the server went (they are whole and current: the next run reads them again, writes nothing)
    assert sorted(after) == sorted(before)
    assert after.get(photo_state.STATE_FILE_NAME) == before.get(photo_state.STATE_FILE_NAME)
    new = dict((mail + '.jpg', photo) for _uid, mail, photo, _token in changed)
    assert [n for n in after if n.endswith('.jpg') and after[n] not in (before[n], new[n])] == []


def test_an_error_result_ends_the_search_with_its_code(tmp_path):
    class RefusingConnection(FakeConnection):
        def paged_search(self, *args, **kwargs):
            items = list(FakeConnection.paged_search(self, *args, **kwargs))
            self.result = {'result': 11, 'description': 'adminLimitExceeded', 'message': 'too many'}
            return iter(items)

    with pytest.raises(PhotoError) as info:
        photo_export.export_photos(ExportModule(), RefusingConnection(USERS), params(tmp_path))
    assert 'failed after 5 entries of the one search (mail, photo and change markers): adminLimitExceeded (11) ' \
           'too many' in str(info.value)


def test_refresh_tokens_after_url_writes(tmp_path):
    """The paged read-back (more entries than fetch_threshold): a new token is recorded where the photo still gives the
    file; a changed photo and an entry the state does not know are left for the next export."""
    photo_export.export_photos(ExportModule(), FakeConnection(USERS), params(tmp_path))
    after_url = [(uid, mail, jpeg('changed') if uid == 'u1' else photo, token + '-url')
                 for uid, mail, photo, token in USERS] + [('new', 'new@x.example', jpeg('new'), 'csn-new')]
    dns = ['uid=%s,%s' % (uid, BASE) for uid, _mail, _photo, _token in after_url]
    assert photo_export.refresh_tokens(ExportModule(check_mode=True), FakeConnection(after_url), str(tmp_path), dns,
                                       BASE, '(objectClass=person)', 2, fetch_threshold=0) == 0
    assert photo_export.refresh_tokens(ExportModule(), FakeConnection(after_url), str(tmp_path), dns, BASE,
                                       '(objectClass=person)', 2, fetch_threshold=0) == 4
    result = photo_export.export_photos(ExportModule(), FakeConnection(after_url), params(tmp_path))
    assert (result['fetched'], result['written_files']) == (2, ['new@x.example.jpg', 'u1@x.example.jpg'])
