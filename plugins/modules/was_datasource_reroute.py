#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: was_datasource_reroute
short_description: Set DB2 automatic client reroute alternates on WebSphere data sources
version_added: 0.1.0
description:
  - Selects the data sources of a cell by the value of their C(databaseName) custom property (not by data source
    name), and sets C(clientRerouteAlternateServerName) and C(clientRerouteAlternatePortNumber) (comma lists of equal
    length) plus, when given, C(maxRetriesForClientReroute) and C(retryIntervalForClientReroute).
  - Compares first and calls C(AdminConfig.save()) only when a value differs; reports per data source what changed.
  - A property that already exists (the DB2 data source templates may create them) gets its value changed and keeps
    its type; a missing one is created (C(java.lang.String) for the two comma lists, C(java.lang.Integer) for the
    others, see docs/websphere.md for IBM's sources). A data source with two custom properties of one of these names
    fails the run before anything changes.
  - Client-side alternates are used only for the first connection; later the driver uses the server list from
    C(UPDATE ALTERNATE SERVER FOR DATABASE). Restart the servers that use the data sources after a change.
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.wsadmin
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  database_names:
    description: Data sources whose C(databaseName) is one of these (case-insensitive) are changed; others are left.
    type: list
    elements: str
    default: [STMS]
  alternate_servers:
    description: Alternate DB2 hosts, in order.
    type: list
    elements: str
    required: true
  alternate_ports:
    description: Ports of O(alternate_servers), same count and order.
    type: list
    elements: int
    required: true
  max_retries:
    description: C(maxRetriesForClientReroute); left alone when omitted.
    type: int
  retry_interval:
    description: C(retryIntervalForClientReroute) in seconds; left alone when omitted.
    type: int
  seamless_failover:
    description:
      - C(enableSeamlessFailover) (C(java.lang.Integer), 1 = yes, 2 = no, as DB2BaseDataSource.YES/NO); left alone when
        omitted.
    type: bool
  client_affinities:
    description:
      - C(enableClientAffinitiesList) (C(java.lang.Integer), 1 = yes, 2 = no). With client affinities the alternate
        lists name the primary server too (IBM DB2 JCC documentation); left alone when omitted.
    type: bool
  fail_when_none_selected:
    description: Fail when no data source has one of the O(database_names).
    type: bool
    default: true
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Add the HADR standby as ACR alternate on the meeting data sources
  sametime.deploy.was_datasource_reroute:
    profile_root: /opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile
    username: wasadmin
    password: "{{ vault_was_password }}"
    database_names: [STMS]
    alternate_servers: [db2b.example.com]
    alternate_ports: [50000]
    max_retries: 10
    retry_interval: 6
"""

RETURN = r"""
datasources:
  description: The selected data sources with what changed (property -> before/after).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "STMS", "id": "STMS(cells/c/nodes/n/servers/s|resources.xml#DataSource_1)", "database": "STMS",
            "changes": {"clientRerouteAlternateServerName": {"before": null, "after": "db2b"}}}]
not_selected:
  description: Data sources left alone because of their databaseName.
  returned: always
  type: list
  elements: dict
saved:
  description: Whether C(AdminConfig.save()) ran.
  returned: always
  type: bool
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin

HOST_RE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$')


def validate(params):
    """Error messages for the reroute options (empty list when valid)."""
    errors = []
    servers, ports = params['alternate_servers'], params['alternate_ports']
    if not servers:
        errors.append('alternate_servers must name at least one host')
    if len(servers) != len(ports):
        errors.append('alternate_servers (%d) and alternate_ports (%d) must have the same length'
                      % (len(servers), len(ports)))
    for host in servers:
        if not HOST_RE.match(host or ''):
            errors.append('alternate server %r is not a host name or address' % host)
    for port in ports:
        if not 0 < port < 65536:
            errors.append('alternate port %r is outside 1-65535' % port)
    for key in ('max_retries', 'retry_interval'):
        if params.get(key) is not None and params[key] < 0:
            errors.append('%s must be >= 0' % key)
    if not params['database_names']:
        errors.append('database_names must not be empty')
    errors += wsadmin.name_errors([('database_names', name, 'db2') for name in params['database_names']])
    return errors


def wanted_properties(params):
    props = [('clientRerouteAlternateServerName', 'java.lang.String', ','.join(params['alternate_servers']), 'list'),
             ('clientRerouteAlternatePortNumber', 'java.lang.String',
              ','.join([str(p) for p in params['alternate_ports']]), 'list')]
    if params.get('max_retries') is not None:
        props.append(('maxRetriesForClientReroute', 'java.lang.Integer', str(params['max_retries']), 'plain'))
    if params.get('retry_interval') is not None:
        props.append(('retryIntervalForClientReroute', 'java.lang.Integer', str(params['retry_interval']), 'plain'))
    # JCC int properties with DB2BaseDataSource.YES (1) / NO (2).
    for key, prop in (('seamless_failover', 'enableSeamlessFailover'),
                      ('client_affinities', 'enableClientAffinitiesList')):
        if params.get(key) is not None:
            props.append((prop, 'java.lang.Integer', '1' if params[key] else '2', 'plain'))
    return props


def summarize(results):
    datasources, skipped, by_id = [], [], {}
    for rec in results:
        if rec['kind'] == 'selected':
            entry = {'name': rec['name'], 'id': rec['id'], 'database': rec['database'], 'changes': {}}
            by_id[rec['id']] = entry
            datasources.append(entry)
        elif rec['kind'] == 'skipped':
            skipped.append({'name': rec['name'], 'id': rec['id'], 'database': rec['database']})
        elif rec['kind'] == 'changed' and rec['id'] in by_id:
            by_id[rec['id']]['changes'][rec['property']] = {'before': rec['before'], 'after': rec['after']}
    saved = any(rec['kind'] == 'saved' for rec in results)
    return datasources, skipped, saved


def main():
    spec = wsadmin.connection_argument_spec()
    spec.update(
        database_names=dict(type='list', elements='str', default=['STMS']),
        alternate_servers=dict(type='list', elements='str', required=True),
        alternate_ports=dict(type='list', elements='int', required=True),
        max_retries=dict(type='int'),
        retry_interval=dict(type='int'),
        seamless_failover=dict(type='bool'),
        client_affinities=dict(type='bool'),
        fail_when_none_selected=dict(type='bool', default=True),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           required_one_of=[('profile_root', 'wsadmin_path')])
    errors = validate(module.params)
    if errors:
        module.fail_json(msg='; '.join(errors))
    source = wsadmin.datasource_reroute_script(module.params['database_names'], wanted_properties(module.params),
                                               not module.check_mode)
    datasources, skipped, saved = summarize(wsadmin.run_checked(module, source))
    if not datasources and module.params['fail_when_none_selected']:
        module.fail_json(msg='no data source has databaseName in %s (found: %s)'
                         % (module.params['database_names'],
                            ', '.join('%s=%s' % (s['name'], s['database']) for s in skipped) or 'none'),
                         not_selected=skipped)
    changed = any(ds['changes'] for ds in datasources)
    result = dict(changed=changed, datasources=datasources, not_selected=skipped, saved=saved)
    if module._diff:  # pylint: disable=protected-access
        before, after = [], []
        for ds in datasources:
            for prop, change in sorted(ds['changes'].items()):
                before.append('%s %s=%s' % (ds['id'], prop, change['before'] or ''))
                after.append('%s %s=%s' % (ds['id'], prop, change['after']))
        result['diff'] = {'before': '\n'.join(before) + '\n', 'after': '\n'.join(after) + '\n'}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
