# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of preflight.yml and rollback.yml, by table (the playbooks call them in the lab's site tests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.sametime.deploy.plugins.filter import change_window as change_window_filter
from ansible_collections.sametime.deploy.plugins.plugin_utils import change_window

DF_LINE = '/dev/sda1 41152736 30000000 %d 73%% /opt\n'


def df(path, free_kb=None, rc=0, stdout=None, stderr=''):
    return dict(item=path, rc=rc, stdout=stdout if stdout is not None else DF_LINE % free_kb, stderr=stderr)


@pytest.mark.parametrize('result, ok, detail', [
    (df('/opt', 1024 * 600), True, '600 MB free on /opt (need 500)'),
    (df('/opt', 1024 * 500), True, '500 MB free on /opt (need 500)'),
    (df('/opt', 1024 * 499 + 1023), False, '499 MB free on /opt (need 500)'),
    (df('/x', rc=1, stdout='', stderr='df: /x: No such file or directory'), False,
     'df failed: df: /x: No such file or directory'),
    # not a POSIX df line (a localized or wrapped output): quoted, never read as a number
    (df('/opt', stdout='Dateisystem 1K-Blöcke Benutzt Verfügbar\n'), False,
     'df failed: Dateisystem 1K-Blöcke Benutzt Verfügbar'),
    (df('/opt', stdout='/dev/sda1 41152736 30000000 - 73% /opt\n'), False,
     'df failed: /dev/sda1 41152736 30000000 - 73% /opt'),
    (df('/opt', rc=1, stdout='', stderr='x' * 100), False, 'df failed: ' + 'x' * 77 + '...'),
])
def test_disk_rows(result, ok, detail):
    assert change_window.disk_rows([result], '500') == [
        dict(check='free disk %s' % result['item'], kind='ready', ok=ok, detail=detail)]


ROWS = {
    'meeting2': [dict(check='hadr', kind='state', ok=False, detail='not yet'),
                 dict(check='ssh', kind='ready', ok=True, detail='ok')],
    'meeting1': [dict(check='disk', kind='ready', ok=False, detail='10 MB'),
                 dict(check='disk', kind='ready', ok=False, detail='10 MB')],
    'ihs1': [],
}


@pytest.mark.parametrize('strict, results', [
    (False, [('meeting1', 'disk', 'FAIL'), ('meeting2', 'hadr', 'PENDING'), ('meeting2', 'ssh', 'PASS')]),
    (True, [('meeting1', 'disk', 'FAIL'), ('meeting2', 'hadr', 'FAIL'), ('meeting2', 'ssh', 'PASS')]),
    ('False', [('meeting1', 'disk', 'FAIL'), ('meeting2', 'hadr', 'PENDING'), ('meeting2', 'ssh', 'PASS')]),
])
def test_preflight_results(strict, results):
    hostvars = dict((host, {'preflight_rows': rows}) for host, rows in ROWS.items())
    hostvars['ldap1'] = {}
    rows = change_window.preflight_results(hostvars, ['meeting2', 'ldap1', 'meeting1', 'ihs1', 'gone'], strict)
    assert [(r['host'], r['check'], r['result']) for r in rows] == results


def test_preflight_table():
    rows = [dict(host='meeting1', check='disk', result='FAIL', detail='10 MB'),
            dict(host='meeting2', check='hadr', result='PENDING', detail='not yet')]
    assert change_window.preflight_table(rows) == [
        'result    host           check                              detail',
        'FAIL      meeting1       disk                               10 MB',
        'PENDING   meeting2       hadr                               not yet',
        '2 checks: 0 passed, 1 failed, 1 pending (set by this run)']


BACKUPS = [
    dict(host='stproxy1', path='/opt/a/stproxyconfig.xml', backup_file='/opt/a/stproxyconfig.xml.1.bak',
         delegated_to='ssc1'),
    dict(host='ihs1', path='/opt/IBM/HTTPServer/conf/icphotos.conf', backup_file='/opt/b.bak', delegated_to=''),
    dict(host='meeting1', path='/etc/hosts', backup_file='/etc/hosts.bak'),
    dict(host='meeting1', path='/etc/hosts.d/x', backup_file='/etc/x.bak'),
]


