#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: meeting_server_config
short_description: Sametime meeting server configuration keys (userInfoUrlTemplate, whiteboard.enabled, ...)
version_added: 0.1.0
description:
  - Reads the current keys from C(/stmeetings/configuration?format=json) of the meeting server (with WAS form login
    when the server redirects to a login page or answers 401/403) and compares them with O(keys).
  - Where the System Console persists these keys is not documented (DB2, a WAS file or a servlet are all possible).
    So writing goes through O(backend). C(manual) (default) changes nothing and fails, when keys differ, with the
    exact System Console steps for those keys, so the run is honest about the manual step. C(command) runs a
    site-provided command per differing key (the lab's emulator provides one), then reads the endpoint again to
    verify.
  - The placeholder syntax of C(userInfoUrlTemplate) is not documented; Java MessageFormat C({0}) is the likely one
    and the default of O(placeholder).
extends_documentation_fragment:
  - sametime.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  keys:
    description: Wanted keys and values (booleans become C(true)/C(false)).
    type: dict
    required: true
  url:
    description: Base URL of the meeting server (9080 in a cluster, 80 standalone).
    type: str
    default: http://localhost:9080
  username:
    description: User for the form login, when the endpoint needs one.
    type: str
  password:
    description: Password of O(username).
    type: str
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
  timeout:
    description: HTTP timeout in seconds.
    type: int
    default: 30
  backend:
    description: How differing keys are written; see the description.
    type: str
    choices: [manual, command]
    default: manual
  backend_command:
    description:
      - For O(backend=command), the argv run once per differing key; C({key}) and C({value}) are replaced inside each
        element. No shell is involved.
    type: list
    elements: str
  placeholder:
    description: The substitution token that C(userInfoUrlTemplate) must contain exactly once.
    type: str
    default: '{0}'
  server_label:
    description: Server name shown in the manual steps.
    type: str
  verify:
    description: Read the endpoint again after writing and fail when a key did not take the value.
    type: bool
    default: true
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Meeting photos from the IHS photo host
  sametime.deploy.meeting_server_config:
    url: http://localhost:9080
    username: wasadmin
    password: "{{ vault_was_password }}"
    keys:
      userInfoRedirect: true
      userInfoUrlTemplate: "http://photos.example.com/photos/{0}.jpg"
"""

RETURN = r"""
current:
  description: The keys as the server reported them before the run (only the keys in O(keys)).
  returned: always
  type: dict
changes:
  description: Keys that differ (or differed), with before and after.
  returned: always
  type: dict
manual_steps:
  description: System Console steps for the differing keys (backend C(manual)).
  returned: when keys differ and backend is manual
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six.moves.http_cookiejar import CookieJar
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible_collections.sametime.deploy.plugins.module_utils import meeting_config as mc


def fetch(module, jar):
    """The server's keys; logs in with the form login when the endpoint does not answer JSON."""
    p = module.params
    url = mc.config_url(p['url'])

    def get():
        try:
            resp = open_url(url, cookies=jar, timeout=p['timeout'], validate_certs=p['validate_certs'],
                            headers={'Accept': 'text/json, application/json'})
            return mc.parse_config(resp.read().decode('utf-8'))
        except HTTPError as exc:
            if exc.code in (401, 403):
                return None
            module.fail_json(msg='GET %s answered HTTP %s' % (url, exc.code))
        except URLError as exc:
            module.fail_json(msg='cannot reach the meeting server at %s: %s' % (url, to_native(exc.reason)))
        except ValueError:
            return None  # a login page instead of JSON
        return None

    data = get()
    if data is not None:
        return data
    if not p['username']:
        module.fail_json(msg='%s asks for a login (no JSON answer); set username and password' % url)
    login_url, body = mc.login_request(p['url'], p['username'], p['password'] or '')
    try:
        open_url(login_url, data=body, method='POST', cookies=jar, timeout=p['timeout'],
                 validate_certs=p['validate_certs'],
                 headers={'Content-Type': 'application/x-www-form-urlencoded'}).read()
    except (HTTPError, URLError) as exc:
        module.fail_json(msg='form login at %s failed: %s' % (login_url, to_native(exc)))
    data = get()
    if data is None:
        module.fail_json(msg='form login as %s at %s did not give access to %s (wrong user or password?)'
                         % (p['username'], login_url, url))
    return data


def main():
    module = AnsibleModule(argument_spec=dict(
        keys=dict(type='dict', required=True, no_log=False),
        url=dict(type='str', default='http://localhost:9080'),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        validate_certs=dict(type='bool', default=True),
        timeout=dict(type='int', default=30),
        backend=dict(type='str', choices=['manual', 'command'], default='manual'),
        backend_command=dict(type='list', elements='str'),
        placeholder=dict(type='str', default='{0}'),
        server_label=dict(type='str'),
        verify=dict(type='bool', default=True),
    ), supports_check_mode=True, required_if=[('backend', 'command', ['backend_command'])])
    p = module.params
    wanted = mc.normalize(p['keys'])
    errors = mc.validate(wanted, p['placeholder'])
    if errors:
        module.fail_json(msg='; '.join(errors))
    jar = CookieJar()
    current = fetch(module, jar)
    diff = mc.differences(current, wanted)
    result = dict(changed=bool(diff), changes=diff, current=dict((k, current.get(k)) for k in sorted(wanted)))
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = {'before': ''.join('%s=%s\n' % (k, current.get(k) or '') for k in sorted(diff)),
                          'after': ''.join('%s=%s\n' % (k, diff[k]['after']) for k in sorted(diff))}
    if not diff or module.check_mode:
        module.exit_json(**result)
    if p['backend'] == 'manual':
        steps = mc.manual_steps(p['server_label'] or p['url'], diff)
        result.update(changed=False, manual_steps=steps)
        module.fail_json(msg='%d meeting server key(s) differ and where the System Console stores them is not '
                             'documented, so they must be set by hand: %s' % (len(diff), ' '.join(steps)), **result)
    for key in sorted(diff):
        argv = mc.backend_argv(p['backend_command'], key, diff[key]['after'])
        rc, out, err = module.run_command(argv)
        if rc != 0:
            module.fail_json(msg='backend command for %s failed (rc %s): %s' % (key, rc, (err or out).strip()),
                             **result)
    if p['verify']:
        after = fetch(module, jar)
        still = mc.differences(after, wanted)
        if still:
            module.fail_json(msg='after the backend ran, the server still reports different values: %s' % still,
                             **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
