# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generated scripts compile and run under Debian's jython, against the WAS emulator (flat, no lab needed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
EMU = os.path.join(REPO, 'tests', 'emulators', 'was')
DM_REL = 'opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile'
PASSWORD = 'Lab-WAS-passw0rd'


@pytest.fixture(scope='module')
def cell(tmp_path_factory):
    assert os.path.exists('/usr/bin/jython'), 'Debian jython is required (apt-get install jython)'
    lab = str(tmp_path_factory.mktemp('waslab'))
    env = dict(os.environ, PYTHONPATH=EMU)
    for host in ('ssc', 'stproxy1', 'meeting1', 'meeting2'):
        subprocess.check_call([sys.executable, '-m', 'wasemu.lab', 'install', '--host', host, '--host-root',
                               os.path.join(lab, 'hosts', host), '--lab-dir', lab, '--flat'], env=env)
    return os.path.join(lab, 'hosts', 'ssc', DM_REL)


def run(cell, source, password=PASSWORD):
    path = os.path.join(os.path.dirname(cell), 'script-%d.py' % abs(hash(source)))
    with open(path, 'w') as handle:
        handle.write(source)
    proc = subprocess.run([os.path.join(cell, 'bin', 'wsadmin.sh'), '-lang', 'jython', '-user', 'wasadmin',
                           '-password', password, '-f', path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, check=False)
    return proc


def saves(cell):
    with open(os.path.join(cell, 'emulator', 'events.jsonl')) as handle:
        return len([1 for line in handle if json.loads(line)['event'] == 'save'])


def test_reroute_script_runs_and_is_idempotent(cell):
    props = [('clientRerouteAlternateServerName', 'java.lang.String', 'db2b.acme.example', 'list'),
             ('clientRerouteAlternatePortNumber', 'java.lang.String', '50000', 'list'),
             ('retryIntervalForClientReroute', 'java.lang.Integer', '6', 'plain')]
    first = run(cell, wsadmin.datasource_reroute_script(['STMS'], props, True))
    assert first.returncode == 0, first.stdout + first.stderr
    results = wsadmin.parse_results(first.stdout)
    changed = [r for r in results if r['kind'] == 'changed']
    assert len(changed) == 6 and set(r['name'] for r in changed) == {'STMS'}
    assert len([r for r in results if r['kind'] == 'skipped']) == 4
    assert [r for r in results if r['kind'] == 'saved']
    count = saves(cell)
    second = run(cell, wsadmin.datasource_reroute_script(['STMS'], props, True))
    assert second.returncode == 0, second.stdout + second.stderr
    assert not [r for r in wsadmin.parse_results(second.stdout) if r['kind'] in ('changed', 'saved')]
    assert saves(cell) == count


def test_mapping_script_maps_and_reports_absent(cell):
    first = run(cell, wsadmin.module_mapping_script('Core Whiteboard Services', 'meeting1Node01', 'STMeetingServer'))
    assert first.returncode == 0, first.stdout + first.stderr
    rec = [r for r in wsadmin.parse_results(first.stdout) if r['kind'] == 'module'][0]
    assert rec['changes'] == '2' and rec['application'] == 'SametimeMeetings_meeting1Node01'
    absent = run(cell, wsadmin.module_mapping_script('Core Whiteboard Services', 'meeting2Node01', 'STMeetingServer'))
    assert [r['kind'] for r in wsadmin.parse_results(absent.stdout)] == ['module_absent']
    again = run(cell, wsadmin.module_mapping_script('Core Whiteboard Services', 'meeting1Node01', 'STMeetingServer'))
    assert [r['changes'] for r in wsadmin.parse_results(again.stdout) if r['kind'] == 'module'] == ['0']


def test_sync_script_and_wrong_password(cell):
    proc = run(cell, wsadmin.node_sync_script('meeting1Node01'))
    assert [r['result'] for r in wsadmin.parse_results(proc.stdout)] == ['true']
    count = saves(cell)
    bad = run(cell, wsadmin.datasource_reroute_script(['STMS'], [('a', 'java.lang.String', 'x', 'plain')], True),
              password='wrong')
    assert bad.returncode != 0 and 'WASX7246E' in bad.stdout
    assert saves(cell) == count


def test_script_errors_surface_as_wasx7017e(cell):
    """The emulator really is Jython: a script error surfaces as WASX7017E."""
    proc = run(cell, "x = AdminConfig.showAttribute('nonsense', 'name')\n")
    assert proc.returncode != 0 and 'WASX7017E' in proc.stderr


MEETING1_WSADMIN_REL = 'opt/IBM/WebSphere/AppServer/profiles/STMAppProfile/bin/wsadmin.sh'


class ProcessModule(object):
    """run_command as AnsibleModule does it (environ_update included), without Ansible."""

    def run_command(self, cmd, environ_update=None):
        env = dict(os.environ, **(environ_update or {}))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              env=env, timeout=300, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def meeting1_wsadmin(cell):
    lab = cell.split(os.sep + 'hosts' + os.sep)[0]
    return os.path.join(lab, 'hosts', 'meeting1', MEETING1_WSADMIN_REL)


def test_a_german_wsadmin_view_fails_loudly_instead_of_module_absent(cell):
    """meeting1's JVMs run German: the old script read 'Modul:' as no module and reported module_absent."""
    source = wsadmin.module_mapping_script('Core Whiteboard Services', 'meeting1Node01', 'STMeetingServer')
    path = os.path.join(os.path.dirname(cell), 'german-view.py')
    with open(path, 'w') as handle:
        handle.write(source)
    proc = subprocess.run([meeting1_wsadmin(cell), '-lang', 'jython', '-host', 'ssc', '-port', '8879', '-user',
                           'wasadmin', '-password', PASSWORD, '-f', path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300, check=False)
    results = wsadmin.parse_results(proc.stdout)
    assert [r['kind'] for r in results] == ['unreadable'], proc.stdout + proc.stderr
    assert 'Modul:  ' in results[0]['text'] and results[0]['option'] == '-MapModulesToServers'


def test_run_wsadmin_from_the_german_profile_reads_english_and_maps(cell):
    """run_wsadmin forces -Duser.language=en and serves the credentials through the FIFO (-p)."""
    res = wsadmin.run_wsadmin(ProcessModule(), meeting1_wsadmin(cell), wsadmin.module_mapping_script(
        'Core Whiteboard Services', 'meeting1Node01', 'STMeetingServer'), 'ssc', 8879, 'wasadmin', PASSWORD)
    assert res['failure'] is None, res
    rec = [r for r in res['results'] if r['kind'] == 'module']
    assert rec and rec[0]['application'] == 'SametimeMeetings_meeting1Node01', res
    assert rec[0]['targets_after'] == 'WebSphere:cell=sscCell01,node=meeting1Node01,server=STMeetingServer'
