# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import fileio

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
