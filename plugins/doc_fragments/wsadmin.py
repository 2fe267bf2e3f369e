# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of the modules that run wsadmin against a deployment manager."""

    DOCUMENTATION = r"""
options:
  profile_root:
    description:
      - WebSphere profile whose C(bin/wsadmin.sh) runs the script, for example the deployment manager profile
        C(/opt/IBM/WebSphere/AppServer/profiles/STSCDMgrProfile).
      - Required unless O(wsadmin_path) is given.
    type: path
  wsadmin_path:
    description: Full path of C(wsadmin.sh); overrides O(profile_root).
    type: path
  host:
    description: Deployment manager host for the SOAP connection.
    type: str
    default: localhost
  port:
    description: Deployment manager SOAP connector port.
    type: int
    default: 8879
  username:
    description:
      - WebSphere administrative user.
      - The credentials reach wsadmin through a properties file with mode 0600 (C(-p), C(com.ibm.SOAP.loginUserid)
        and C(com.ibm.SOAP.loginPassword)) that is removed after the run, never on the command line.
    type: str
    required: true
  password:
    description: Password of O(username).
    type: str
    required: true
notes:
  - Generated scripts keep to the Jython 2.1 language level of WAS 8.5.5 wsadmin (also valid for the Jython 2.7 of
    WAS 9) and call C(AdminConfig.save()) only when a value differs.
"""
