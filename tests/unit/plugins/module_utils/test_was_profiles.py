# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""was_profiles and the was_profile_info module on profile trees laid out as WebSphere lays them out.

The setupCmdLine texts follow the profile template's form (`WAS_CELL=name` + `export WAS_CELL` in setupCmdLine.sh,
`SET WAS_CELL=name` in setupCmdLine.bat; see the WAS profile templates' bin/setupCmdLine files).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import was_profiles
from ansible_collections.sametime.deploy.plugins.module_utils.was_profiles import WasProfileError
from ansible_collections.sametime.deploy.plugins.modules import was_profile_info

CELL = 'stsscCell01'
SH = ('#!/bin/sh\n# profile setup\nWAS_USER_SCRIPT=/opt/IBM/WebSphere/AppServer/profiles/{p}/bin/setupCmdLine.sh\n'
      'export WAS_USER_SCRIPT\nUSER_INSTALL_ROOT="/opt/IBM/WebSphere/AppServer/profiles/{p}"\nexport USER_INSTALL_ROOT\n'
      'WAS_HOME="/opt/IBM/WebSphere/AppServer"\nexport WAS_HOME\nWAS_CELL={cell}\nexport WAS_CELL\nWAS_NODE={node}\n'
      'export WAS_NODE\n')
BAT = ('@echo off\r\nREM SET WAS_CELL=notThis\r\nSET WAS_USER_SCRIPT=C:\\IBM\\WebSphere\\AppServer\\profiles\\{p}\\bin\\'
       'setupCmdLine.bat\r\nSET USER_INSTALL_ROOT=C:\\IBM\\WebSphere\\AppServer\\profiles\\{p}\r\n'
       'SET WAS_HOME=C:\\IBM\\WebSphere\\AppServer\r\nSET WAS_CELL={cell}\r\nSET WAS_NODE={node}\r\n')


@pytest.mark.parametrize('text, expected', [
    (SH.format(p='A', cell=CELL, node='n1'),
     {'WAS_CELL': CELL, 'WAS_NODE': 'n1', 'WAS_HOME': '/opt/IBM/WebSphere/AppServer',
      'USER_INSTALL_ROOT': '/opt/IBM/WebSphere/AppServer/profiles/A'}),
    (BAT.format(p='A', cell=CELL, node='n1'),
     {'WAS_CELL': CELL, 'WAS_NODE': 'n1', 'WAS_HOME': 'C:\\IBM\\WebSphere\\AppServer',
      'USER_INSTALL_ROOT': 'C:\\IBM\\WebSphere\\AppServer\\profiles\\A'}),
    ('WAS_CELL="c1"; export WAS_CELL\nexport WAS_NODE=\'n-1\'\n', {'WAS_CELL': 'c1', 'WAS_NODE': 'n-1'}),
    ('set WAS_CELL=c1 && set WAS_NODE=n1\n', {'WAS_CELL': 'c1'}),
    ('# WAS_CELL=commented\nWAS_CELL=first\nWAS_CELL=last\n', {'WAS_CELL': 'last'}),
    ('', {}),
])
def test_parse_setup(text, expected):
    assert was_profiles.parse_setup(text) == expected


@pytest.mark.parametrize('text', [
    'SET WAS_CELL=$(cell.name)\n',                 # the profile template before profile creation
    'WAS_NODE=${HOSTNAME}Node01\n',
    'WAS_NODE=%COMPUTERNAME%Node01\r\n',
    'WAS_CELL="two words"\n',
])
def test_parse_setup_refuses_values_that_are_not_names(text):
    with pytest.raises(WasProfileError, match=r'line 1 sets WAS_(CELL|NODE) .* not a literal'):
        was_profiles.parse_setup(text)


@pytest.mark.parametrize('path, parts', [
    ('/p/A/config/cells/c1/nodes/n1/servers/STProxyServer/stproxyconfig.xml', ('c1', 'n1', 'STProxyServer')),
    ('C:\\IBM\\profiles\\A\\config\\cells\\c1\\nodes\\n1\\servers\\s1\\stproxyconfig.xml', ('c1', 'n1', 's1')),
    ('/opt/stproxy/conf/stproxyconfig.xml', None),
    ('/p/config/cells/c1/nodes/n1/servers/s1/sub/stproxyconfig.xml', None),
])
def test_config_path_parts(path, parts):
    assert was_profiles.config_path_parts(path) == parts


