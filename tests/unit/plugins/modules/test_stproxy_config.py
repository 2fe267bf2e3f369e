# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The target half of stproxy_config/userinfo_config: write the bytes the controller computed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib

import pytest

from ansible_collections.sametime.deploy.plugins.modules import stproxy_config, userinfo_config

OLD = b'<configuration>\r\n  <a>1</a>\r\n</configuration>\r\n'
NEW = b'<configuration>\r\n  <a>1</a>\r\n  <photoCache>\r\n    <enabled>true</enabled>\r\n  </photoCache>\r\n</configuration>\r\n'


def _args(path, content, original, **extra):
    args = dict(path=str(path), photo_cache=dict(enabled=True), _content=base64.b64encode(content).decode(),
                _original_checksum=hashlib.sha1(original).hexdigest() if original is not None else '')
    args.update(extra)
    return args


def test_writes_then_unchanged(run_module, tmp_path):
    path = tmp_path / 'stproxyconfig.xml'
    path.write_bytes(OLD)
    result, failed = run_module(stproxy_config, _args(path, NEW, OLD))
    assert not failed and result['changed'] is True and result['write_method'] == 'atomic'
    assert path.read_bytes() == NEW
    result, failed = run_module(stproxy_config, _args(path, NEW, NEW))
    assert not failed and result['changed'] is False
    assert path.read_bytes() == NEW


def test_backup_keeps_the_old_bytes(run_module, tmp_path):
    path = tmp_path / 'stproxyconfig.xml'
    path.write_bytes(OLD)
    result, failed = run_module(stproxy_config, _args(path, NEW, OLD, backup=True))
    assert not failed
    with open(result['backup_file'], 'rb') as handle:
        assert handle.read() == OLD


def test_file_changed_since_it_was_read(run_module, tmp_path):
    path = tmp_path / 'stproxyconfig.xml'
    path.write_bytes(OLD + b'<!-- edited by hand meanwhile -->\n')
    result, failed = run_module(stproxy_config, _args(path, NEW, OLD))
    assert failed and 'changed on the host while the edit was computed' in result['msg']
    assert path.read_bytes() == OLD + b'<!-- edited by hand meanwhile -->\n'


def test_file_appeared_since_it_was_read_as_missing(run_module, tmp_path):
    path = tmp_path / 'stproxyconfig.xml'
    path.write_bytes(OLD)
    result, failed = run_module(stproxy_config, _args(path, NEW, None, create=True))
    assert failed and path.read_bytes() == OLD


def test_creates(run_module, tmp_path):
    path = tmp_path / 'new.xml'
    result, failed = run_module(stproxy_config, _args(path, NEW, None, create=True))
    assert not failed and result['changed'] and path.read_bytes() == NEW


def test_check_mode_writes_nothing(run_module, tmp_path):
    path = tmp_path / 'stproxyconfig.xml'
    path.write_bytes(OLD)
    result, failed = run_module(stproxy_config, _args(path, NEW, OLD, _ansible_check_mode=True))
    assert not failed and result['changed'] is True
    assert path.read_bytes() == OLD


@pytest.mark.parametrize('module, args', [
    (stproxy_config, dict(photo_cache=dict(enabled=True))),
    (userinfo_config, dict(photo_attribute='photoURL')),
])
def test_without_the_action_plugin(run_module, tmp_path, module, args):
    path = tmp_path / 'x.xml'
    path.write_bytes(OLD)
    result, failed = run_module(module, dict(args, path=str(path)))
    assert failed and 'runs through its action plugin' in result['msg']
    assert path.read_bytes() == OLD


def test_userinfo_worker_writes(run_module, tmp_path):
    path = tmp_path / 'UserInfoConfig.xml'
    path.write_bytes(OLD)
    args = _args(path, NEW, OLD)
    del args['photo_cache']
    args['photo_attribute'] = 'photoURL'
    result, failed = run_module(userinfo_config, args)
    assert not failed and result['changed'] and path.read_bytes() == NEW
