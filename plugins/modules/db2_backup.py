#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db2_backup
short_description: Take a full DB2 database backup to a directory and return its timestamp and image file
version_added: "1.0.0"
description:
  - Runs C(db2 backup db <alias> [online] to <target_dir>) and returns the timestamp that C(BACKUP) printed
    (the 14 digits after C(The timestamp for this backup image is)) and the one image file in
    O(target_dir) named by alias, instance and that timestamp. The partition part of the name depends on the
    release (C(NODE0000.CATN0000) on 9.7 and 10.1, C(DBPART000) later); both are accepted, anything else fails.
  - With O(mode=auto) the backup is offline when DB2 refuses an online one (C(BACKUP PENDING) after the switch
    from circular logging, or circular logging; C(SQL2413N)), else online.
  - An offline backup of an active database deactivates it first, and only when it is neither configured nor
    running in an HADR role (HADR database role and C(db2pd) role STANDARD). An HADR primary is never
    deactivated and an HADR standby is never backed up; the module fails before anything runs.
  - Every value that reaches the CLP command line (alias, directory) is checked first; the error names the option.
  - A backup always counts as a change. Check mode reads the database and reports the commands it would run.
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
  target_dir:
    description: Existing directory on this host that C(BACKUP) writes the image to (absolute, no blanks or quotes).
    type: path
    required: true
  mode:
    description: C(offline), C(online) or C(auto) (offline when DB2 requires it, see above).
    type: str
    choices: [auto, offline, online]
    default: auto
seealso:
  - module: sametime.deploy.db2_restore
  - module: sametime.deploy.db2_hadr
"""

EXAMPLES = r"""
- name: Back up STMS on the primary (offline when it is in BACKUP PENDING)
  sametime.deploy.db2_backup:
    database: STMS
    target_dir: /home/db2inst1/backup
  register: stms_backup

- name: Fetch the image to the controller
  ansible.builtin.fetch:
    src: "{{ stms_backup.image }}"
    dest: /var/tmp/stms/
    flat: true
"""

RETURN = r"""
database:
  description: The alias as DB2 lists it.
  returned: success
  type: str
  sample: STMS
commands:
  description: The CLP commands run (in check mode, the ones that would run).
  returned: success
  type: list
  elements: str
  sample: ["db2 deactivate db STMS", "db2 backup db STMS to /home/db2inst1/backup"]
offline:
  description: Whether the backup is (would be) offline.
  returned: success
  type: bool
deactivated:
  description: Whether the database is (would be) deactivated for the offline backup.
  returned: success
  type: bool
timestamp:
  description: The timestamp BACKUP printed; null in check mode.
  returned: success
  type: str
  sample: "20181012140633"
image_name:
  description: File name of the image; null in check mode.
  returned: success
  type: str
  sample: STMS.0.db2inst1.DBPART000.20181012140633.001
image:
  description: Full path of the image; null in check mode.
  returned: success
  type: str
  sample: /home/db2inst1/backup/STMS.0.db2inst1.DBPART000.20181012140633.001
"""

from ansible_collections.sametime.deploy.plugins.module_utils.db2clp import backup_database, db2_module, run_db2


def main():
    module = db2_module(dict(
        target_dir=dict(type='path', required=True),
        mode=dict(type='str', choices=['auto', 'offline', 'online'], default='auto'),
    ))
    module.exit_json(**run_db2(module, lambda runner: backup_database(runner, module.params, module.check_mode)))


if __name__ == '__main__':
    main()
