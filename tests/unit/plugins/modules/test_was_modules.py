# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.modules import was_datasource_reroute as reroute
from ansible_collections.sametime.deploy.plugins.modules import was_module_mapping as mapping


def params(**over):
    base = dict(alternate_servers=['db2b'], alternate_ports=[50000], max_retries=None, retry_interval=None,
                database_names=['STMS'])
    base.update(over)
    return base


@pytest.mark.parametrize('over, expected', [
    (dict(), None),
    (dict(alternate_servers=['db2b', 'db2c']), 'same length'),
    (dict(alternate_servers=[], alternate_ports=[]), 'at least one host'),
    (dict(alternate_servers=['db2 b']), 'not a host name'),
    (dict(alternate_servers=['db2b,db2c']), 'not a host name'),
    (dict(alternate_ports=[0]), 'outside 1-65535'),
    (dict(alternate_ports=[70000]), 'outside 1-65535'),
    (dict(max_retries=-1), 'max_retries must be >= 0'),
    (dict(database_names=[]), 'database_names'),
])
def test_reroute_validation(over, expected):
    errors = reroute.validate(params(**over))
    if expected is None:
        assert errors == []
    else:
        assert any(expected in e for e in errors), errors


def test_reroute_wanted_properties():
    props = reroute.wanted_properties(params(alternate_servers=['a', 'b'], alternate_ports=[1, 2], max_retries=3))
    assert props == [('clientRerouteAlternateServerName', 'java.lang.String', 'a,b', 'list'),
                     ('clientRerouteAlternatePortNumber', 'java.lang.String', '1,2', 'list'),
                     ('maxRetriesForClientReroute', 'java.lang.Integer', '3', 'plain')]


def test_reroute_summarize():
    results = [{'kind': 'skipped', 'id': 'x', 'name': 'STSC', 'database': 'STSC'},
               {'kind': 'selected', 'id': 'y', 'name': 'STMS', 'database': 'STMS'},
               {'kind': 'changed', 'id': 'y', 'name': 'STMS', 'property': 'p', 'before': None, 'after': 'v'},
               {'kind': 'saved', 'changes': '1'}]
    datasources, skipped, saved = reroute.summarize(results)
    change = {'p': {'before': None, 'after': 'v'}}
    assert datasources == [{'name': 'STMS', 'id': 'y', 'database': 'STMS', 'changes': change}]
    assert skipped == [{'name': 'STSC', 'id': 'x', 'database': 'STSC'}] and saved


def test_reroute_invalid_input_fails_before_wsadmin(run_module, tmp_path):
    result, failed = run_module(reroute, dict(profile_root=str(tmp_path), username='u', password='p',
                                              alternate_servers=['a', 'b'], alternate_ports=[1]))
    assert failed and 'same length' in result['msg']


@pytest.mark.parametrize('records, fail_on_absent, failure, status', [
    ([{'kind': 'module_absent', 'module': 'M', 'applications': 'A', 'target': 't'}], False, None, 'module_absent'),
    ([{'kind': 'module_absent', 'module': 'M', 'applications': 'A', 'target': 't'}], True, 'does not exist', None),
    ([{'kind': 'no_application', 'target': 't'}], False, 'no application', None),
    ([{'kind': 'application_absent', 'application': 'A'}], False, 'does not exist', None),
    ([{'kind': 'ambiguous', 'module': 'M', 'applications': 'A,B'}], False, 'several applications', None),
    ([{'kind': 'module', 'application': 'A', 'module': 'M', 'uri': 'u', 'targets_before': '', 'targets_after': 't',
       'vhost_before': '', 'vhost_after': 'default_host', 'changes': '2'}, {'kind': 'saved'}], False, None, 'mapped'),
    ([{'kind': 'module', 'application': 'A', 'module': 'M', 'uri': 'u', 'targets_before': 't', 'targets_after': 't',
       'vhost_before': 'v', 'vhost_after': 'v', 'changes': '0'}], False, None, 'unchanged'),
])
def test_mapping_interpret(records, fail_on_absent, failure, status):
    msg, result = mapping.interpret(records, 'M', fail_on_absent)
    if failure:
        assert failure in msg
    else:
        assert msg is None and result['status'] == status
        assert result['changed'] == (status == 'mapped')


@pytest.mark.parametrize('over, option', [
    (dict(node='meetNode1,server=x+WebSphere:cell=c1,node=evilNode'), 'node'),
    (dict(server='s/x'), 'server'),
    (dict(module='Core "Whiteboard"'), 'module'),
    (dict(virtual_host='default_host,x'), 'virtual_host'),
    (dict(extra_targets=['WebSphere:cell=c,node=n,server=a+b']), 'extra_targets'),
])
def test_mapping_module_checks_every_name_before_wsadmin(over, option):
    p = dict(node='meeting1Node01', server='STMeetingServer', cell=None, application=None,
             module='Core Whiteboard Services', virtual_host='default_host', extra_targets=[])
    p.update(over)
    errors = mapping_names_errors(p)
    assert len(errors) == 1 and errors[0].startswith(option + ' '), errors


def mapping_names_errors(p):
    from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin
    return wsadmin.name_errors(mapping.name_checks(p))


def test_reroute_rejects_a_database_name_db2_does_not_allow():
    errors = reroute.validate(params(database_names=["STMS'] + ['X"]))
    assert any(e.startswith('database_names ') for e in errors), errors


def test_reroute_switches_are_integers_one_or_two():
    props = reroute.wanted_properties(params(seamless_failover=True, client_affinities=False))
    assert ('enableSeamlessFailover', 'java.lang.Integer', '1', 'plain') in props
    assert ('enableClientAffinitiesList', 'java.lang.Integer', '2', 'plain') in props
    assert [p[1] for p in props if p[0].startswith('clientReroute')] == ['java.lang.String', 'java.lang.String']
