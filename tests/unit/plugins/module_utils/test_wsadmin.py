# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import stat

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.jython21 import jython21_violations

REROUTE_PROPS = [('clientRerouteAlternateServerName', 'java.lang.String', 'db2b,db2c', 'list'),
                 ('clientRerouteAlternatePortNumber', 'java.lang.String', '50000,50001', 'list'),
                 ('maxRetriesForClientReroute', 'java.lang.Integer', '10', 'plain')]

GENERATED = {
    'reroute': wsadmin.datasource_reroute_script(['STMS'], REROUTE_PROPS, True),
    'reroute_check': wsadmin.datasource_reroute_script(['stms', 'STMS2'], REROUTE_PROPS, False),
    'mapping': wsadmin.module_mapping_script('Core Whiteboard Services', 'meeting1Node01', 'STMeetingServer'),
    'mapping_app': wsadmin.module_mapping_script('Mod (x)', 'n', 's', application=u'Caf\xe9 app', cell='c',
                                                 virtual_host='', extra_targets=['WebSphere:cell=c,node=w,server=web'],
                                                 apply_changes=False),
    'sync_node': wsadmin.node_sync_script('meeting1Node01'),
    'sync_all': wsadmin.node_sync_script(None),
}


@pytest.mark.parametrize('name', sorted(GENERATED))
def test_generated_scripts_keep_to_jython21(name):
    assert jython21_violations(GENERATED[name]) == []


@pytest.mark.parametrize('snippet, expected', [
    ('x = True\n', 'True does not exist'),
    ('x = False\n', 'False does not exist'),
    ("with open('f') as h:\n    pass\n", 'with statement'),
    ('x = sorted([2, 1])\n', 'name sorted'),
    ('x = set([1])\n', 'name set'),
    ('x = {1, 2}\n', 'set literal'),
    ('x = list(a for a in [1])\n', 'generator expression'),
    ('x = 1 if y else 2\n', 'conditional expression'),
    ('import json\n', 'module json'),
    ('from json import dumps\n', 'module json'),
    ('def f():\n    yield 1\n', 'yield'),
    ('f = lambda x: x\n', 'lambda'),
    ('def f():\n    def g():\n        pass\n', 'nested function'),
    ("try:\n    pass\nexcept ValueError as e:\n    pass\n", 'except X as name'),
    ("try:\n    pass\nexcept ValueError:\n    pass\nfinally:\n    pass\n", 'try/except/finally'),
    ('x = 3 // 2\n', '// operator'),
    ("x = '{0}'.format(1)\n", 'str.format'),
    ("print('a', 'b')\n", 'print() with other'),
    ("x = 'ab' in 'abc'\n", 'substring test'),
    ("x = f'{y}'\n", 'f-string'),
    ('x = {k: 1 for k in y}\n', 'dict comprehension'),
    ('print x\n', 'not parseable'),
    ('from __future__ import nested_scopes\n', '__future__'),
    ('x = enumerate([1])\n', 'name enumerate'),
])
def test_checker_rejects_constructs_outside_jython21(snippet, expected):
    found = jython21_violations(snippet)
    assert any(expected in f for f in found), found


@pytest.mark.parametrize('snippet', [
    "x = [a for a in [1, 2] if a]\n",
    "d = {}\nif d.has_key('a'):\n    print(d['a'])\n",
    "x = 'a' in ['a', 'b']\n",
    "x = 'abc'.find('b') >= 0\n",
    "import sys\nsys.exit(0)\n",
    "x = 1\nx = x + 1\n",
])
def test_checker_accepts_the_subset(snippet):
    assert jython21_violations(snippet) == []


@pytest.mark.parametrize('value', ['plain', "it's", 'back\\slash', 'new\nline', 'tab\t', '', 'a|b=c%'])
def test_py_literal_round_trips(value):
    assert ast.literal_eval(wsadmin.py_literal(value)) == value


def test_py_literal_types():
    assert wsadmin.py_literal(True) == '1'
    assert wsadmin.py_literal(None) == 'None'
    assert wsadmin.py_literal([1, 'a']) == "[1, 'a']"
    assert wsadmin.py_literal(u'caf\xe9') == "u'caf\\u00e9'"


