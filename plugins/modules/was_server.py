#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: was_server
short_description: Start, stop or restart a WebSphere application server and wait until it answers
version_added: 0.1.0
description:
  - Reads the state with C(serverStatus.sh), then runs C(stopServer.sh)/C(startServer.sh) of the profile.
  - C(restarted) always stops (when running) and starts. C(started)/C(stopped) change only what differs.
  - After a start it waits until O(wait_url) answers with any HTTP status below 500 (a login redirect counts), or,
    without O(wait_url), until C(serverStatus.sh) reports STARTED, for at most O(timeout) seconds.
  - For a rolling restart of a cluster run it with C(serial=1) on the play or C(throttle=1) on the task.
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.was_profile_tools
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  profile_root:
    description: Profile that holds the server, for example C(/opt/IBM/WebSphere/AppServer/profiles/STMAppProfile).
    type: path
    required: true
  server:
    description: Server name (C(STMeetingServer), C(STProxyServer), C(nodeagent) ...).
    type: str
    required: true
  state:
    description: Wanted state.
    type: str
    choices: [started, stopped, restarted]
    default: started
  username:
    description: WebSphere administrative user (C(stopServer.sh)/C(serverStatus.sh) need it with security on).
    type: str
  password:
    description: Password of O(username).
    type: str
  wait_url:
    description: URL that answers once the server serves (for example C(http://localhost:9080/stmeetings/)).
    type: str
  timeout:
    description: Seconds to wait for the server to answer after a start.
    type: int
    default: 300
  validate_certs:
    description: Verify TLS certificates of O(wait_url).
    type: bool
    default: true
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Restart the meeting server, one node at a time
  sametime.deploy.was_server:
    profile_root: /opt/IBM/WebSphere/AppServer/profiles/STMAppProfile
    server: STMeetingServer
    state: restarted
    username: wasadmin
    password: "{{ vault_was_password }}"
    wait_url: http://localhost:9080/stmeetings/
  throttle: 1
"""

RETURN = r"""
state_before:
  description: STARTED or STOPPED before the run.
  returned: always
  type: str
state_after:
  description: STARTED or STOPPED after the run.
  returned: always
  type: str
elapsed:
  description: Seconds spent waiting for the server to answer.
  returned: when started
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.urls import open_url
from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin


def answers(url, validate_certs):
    """True when the URL gives any HTTP answer below 500."""
    try:
        open_url(url, timeout=5, validate_certs=validate_certs, follow_redirects='none').read()
        return True
    except HTTPError as exc:
        return exc.code < 500
    except Exception:  # pylint: disable=broad-except  # connection refused, reset, timeout: not yet
        return False


def tool_credentials(p):
    """(username, password) for the profile tools' command line, or (None, None) for soap.client.props."""
    if p['tool_credentials'] == 'soap_client_props':
        return None, None
    return p['username'], p['password']


def wait_until_up(module, p):
    start = time.time()
    while True:
        if p['wait_url']:
            if answers(p['wait_url'], p['validate_certs']):
                return time.time() - start
        else:
            user, password = tool_credentials(p)
            state = wsadmin.server_state(module, p['profile_root'], p['server'], user, password,
                                         stopped_rcs=p['status_stopped_rcs'])
            if state == 'STARTED':
                return time.time() - start
        if time.time() - start > p['timeout']:
            what = p['wait_url'] or 'serverStatus.sh'
            module.fail_json(msg='%s did not answer within %ss (%s)' % (p['server'], p['timeout'], what))
        time.sleep(1)


def main():
    module = AnsibleModule(argument_spec=dict(
        profile_root=dict(type='path', required=True),
        server=dict(type='str', required=True),
        state=dict(type='str', choices=['started', 'stopped', 'restarted'], default='started'),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        wait_url=dict(type='str'),
        timeout=dict(type='int', default=300),
        validate_certs=dict(type='bool', default=True),
        **wsadmin.profile_tool_argument_spec()
    ), supports_check_mode=True, required_together=[('username', 'password')])
    p = module.params
    errors = wsadmin.name_errors([('server', p['server'], 'object')])
    if errors:
        module.fail_json(msg='; '.join(errors))
    user, password = tool_credentials(p)
    before = wsadmin.server_state(module, p['profile_root'], p['server'], user, password,
                                  stopped_rcs=p['status_stopped_rcs'])
    stop = before == 'STARTED' and p['state'] in ('stopped', 'restarted')
    start = p['state'] == 'restarted' or (p['state'] == 'started' and before != 'STARTED')
    result = dict(changed=stop or start, state_before=before,
                  state_after='STOPPED' if p['state'] == 'stopped' else 'STARTED')
    if module.check_mode or not result['changed']:
        result['state_after'] = before if not result['changed'] else result['state_after']
        module.exit_json(**result)
    if stop:
        wsadmin.tool_or_fail(module, p['profile_root'], 'stopServer', [p['server']], user, password)
    if start:
        wsadmin.tool_or_fail(module, p['profile_root'], 'startServer', [p['server']], user, password)
        result['elapsed'] = round(wait_until_up(module, p), 2)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
