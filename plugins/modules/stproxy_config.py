#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stproxy_config
short_description: Manage the photo cache section of the Sametime Proxy's stproxyconfig.xml
version_added: 0.1.0
description:
  - Manages the C(<photoCache>) section (a child of the root C(<configuration>)) of the Sametime Proxy Server's
    C(stproxyconfig.xml) - C(enabled), C(storageLocation), C(cacheExpiry) and C(proxyServerURL). Without
    C(proxyServerURL) the proxy does not fetch users' photos.
  - Creates the section or its missing children, and changes only the values that differ. Everything else keeps its bytes -
    XML declaration, comments (in and around the section), element order, the file's indentation style (spaces or tabs,
    and their width), line endings (LF or CRLF), a byte order mark and the encoding. A new section is added as the last
    child of C(<configuration>); a missing child is added next to its neighbours in the documented order
    C(enabled), C(storageLocation), C(cacheExpiry), C(proxyServerURL). Other children of C(<photoCache>) are kept.
  - The XML work runs on the controller (an action plugin with lxml); the managed host needs Python only. The file is read
    with one shell command (C(od), POSIX; the M(ansible.builtin.slurp) module is the fallback), and the module itself runs on
    the host only when something changes, to write the new bytes atomically (and take a backup), after checking that
    the file still holds what was read.
  - All values are checked before the file is read. Malformed XML (for example a C(</proxyServerURL&gt;) typo) is an error
    naming line and column. A root other than C(<configuration>), two C(<photoCache>) sections, or a value element with
    child elements is an error too. On every error the file stays byte-identical.
  - Sametime 9.0.1 keeps the master copy under the deployment manager's profile
    (C(<WAS>/profiles/<DMgr>/config/cells/<cell>/nodes/<node>/servers/<server>/stproxyconfig.xml)); edit it there, then
    synchronize the node and restart STProxy (the role C(sametime.deploy.stproxy_photos) does both). 11.x keeps the file
    at C(sametimeproxy/conf/stproxyconfig.xml).
author:
  - sametime.deploy contributors (!UNKNOWN)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.attributes.files
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  safe_file_operations:
    support: full
  action:
    support: full
    description: The edit is computed by the action plugin on the controller.
options:
  path:
    description:
      - Path of C(stproxyconfig.xml) on the managed host.
    type: path
    required: true
  photo_cache:
    description:
      - The values to set. Leave a key out to leave that element as it is (or not create it).
    type: dict
    required: true
    suboptions:
      enabled:
        description:
          - Text C(true) or C(false) of C(<enabled>).
        type: bool
      cache_expiry:
        description:
          - C(<cacheExpiry>), a positive integer. Its unit is not documented by IBM/HCL (the 11.5 example is C(10));
            the value is written as given.
        type: raw
      storage_location:
        description:
          - C(<storageLocation>), the cache directory on the proxy host. An absolute path (C(/...), or C(X:\...) for a
            Windows proxy). The server user needs read, write and delete rights on it.
        type: str
      proxy_server_url:
        description:
          - C(<proxyServerURL>), the base URL of this Sametime Proxy, with scheme (C(http) or C(https)) and host, for example
            C(http://stproxy.example.com). The 9.0.1 console labels it as the URL from which STProxy downloads photos;
            the 11.5 documentation as the proxy's own URL.
        type: str
  create:
    description:
      - Create the file (declaration and a C(<configuration>) root) when it does not exist. When false, a missing file is an
        error - usually a wrong path.
    type: bool
    default: false
  backup:
    description:
      - Keep a timestamped copy of the file before changing it (only when something changes, never in check mode).
    type: bool
    default: false
  _content:
    description:
      - Internal, set by the action plugin - the new content of the file, base64-encoded. Do not set it in a task.
    type: str
  _original_checksum:
    description:
      - Internal, set by the action plugin - SHA-1 of the bytes it read (empty - the file did not exist); nothing is
        written when the file no longer holds them. Do not set it in a task.
    type: str
    default: ''
requirements:
  - lxml on the controller
seealso:
  - module: sametime.deploy.userinfo_config
  - module: community.general.xml
"""

EXAMPLES = r"""
- name: Enable the photo cache on the deployment manager's copy (9.0.1)
  sametime.deploy.stproxy_config:
    path: /opt/IBM/WebSphere/AppServer/profiles/STPDMgrProfile/config/cells/stCell/nodes/stproxyNode/servers/STProxyServer/stproxyconfig.xml
    photo_cache:
      enabled: true
      storage_location: /opt/IBM/stproxy/photocache
      cache_expiry: 10
      proxy_server_url: http://stproxy.acme.example
    backup: true

- name: Only point STProxy at the photo host (11.x)
  sametime.deploy.stproxy_config:
    path: /opt/hcl/sametimeproxy/conf/stproxyconfig.xml
    photo_cache:
      proxy_server_url: http://stproxy.acme.example
"""

RETURN = r"""
path:
  description: The file.
  returned: always
  type: str
changes:
  description: What differs (element, old value, new value), or the section that was created. Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["photoCache/cacheExpiry: '5' -> '10'", "photoCache/proxyServerURL: added 'http://stproxy.acme.example'"]
backup_file:
  description: The backup copy.
  returned: when changed and O(backup=true)
  type: str
write_method:
  description: C(atomic), or C(in_place) when the file is a mount point.
  returned: when the file was written
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sametime.deploy.plugins.module_utils.xml_worker import STPROXY_CONFIG_SPEC, WORKER_SPEC, run_worker


def main():
    spec = dict(STPROXY_CONFIG_SPEC)
    spec.update(WORKER_SPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    run_worker(module)


if __name__ == '__main__':
    main()
