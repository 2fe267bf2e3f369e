# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""stproxy_config over real SSH on the lab's ssc, and the role stproxy_photos in check mode on the lab's own files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys
import shutil

import pytest

pytestmark = pytest.mark.lab

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FIXTURES = os.path.join(REPO, 'tests', 'unit', 'plugins', 'module_utils', 'fixtures', 'stproxy')
sys.path.insert(0, os.path.dirname(FIXTURES))
from xml_bytes import copy_fixture, fixture_bytes  # pylint: disable=import-error,wrong-import-position
EDIT = os.path.join(HERE, 'edit.yml')
DM_FILE = ('/opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile/config/cells/sscCell01/nodes/stproxy1Node01/'
           'servers/STProxyServer/stproxyconfig.xml')
NODE_FILE = ('/opt/IBM/WebSphere/AppServer/profiles/STPAppProfile/config/cells/sscCell01/nodes/stproxy1Node01/'
             'servers/STProxyServer/stproxyconfig.xml')
GOOD = ['missing-section.xml', 'partial-section.xml', 'indent-tabs.xml', 'comments.xml', 'crlf.xml', 'bom-crlf.xml',
        'latin1.xml', 'up-to-date.xml']
BAD = [('bad-seed-typo.xml', {}, "malformed XML at line 7, column 64: expected '>'"),
       ('bad-root.xml', {}, 'expected <configuration>'),
       ('missing-section.xml', {'photo_cache': {'cache_expiry': 'abc'}}, 'must be a positive integer'),
       ('missing-section.xml', {'photo_cache': {'proxy_server_url': 'stproxy.acme.example'}}, 'needs a scheme'),
       ('missing-section.xml', {'photo_cache': {'storage_location': 'photocache'}}, 'must be an absolute path'),
       (None, {}, 'does not exist on the host')]


def _read(path):
    with open(path, 'rb') as handle:
        return handle.read()


@pytest.fixture
def scratch(lab):
    remote = '/tmp/stproxy-it'
    local = lab.path('ssc', remote)
    shutil.rmtree(local, ignore_errors=True)
    os.makedirs(local)
    yield remote, local
    shutil.rmtree(local, ignore_errors=True)


def _run(ansible_playbook, tmp_path, files, *args):
    results = tmp_path / 'results.json'
    extra = json.dumps({'stproxy_it_files': files, 'stproxy_it_results': str(results)})
    proc = ansible_playbook(EDIT, '-e', extra, *args)
    assert results.exists(), proc.stdout
    return json.loads(results.read_text()), proc


def test_table_over_ssh(lab, ansible_playbook, scratch, tmp_path):
    remote, local = scratch
    for name in GOOD:
        copy_fixture(os.path.join(FIXTURES, name), os.path.join(local, name))
    data, proc = _run(ansible_playbook, tmp_path, [{'path': '%s/%s' % (remote, name)} for name in GOOD])
    assert proc.stats['ssc']['failed'] == 0, proc.stdout
    for name, first, second in zip(GOOD, data['first'], data['second']):
        expected = fixture_bytes(os.path.join(FIXTURES, 'expected', name))
        assert _read(os.path.join(local, name)) == expected, name
        assert first['changed'] is (name != 'up-to-date.xml'), (name, first)
        assert second['changed'] is False, (name, second)
        if first['changed']:  # the backup holds the original bytes
            assert _read(lab.path('ssc', first['backup_file'])) == fixture_bytes(os.path.join(FIXTURES, name))


def test_bad_input_catalogue_over_ssh(lab, ansible_playbook, scratch, tmp_path):
    remote, local = scratch
    files = []
    for index, (name, options, _message) in enumerate(BAD):
        target = '%d.xml' % index
        if name:
            copy_fixture(os.path.join(FIXTURES, name), os.path.join(local, target))
        files.append(dict(options, path='%s/%s' % (remote, target)))
    data, proc = _run(ansible_playbook, tmp_path, files)
    for index, ((name, _options, message), result) in enumerate(zip(BAD, data['first'])):
        assert result.get('failed') is True and message in result['msg'], (name, result)
        target = os.path.join(local, '%d.xml' % index)
        if name:
            assert _read(target) == fixture_bytes(os.path.join(FIXTURES, name)), name
        else:
            assert not os.path.exists(target)
    assert sorted(os.listdir(local)) == ['%d.xml' % i for i in range(len(BAD) - 1)]  # no backups, no temp files


