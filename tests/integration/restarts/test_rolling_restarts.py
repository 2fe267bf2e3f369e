# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 25 on the lab: a rolling restart stops at the first server that does not come back.

The lab has two STProxy servers (stproxy1, stproxy2, each its own node of the cell); the same holds for them: with
stproxy1's start failing, stproxy2 is never stopped and keeps running.

meeting1's startServer.sh is replaced by one that fails the way a WebSphere server that does not initialise fails
(ADMU3011E, non-zero exit). Whatever path asks for the restart (a role on its own, site.yml, site.yml with a restart
variable from the inventory or from -e), meeting1 is restarted first, fails, and meeting2 is never stopped: it keeps
serving. The fixture puts the real script back and starts meeting1 again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

import pytest

pytestmark = pytest.mark.lab

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = os.path.join(HERE, 'playbooks')
PHOTOS_RESTART_INVENTORY = os.path.join(HERE, 'inventory', 'photos_restart.yml')
SITE = 'playbooks/site.yml'
WAS = '/opt/IBM/WebSphere/AppServer'
MEETING = WAS + '/profiles/STMAppProfile'
STORE = WAS + '/emulator/bin/stmeetings-config'
PROXY = WAS + '/profiles/STPAppProfile'
PROXY_CONFIG = '/config/cells/sscCell01/nodes/stproxy1Node01/servers/STProxyServer/stproxyconfig.xml'
DM_PROXY_CONFIG = WAS + '/profiles/STSCDMgrProfile' + PROXY_CONFIG
UNCONFIGURED_PROXY = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'unit', 'plugins', 'module_utils', 'fixtures',
                                  'stproxy', 'missing-section.xml')
# What startServer.sh prints when the server process starts but does not initialise (IBM ADMU3011E; the message
# text of WebSphere 8.5.5's startServer tool).
FAILED_START = """#!/bin/sh
echo "ADMU0116I: Tool information is being logged in file $WAS_LOGS/startServer.log"
echo "ADMU0128I: Starting tool with the $PROFILE profile"
echo "ADMU3100I: Reading configuration for server: $1"
echo "ADMU3200I: Server launched. Waiting for initialization status."
echo "ADMU3011E: Server launched but failed initialization. startServer.log, SystemOut.log(or job log in zOS)"\
" and other log files under $WAS_LOGS should contain failure information."
exit 255
"""


def _events(lab_exec, host, since, profile=MEETING):
    proc = lab_exec(host, ['cat', profile + '/emulator/events.jsonl'])
    assert proc.returncode == 0, proc.stderr
    return [e for e in (json.loads(line) for line in proc.stdout.splitlines() if line.strip()) if e['t'] >= since]


def _stops_and_starts(lab_exec, host, since, profile=MEETING, server='STMeetingServer'):
    return [e['event'] for e in _events(lab_exec, host, since, profile)
            if e['event'] in ('stop', 'start') and e.get('server') == server]


class _FailingStart(object):
    """The profile's startServer.sh fails (ADMU3011E) until restore(), which also starts the server again."""

    def __init__(self, lab, lab_exec, host, profile, server):
        self.lab_exec, self.host, self.profile, self.server = lab_exec, host, profile, server
        self.script = lab.path(host, profile + '/bin/startServer.sh')
        with open(self.script) as handle:
            self.original = handle.read()
        with open(self.script, 'w') as handle:
            handle.write(FAILED_START.replace('$WAS_LOGS', '%s/logs/%s' % (profile, server))
                         .replace('$PROFILE', os.path.basename(profile)))

    def restore(self):
        with open(self.script, 'w') as handle:
            handle.write(self.original)
        status = self.lab_exec(self.host, [self.profile + '/bin/serverStatus.sh', self.server, '-username', 'wasadmin',
                                           '-password', 'Lab-WAS-passw0rd'])
        if 'is STARTED' not in status.stdout:
            started = self.lab_exec(self.host, [self.profile + '/bin/startServer.sh', self.server])
            assert started.returncode == 0, started.stdout + started.stderr


