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
      - The credentials reach wsadmin as C(-p <FIFO>) (C(com.ibm.SOAP.loginUserid), C(com.ibm.SOAP.loginPassword));
        a named pipe in a private 0700 directory holds no data on disk, so no copy of the password stays behind even
        when the module is killed during wsadmin, and the password is never on the command line.
    type: str
    required: true
  password:
    description: Password of O(username).
    type: str
    required: true
notes:
  - Generated scripts keep to the Jython 2.1 language level of WAS 8.5.5 wsadmin (also valid for the Jython 2.7 of
    WAS 9) and call C(AdminConfig.save()) only when a value differs.
  - wsadmin runs with C(-javaoption "-Duser.language=en -Duser.region=US") and C(LC_ALL=C), and the scripts read
    wsadmin's English labels only; any other text is an error that quotes it, never a default.
  - Every name that becomes part of a WAS target or of the script (node, server, cell, application, module, virtual
    host, extra targets, database names) is checked against WAS's naming rules before wsadmin runs.
  - With pipelining off, Ansible itself copies the module with its arguments (the password included) into the remote
    temporary directory for the duration of the task; keep pipelining on (the collection's ansible.cfg does).
"""