# ---------------------------------------------------------------------------------------------
# profile trees: {profile: (setup file name or None, setup text args, [(node, server, has the file)])}
# ---------------------------------------------------------------------------------------------

DM_901 = {  # 9.0.1: the SSC host holds the DM profile; the proxy host its app profile (both trees on one host here)
    'STSCDMgrProfile': ('setupCmdLine.sh', dict(cell=CELL, node='sscCellManager01'),
                        [('sscCellManager01', 'dmgr', False), ('proxyNode1', 'STProxyServer', True),
                         ('meetNode1', 'STMeetingServer', False)]),
    'STPAppProfile': ('setupCmdLine.sh', dict(cell=CELL, node='proxyNode1'),
                      [('proxyNode1', 'STProxyServer', True), ('proxyNode1', 'nodeagent', False)]),
}
NO_DM = {'STPAppProfile': ('setupCmdLine.sh', dict(cell=CELL, node='proxyNode1'),
                           [('proxyNode1', 'STProxyServer', True)])}
TWO_PROXIES = {
    'STSCDMgrProfile': ('setupCmdLine.sh', dict(cell=CELL, node='sscCellManager01'),
                        [('sscCellManager01', 'dmgr', False), ('proxyNode1', 'STProxyServer', True),
                         ('proxyNode2', 'STProxyServer', True)]),
}
# several profiles hold the node's copy (a backup copy of the profile); setupCmdLine tells which one is the node's
SEVERAL = {
    'STPAppProfile': ('setupCmdLine.sh', dict(cell=CELL, node='proxyNode1'), [('proxyNode1', 'STProxyServer', True)]),
    'STPAppProfile_old': ('setupCmdLine.sh', dict(cell=CELL, node='proxyNodeOld'),
                          [('proxyNode1', 'STProxyServer', True)]),
}
NO_SETUP = dict((name, (None, names, servers)) for name, (_setup, names, servers) in DM_901.items())
WINDOWS = {
    'STSCDMgrProfile': ('setupCmdLine.bat', dict(cell=CELL, node='sscCellManager01'),
                        [('sscCellManager01', 'dmgr', False), ('proxyNode1', 'STProxyServer', True)]),
}
TEMPLATE = {  # a profile whose setup file still holds the template placeholders
    'Broken': ('setupCmdLine.bat', dict(cell='$(cell.name)', node='$(node.name)'),
               [('proxyNode1', 'STProxyServer', True)]),
}


def make_tree(root, layout):
    for profile, (setup, names, servers) in layout.items():
        base = os.path.join(root, 'profiles', profile)
        os.makedirs(os.path.join(base, 'bin'))
        if setup:
            template = SH if setup.endswith('.sh') else BAT
            with open(os.path.join(base, 'bin', setup), 'w') as handle:
                handle.write(template.format(p=profile, **names))
        for node, server, has_file in servers:
            folder = os.path.join(base, 'config', 'cells', CELL, 'nodes', node, 'servers', server)
            os.makedirs(folder)
            with open(os.path.join(folder, 'server.xml'), 'w') as handle:
                handle.write('<process:Server name="%s"/>\n' % server)
            if has_file:
                with open(os.path.join(folder, 'stproxyconfig.xml'), 'w') as handle:
                    handle.write('<configuration/>\n')
    return os.path.join(root, 'profiles')


def copy_of(profile, node, server='STProxyServer'):
    return '/profiles/%s/config/cells/%s/nodes/%s/servers/%s/stproxyconfig.xml' % (profile, CELL, node, server)


@pytest.mark.parametrize('layout, node, expected', [
    (DM_901, '', ('STSCDMgrProfile', 'proxyNode1')),
    (DM_901, 'proxyNode1', ('STSCDMgrProfile', 'proxyNode1')),
    (WINDOWS, '', ('STSCDMgrProfile', 'proxyNode1')),
    (TWO_PROXIES, 'proxyNode2', ('STSCDMgrProfile', 'proxyNode2')),
    (TWO_PROXIES, '', 'found 2'),
    (DM_901, 'otherNode', 'found 0: none'),
    (NO_DM, '', 'found 0: none'),
    (TEMPLATE, '', 'found 0: none'),
])
def test_choose_dmgr_copy(tmp_path, layout, node, expected):
    profiles = was_profiles.scan_profiles(make_tree(str(tmp_path), layout), 'stproxyconfig.xml')
    if isinstance(expected, str):
        with pytest.raises(WasProfileError, match=expected):
            was_profiles.choose_dmgr_copy(profiles, 'STProxyServer', node, 'stproxyconfig.xml', 'here')
        return
    chosen = was_profiles.choose_dmgr_copy(profiles, 'STProxyServer', node, 'stproxyconfig.xml', 'here')
    assert chosen['config_file'] == str(tmp_path) + copy_of(*expected)
    assert (chosen['cell'], chosen['node'], chosen['server']) == (CELL, expected[1], 'STProxyServer')
    assert chosen['profile_root'] == os.path.join(str(tmp_path), 'profiles', expected[0])