@pytest.mark.parametrize('exclude, paths', [
    ([], ['/opt/a/stproxyconfig.xml', '/opt/IBM/HTTPServer/conf/icphotos.conf', '/etc/hosts', '/etc/hosts.d/x']),
    (['/etc/hosts'], ['/opt/a/stproxyconfig.xml', '/opt/IBM/HTTPServer/conf/icphotos.conf', '/etc/hosts.d/x']),
    (['/etc/.*', '.*[.]conf'], ['/opt/a/stproxyconfig.xml']),
    (['stproxyconfig'], ['/opt/a/stproxyconfig.xml', '/opt/IBM/HTTPServer/conf/icphotos.conf', '/etc/hosts',
                         '/etc/hosts.d/x']),   # the whole path must match
])
def test_rollback_entries(exclude, paths):
    entries = change_window.rollback_entries(BACKUPS, exclude)
    assert [e['path'] for e in entries] == paths
    assert [('delegated_to' in e) for e in entries] == [e['path'] == '/opt/a/stproxyconfig.xml' for e in entries]


def test_rollback_entries_bad_pattern():
    with pytest.raises(change_window.ChangeWindowError, match=r"rollback_exclude_paths: '\(' is not a regular"):
        change_window.rollback_entries(BACKUPS, ['('])


@pytest.mark.parametrize('here, targets', [
    # every backup where the task ran (the delegated one on its delegate)
    ({'ssc1': ['/opt/a/stproxyconfig.xml.1.bak'], 'ihs1': ['/opt/b.bak'],
      'meeting1': ['/etc/hosts.bak', '/etc/x.bak']}, ['ssc1', 'ihs1', 'meeting1', 'meeting1']),
    # a delegated backup is never looked for elsewhere; the others fall back to the candidates in order
    ({'stproxy1': ['/opt/a/stproxyconfig.xml.1.bak'], 'ssc1': ['/opt/b.bak', '/etc/hosts.bak'],
      'meeting1': []}, ['', 'ssc1', 'ssc1', '']),
])
def test_rollback_plan(here, targets):
    entries = change_window.rollback_entries(BACKUPS, [])
    hostvars = dict((host, {'rollback_here': files}) for host, files in here.items())
    plan = change_window.rollback_plan(entries, hostvars, ['ssc1', 'stproxy1', 'ihs1', 'meeting1'])
    assert [p['target'] for p in plan] == targets


def test_rollback_plan_restores_a_path_once_per_host():
    entries = [dict(host='m1', path='/etc/hosts', backup_file='/etc/hosts.1'),
               dict(host='m1', path='/etc/hosts', backup_file='/etc/hosts.2'),
               dict(host='m2', path='/etc/hosts', backup_file='/gone')]
    hostvars = {'m1': {'rollback_here': ['/etc/hosts.1', '/etc/hosts.2']}, 'm2': {}}
    plan = change_window.rollback_plan(entries, hostvars, ['m1', 'm2'])
    assert [(p['backup_file'], p['target']) for p in plan] == [('/etc/hosts.1', 'm1'), ('/gone', '')]


def test_filter_plugin_names_its_errors():
    """The filters the plugin exposes, and an error that names the filter (the playbooks run them in the lab)."""
    filters = change_window_filter.FilterModule().filters()
    assert sorted(filters) == ['preflight_disk_rows', 'preflight_results', 'preflight_table', 'rollback_entries',
                               'rollback_plan']
    assert [e['path'] for e in filters['rollback_entries'](BACKUPS, ['/etc/.*', '.*conf'])] == [
        '/opt/a/stproxyconfig.xml']
    with pytest.raises(AnsibleFilterError, match=r'^rollback_entries: rollback_exclude_paths'):
        filters['rollback_entries'](BACKUPS, ['('])
