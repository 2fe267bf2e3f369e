#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db2_hadr
short_description: Configure DB2 HADR on one node and start it as primary or standby
version_added: "1.0.0"
description:
  - Reads C(get db cfg) and C(db2pd -db <db> -hadr) (10.1+ and 9.7 formats), updates only the HADR parameters
    that differ (one C(update db cfg ... using ...) call) and starts HADR in the wanted role when it does not
    already run in that role. Nothing is restarted when HADR already runs in the wanted role.
  - With I(state=started) it checks archive logging (HADR refuses circular logging, C(SQL1768N) reason 1) and
    BACKUP PENDING before the first change.
  - A standby is deactivated (when active) and started with C(start hadr on db X as standby); it must be
    restored from the primary's backup and left rollforward pending (the db2_hadr role does that).
  - A primary is started with C(start hadr on db X as primary); DB2 waits up to HADR_TIMEOUT for the standby
    and fails with C(SQL1768N) reason 7 when it is not there. Start the standby first.
  - Roles never change here. A node that is the primary is not turned into a standby and a standby is not
    started as primary; use TAKEOVER (C(playbooks/db2_takeover.yml)). No plan deactivates or starts as standby a
    database whose configured (C(HADR database role)) or live role is PRIMARY; the one exception is
    I(reintegrate=true) for a database that is not running as primary.
  - The role is never guessed. C(db2pd) output that is incomplete (the header without an HADR block or
    C(HADR is not active.), for example with a transient line) is read again (three reads, two seconds apart) and
    then the task fails quoting the raw text, before anything is changed.
  - Every value that goes into C(update db cfg) is checked against DB2's syntax before any C(db2) command runs
    (host name or IP address; port number or service name; instance name; LOGARCHMETH1 form); the error names
    the option.
  - HADR commands (START/STOP HADR, DEACTIVATE) run only on the alias' own entry (directory entry type
    C(Indirect)), as IBM's HADR guidance is not to issue them through an alias clients can be rerouted on. After a
    START HADR, C(db2pd) on this host must show the new role, otherwise the task fails.
  - Changing HADR parameters while HADR runs does not restart anything; the result has C(restart_required=true)
    and a warning (DB2 reads them at the next start of HADR).
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
  role:
    description: The HADR role this node must run in. Required unless I(state=stopped).
    type: str
    choices: [primary, standby]
  state:
    description:
      - C(configured) only sets the parameters; C(started) sets them and starts HADR in I(role);
        C(stopped) stops HADR (deactivating a standby first).
    type: str
    choices: [configured, started, stopped]
    default: started
  local_host:
    description: HADR_LOCAL_HOST, this node's HADR address (host name or IPv4/IPv6 address).
    type: str
  local_svc:
    description: HADR_LOCAL_SVC, port number or /etc/services name; must differ from SVCENAME.
    type: str
  remote_host:
    description: HADR_REMOTE_HOST, the other node's HADR address.
    type: str
  remote_svc:
    description: HADR_REMOTE_SVC.
    type: str
  remote_instance:
    description: HADR_REMOTE_INST, the other node's instance name (1-8 letters, digits or C(_), starting with a letter).
    type: str
  syncmode:
    description: HADR_SYNCMODE.
    type: str
    choices: [SYNC, NEARSYNC, ASYNC, SUPERASYNC]
  peer_window:
    description: HADR_PEER_WINDOW in seconds; must match on both nodes.
    type: int
  timeout:
    description: HADR_TIMEOUT in seconds; must match on both nodes.
    type: int
  logarchmeth1:
    description:
      - Wanted LOGARCHMETH1 (for example C(DISK:/db2/arch/STMS)). Switching away from C(OFF) leaves the database
        in BACKUP PENDING; take a backup before starting HADR as primary. Omit to leave it alone.
      - One of C(OFF), C(LOGRETAIN), C(USEREXIT), C(DISK:<absolute path>), C(TSM[:<management class>]),
        C(VENDOR:<absolute library path>). Compared the way DB2 prints it (method upper-cased, DISK path with
        one trailing slash), so C(disk:/db2/arch) matches C(DISK:/db2/arch/).
    type: str
  force:
    description: Start the primary C(by force), without waiting for the standby. Use only when the standby is known
      to be down and will be reintegrated.
    type: bool
    default: false
  reintegrate:
    description: Allow I(role=standby) on an inactive database whose HADR role is still PRIMARY (the old primary
      after a forced takeover).
    type: bool
    default: false
