# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The WebSphere layer on the lab: real sshd, real Jython under the WAS emulator (tests/emulators/was)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

import pytest

pytestmark = pytest.mark.lab

WAS = '/opt/IBM/WebSphere/AppServer'
DM = WAS + '/profiles/STSCDMgrProfile'
MEETING = WAS + '/profiles/STMAppProfile'
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'playbooks')
STORE = WAS + '/emulator/bin/stmeetings-config'


def _json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def events(lab_exec, host, profile, since=0.0):
    proc = lab_exec(host, ['cat', profile + '/emulator/events.jsonl'])
    assert proc.returncode == 0, proc.stderr
    return [e for e in _json_lines(proc.stdout) if e['t'] >= since]


def cell_model(lab_exec):
    proc = lab_exec('ssc', ['cat', DM + '/emulator/cell.json'])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def datasource_properties(model):
    """{(scope path, data source name): {property: value}}"""
    objs = model['objects']
    out = {}
    for obj in objs.values():
        if obj['type'] != 'DataSource':
            continue
        ps = objs[obj['attrs']['propertySet']['ref']]
        props = dict((objs[r]['attrs']['name'], objs[r]['attrs']['value']) for r in ps['attrs']['resourceProperties']['refs'])
        out[(obj['path'], obj['attrs']['name'])] = props
    return out


def meeting_keys(lab_exec, host):
    proc = lab_exec(host, ['cat', MEETING + '/emulator/meeting-config.json'])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def fresh_cell(lab, lab_exec):
    proc = lab_exec('ssc', ['env', 'PYTHONPATH=%s/emulator' % WAS, 'python3', '-m', 'wasemu.lab', 'reset-model',
                            '--lab-dir', lab.lab_dir])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for host in ('meeting1', 'meeting2'):
        proc = lab_exec(host, ['env', 'PYTHONPATH=%s/emulator' % WAS, 'python3', '-m', 'wasemu.lab', 'boot',
                               '--host', host, '--lab-dir', lab.lab_dir])
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return time.time()


def saves(lab_exec, since):
    return [e for e in events(lab_exec, 'ssc', DM, since) if e['event'] == 'save']


def test_reroute_sets_stms_only_then_changes_nothing(fresh_cell, lab_exec, ansible_playbook):
    first = ansible_playbook(os.path.join(PLAYBOOKS, 'reroute.yml'))
    assert first.returncode == 0, first.stdout
    assert first.stats['ssc']['changed'] >= 1
    props = datasource_properties(cell_model(lab_exec))
    stms = [(k, v) for k, v in props.items() if v['databaseName'] == 'STMS']
    stsc = [(k, v) for k, v in props.items() if v['databaseName'] == 'STSC']
    assert len(stms) == 2 and len(stsc) == 4
    for _key, values in stms:
        assert values['clientRerouteAlternateServerName'] == 'db2b.acme.example'
        assert values['clientRerouteAlternatePortNumber'] == '50000'
        assert values['maxRetriesForClientReroute'] == '10'
        assert values['retryIntervalForClientReroute'] == '6'
    for _key, values in stsc:
        assert 'clientRerouteAlternateServerName' not in values
        assert 'clientRerouteAlternatePortNumber' not in values
    assert len(saves(lab_exec, fresh_cell)) == 1
    synced = [e['node'] for e in events(lab_exec, 'ssc', DM, fresh_cell) if e['event'] == 'sync']
    assert 'meeting1Node01' in synced and 'meeting2Node01' in synced

    mark = time.time()
    second = ansible_playbook(os.path.join(PLAYBOOKS, 'reroute.yml'))
    assert second.returncode == 0, second.stdout
    assert second.stats['ssc']['changed'] == 0
    assert saves(lab_exec, mark) == []


