#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ihs_info
short_description: Facts about an IBM HTTP Server (or Apache httpd) from C(apachectl -V) and C(-M)
version_added: 0.1.0
description:
  - Runs C(apachectl -V) and, unless O(modules=false), C(apachectl -M), and returns the server version string, the Apache
    generation (C(2.2) or C(2.4)), the server root, the main configuration file and the loaded modules.
  - The generation comes from the Module Magic Number major (C(20051115) is 2.2, C(20120211) is 2.4), then from an
    C(Apache version:) line, then from the product version (C(IBM_HTTP_Server/8.5.5.22) is IHS 8.5, Apache 2.2 based;
    IHS 9 is Apache 2.4 based). IHS prints its own product in C(Server version), so that string alone is not the Apache
    version.
  - Use the IHS C(bin/apachectl) wrapper, which sources C(bin/envvars) (library paths), rather than C(bin/httpd).
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.attributes.info_module
options:
  apachectl:
    description: Path of the C(apachectl) script.
    type: path
    default: /opt/IBM/HTTPServer/bin/apachectl
  modules:
    description: Also list the loaded modules with C(apachectl -M) (needs a valid configuration).
    type: bool
    default: true
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Which Apache is this IHS built on?
  sametime.deploy.ihs_info:
    apachectl: /opt/IBM/HTTPServer/bin/apachectl
  register: ihs

- name: Show it
  ansible.builtin.debug:
    msg: "{{ ihs.server_version }} is Apache {{ ihs.generation }}; config {{ ihs.server_config_file }}"
"""

RETURN = r"""
server_version:
  description: The C(Server version) value.
  returned: always
  type: str
  sample: IBM_HTTP_Server/8.5.5.22 (Unix)
product:
  description: Product name from the server version.
  returned: always
  type: str
  sample: IBM_HTTP_Server
product_version:
  description: Product version from the server version (for IHS, the IHS release, not the Apache version).
  returned: always
  type: str
  sample: 8.5.5.22
apache_version:
  description: Apache version when known (C(Apache version:) line, or the product version of a plain Apache).
  returned: always
  type: str
  sample: 2.4.12
mmn:
  description: The Module Magic Number, C(major:minor).
  returned: always
  type: str
  sample: "20051115:23"
generation:
  description: C(2.0), C(2.2), C(2.4), or null when it cannot be told.
  returned: always
  type: str
  sample: "2.2"
is_ihs:
  description: Whether the server calls itself IBM_HTTP_Server.
  returned: always
  type: bool
server_root:
  description: Compiled-in server root (C(HTTPD_ROOT)).
  returned: always
  type: str
  sample: /opt/IBM/HTTPServer
server_config_file:
  description: Main configuration file (C(SERVER_CONFIG_FILE), made absolute against the server root).
  returned: always
  type: str
  sample: /opt/IBM/HTTPServer/conf/httpd.conf
mpm:
  description: The MPM, when printed.
  returned: always
  type: str
  sample: event
modules:
  description: Loaded module identifiers (empty when O(modules=false)).
  returned: always
  type: list
  elements: str
  sample: [core_module, rewrite_module, setenvif_module]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sametime.deploy.plugins.module_utils.apache import (
    DEFAULT_APACHECTL, ApacheError, parse_modules, parse_version)

KEYS = ('server_version', 'product', 'product_version', 'apache_version', 'mmn', 'generation', 'is_ihs',
        'server_root', 'server_config_file', 'mpm')


def main():
    module = AnsibleModule(
        argument_spec=dict(
            apachectl=dict(type='path', default=DEFAULT_APACHECTL),
            modules=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    apachectl = module.params['apachectl']
    rc, out, err = module.run_command([apachectl, '-V'])
    try:
        info = parse_version(out + '\n' + err)
    except ApacheError as exc:
        module.fail_json(msg='%s -V: %s' % (apachectl, exc), rc=rc, stdout=out, stderr=err)
    result = dict((key, info[key]) for key in KEYS)
    result['modules'] = []
    if module.params['modules']:
        rc, out, err = module.run_command([apachectl, '-M'])
        if rc != 0:
            module.fail_json(msg='%s -M failed (rc %d): %s' % (apachectl, rc, (err or out).strip()), rc=rc,
                             stdout=out, stderr=err, **result)
        result['modules'] = parse_modules(out)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
