# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.callback import change_report


@pytest.mark.parametrize('result, expected', [
    ({'summary': 'photoCache: 2 values set'}, 'photoCache: 2 values set'),
    ({'msg': ['a', 'b']}, 'a; b'),
    ({'changes': {'cacheExpiry': 1, 'enabled': 2}}, 'changed: cacheExpiry, enabled'),
    ({'changes': ['x -> y']}, 'x -> y'),
    ({}, ''),
])
def test_summary(result, expected):
    assert change_report._summary(result) == expected


@pytest.mark.parametrize('result, expected', [
    ({'path': '/etc/hosts'}, '/etc/hosts'),
    ({'dest': '/d'}, '/d'),
    ({'invocation': {'module_args': {'path': '/from/args'}}}, '/from/args'),
    ({'invocation': {'module_args': {}}}, None),
])
def test_path(result, expected):
    assert change_report._path(result) == expected


def test_path_from_task_args():
    assert change_report._path({'backup': '/x~'}, {'path': '/opt/httpd.conf', 'line': 'x'}) == '/opt/httpd.conf'
    assert change_report._path({'dest': '/d'}, {'path': '/ignored'}) == '/d'


@pytest.mark.parametrize('result, expected', [
    ({'backup_file': '/etc/x.1~'}, '/etc/x.1~'),
    ({'backup': '/opt/httpd.conf.2~'}, '/opt/httpd.conf.2~'),
    ({'backup': '', 'backup_file': None}, None),
    ({'invocation': {'module_args': {'backup': True}}}, None),
])
def test_backup(result, expected):
    assert change_report._backup(result) == expected


def test_render_markdown():
    text = change_report.render_markdown(
        '20261129T030000', 'site.yml', False,
        {'ihs1': [{'task': 'Write vhost', 'action': 'sametime.deploy.ihs_photo_vhost', 'summary': 'rendered 2.4',
                   'path': '/opt/IBM/HTTPServer/conf/icphotos.conf', 'backup_file': '/x~'}]},
        {'ihs1': {'ok': 3, 'changed': 1}, 'ldap1': {'ok': 1}})
    assert text.splitlines() == [
        '# Change report 20261129T030000', '',
        'Playbook: `site.yml`', '',
        '| host | ok | changed | failed | unreachable |', '|---|---|---|---|---|',
        '| ihs1 | 3 | 1 | 0 | 0 |', '| ldap1 | 1 | 0 | 0 | 0 |', '',
        '## ihs1', '',
        '- **Write vhost** (`sametime.deploy.ihs_photo_vhost`) `/opt/IBM/HTTPServer/conf/icphotos.conf`: rendered 2.4'
        ' — backup `/x~`']


def test_render_markdown_check_mode_no_changes():
    text = change_report.render_markdown('r', 'site.yml', True, {}, {})
    assert '(check mode: a preview, nothing was changed)' in text
    assert text.endswith('No host changed anything.\n')
