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
    the node agent of the profile, runs C(syncNode.sh <dmgr_host> <dmgr_port>), and starts the node agent again.
    Run it on the node host with the node's profile.
  - A sync always reports C(changed=true) because it is an action; call it from a handler.
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.was_profile_tools
attributes:
  check_mode:
    support: full
    details: Reports what would run and runs nothing.
  diff_mode:
    support: none
options:
  profile_root:
    description: Profile whose tools run (the node's profile for C(full); any profile with C(wsadmin.sh) for C(active)).
    type: path
    required: true
  mode:
    description: C(active) (wsadmin NodeSync) or C(full) (stop node agent, syncNode.sh, start node agent).
    type: str
    choices: [active, full]
    default: active
  node:
    description: Node to synchronize in C(active) mode; all active nodes when omitted. Informational for C(full).
    type: str
  dmgr_host:
    description: Deployment manager host.
    type: str
    required: true
  dmgr_port:
    description: Deployment manager SOAP port.
    type: int
    default: 8879
  username:
    description:
      - WebSphere administrative user.
      - wsadmin gets them through a FIFO (never in a file or the process list); for the profile tools see
        O(tool_credentials).
    type: str
    required: true
  password:
    description: Password of O(username).
    type: str
    required: true
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
    dmgr_host: ssc.example.com
    dmgr_port: 8879
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


def main():
    module = AnsibleModule(argument_spec=dict(
        profile_root=dict(type='path', required=True),
        mode=dict(type='str', choices=['active', 'full'], default='active'),
        node=dict(type='str'),
        dmgr_host=dict(type='str', required=True),
        dmgr_port=dict(type='int', default=8879),
        username=dict(type='str', required=True),
        password=dict(type='str', required=True, no_log=True),
        start_nodeagent=dict(type='bool', default=True),
        **wsadmin.profile_tool_argument_spec()
    ), supports_check_mode=True)
    p = module.params
    errors = wsadmin.name_errors([('node', p['node'], 'object'), ('dmgr_host', p['dmgr_host'], 'host')])
    if errors:
        module.fail_json(msg='; '.join(errors))
    steps = []
    if p['mode'] == 'active':
        steps.append('wsadmin NodeSync %s' % (p['node'] or 'all active nodes'))
        if module.check_mode:
            module.exit_json(changed=True, mode='active', steps=steps)
        res = wsadmin.run_wsadmin(module, wsadmin.wsadmin_for(p), wsadmin.node_sync_script(p['node']),
                                  p['dmgr_host'], p['dmgr_port'], p['username'], p['password'])
        if res['failure']:
            module.fail_json(msg=res['failure'], rc=res['rc'], stdout=res['stdout'], stderr=res['stderr'])
        for rec in res['results']:
            if rec['kind'] == 'node_inactive':
                module.fail_json(msg='node %s has no running node agent, so it cannot sync actively; start the node '
                                     'agent or use mode=full' % rec['node'])
            if rec['kind'] == 'synced' and rec.get('result') != 'true':
                module.fail_json(msg='NodeSync.sync of %s returned %s' % (rec['node'], rec.get('result')))
        module.exit_json(changed=True, mode='active', steps=steps)

    user, password = p['username'], p['password']
    if p['tool_credentials'] == 'soap_client_props':
        user, password = None, None
    running = wsadmin.server_state(module, p['profile_root'], 'nodeagent', user, password,
                                   stopped_rcs=p['status_stopped_rcs']) == 'STARTED'
    if running:
        steps.append('stopNode.sh')
    steps.append('syncNode.sh %s %s' % (p['dmgr_host'], p['dmgr_port']))
    if running or p['start_nodeagent']:
        steps.append('startNode.sh')
    if module.check_mode:
        module.exit_json(changed=True, mode='full', steps=steps)
    if running:
        wsadmin.tool_or_fail(module, p['profile_root'], 'stopNode', [], user, password)
    wsadmin.tool_or_fail(module, p['profile_root'], 'syncNode', [p['dmgr_host'], str(p['dmgr_port'])], user, password)
    if running or p['start_nodeagent']:
        wsadmin.tool_or_fail(module, p['profile_root'], 'startNode')
    module.exit_json(changed=True, mode='full', steps=steps)


if __name__ == '__main__':
    main()
