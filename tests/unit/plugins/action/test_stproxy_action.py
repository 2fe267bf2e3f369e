# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins end to end: a real ansible-playbook on localhost (local connection) over real files.

Each test writes a playbook whose tasks register their results (ignore_errors), runs it once,
and checks the files' bytes and the registered results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
FIXTURES = os.path.join(REPO, 'tests', 'unit', 'plugins', 'module_utils', 'fixtures')
sys.path.insert(0, FIXTURES)
from xml_bytes import copy_fixture, fixture_bytes  # pylint: disable=import-error,wrong-import-position
PHOTO_CACHE = dict(enabled=True, cache_expiry=10, storage_location='/opt/IBM/stproxy/photocache',
                   proxy_server_url='http://stproxy.acme.example')


def run_play(tmp_path, tasks, *extra):
    """Run the tasks against localhost; return ({task index: registered result}, CompletedProcess)."""
    results = tmp_path / 'results.json'
    play_tasks = []
    for index, task in enumerate(tasks):
        task = dict(task, register='r%d' % index, ignore_errors=True)
        play_tasks.append(task)
    names = ', '.join("'r%d': r%d" % (i, i) for i in range(len(tasks)))
    play_tasks.append({'ansible.builtin.copy': {'dest': str(results), 'content': '{{ {%s} | to_json }}' % names},
                       'check_mode': False, 'diff': False})
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'tasks': play_tasks}]))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
         '-e', 'ansible_python_interpreter=%s' % sys.executable, str(playbook)] + list(extra),
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert results.exists(), proc.stdout
    data = json.loads(results.read_text())
    return [data['r%d' % i] for i in range(len(tasks))], proc


def fixture(tmp_path, folder, name, target=None):
    dest = tmp_path / (target or name)
    copy_fixture(os.path.join(FIXTURES, folder, name), str(dest))
    return dest


def stproxy_task(path, **extra):
    args = dict(path=str(path), photo_cache=PHOTO_CACHE)
    args.update(extra)
    return {'sametime.deploy.stproxy_config': args}


def test_edit_then_unchanged_with_backup(tmp_path):
    path = fixture(tmp_path, 'stproxy', 'bom-crlf.xml')
    results, proc = run_play(tmp_path, [stproxy_task(path, backup=True), stproxy_task(path, backup=True)])
    first, second = results
    assert first['changed'] is True and not first.get('failed'), proc.stdout
    assert first['write_method'] == 'atomic'
    assert path.read_bytes() == fixture_bytes(os.path.join(FIXTURES, 'stproxy', 'expected', 'bom-crlf.xml'))
    with open(first['backup_file'], 'rb') as handle:
        assert handle.read() == fixture_bytes(os.path.join(FIXTURES, 'stproxy', 'bom-crlf.xml'))
    assert second['changed'] is False and second['changes'] == [] and 'backup_file' not in second


def test_check_mode_and_diff_write_nothing(tmp_path):
    path = fixture(tmp_path, 'stproxy', 'partial-section.xml')
    before = path.read_bytes()
    results, proc = run_play(tmp_path, [stproxy_task(path)], '--check', '--diff')
    assert results[0]['changed'] is True, proc.stdout
    assert '+    <storageLocation>/opt/IBM/stproxy/photocache</storageLocation>' in proc.stdout
    assert '-    <enabled>false</enabled>' in proc.stdout
    assert path.read_bytes() == before
    assert sorted(os.listdir(str(tmp_path))) == ['partial-section.xml', 'play.yml', 'results.json']


def test_diff_of_an_iso_8859_1_file_is_valid_text(tmp_path):
    """The diff of an ISO-8859-1 file (bytes that are not UTF-8) goes through JSON: "\\xNN", no surrogates."""
    path = fixture(tmp_path, 'stproxy', 'latin1.xml')
    before = path.read_bytes()
    assert b'Z\xfcrich' in before
    results, proc = run_play(tmp_path, [stproxy_task(path)], '--check', '--diff')
    assert results[0]['changed'] is True and not results[0].get('failed'), proc.stdout
    assert proc.returncode == 0 and 'Non UTF-8 encoded data replaced' not in proc.stdout, proc.stdout
    assert '<!-- Konfiguration f\\xfcr den Proxy (Z\\xfcrich) -->' in proc.stdout
    assert '+    <storageLocation>/opt/IBM/stproxy/photocache</storageLocation>' in proc.stdout
    assert path.read_bytes() == before


