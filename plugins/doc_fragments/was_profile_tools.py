# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the modules that run a profile's tools (serverStatus.sh, startServer.sh, syncNode.sh, ...)."""

    DOCUMENTATION = r"""
options:
  tool_credentials:
    description:
      - How the profile tools (C(serverStatus.sh), C(startServer.sh), C(stopServer.sh), C(stopNode.sh),
        C(syncNode.sh)) get the credentials.
      - C(argv) passes C(-username)/C(-password); these tools accept no other way on their command line, so the
        password is visible in the process list (C(/proc/<pid>/cmdline), C(ps)) of the host while each tool runs.
      - C(soap_client_props) passes none to the tools, which read C(com.ibm.SOAP.loginUserid) and
        C(com.ibm.SOAP.loginPassword) from the profile's C(properties/soap.client.props), as IBM documents (encode the
        password there with C(PropFilePasswordEncoder.sh)). A module that also runs wsadmin still gives it
        O(username) and O(password).
    type: str
    choices: [argv, soap_client_props]
    default: argv
  status_stopped_rcs:
    description:
      - Exit codes of C(serverStatus.sh) accepted together with C(ADMU0509I) (stopped). IBM documents no exit code
        for a stopped server; public scripts and the emulator see 0. STARTED always needs exit 0.
    type: list
    elements: int
    default: [0]
"""