def test_parse_results_unescapes():
    out = ('WASX7209I: Connected\nRESULT|changed|id=a(b%7Cc#d)|before=%00|after=x%3Dy%25%0Az\n'
           'noise RESULT|x\nRESULT|saved|changes=2\n')
    assert wsadmin.parse_results(out) == [
        {'kind': 'changed', 'id': 'a(b|c#d)', 'before': None, 'after': 'x=y%\nz'},
        {'kind': 'saved', 'changes': '2'}]


@pytest.mark.parametrize('rc, out, err, expected', [
    (105, 'WASX7246E: Cannot establish "SOAP" connection', '', 'rejected the administrative credentials'),
    (105, 'WASX7023E: Error creating "SOAP" connection', '', 'could not connect'),
    (105, 'RESULT|x', 'WASX7017E: Exception received while running file "s.py"; boom', 'script failed: WASX7017E'),
    (1, '', 'segfault', 'exited with 1'),
    (0, 'RESULT|saved', '', None),
])
def test_classify_failure(rc, out, err, expected):
    msg = wsadmin.classify_failure(rc, out, err, 'ssc', 8879)
    if expected is None:
        assert msg is None
    else:
        assert expected in msg


@pytest.mark.parametrize('out, server, state', [
    ('ADMU0508I: The Application Server "STMeetingServer" is STARTED', 'STMeetingServer', 'STARTED'),
    ('ADMU0508I: The Node Agent "nodeagent" is STARTED', 'nodeagent', 'STARTED'),
    ('ADMU0509I: The Application Server "STMeetingServer" cannot be reached. It appears to be stopped.',
     'STMeetingServer', 'STOPPED'),
    ('ADMU0508I: The Application Server "other" is STARTED', 'STMeetingServer', None),
    ('garbage', 'x', None),
])
def test_parse_server_status(out, server, state):
    assert wsadmin.parse_server_status(out, server) == state


def test_credentials_properties_escape():
    text = wsadmin.credentials_properties('was admin', 'p=w:d\\#x')
    assert 'com.ibm.SOAP.loginUserid=\\ was admin' not in text
    assert 'com.ibm.SOAP.loginPassword=p\\=w\\:d\\\\\\#x\n' in text


class FakeModule(object):
    def __init__(self):
        self.calls = []

    def run_command(self, cmd, environ_update=None):
        self.calls.append(cmd)
        self.environ = environ_update
        props = cmd[cmd.index('-p') + 1]
        info = os.stat(props)
        with open(props) as handle:
            content = handle.read()
        self.seen = (props, info, content)
        return 0, 'RESULT|saved|changes=1\n', ''

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def test_run_wsadmin_serves_credentials_through_a_fifo_that_is_removed(tmp_path):
    fake_wsadmin = tmp_path / 'wsadmin.sh'
    fake_wsadmin.write_text('#!/bin/sh\n')
    module = FakeModule()
    res = wsadmin.run_wsadmin(module, str(fake_wsadmin), 'print(1)\n', 'ssc', 8879, 'wasadmin', 's3cret')
    props, info, content = module.seen
    assert stat.S_ISFIFO(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077 == 0
    assert 'com.ibm.SOAP.loginPassword=s3cret' in content
    assert not os.path.exists(props)
    assert 's3cret' not in ' '.join(module.calls[0])
    assert res['results'] == [{'kind': 'saved', 'changes': '1'}]
    assert res['failure'] is None


def test_run_wsadmin_forces_english(tmp_path):
    fake_wsadmin = tmp_path / 'wsadmin.sh'
    fake_wsadmin.write_text('#!/bin/sh\n')
    module = FakeModule()
    wsadmin.run_wsadmin(module, str(fake_wsadmin), 'print(1)\n', 'ssc', 8879, 'wasadmin', 's3cret')
    cmd = module.calls[0]
    assert cmd[cmd.index('-javaoption') + 1] == '-Duser.language=en -Duser.region=US'
    assert module.environ['LC_ALL'] == 'C'