def test_create(tmp_path):
    path = tmp_path / 'conf' / 'stproxyconfig.xml'
    path.parent.mkdir()
    results, proc = run_play(tmp_path, [stproxy_task(path, create=True), stproxy_task(path, create=True)])
    assert results[0]['changed'] is True and results[1]['changed'] is False, proc.stdout
    assert path.read_bytes() == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <photoCache>\n    <enabled>true</enabled>\n'
        b'    <storageLocation>/opt/IBM/stproxy/photocache</storageLocation>\n    <cacheExpiry>10</cacheExpiry>\n'
        b'    <proxyServerURL>http://stproxy.acme.example</proxyServerURL>\n  </photoCache>\n</configuration>\n')


BAD = [
    # (fixture or None for a missing file, task options, start of the message)
    ('bad-seed-typo.xml', {}, "malformed XML at line 7, column 64: expected '>'"),
    ('bad-root.xml', {}, 'the root element is <server> (line 3), expected <configuration>'),
    ('missing-section.xml', {'photo_cache': dict(PHOTO_CACHE, cache_expiry=-1)},
     'photo_cache.cache_expiry must be a positive integer'),
    ('missing-section.xml', {'photo_cache': dict(PHOTO_CACHE, cache_expiry='abc')},
     'photo_cache.cache_expiry must be a positive integer'),
    ('missing-section.xml', {'photo_cache': dict(PHOTO_CACHE, proxy_server_url='stproxy.acme.example')},
     'photo_cache.proxy_server_url needs a scheme'),
    ('missing-section.xml', {'photo_cache': dict(PHOTO_CACHE, storage_location='photocache')},
     'photo_cache.storage_location must be an absolute path'),
    (None, {}, 'does not exist on the host (set create: true to start a new file)'),
]


def test_bad_input_catalogue_leaves_files_byte_identical(tmp_path):
    tasks, paths = [], []
    for index, (name, options, _message) in enumerate(BAD):
        if name is None:
            path = tmp_path / 'missing.xml'
        else:
            path = fixture(tmp_path, 'stproxy', name, target='%d-%s' % (index, name))
        paths.append(path)
        tasks.append(stproxy_task(path, backup=True, **options))
    results, proc = run_play(tmp_path, tasks, '--diff')
    for (name, _options, message), path, result in zip(BAD, paths, results):
        assert result.get('failed') is True, (name, result)
        assert message in result['msg'], (name, result['msg'])
        if name is None:
            assert not path.exists()
        else:
            assert path.read_bytes() == fixture_bytes(os.path.join(FIXTURES, 'stproxy', name))
    # no backups, no temporary files were left next to them
    assert len(os.listdir(str(tmp_path))) == len(BAD) - 1 + 2


def test_not_a_regular_file(tmp_path):
    results, proc = run_play(tmp_path, [stproxy_task(tmp_path)])
    assert results[0]['failed'] and 'is not a regular file' in results[0]['msg'], proc.stdout


@pytest.mark.parametrize('name', ['domino-901.xml', 'bom-partial-crlf.xml'])
def test_userinfo_edit_then_unchanged(tmp_path, name):
    path = fixture(tmp_path, 'userinfo', name)
    task = {'sametime.deploy.userinfo_config': dict(path=str(path), photo_attribute='photoURL', remove_photo=True)}
    results, proc = run_play(tmp_path, [task, task])
    assert results[0]['changed'] is True and results[1]['changed'] is False, proc.stdout
    assert path.read_bytes() == fixture_bytes(os.path.join(FIXTURES, 'userinfo', 'expected', name))


def test_userinfo_bad_input_leaves_file_byte_identical(tmp_path):
    path = fixture(tmp_path, 'userinfo', 'bad-missing-set.xml')
    missing = tmp_path / 'nope.xml'
    results, proc = run_play(tmp_path, [
        {'sametime.deploy.userinfo_config': dict(path=str(path), photo_attribute='photoURL')},
        {'sametime.deploy.userinfo_config': dict(path=str(path), photo_attribute='photo URL')},
        {'sametime.deploy.userinfo_config': dict(path=str(missing), photo_attribute='photoURL')},
    ])
    assert 'expected one <Set SetId="1">, found 0' in results[0]['msg'], proc.stdout
    assert 'photo_attribute must be an LDAP attribute name' in results[1]['msg']
    assert results[2]['msg'].endswith('nope.xml does not exist on the host')
    assert path.read_bytes() == fixture_bytes(os.path.join(FIXTURES, 'userinfo', 'bad-missing-set.xml'))
    assert not missing.exists()
