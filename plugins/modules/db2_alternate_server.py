#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db2_alternate_server
short_description: Set or clear the DB2 alternate server (automatic client reroute) of a database alias
version_added: "1.0.0"
description:
  - Reads C(db2 list db directory) of the instance and runs
    C(db2 update alternate server for database <alias> using hostname <h> port <p>) only when the entry differs.
  - Accepts CLP exit code 0 or 2 (the command prints C(DB20000I) plus the warning C(DB21056W)), then re-reads the
    directory to confirm the value took effect.
  - An alias that is not in the system database directory fails with a clear message and changes nothing
    (checked before the update, instead of relying on C(SQL1013N)).
  - On a HADR pair run it on both servers, each pointing at the other; HADR does not replicate the directory.
author:
  - sametime.deploy contributors (!UNKNOWN)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.db2
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  hostname:
    description:
      - Host name or IP address clients are rerouted to (the other server of the pair, client address, not
        HADR_LOCAL_HOST). Compared exactly as DB2 stores it (case kept).
      - Required with I(state=present).
    type: str
  port:
    description:
      - The other server's client port number (dbm cfg SVCENAME as a number). Service names are not accepted.
      - Required with I(state=present).
    type: int
  state:
    description: C(present) sets hostname/port; C(absent) clears them (C(hostname NULL port NULL)).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Only one alternate server (one host and port) per alias exists in DB2.
seealso:
  - module: sametime.deploy.db2_hadr
  - module: sametime.deploy.db2_hadr_info
"""

EXAMPLES = r"""
- name: Point STMS on db2a at db2b for client reroute
  sametime.deploy.db2_alternate_server:
    database: STMS
    hostname: db2b.acme.example
    port: 50000

- name: Clear the alternate server
  sametime.deploy.db2_alternate_server:
    database: STMS
    state: absent
"""

RETURN = r"""
database:
  description: The alias as DB2 lists it.
  returned: success
  type: str
  sample: STMS
alternate_hostname:
  description: The alternate server host name after the run (empty when none).
  returned: success
  type: str
  sample: db2b.acme.example
alternate_port:
  description: The alternate server port after the run (empty when none).
  returned: success
  type: str
  sample: "50000"
before:
  description: C(host:port) before the run, empty when none.
  returned: success
  type: str
after:
  description: C(host:port) wanted, empty for absent.
  returned: success
  type: str
messages:
  description: The DB2 messages the update printed (wrapped lines joined).
  returned: changed
  type: list
  elements: str
  sample: ["DB20000I The UPDATE ALTERNATE SERVER FOR DATABASE command completed successfully."]
"""

from ansible_collections.sametime.deploy.plugins.module_utils.db2clp import db2_module, ensure_alternate_server, run_db2


def main():
    module = db2_module(dict(
        hostname=dict(type='str'),
        port=dict(type='int'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    ), required_if=[('state', 'present', ('hostname', 'port'))])
    params = module.params
    result = run_db2(module, lambda runner: ensure_alternate_server(
        runner, params['database'], params['hostname'], params['port'], params['state'], module.check_mode))
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = {'before': 'alternate server: %s\n' % (result['before'] or '(none)'),
                          'after': 'alternate server: %s\n' % (result['after'] or '(none)'),
                          'before_header': '%s directory entry %s' % (params['instance'], result['database']),
                          'after_header': '%s directory entry %s' % (params['instance'], result['database'])}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
