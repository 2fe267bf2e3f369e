#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db2_hadr_info
short_description: Read the HADR role, state, connect status and log gap of a DB2 database
version_added: "1.0.0"
description:
  - Reads C(db2pd -db <db> -hadr) when the database is active (both the 10.1+ C(KEY = value) format and the
    9.7 table format), and falls back to C(get db cfg) (C(HADR database role)) when it is not.
  - Also returns the alias' alternate server from C(list db directory) and the HADR/log-archive parameters.
  - A database alias that is not cataloged gives C(exists=false) rather than a failure.
  - Localized (non-English) output is refused with a clear message; the tools run with C(LANG=C). Output is
    judged by the English labels it must hold, so a comment or path with non-ASCII letters is accepted.
  - A C(db2pd) output that shows the database header but neither an HADR block nor C(HADR is not active.)
    (db2pd prints transient lines such as C(Changing data structure forced command termination.)) is read
    again, three times two seconds apart, and then fails quoting the raw text; it is never taken for a role.
author:
  - sametime.deploy contributors (!UNKNOWN)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.db2
  - sametime.deploy.attributes.info_module
seealso:
  - module: sametime.deploy.db2_hadr
"""

EXAMPLES = r"""
- name: Wait until the pair is in PEER
  sametime.deploy.db2_hadr_info:
    database: STMS
  register: db2_hadr_status
  until: db2_hadr_status.state == 'PEER'
  retries: 30
  delay: 2
"""

RETURN = r"""
exists:
  description: Whether the alias is in the system database directory.
  returned: always
  type: bool
active:
  description: Whether the database is active (db2pd could attach).
  returned: always
  type: bool
role:
  description: PRIMARY, STANDBY or STANDARD.
  returned: when exists
  type: str
  sample: STANDBY
state:
  description: HADR_STATE (PEER, REMOTE_CATCHUP_PENDING, DISCONNECTED_PEER, ...); null when inactive.
  returned: always
  type: str
connect_status:
  description: CONNECTED, CONGESTED or DISCONNECTED; null when inactive.
  returned: always
  type: str
log_gap:
  description: HADR_LOG_GAP (10.1+) or LogGapRunAvg (9.7) in bytes.
  returned: always
  type: int
entry_type:
  description: The alias' directory entry type (C(Indirect) for a database of this instance, C(Remote), C(LDAP)).
  returned: when exists
  type: str
  sample: Indirect
source:
  description: Where role/state came from, C(db2pd) or C(db cfg).
  returned: when exists
  type: str
db2pd_format:
  description: C(10.1) or C(9.7) when read from db2pd.
  returned: always
  type: str
cfg:
  description: HADR_* and LOGARCHMETH* parameters and the *_PENDING states from get db cfg.
  returned: always
  type: dict
alternate_hostname:
  description: The alias' alternate server host (empty when none).
  returned: when exists
  type: str
alternate_port:
  description: The alias' alternate server port (empty when none).
  returned: when exists
  type: str
"""

from ansible_collections.sametime.deploy.plugins.module_utils.db2clp import db2_module, hadr_info, run_db2


def main():
    module = db2_module()
    module.exit_json(changed=False, **run_db2(module, lambda runner: hadr_info(runner, module.params['database'])))


if __name__ == '__main__':
    main()