def _serves(lab_exec, host):
    """HTTP status of the meeting server's /stmeetings/ (a login redirect counts as serving)."""
    proc = lab_exec(host, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5',
                           'http://%s:9080/stmeetings/' % host])
    return proc.stdout.strip()


def _get_key(lab_exec, host, key):
    proc = lab_exec(host, [STORE, 'STMAppProfile', 'get', key])
    return proc.stdout.rstrip('\n') if proc.returncode == 0 else None


def _set_key(lab_exec, host, key, value):
    proc = lab_exec(host, [STORE, 'STMAppProfile', 'set', key, value])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def meeting1_fails_to_start(lab, lab_exec):
    """meeting1's startServer.sh fails; both servers serve and both need new photo keys and meeting1 a whiteboard
    key. Afterwards the real script is back and meeting1 serves again."""
    keys = [(host, key) for host in ('meeting1', 'meeting2') for key in ('userInfoUrlTemplate', 'whiteboard.enabled')]
    before = dict((hk, _get_key(lab_exec, *hk)) for hk in keys)
    for host in ('meeting1', 'meeting2'):
        assert _serves(lab_exec, host) in ('200', '302'), '%s does not serve before the test' % host
        _set_key(lab_exec, host, 'userInfoUrlTemplate', 'http://old-photos.acme.example/{0}.jpg')
    _set_key(lab_exec, 'meeting1', 'whiteboard.enabled', 'false')
    fault = _FailingStart(lab, lab_exec, 'meeting1', MEETING, 'STMeetingServer')
    try:
        yield time.time()
    finally:
        for (host, key), value in before.items():
            if value is not None:
                _set_key(lab_exec, host, key, value)
        fault.restore()


def _assert_stopped_at_meeting1(proc, lab_exec, since):
    out = proc.stdout
    # meeting2 was never stopped and still serves
    assert _stops_and_starts(lab_exec, 'meeting2', since) == [], out
    assert _serves(lab_exec, 'meeting2') in ('200', '302')
    # meeting1 was stopped and did not come back; the run fails, names it and quotes its start output
    assert _stops_and_starts(lab_exec, 'meeting1', since) == ['stop'], out
    assert proc.returncode != 0, out
    assert proc.stats['meeting1']['failed'] >= 1, out
    assert 'ROLLING RESTART STOPPED at meeting1 (STMeetingServer)' in out, out
    assert 'ADMU3011E: Server launched but failed initialization' in out, out


def test_photos_role_alone_stops_at_the_first_failed_server(meeting1_fails_to_start, lab_exec, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, 'photos_alone.yml'))
    _assert_stopped_at_meeting1(proc, lab_exec, meeting1_fails_to_start)
    # meeting2's keys changed but it was refused a restart, and says so
    assert 'NOT RESTARTED: meeting2 (STMeetingServer) still runs' in proc.stdout, proc.stdout
    assert 'Not restarted (still serving, still to restart): meeting2' in proc.stdout, proc.stdout


def test_whiteboard_failure_stops_the_photo_restart_of_the_next_role(
        meeting1_fails_to_start, lab_exec, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, 'whiteboard_then_photos.yml'))
    _assert_stopped_at_meeting1(proc, lab_exec, meeting1_fails_to_start)
    assert 'NOT RESTARTED: meeting2 (STMeetingServer) still runs' in proc.stdout, proc.stdout


@pytest.mark.parametrize('how', [
    pytest.param(['-i', PHOTOS_RESTART_INVENTORY], id='inventory'),
    pytest.param(['-e', 'meeting_photos_restart=true'], id='extra-var-photos'),
    pytest.param(['-i', PHOTOS_RESTART_INVENTORY, '-e', 'meeting_whiteboard_restart=true'], id='extra-var-whiteboard'),
])
def test_site_stops_at_the_first_failed_server(how, meeting1_fails_to_start, lab_exec, ansible_playbook):
    # the meeting plays of site.yml (keys + whiteboard, then the rolling restart)
    proc = ansible_playbook(SITE, '--tags', 'meeting', *how)
    _assert_stopped_at_meeting1(proc, lab_exec, meeting1_fails_to_start)
    # the rolling-restart play (serial 1, max_fail_percentage 0) never reaches meeting2
    assert 'meeting2 restarts for' not in proc.stdout, proc.stdout