def test_check_mode_over_ssh(lab, ansible_playbook, scratch, tmp_path):
    remote, local = scratch
    copy_fixture(os.path.join(FIXTURES, 'partial-section.xml'), os.path.join(local, 'p.xml'))
    data, proc = _run(ansible_playbook, tmp_path, [{'path': '%s/p.xml' % remote}], '--check', '--diff')
    assert data['first'][0]['changed'] is True
    assert '+    <proxyServerURL>http://stproxy.acme.example</proxyServerURL>' in proc.stdout
    assert _read(os.path.join(local, 'p.xml')) == fixture_bytes(os.path.join(FIXTURES, 'partial-section.xml'))
    assert os.listdir(local) == ['p.xml']


def _copies(node):
    return (DM_FILE.replace('stproxy1Node01', node), NODE_FILE.replace('stproxy1Node01', node))


def _role_playbook(tmp_path):
    playbook = tmp_path / 'role.yml'
    playbook.write_text(json.dumps([{'hosts': 'stproxy', 'gather_facts': False, 'tasks': [
        {'ansible.builtin.include_role': {'name': 'sametime.deploy.stproxy_photos'}},
        {'ansible.builtin.copy': {'dest': str(tmp_path / 'facts-{{ inventory_hostname }}.json'),
                                  'content': '{{ {"file": stproxy_photos_config_file, '
                                  '"host": stproxy_photos_config_host, "node": stproxy_photos_node_name, '
                                  '"profile": stproxy_photos_profile_root} | to_json }}', 'mode': '0644'},
         'delegate_to': 'localhost', 'check_mode': False}]}]))
    return str(playbook)


def test_role_check_mode_finds_each_proxy_s_files_and_changes_nothing(lab, ansible_playbook, tmp_path):
    # two proxy nodes in the cell: each proxy host finds its own node's copies (stproxy_photos_node in host_vars)
    before = {}
    for host in ('stproxy1', 'stproxy2'):
        dm_file, node_file = _copies(host + 'Node01')
        before[('ssc', dm_file)] = _read(lab.path('ssc', dm_file))
        before[(host, node_file)] = _read(lab.path(host, node_file))
    proc = ansible_playbook(_role_playbook(tmp_path), '--check', '-e', 'stproxy_photos_restart=false')
    for host in ('stproxy1', 'stproxy2'):
        assert proc.stats[host]['failed'] == 0, proc.stdout
        facts = json.loads((tmp_path / ('facts-%s.json' % host)).read_text())
        assert facts == {'file': _copies(host + 'Node01')[0], 'host': 'ssc', 'node': host + 'Node01',
                         'profile': '/opt/IBM/WebSphere/AppServer/profiles/STPAppProfile'}
    for (host, path), data in before.items():
        assert _read(lab.path(host, path)) == data


def test_role_without_the_node_names_both_copies(lab, ansible_playbook, tmp_path):
    # without stproxy_photos_node the deployment manager holds two copies: the role stops and lists them
    proc = ansible_playbook(_role_playbook(tmp_path), '--check', '-e', 'stproxy_photos_node=')
    assert proc.returncode != 0, proc.stdout
    for host in ('stproxy1', 'stproxy2'):
        assert proc.stats[host]['failed'] == 1, proc.stdout
    assert 'found 2: ' in proc.stdout, proc.stdout
    for node in ('stproxy1Node01', 'stproxy2Node01'):
        assert _copies(node)[0] in proc.stdout, proc.stdout
    assert not list(tmp_path.glob('facts-*.json'))
