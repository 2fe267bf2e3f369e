# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""was_sync takes the shared wsadmin connection options (dmgr_host/dmgr_port stay as aliases) and reports wsadmin
failures through the shared run_checked/classify_failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin
from ansible_collections.sametime.deploy.plugins.modules import was_sync

CREDENTIALS = dict(username='wasadmin', password='secret')


@pytest.fixture
def wsadmin_runs(monkeypatch):
    """Records each wsadmin run (host, port, user, password) and answers with the given stdout/rc."""
    runs = []
    answer = {'rc': 0, 'stdout': 'RESULT|synced|node=*|result=true\n', 'stderr': ''}

    def fake_run_wsadmin(module, path, source, host, port, username=None, password=None, extra_args=None):
        runs.append(dict(path=path, host=host, port=port, username=username, password=password, source=source))
        out, err, rc = answer['stdout'], answer['stderr'], answer['rc']
        return {'rc': rc, 'stdout': out, 'stderr': err, 'results': wsadmin.parse_results(out), 'cmd': [],
                'failure': wsadmin.classify_failure(rc, out, err, host, port)}

    monkeypatch.setattr(wsadmin, 'run_wsadmin', fake_run_wsadmin)
    return runs, answer


@pytest.fixture
def nodeagent(monkeypatch):
    """The node agent's state as serverStatus.sh would report it; profile tools are recorded, not run."""
    tools = []
    state = {'value': 'STARTED'}
    monkeypatch.setattr(wsadmin, 'server_state', lambda module, root, server, *a, **k: state['value'])

    def fake_tool(module, profile_root, tool, args=None, username=None, password=None):
        tools.append((tool, list(args or []), username))
        return ''
    monkeypatch.setattr(wsadmin, 'tool_or_fail', fake_tool)
    return tools, state


def test_the_connection_options_are_the_shared_ones():
    spec = was_sync.argument_spec()
    shared = wsadmin.connection_argument_spec()
    for name, option in shared.items():
        assert dict((k, v) for k, v in spec[name].items() if k != 'aliases') == option, name
    assert spec['host']['aliases'] == ['dmgr_host'] and spec['port']['aliases'] == ['dmgr_port']
    assert spec['password']['no_log'] is True
    assert [name for name in spec if name.startswith('dmgr_')] == []


@pytest.mark.parametrize('names', [dict(host='ssc', port=9809), dict(dmgr_host='ssc', dmgr_port=9809)],
                         ids=['host-port', 'dmgr-aliases'])
def test_full_mode_hands_the_deployment_manager_to_sync_node(run_module, nodeagent, names):
    tools, _state = nodeagent
    args = dict(profile_root='/opt/p', mode='full', **names)
    args.update(CREDENTIALS)
    result, failed = run_module(was_sync, args)
    assert not failed, result
    assert result['steps'] == ['stopNode.sh', 'syncNode.sh ssc 9809', 'startNode.sh']
    assert [t[:2] for t in tools] == [('stopNode', []), ('syncNode', ['ssc', '9809']), ('startNode', [])]


def test_full_mode_check_mode_runs_no_tool(run_module, nodeagent):
    tools, state = nodeagent
    state['value'] = 'STOPPED'
    args = dict(profile_root='/opt/p', mode='full', dmgr_host='ssc', start_nodeagent=False, _ansible_check_mode=True)
    args.update(CREDENTIALS)
    result, failed = run_module(was_sync, args)
    assert not failed and result['changed'] and result['steps'] == ['syncNode.sh ssc 8879']
    assert tools == []


def test_full_mode_soap_client_props_keeps_credentials_off_the_tools(run_module, nodeagent):
    tools, _state = nodeagent
    args = dict(profile_root='/opt/p', mode='full', host='ssc', tool_credentials='soap_client_props')
    args.update(CREDENTIALS)
    result, failed = run_module(was_sync, args)
    assert not failed, result
    assert [t[2] for t in tools] == [None, None, None]