PROXIES = ('stproxy1', 'stproxy2')


def _proxy_status(lab_exec, host):
    proc = lab_exec(host, [PROXY + '/bin/serverStatus.sh', 'STProxyServer', '-username', 'wasadmin',
                           '-password', 'Lab-WAS-passw0rd'])
    return proc.stdout


@pytest.fixture
def proxy_fails_to_start(lab, lab_exec):
    """Both proxies need the photo cache (the deployment manager's copies of their stproxyconfig.xml have none) and
    stproxy1's startServer.sh fails. Afterwards every copy of the file is back as it was and STProxyServer is
    started."""
    copies = []
    for host in PROXIES:
        config = PROXY_CONFIG.replace('stproxy1Node01', host + 'Node01')
        copies += [lab.path('ssc', WAS + '/profiles/STSCDMgrProfile' + config), lab.path(host, PROXY + config)]
    before = {}
    for path in copies:
        with open(path, 'rb') as handle:
            before[path] = handle.read()
    with open(UNCONFIGURED_PROXY, 'rb') as handle:
        unconfigured = handle.read()
    for path in copies[0::2]:  # the deployment manager's copies
        with open(path, 'wb') as handle:
            handle.write(unconfigured)
    for host in PROXIES:
        assert 'is STARTED' in _proxy_status(lab_exec, host), '%s does not run before the test' % host
    fault = _FailingStart(lab, lab_exec, 'stproxy1', PROXY, 'STProxyServer')
    try:
        yield time.time()
    finally:
        fault.restore()
        for path, data in before.items():
            with open(path, 'wb') as handle:
                handle.write(data)


@pytest.mark.parametrize('how', [
    pytest.param([os.path.join(PLAYBOOKS, 'stproxy_alone.yml')], id='role-alone'),
    pytest.param([SITE, '--tags', 'stproxy'], id='site'),
    pytest.param([SITE, '--tags', 'stproxy', '-e', 'stproxy_photos_restart=true'], id='site-extra-var'),
])
def test_proxy_rollout_stops_at_the_first_failed_proxy(how, proxy_fails_to_start, lab_exec, ansible_playbook):
    proc = ansible_playbook(*how)
    out = proc.stdout
    since = proxy_fails_to_start
    # stproxy2 was never stopped and still runs
    assert _stops_and_starts(lab_exec, 'stproxy2', since, PROXY, 'STProxyServer') == [], out
    assert 'is STARTED' in _proxy_status(lab_exec, 'stproxy2'), out
    # stproxy1 was stopped and did not come back; the run fails, names it and quotes its start output
    assert _stops_and_starts(lab_exec, 'stproxy1', since, PROXY, 'STProxyServer') == ['stop'], out
    assert 'is STARTED' not in _proxy_status(lab_exec, 'stproxy1'), out
    assert proc.returncode != 0 and proc.stats['stproxy1']['failed'] >= 1, out
    assert 'ROLLING RESTART STOPPED at stproxy1 (STProxyServer)' in out, out
    assert 'ADMU3011E: Server launched but failed initialization' in out, out
    if how[0] == SITE:
        # serial 1, max_fail_percentage 0: the play never reaches stproxy2
        assert 'stproxy2' not in proc.stats or proc.stats['stproxy2']['changed'] == 0, out
    else:
        # the role alone changed both files; stproxy2 was refused its restart, and says so
        assert 'NOT RESTARTED: stproxy2 (STProxyServer) still runs' in out, out
        assert 'Not restarted (still serving, still to restart): stproxy2' in out, out