notes:
  - The SQL1767N/SQL1769N/SQL1770N reason codes of refused HADR commands are not documented in the reference
    used here; the module reports the DB2 message text as printed.
seealso:
  - module: sametime.deploy.db2_hadr_info
  - module: sametime.deploy.db2_alternate_server
"""

EXAMPLES = r"""
- name: Start STMS as HADR standby on db2b
  sametime.deploy.db2_hadr:
    database: STMS
    role: standby
    local_host: 203.0.113.41
    local_svc: "55002"
    remote_host: 203.0.113.40
    remote_svc: "55001"
    remote_instance: db2inst1
    syncmode: NEARSYNC
    peer_window: 120
    timeout: 120
"""

RETURN = r"""
role:
  description: HADR role after the run (PRIMARY, STANDBY or STANDARD).
  returned: success
  type: str
  sample: PRIMARY
state:
  description: HADR_STATE from db2pd (PEER, REMOTE_CATCHUP_PENDING, DISCONNECTED, ...); null when not active.
  returned: success
  type: str
  sample: PEER
connect_status:
  description: HADR_CONNECT_STATUS (CONNECTED, CONGESTED, DISCONNECTED); null when not active.
  returned: success
  type: str
cfg_changes:
  description: Parameters that were (or in check mode would be) changed, with before and after.
  returned: success
  type: dict
  sample: {"HADR_SYNCMODE": {"before": "ASYNC", "after": "NEARSYNC"}}
commands:
  description: The CLP commands run (or that would run in check mode).
  returned: success
  type: list
  elements: str
restart_required:
  description: HADR parameters changed while HADR runs; they apply at the next HADR start.
  returned: success
  type: bool
hadr_cfg:
  description: The HADR and log-archive parameters and pending states after the run.
  returned: success
  type: dict
"""

from ansible_collections.sametime.deploy.plugins.module_utils.db2clp import db2_module, ensure_hadr, run_db2


def main():
    module = db2_module(dict(
        role=dict(type='str', choices=['primary', 'standby']),
        state=dict(type='str', choices=['configured', 'started', 'stopped'], default='started'),
        local_host=dict(type='str'),
        local_svc=dict(type='str'),
        remote_host=dict(type='str'),
        remote_svc=dict(type='str'),
        remote_instance=dict(type='str'),
        syncmode=dict(type='str', choices=['SYNC', 'NEARSYNC', 'ASYNC', 'SUPERASYNC']),
        peer_window=dict(type='int'),
        timeout=dict(type='int'),
        logarchmeth1=dict(type='str'),
        force=dict(type='bool', default=False),
        reintegrate=dict(type='bool', default=False),
    ), required_if=[('state', 'started', ('role',))])
    result = run_db2(module, lambda runner: ensure_hadr(runner, module.params, module.check_mode))
    warnings = result.pop('warnings', [])
    for warning in warnings:
        module.warn(warning)
    if module._diff:  # pylint: disable=protected-access
        changes = result['cfg_changes']
        result['diff'] = {
            'before': ''.join('%s = %s\n' % (k, v['before']) for k, v in sorted(changes.items())),
            'after': ''.join('%s = %s\n' % (k, v['after']) for k, v in sorted(changes.items()))
            + ''.join('# %s\n' % c for c in result['commands'] if 'update db cfg' not in c),
            'before_header': 'db cfg for %s' % result['database'],
            'after_header': 'db cfg for %s' % result['database'],
        }
    module.exit_json(**result)


if __name__ == '__main__':
    main()