@pytest.mark.parametrize('args, message', [
    (dict(mode='full', host='ssc'), 'profile_root'),
    (dict(mode='active', host='ssc'), 'profile_root, wsadmin_path'),
    (dict(profile_root='/opt/p', host='ssc x'), "host 'ssc x' is not a host name"),
    (dict(profile_root='/opt/p', dmgr_host='-ssc'), "host '-ssc' is not a host name"),
    (dict(profile_root='/opt/p', node='n1,server=x'), 'node '),
    (dict(profile_root='/opt/p', dmgr_port='soap'), 'port'),
])
def test_bad_arguments_fail_before_any_tool(run_module, wsadmin_runs, nodeagent, args, message):
    args = dict(args, **CREDENTIALS)
    result, failed = run_module(was_sync, args)
    assert failed and message in result['msg'], result
    assert wsadmin_runs[0] == [] and nodeagent[0] == []


@pytest.mark.parametrize('names, expected', [
    (dict(profile_root='/opt/dm'), ('/opt/dm/bin/wsadmin.sh', 'localhost', 8879)),
    (dict(wsadmin_path='/opt/ws/wsadmin.sh', host='ssc', port=8880), ('/opt/ws/wsadmin.sh', 'ssc', 8880)),
    (dict(profile_root='/opt/dm', dmgr_host='ssc', dmgr_port=8880), ('/opt/dm/bin/wsadmin.sh', 'ssc', 8880)),
], ids=['profile-defaults', 'wsadmin-path', 'dmgr-aliases'])
def test_active_mode_connects_with_the_shared_options(run_module, wsadmin_runs, names, expected):
    runs, _answer = wsadmin_runs
    result, failed = run_module(was_sync, dict(names, node='meeting1Node01', **CREDENTIALS))
    assert not failed and result['changed'] and result['steps'] == ['wsadmin NodeSync meeting1Node01']
    assert [(r['path'], r['host'], r['port'], r['username'], r['password']) for r in runs] == \
        [expected + ('wasadmin', 'secret')]
    assert "_NODE = 'meeting1Node01'" in runs[0]['source']


def test_active_mode_check_mode_runs_no_wsadmin(run_module, wsadmin_runs):
    result, failed = run_module(was_sync, dict(profile_root='/opt/dm', _ansible_check_mode=True, **CREDENTIALS))
    assert not failed and result['steps'] == ['wsadmin NodeSync all active nodes'] and wsadmin_runs[0] == []


@pytest.mark.parametrize('stdout, rc, message', [
    ('WASX7246E: Cannot establish "SOAP" connector connection to host "ssc" at port "8880".', 105,
     'rejected the administrative credentials'),
    ('WASX7023E: Error creating "SOAP" connection to host "ssc"', 103, 'could not connect to the deployment manager'),
    ('RESULT|node_inactive|node=meeting1Node01\n', 0, 'has no running node agent'),
    ('RESULT|synced|node=meeting1Node01|result=false\n', 0, 'returned false'),
    ('RESULT|error|name=NodeSync|message=no MBean\n', 0, 'wsadmin reported errors: NodeSync: no MBean'),
])
def test_active_mode_failures_are_the_shared_messages(run_module, wsadmin_runs, stdout, rc, message):
    _runs, answer = wsadmin_runs
    answer.update(stdout=stdout, rc=rc)
    result, failed = run_module(was_sync, dict(profile_root='/opt/dm', dmgr_host='ssc', dmgr_port=8880,
                                               **CREDENTIALS))
    assert failed and message in result['msg'], result
    assert 'secret' not in repr(result)


def test_check_active_results_accepts_only_true():
    assert was_sync.check_active_results([{'kind': 'synced', 'node': '*', 'result': 'true'}]) is None
    assert 'returned None' in was_sync.check_active_results([{'kind': 'synced', 'node': 'n'}])
