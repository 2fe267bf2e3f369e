# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Names that become part of a WAS target or a generated script are checked against WAS's naming rules first."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin

INJECTED_NODE = 'meetNode1,server=x+WebSphere:cell=c1,node=evilNode'


@pytest.mark.parametrize('value', ['meeting1Node01', 'STMeetingServer', 'sscCell01', 'default_host',
                                   'SametimeMeetings_meeting1Node01', 'Sametime Meeting Server', 'node-2.a'])
def test_object_names_that_was_allows(value):
    assert wsadmin.was_name_error('node', value) is None


@pytest.mark.parametrize('value, expected', [
    (INJECTED_NODE, '+ , : ='),
    ('a/b', '/'), ('a\\b', '\\'), ('a#b', '#'), ('a"b', '"'), ('a=b', '='), ('a*b', '*'), ("a'b", "'"),
    ('a;b', ';'), ('a(b)', '( )'), ('a]]>b', ']]>'),
    ('a\nb', 'control characters'), ('a\x00b', 'control characters'), ('a\tb', 'control characters'),
    (' lead', 'leading or trailing'), ('trail ', 'leading or trailing'),
    ('.dot', "begin with '.'"), ('-username', "begin with '-'"), ('', 'must not be empty'),
])
def test_object_names_that_was_forbids_name_the_option(value, expected):
    error = wsadmin.was_name_error('node', value)
    assert error is not None and error.startswith('node ') and expected in error, error


@pytest.mark.parametrize('value, ok', [
    ('Core Whiteboard Services', True), ('Mod (x)', True), ('a+b.c', True),
    ('Mod"x', False), ('Mod[1]', False), ('M\nod', False),
])
def test_module_display_names(value, ok):
    assert (wsadmin.was_name_error('module', value, 'display') is None) is ok


@pytest.mark.parametrize('target, ok', [
    ('WebSphere:cell=c1,node=webNode,server=webserver1', True),
    ('WebSphere:cell=c1,cluster=MeetingCluster', True),
    ('WebSphere:cell=c1,node=n,server=s+WebSphere:cell=c1,node=evil,server=s', False),
    ('WebSphere:cell=c1,node=n,server=s,extra=1', False),
    ('WebSphere:cell=c 1 ,node=n,server=s', False),
    ('WebSphere:node=n,server=s', False),
])
def test_extra_targets(target, ok):
    assert (wsadmin.target_error('extra_targets', target) is None) is ok


@pytest.mark.parametrize('name, ok', [('STMS', True), ('stms', True), ('DB@1', True), ('TOOLONGDB', False),
                                      ("STMS'", False), ('1DB', False), ('ST MS', False)])
def test_db2_database_names(name, ok):
    assert (wsadmin.name_errors([('database_names', name, 'db2')]) == []) is ok


def test_mapping_script_builder_refuses_an_injected_node():
    """On the old code this node went into the target string and added a second target."""
    with pytest.raises(ValueError) as info:
        wsadmin.module_mapping_script('Core Whiteboard Services', INJECTED_NODE, 'STMeetingServer')
    assert str(info.value).startswith('node ')


@pytest.mark.parametrize('kwargs, option', [
    (dict(server='STMeetingServer,node=x'), 'server'),
    (dict(cell='c1,node=x'), 'cell'),
    (dict(application="App'); AdminConfig.reset(); ('"), 'application'),
    (dict(virtual_host='default_host\nx'), 'virtual_host'),
    (dict(extra_targets=['WebSphere:cell=c,node=n,server=s+WebSphere:cell=c,node=m,server=t']), 'extra_targets'),
])
def test_mapping_script_builder_names_the_option(kwargs, option):
    args = dict(module_name='Core Whiteboard Services', node='meeting1Node01', server='STMeetingServer')
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        wsadmin.module_mapping_script(**args)
    assert str(info.value).startswith(option + ' '), str(info.value)


def test_sync_script_builder_refuses_a_pattern_in_the_node():
    """node=...,* is an MBean query pattern: a node of 'x,*' or '*' would match another node's NodeSync."""
    for node in ('meeting1Node01,*', 'a=b'):
        with pytest.raises(ValueError):
            wsadmin.node_sync_script(node)
