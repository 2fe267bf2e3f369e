#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: was_sync
short_description: Synchronize WebSphere nodes with the deployment manager
version_added: 0.1.0
description:
  - C(mode=active) asks the deployment manager over wsadmin to synchronize O(node) (C(NodeSync.sync)) or, without
    O(node), every active node (C(AdminNodeManagement.syncActiveNodes())). This carries changes made through wsadmin
    or the console.
  - C(mode=full) is the full resynchronization needed after files were edited directly in the deployment manager's
    config tree (for example C(stproxyconfig.xml)), which a normal sync may not notice (repository digests). It stops
    the node agent of the profile, runs C(syncNode.sh <host> <port>), and starts the node agent again.
    Run it on the node host with the node's profile.
  - A sync always reports C(changed=true) because it is an action; call it from a handler.
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.wsadmin
  - sametime.deploy.was_profile_tools
attributes:
  check_mode:
    support: full
    details: Reports what would run and runs nothing.
  diff_mode:
    support: none
options:
  profile_root:
    description:
      - Profile whose tools run; required for C(full) (the node's profile, whose C(stopNode.sh), C(syncNode.sh) and
        C(startNode.sh) run). For C(active), any profile with C(bin/wsadmin.sh), or give O(wsadmin_path) instead.
  host:
    description:
      - Deployment manager host, for the SOAP connection of wsadmin (C(active)) and as C(syncNode.sh)'s first
        argument (C(full)).
      - O(dmgr_host) is this option's earlier name, kept as an alias.
    aliases: [dmgr_host]
  port:
    description:
      - Deployment manager SOAP connector port (wsadmin's C(-port) for C(active), C(syncNode.sh)'s second argument for
        C(full)).
      - O(dmgr_port) is this option's earlier name, kept as an alias.
    aliases: [dmgr_port]
  mode:
    description: C(active) (wsadmin NodeSync) or C(full) (stop node agent, syncNode.sh, start node agent).
    type: str
    choices: [active, full]
    default: active
  node:
    description: Node to synchronize in C(active) mode; all active nodes when omitted. Informational for C(full).
    type: str
  start_nodeagent:
    description: In C(full) mode, start the node agent after the sync even if it was not running before.
    type: bool
    default: true
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Full resynchronization after editing stproxyconfig.xml in the DM tree
  sametime.deploy.was_sync:
    profile_root: /opt/IBM/WebSphere/AppServer/profiles/STPAppProfile
    mode: full
    host: ssc.example.com
    port: 8879
    username: wasadmin
    password: "{{ vault_was_password }}"

- name: Synchronize every active node through the deployment manager's wsadmin
  sametime.deploy.was_sync:
    profile_root: /opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile
    username: wasadmin
    password: "{{ vault_was_password }}"
"""

RETURN = r"""
mode:
  description: The mode used.
  returned: always
  type: str
steps:
  description: What ran, in order.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin


def argument_spec():
    """The shared wsadmin connection options (dmgr_host and dmgr_port stay as aliases of host and port)."""
    spec = wsadmin.connection_argument_spec()
    spec['host']['aliases'] = ['dmgr_host']
    spec['port']['aliases'] = ['dmgr_port']
    spec.update(
        mode=dict(type='str', choices=['active', 'full'], default='active'),
        node=dict(type='str'),
        start_nodeagent=dict(type='bool', default=True),
        **wsadmin.profile_tool_argument_spec()
    )
    return spec


def check_active_results(results):
    """None when NodeSync reported success for every node; otherwise the reason."""
    for rec in results:
        if rec['kind'] == 'node_inactive':
            return ('node %s has no running node agent, so it cannot sync actively; start the node agent or use '
                    'mode=full' % rec['node'])
        if rec['kind'] == 'synced' and rec.get('result') != 'true':
            return 'NodeSync.sync of %s returned %s' % (rec['node'], rec.get('result'))
    return None


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_one_of=[('profile_root', 'wsadmin_path')],
                           required_if=[('mode', 'full', ('profile_root',))])
    p = module.params
    errors = wsadmin.name_errors([('node', p['node'], 'object'), ('host', p['host'], 'host')])
    if errors:
        module.fail_json(msg='; '.join(errors))
    steps = []
    if p['mode'] == 'active':
        steps.append('wsadmin NodeSync %s' % (p['node'] or 'all active nodes'))
        if module.check_mode:
            module.exit_json(changed=True, mode='active', steps=steps)
        failure = check_active_results(wsadmin.run_checked(module, wsadmin.node_sync_script(p['node'])))
        if failure:
            module.fail_json(msg=failure, mode='active', steps=steps)
        module.exit_json(changed=True, mode='active', steps=steps)

    user, password = p['username'], p['password']
    if p['tool_credentials'] == 'soap_client_props':
        user, password = None, None
    running = wsadmin.server_state(module, p['profile_root'], 'nodeagent', user, password,
                                   stopped_rcs=p['status_stopped_rcs']) == 'STARTED'
    if running:
        steps.append('stopNode.sh')
    steps.append('syncNode.sh %s %s' % (p['host'], p['port']))
    if running or p['start_nodeagent']:
        steps.append('startNode.sh')
    if module.check_mode:
        module.exit_json(changed=True, mode='full', steps=steps)
    if running:
        wsadmin.tool_or_fail(module, p['profile_root'], 'stopNode', [], user, password)
    wsadmin.tool_or_fail(module, p['profile_root'], 'syncNode', [p['host'], str(p['port'])], user, password)
    if running or p['start_nodeagent']:
        wsadmin.tool_or_fail(module, p['profile_root'], 'startNode')
    module.exit_json(changed=True, mode='full', steps=steps)


if __name__ == '__main__':
    main()