def test_wrong_password_fails_clearly_and_saves_nothing(fresh_cell, lab_exec, ansible_playbook):
    before = cell_model(lab_exec)
    proc = ansible_playbook(os.path.join(PLAYBOOKS, 'reroute_wrong_password.yml'))
    assert proc.returncode != 0
    assert proc.stats['ssc']['failed'] == 1
    assert 'WASX7246E' in proc.stdout and 'rejected the administrative credentials' in proc.stdout
    assert 'not-the-password' not in proc.stdout
    assert saves(lab_exec, fresh_cell) == []
    assert [e for e in events(lab_exec, 'ssc', DM, fresh_cell) if e['event'] == 'auth_failure']
    assert cell_model(lab_exec) == before


def test_whiteboard_mapped_where_present_absent_where_patched(fresh_cell, lab_exec, ansible_playbook):
    for host in ('meeting1', 'meeting2'):
        lab_exec(host, [STORE, 'STMAppProfile', 'set', 'whiteboard.enabled', 'false'])
    first = ansible_playbook(os.path.join(PLAYBOOKS, 'whiteboard.yml'))
    assert first.returncode == 0, first.stdout
    assert first.stats['meeting1']['changed'] >= 1
    assert first.stats['meeting2']['changed'] == 0
    assert 'Core Whiteboard Services does not exist on meeting2Node01' in first.stdout
    apps = cell_model(lab_exec)['applications']
    wb = [m for m in apps['SametimeMeetings_meeting1Node01']['modules'] if m['name'] == 'Core Whiteboard Services']
    assert wb[0]['targets'] == ['WebSphere:cell=sscCell01,node=meeting1Node01,server=STMeetingServer']
    assert wb[0]['vhost'] == 'default_host'
    assert not [m for m in apps['SametimeMeetings_meeting2Node01']['modules'] if 'Whiteboard' in m['name']]
    assert meeting_keys(lab_exec, 'meeting1')['whiteboard.enabled'] == 'true'
    assert meeting_keys(lab_exec, 'meeting1')['whiteboard.fileio.codebase'] == \
        'http://meeting1:9080/stmeetings/whiteboard'
    assert meeting_keys(lab_exec, 'meeting2')['whiteboard.enabled'] == 'false'
    m1 = events(lab_exec, 'meeting1', MEETING, fresh_cell)
    assert [e for e in m1 if e['event'] == 'sync' and e['mode'] == 'active']
    assert [e for e in m1 if e['event'] == 'stop' and e['server'] == 'STMeetingServer']
    assert [e for e in m1 if e['event'] == 'start' and e['server'] == 'STMeetingServer']
    assert not [e for e in events(lab_exec, 'meeting2', MEETING, fresh_cell) if e['event'] in ('stop', 'start')]

    mark = time.time()
    second = ansible_playbook(os.path.join(PLAYBOOKS, 'whiteboard.yml'))
    assert second.returncode == 0, second.stdout
    assert second.stats['meeting1']['changed'] == 0 and second.stats['meeting2']['changed'] == 0
    assert saves(lab_exec, mark) == []
    assert not [e for e in events(lab_exec, 'meeting1', MEETING, mark) if e['event'] in ('stop', 'start')]