@pytest.mark.parametrize('layout, exclude, expected', [
    (DM_901, copy_of('STSCDMgrProfile', 'proxyNode1'), 'STPAppProfile'),   # DM and node on one host
    (DM_901, None, 'STPAppProfile'),                                       # not named: setupCmdLine tells them apart
    (NO_SETUP, None, 'found 2'),                                           # neither named nor told apart: refused
    (NO_DM, None, 'STPAppProfile'),                                        # the DM is on another host
    (SEVERAL, None, 'STPAppProfile'),                                      # setupCmdLine names the node
    (TWO_PROXIES, copy_of('STSCDMgrProfile', 'proxyNode1'), 'found 0'),    # only the DM's repository here
])
def test_choose_node_profile(tmp_path, layout, exclude, expected):
    profiles = was_profiles.scan_profiles(make_tree(str(tmp_path), layout), 'stproxyconfig.xml')
    exclude = str(tmp_path) + exclude if exclude else None
    if expected.startswith('found'):
        with pytest.raises(WasProfileError, match=expected):
            was_profiles.choose_node_profile(profiles, 'STProxyServer', 'proxyNode1', 'stproxyconfig.xml', exclude,
                                             'here')
        return
    chosen = was_profiles.choose_node_profile(profiles, 'STProxyServer', 'proxyNode1', 'stproxyconfig.xml', exclude,
                                              'here')
    assert chosen['profile_root'] == os.path.join(str(tmp_path), 'profiles', expected)


def test_scan_reports_each_profile(tmp_path):
    profiles = was_profiles.scan_profiles(make_tree(str(tmp_path), dict(DM_901, **TEMPLATE)), 'stproxyconfig.xml')
    by_name = dict((p['name'], p) for p in profiles)
    assert sorted(by_name) == ['Broken', 'STPAppProfile', 'STSCDMgrProfile']
    assert (by_name['STSCDMgrProfile']['dmgr'], by_name['STPAppProfile']['dmgr']) == (True, False)
    assert by_name['STPAppProfile']['node'] == 'proxyNode1'
    assert 'not a literal cell or node name' in by_name['Broken']['setup_error']
    assert by_name['Broken']['cell'] is None


def test_module_finds_both_copies(tmp_path, run_module):
    root = str(tmp_path)
    make_tree(root, DM_901)
    result, failed = run_module(was_profile_info, dict(was_root=root, server='STProxyServer', find='dmgr_copy'))
    assert not failed and not result['changed']
    assert result['config_file'] == root + copy_of('STSCDMgrProfile', 'proxyNode1')
    result, failed = run_module(was_profile_info, dict(was_root=root, server='STProxyServer', node=result['node'],
                                                       config_file=result['config_file'], find='node_profile'))
    assert not failed and result['profile_root'] == os.path.join(root, 'profiles', 'STPAppProfile')


def test_module_given_config_file(tmp_path, run_module):
    root = str(tmp_path)
    make_tree(root, NO_DM)
    given = root + copy_of('STPAppProfile', 'proxyNode1')
    result, failed = run_module(was_profile_info, dict(was_root=root, server='STProxyServer', find='dmgr_copy',
                                                       config_file=given))
    assert not failed and (result['cell'], result['node'], result['server']) == (CELL, 'proxyNode1', 'STProxyServer')
    result, failed = run_module(was_profile_info, dict(was_root=root, server='STProxyServer', find='dmgr_copy',
                                                       config_file=given + '.missing'))
    assert failed and 'does not exist' in result['msg']


def test_module_failure_lists_what_was_found(tmp_path, run_module):
    root = str(tmp_path)
    make_tree(root, TWO_PROXIES)
    result, failed = run_module(was_profile_info, dict(was_root=root, server='STProxyServer', find='dmgr_copy'))
    assert failed and 'found 2' in result['msg'] and copy_of('STSCDMgrProfile', 'proxyNode2') in result['msg']
    assert [p['name'] for p in result['profiles']] == ['STSCDMgrProfile']
