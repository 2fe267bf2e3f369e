#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: was_profile_info
short_description: Find a WebSphere server's configuration file and profiles on a host
version_added: 0.2.0
description:
  - Reads the WebSphere profiles under O(was_root)C(/profiles) (or O(profiles_dir)) on the host. For each profile it
    reports its own cell and node as C(bin/setupCmdLine.sh) (or C(setupCmdLine.bat)) sets them (C(WAS_CELL),
    C(WAS_NODE)), whether it is a deployment manager profile (its own node runs a server named C(dmgr)), and the
    servers of its configuration repository C(config/cells/<cell>/nodes/<node>/servers/<server>/).
  - O(find=dmgr_copy) chooses the deployment manager's master copy of O(file_name) for O(server) (and O(node) when
    given); exactly one must exist, otherwise the task fails and lists what was found. With O(config_file) given, that
    path is used instead (it must exist) and its cell, node and server are read from it.
  - O(find=node_profile) chooses the profile of node O(node) itself, the one that holds the node's copy of
    O(file_name) (never the master copy named by O(config_file)); when several profiles hold a copy, the one whose
    C(setupCmdLine) names the node.
  - A C(WAS_CELL) or C(WAS_NODE) that is not a literal name (a variable or a placeholder) is reported per profile as
    RV(profiles[].setup_error), and such a profile is chosen only by its file layout.
  - Read-only; used by the P(sametime.deploy.stproxy_photos#role) role to find C(stproxyconfig.xml) on 9.0.1.
author:
  - sametime.deploy contributors (!UNKNOWN)
extends_documentation_fragment:
  - sametime.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  was_root:
    description: WebSphere installation root on this host.
    type: path
    default: /opt/IBM/WebSphere/AppServer
  profiles_dir:
    description: Folder of the profiles. Empty - O(was_root)C(/profiles).
    type: path
  server:
    description: Name of the application server whose file is looked for.
    type: str
    required: true
  node:
    description: Node of the server. Empty - any node (O(find=dmgr_copy)); required for O(find=node_profile).
    type: str
    default: ''
  file_name:
    description: The file in the server's configuration folder.
    type: str
    default: stproxyconfig.xml
  find:
    description: What to choose (see the description).
    type: str
    choices: [dmgr_copy, node_profile]
    required: true
  config_file:
    description:
      - With O(find=dmgr_copy), the path of the master copy when it is known (it is checked, not searched).
      - With O(find=node_profile), the master copy to leave out when the deployment manager runs on this host too.
    type: path
'''

EXAMPLES = r'''
- name: Find the deployment manager's copy of stproxyconfig.xml
  sametime.deploy.was_profile_info:
    was_root: /opt/IBM/WebSphere/AppServer
    server: STProxyServer
    find: dmgr_copy
  delegate_to: stssc01
  register: dmgr_copy

- name: Find the proxy node's own profile
  sametime.deploy.was_profile_info:
    server: STProxyServer
    node: "{{ dmgr_copy.node }}"
    config_file: "{{ dmgr_copy.config_file }}"
    find: node_profile
  register: node_profile
'''

RETURN = r'''
config_file:
  description: The chosen master copy (O(find=dmgr_copy)).
  returned: find is dmgr_copy
  type: str
  sample: /opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile/config/cells/c1/nodes/n1/servers/STProxyServer/stproxyconfig.xml
profile_root:
  description: The profile holding the chosen copy (O(find=dmgr_copy)) or the node's own profile (O(find=node_profile)).
  returned: success
  type: str
  sample: /opt/IBM/WebSphere/AppServer/profiles/STPAppProfile
cell:
  description: Cell of the chosen copy or profile (empty when O(config_file) lies outside a configuration repository).
  returned: success
  type: str
  sample: stsscCell01
node:
  description: Node of the server.
  returned: success
  type: str
  sample: stproxyNode01
server:
  description: Name of the server.
  returned: success
  type: str
  sample: STProxyServer
profiles:
  description: Every profile found, with its own cell and node and the servers of its configuration repository.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Folder name of the profile.
      type: str
    path:
      description: Profile root.
      type: str
    cell:
      description: C(WAS_CELL) of its setupCmdLine, or null.
      type: str
    node:
      description: C(WAS_NODE) of its setupCmdLine, or null.
      type: str
    dmgr:
      description: Whether its own node runs a C(dmgr) server.
      type: bool
    setup_error:
      description: Why its cell and node could not be read, or null.
      type: str
    servers:
      description: Servers of its configuration repository (cell, node, server, file - the path of O(file_name) or null).
      type: list
      elements: dict
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sametime.deploy.plugins.module_utils import was_profiles


def main():
    module = AnsibleModule(
        argument_spec=dict(
            was_root=dict(type='path', default='/opt/IBM/WebSphere/AppServer'),
            profiles_dir=dict(type='path'),
            server=dict(type='str', required=True),
            node=dict(type='str', default=''),
            file_name=dict(type='str', default='stproxyconfig.xml'),
            find=dict(type='str', required=True, choices=['dmgr_copy', 'node_profile']),
            config_file=dict(type='path'),
        ),
        required_if=[('find', 'node_profile', ('node',))],
        supports_check_mode=True,
    )
    params = module.params
    profiles_dir = params['profiles_dir'] or os.path.join(params['was_root'], 'profiles')
    file_name = params['file_name']
    if not file_name or os.path.basename(file_name) != file_name:
        module.fail_json(msg='file_name must be a file name without a folder, got %r' % (file_name,))
    if params['find'] == 'node_profile' and not params['node']:
        module.fail_json(msg='find=node_profile needs the node')
    where = '%s on %s' % (profiles_dir, os.uname()[1])
    profiles = was_profiles.scan_profiles(profiles_dir, file_name)
    try:
        if params['find'] == 'dmgr_copy' and params['config_file']:
            if not os.path.isfile(params['config_file']):
                raise was_profiles.WasProfileError('config_file %s does not exist on %s'
                                                   % (params['config_file'], os.uname()[1]))
            cell, node, server = was_profiles.config_path_parts(params['config_file']) or \
                ('', params['node'], params['server'])
            chosen = dict(config_file=params['config_file'], cell=cell, node=params['node'] or node, server=server,
                          profile_root=params['config_file'].split('/config/cells/')[0]
                          if '/config/cells/' in params['config_file'] else '')
        elif params['find'] == 'dmgr_copy':
            chosen = was_profiles.choose_dmgr_copy(profiles, params['server'], params['node'], file_name, where)
        else:
            chosen = was_profiles.choose_node_profile(profiles, params['server'], params['node'], file_name,
                                                      params['config_file'], where)
    except was_profiles.WasProfileError as exc:
        module.fail_json(msg=str(exc), profiles=profiles)
    module.exit_json(changed=False, profiles=profiles, **chosen)


if __name__ == '__main__':
    main()
