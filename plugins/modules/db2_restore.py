#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db2_restore
short_description: Restore a DB2 database from a backup image and leave it rollforward pending (an HADR standby to be)
version_added: "1.0.0"
description:
  - Runs C(db2 restore db <alias> from <source_dir> taken at <timestamp> replace history file without prompting)
    and leaves the database in C(ROLLFORWARD PENDING), as C(START HADR AS STANDBY) needs it.
  - Before anything runs it checks that O(source_dir) holds exactly one image of the alias taken at O(timestamp)
    (C(<alias>.0.<instance>.<NODE0000.CATN0000|DBPART000>.<timestamp>.001), any source instance), so a missing
    image never leaves a deactivated database behind.
  - When the alias exists on this host it must be this instance's own database (directory entry type
    C(Indirect)), and a database whose configured (C(HADR database role)) or live role is PRIMARY is never
    deactivated or restored over; the module fails before anything runs. An active database is deactivated first.
  - Every value that reaches the CLP command line (alias, directory, timestamp) is checked first; the error names
    the option.
  - A restore always counts as a change. Check mode reads the database and the directory and reports the commands
    it would run.
author:
  - sametime.deploy contributors (!UNKNOWN)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.db2
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  source_dir:
    description: Directory on this host that holds the image (absolute, no blanks or quotes).
    type: path
    required: true
  timestamp:
    description: The backup timestamp (14 digits), as M(sametime.deploy.db2_backup) returns it.
    type: str
    required: true
seealso:
  - module: sametime.deploy.db2_backup
  - module: sametime.deploy.db2_hadr
"""

EXAMPLES = r"""
- name: Restore STMS on the standby from the primary's image
  sametime.deploy.db2_restore:
    database: STMS
    source_dir: /home/db2inst1/backup
    timestamp: "{{ hostvars['db2a'].stms_backup.timestamp }}"
"""

RETURN = r"""
database:
  description: The alias restored.
  returned: success
  type: str
  sample: STMS
commands:
  description: The CLP commands run (in check mode, the ones that would run).
  returned: success
  type: list
  elements: str
  sample: ["db2 restore db STMS from /home/db2inst1/backup taken at 20181012140633 replace history file without prompting"]
image_name:
  description: File name of the image restored.
  returned: success
  type: str
  sample: STMS.0.db2inst1.DBPART000.20181012140633.001
image:
  description: Full path of the image restored.
  returned: success
  type: str
deactivated:
  description: Whether the database is (would be) deactivated before the restore.
  returned: success
  type: bool
rollforward_pending:
  description: C(Rollforward pending) of C(get db cfg) after the restore (C(DATABASE) expected); null in check mode.
  returned: success
  type: str
  sample: DATABASE
"""

from ansible_collections.sametime.deploy.plugins.module_utils.db2clp import db2_module, restore_database, run_db2


def main():
    module = db2_module(dict(
        source_dir=dict(type='path', required=True),
        timestamp=dict(type='str', required=True),
    ))
    module.exit_json(**run_db2(module, lambda runner: restore_database(runner, module.params, module.check_mode)))


if __name__ == '__main__':
    main()
