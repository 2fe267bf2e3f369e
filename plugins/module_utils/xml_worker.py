# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Target half of stproxy_config and userinfo_config: their argument specs and the writer.

The action plugins (controller) compute the edited file with lxml (xmlconfig.py); on the managed host the module
only writes those bytes through fileio, and only when the file still holds what the plugin read. Standard library
and ansible.module_utils only: this runs on the managed host (Python 3.6+).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib

from ansible_collections.sametime.deploy.plugins.module_utils import fileio


# ---------------------------------------------------------------------------------------------
# Argument specs, shared by the modules (documentation side) and the action plugins (checks).
# ---------------------------------------------------------------------------------------------

PHOTO_CACHE_OPTIONS = dict(
    enabled=dict(type='bool'),
    cache_expiry=dict(type='raw'),
    storage_location=dict(type='str'),
    proxy_server_url=dict(type='str'),
)

STPROXY_CONFIG_SPEC = dict(
    path=dict(type='path', required=True),
    photo_cache=dict(type='dict', required=True, options=PHOTO_CACHE_OPTIONS),
    create=dict(type='bool', default=False),
    backup=dict(type='bool', default=False),
)

USERINFO_CONFIG_SPEC = dict(
    path=dict(type='path', required=True),
    photo_attribute=dict(type='str', required=True),
    detail_ids=dict(type='list', elements='str', default=['PhotoURL', 'ImagePath']),
    detail_type=dict(type='str', default='text/plain'),
    set_ids=dict(type='list', elements='str', default=['0', '1']),
    remove_photo=dict(type='bool', default=False),
    storage_type=dict(type='str', default='LDAP'),
    backup=dict(type='bool', default=False),
)

# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------

WORKER_SPEC = dict(
    _content=dict(type='str'),
    _original_checksum=dict(type='str', default=''),
)


def run_worker(module):
    """Write the bytes the action plugin computed, if the file still holds what it read."""
    params = module.params
    path = params['path']
    if params.get('_content') is None:
        module.fail_json(msg='%s runs through its action plugin on the controller; call it as a task of a play '
                             '(the managed host receives the computed file only)' % module._name)
    try:
        content = base64.b64decode(params['_content'])
    except (TypeError, ValueError) as exc:
        module.fail_json(msg='internal: the content sent by the action plugin is not base64: %s' % exc)
    current = fileio.read_bytes(path)
    seen = hashlib.sha1(current).hexdigest() if current is not None else ''
    if seen != (params.get('_original_checksum') or ''):
        module.fail_json(msg='%s changed on the host while the edit was computed; nothing was written, run again'
                             % path, path=path)
    result = fileio.write_if_changed(module, path, content, backup=params.get('backup', False))
    result.pop('diff', None)  # the action plugin makes the diff
    module.exit_json(path=path, **result)
