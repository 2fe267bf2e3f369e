# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of the modules that run the DB2 CLP and db2pd (db2clp.connection_argument_spec)."""

    DOCUMENTATION = r"""
options:
  instance:
    description: DB2 instance name, which is also the instance owner's user name.
    type: str
    default: db2inst1
  database:
    description:
      - Database alias as listed in the system database directory (case-insensitive; 1-8 characters).
      - Modules that run HADR commands, C(DEACTIVATE) or C(RESTORE) need this instance's own database there
        (directory entry type C(Indirect)), never a cataloged alias that can lead to another server.
    type: str
    required: true
  db2profile:
    description: The instance's db2profile to source; default C(~<instance>/sqllib/db2profile).
    type: path
notes:
  - Runs C(db2) and C(db2pd) as the instance owner with C(LANG=C). When the module runs as root it uses
    C(su - <instance> -c); otherwise it must run as the instance owner (for example with C(become_user)).
"""