def test_photo_keys_and_rolling_restart(fresh_cell, lab_exec, ansible_playbook):
    for host in ('meeting1', 'meeting2'):
        proc = lab_exec(host, [STORE, 'STMAppProfile', 'set', 'userInfoUrlTemplate', ''])
        assert proc.returncode == 0, proc.stdout
    first = ansible_playbook(os.path.join(PLAYBOOKS, 'photos.yml'), '-e', 'meeting_photos_restart=true')
    assert first.returncode == 0, first.stdout
    windows = []
    for host in ('meeting1', 'meeting2'):
        assert first.stats[host]['changed'] >= 1
        login = lab_exec(host, ['sh', '-c', 'curl -s -c /tmp/was-test-cj -o /dev/null -d j_username=wasadmin '
                                            '-d j_password=Lab-WAS-passw0rd http://%s:9080/stmeetings/j_security_check'
                                            ' && curl -s -b /tmp/was-test-cj '
                                            '"http://%s:9080/stmeetings/configuration?format=json"' % (host, host)])
        served = json.loads(login.stdout)
        assert served['userInfoUrlTemplate'] == 'http://ihs1.acme.example/photos/{0}.jpg'
        assert served['userInfoRedirect'] == 'true'
        evs = events(lab_exec, host, MEETING, fresh_cell)
        stop = [e for e in evs if e['event'] == 'stop' and e['server'] == 'STMeetingServer']
        start = [e for e in evs if e['event'] == 'start' and e['server'] == 'STMeetingServer']
        assert len(stop) == 1 and len(start) == 1
        windows.append((stop[0]['begin'], start[0]['end']))
    windows.sort()
    assert windows[0][1] <= windows[1][0], 'meeting servers were down at the same time: %s' % windows

    mark = time.time()
    second = ansible_playbook(os.path.join(PLAYBOOKS, 'photos.yml'), '-e', 'meeting_photos_restart=true')
    assert second.returncode == 0, second.stdout
    assert second.stats['meeting1']['changed'] == 0 and second.stats['meeting2']['changed'] == 0
    for host in ('meeting1', 'meeting2'):
        assert not [e for e in events(lab_exec, host, MEETING, mark) if e['event'] in ('stop', 'start')]


def test_full_sync_copies_out_of_band_edit_to_node(lab, lab_exec, ansible_playbook):
    """syncNode.sh (mode=full) carries a file edited directly in the DM tree to the node copy."""
    rel = 'config/cells/sscCell01/nodes/stproxy1Node01/servers/STProxyServer/was-sync-probe.txt'
    token = 'probe-%f' % time.time()
    assert lab_exec('ssc', ['sh', '-c', 'echo %s > %s/%s' % (token, DM, rel)]).returncode == 0
    proc = ansible_playbook(os.path.join(PLAYBOOKS, 'full_sync.yml'))
    assert proc.returncode == 0, proc.stdout
    copy = lab_exec('stproxy1', ['cat', WAS + '/profiles/STPAppProfile/' + rel])
    assert copy.stdout.strip() == token
    status = lab_exec('stproxy1', [WAS + '/profiles/STPAppProfile/bin/serverStatus.sh', 'nodeagent',
                                   '-username', 'wasadmin', '-password', 'Lab-WAS-passw0rd'])
    assert 'is STARTED' in status.stdout


def test_whiteboard_maps_from_a_german_cell_member(fresh_cell, lab_exec, ansible_playbook):
    """meeting1's JVMs answer in German; the old module read its AdminApp.view as 'no module' and the role skipped."""
    status = lab_exec('meeting1', [MEETING + '/bin/serverStatus.sh', 'STMeetingServer', '-username', 'wasadmin',
                                   '-password', 'Lab-WAS-passw0rd'])
    assert 'ADMU0508I: Der Anwendungsserver "STMeetingServer" hat den Status STARTED.' in status.stdout, status.stdout
    proc = ansible_playbook(os.path.join(PLAYBOOKS, 'whiteboard_german_profile.yml'))
    assert proc.returncode == 0, proc.stdout
    assert 'does not exist on meeting1Node01' not in proc.stdout
    apps = cell_model(lab_exec)['applications']
    wb = [m for m in apps['SametimeMeetings_meeting1Node01']['modules'] if m['name'] == 'Core Whiteboard Services']
    assert wb[0]['targets'] == ['WebSphere:cell=sscCell01,node=meeting1Node01,server=STMeetingServer']
    assert wb[0]['vhost'] == 'default_host'
    m1 = events(lab_exec, 'meeting1', MEETING, fresh_cell)
    assert [e for e in m1 if e['event'] == 'start' and e['server'] == 'STMeetingServer']
