# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""photo_bundle: the deterministic tar of the photo set."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import tarfile

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import photo_bundle, photo_report, photo_state
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.writer_fakes import FakeModule

JPEG = b'\xff\xd8\xff\xe0' + b'\x00\x10JFIF' + b'x' * 40 + b'\xff\xd9'


def test_bundle_is_deterministic_and_replaced_only_on_change(tmp_path):
    dest = tmp_path / 'staging'
    dest.mkdir()
    for i in range(3):
        (dest / ('u%d@x.example.jpg' % i)).write_bytes(JPEG + bytes([i]))
        os.utime(str(dest / ('u%d@x.example.jpg' % i)), (1700000000 + i, 1700000000 + i))
    (dest / photo_state.STATE_FILE_NAME).write_text(u'{}')
    bundle = str(tmp_path / 'photos.tar')
    module = FakeModule()
    changed, sha = photo_bundle.build_bundle(module, str(dest), bundle)
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
    assert photo_bundle.build_bundle(module, str(dest), bundle) == (False, sha)
    assert os.stat(bundle).st_ino == inode  # not replaced
    assert [p for p in os.listdir(str(tmp_path)) if p.startswith('.sametime')] == []
    (dest / 'u1@x.example.jpg').unlink()
    changed, sha2 = photo_bundle.build_bundle(module, str(dest), bundle)
    assert changed and sha2 != sha


def test_bundle_needs_existing_folder(tmp_path):
    with pytest.raises(photo_report.PhotoError, match='does not exist'):
        photo_bundle.build_bundle(FakeModule(), str(tmp_path), str(tmp_path / 'no' / 'photos.tar'))
