#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: was_module_mapping
short_description: Map a module of a WebSphere application to a server and a virtual host
version_added: 0.1.0
description:
  - Maps one module of an enterprise application (by default C(Core Whiteboard Services)) to an application server
    with C(AdminApp.edit -MapModulesToServers) and to a virtual host with C(-MapWebModToVH), then saves, only when
    the current mapping differs.
  - Without O(application) the application is discovered, as the one whose other modules already target O(server) on
    O(node) (which application holds the whiteboard module is not documented).
  - IBM removed C(Core Whiteboard Services) from patched Sametime 9.0.1 meeting servers. When the module does not
    exist the result is C(module_absent=true) and C(status=module_absent), not a failure, unless O(fail_on_absent).
  - The target list is replaced by O(server) plus O(extra_targets), so pass every target (for example a web server).
  - A newly mapped module starts only after the server restarts; sync the node and restart the server afterwards.
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.wsadmin
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  module:
    description: Display name of the module.
    type: str
    default: Core Whiteboard Services
  application:
    description: Enterprise application that holds the module; discovered when omitted.
    type: str
  node:
    description: Node of the target server.
    type: str
    required: true
  server:
    description: Target application server.
    type: str
    default: STMeetingServer
  cell:
    description: Cell name; read from the deployment manager when omitted.
    type: str
  virtual_host:
    description: Virtual host for the web module; empty to leave it alone.
    type: str
    default: default_host
  extra_targets:
    description: Further targets (C(WebSphere:cell=...,node=...,server=...)), for example the IHS web server.
    type: list
    elements: str
    default: []
  fail_on_absent:
    description: Fail when the module does not exist instead of reporting C(module_absent).
    type: bool
    default: false
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Map Core Whiteboard Services to the meeting server of this node
  sametime.deploy.was_module_mapping:
    profile_root: /opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile
    username: wasadmin
    password: "{{ vault_was_password }}"
    node: meeting1Node01
    server: STMeetingServer
  register: whiteboard
  delegate_to: ssc
"""

RETURN = r"""
status:
  description: C(mapped) (changed now), C(unchanged) or C(module_absent).
  returned: always
  type: str
module_absent:
  description: True when the application has no module of that name (a patched server).
  returned: always
  type: bool
application:
  description: The application that holds the module (or the candidates, comma separated, when absent).
  returned: always
  type: str
targets_before:
  description: Targets before the run.
  returned: when the module exists
  type: list
  elements: str
targets_after:
  description: Targets after the run.
  returned: when the module exists
  type: list
  elements: str
virtual_host_before:
  description: Virtual host before the run.
  returned: when the module exists
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin


def interpret(results, module_name, fail_on_absent):
    """(failure message or None, result dict) from the script's RESULT records."""
    kinds = dict((r['kind'], r) for r in results)
    if 'unreadable' in kinds:
        rec = kinds['unreadable']
        return ('cannot read AdminApp.view %s of %s: the output does not carry the English labels the module reads '
                '(wsadmin runs with -Duser.language=en -Duser.region=US), so nothing was changed. Raw text: %s'
                % (rec['option'], rec['application'], rec['text'])), {}
    if 'application_absent' in kinds:
        return 'application %s does not exist' % kinds['application_absent']['application'], {}
    if 'no_application' in kinds:
        return 'no application has a module mapped to %s' % kinds['no_application']['target'], {}
    if 'ambiguous' in kinds:
        return ('module %s exists in several applications (%s); set application'
                % (module_name, kinds['ambiguous']['applications'])), {}
    if 'module_absent' in kinds:
        rec = kinds['module_absent']
        result = dict(changed=False, status='module_absent', module_absent=True, application=rec['applications'])
        if fail_on_absent:
            msg = 'module %s does not exist in %s (removed by a Sametime patch?)' % (module_name, rec['applications'])
            return msg, result
        return None, result
    rec = kinds.get('module')
    if rec is None:
        return 'wsadmin printed no result', {}
    changes = int(rec['changes'])
    return None, dict(
        changed=changes > 0, status='mapped' if changes else 'unchanged', module_absent=False,
        application=rec['application'], uri=rec['uri'],
        targets_before=[t for t in (rec['targets_before'] or '').split('+') if t],
        targets_after=[t for t in (rec['targets_after'] or '').split('+') if t],
        virtual_host_before=rec['vhost_before'] or '', virtual_host_after=rec['vhost_after'] or '',
        saved='saved' in kinds)


def name_checks(params):
    """Every option that becomes part of a WAS target or of the generated script, with its naming rule."""
    checks = [('node', params['node'], 'object'), ('server', params['server'], 'object'),
              ('cell', params.get('cell'), 'object'), ('application', params.get('application'), 'object'),
              ('module', params['module'], 'display')]
    if params.get('virtual_host'):
        checks.append(('virtual_host', params['virtual_host'], 'object'))
    for target in params.get('extra_targets') or []:
        checks.append(('extra_targets', target, 'target'))
    return checks


def main():
    spec = wsadmin.connection_argument_spec()
    spec.update(
        module=dict(type='str', default='Core Whiteboard Services'),
        application=dict(type='str'),
        node=dict(type='str', required=True),
        server=dict(type='str', default='STMeetingServer'),
        cell=dict(type='str'),
        virtual_host=dict(type='str', default='default_host'),
        extra_targets=dict(type='list', elements='str', default=[]),
        fail_on_absent=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           required_one_of=[('profile_root', 'wsadmin_path')])
    p = module.params
    errors = wsadmin.name_errors(name_checks(p))
    if errors:
        module.fail_json(msg='; '.join(errors))
    source = wsadmin.module_mapping_script(p['module'], p['node'], p['server'], application=p['application'],
                                           cell=p['cell'], virtual_host=p['virtual_host'],
                                           extra_targets=p['extra_targets'], apply_changes=not module.check_mode)
    failure, result = interpret(wsadmin.run_checked(module, source), p['module'], p['fail_on_absent'])
    if failure:
        module.fail_json(msg=failure, **result)
    if module._diff and result.get('changed'):  # pylint: disable=protected-access
        vhost_after = result['virtual_host_after'] or result['virtual_host_before']
        result['diff'] = {
            'before': 'targets: %s\nvirtual host: %s\n' % ('+'.join(result['targets_before']),
                                                           result['virtual_host_before']),
            'after': 'targets: %s\nvirtual host: %s\n' % ('+'.join(result['targets_after']), vhost_after)}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
