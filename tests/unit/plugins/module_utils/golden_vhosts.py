# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo vhosts that sametime.deploy.ihs_photo_vhost renders, kept as golden files in fixtures/vhosts/ so that a
reviewer reads the Apache configuration itself (and its diff when the rendering changes).

Each file is the module's pure renderer (apache.build_spec + render_vhost) on the module's own defaults
(ihs_photo_vhost.ARGUMENT_SPEC) and the lab's site values (inventories/lab/group_vars/ihs/ihs_photos.yml).
test_apache_golden.py compares them byte for byte; test_ihs_photo_vhost.py runs each through a real `apache2 -t`.

After an intended change of the rendering, regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/unit/plugins/module_utils/test_apache_golden.py
    git diff tests/unit/plugins/module_utils/fixtures/vhosts/
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.sametime.deploy.plugins.module_utils import apache
from ansible_collections.sametime.deploy.plugins.modules import ihs_photo_vhost

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'vhosts')

# the lab's photo host: office and VPN ranges, the STProxy server, the seed's redirect target
SITE = dict(server_name='icphotos.acme.example', server_aliases=['ihs1.acme.example'],
            document_root='/opt/IBM/HTTPServer/photos', allow_networks=['192.0.2.0/25', '192.0.2.128/25'],
            allow_hosts=['203.0.113.11'], redirect_url='http://www.acme.example')
# IHS's usual rotation (docs/ihs.md, Logs)
PIPED = dict(access_log='|/opt/IBM/HTTPServer/bin/rotatelogs /opt/IBM/HTTPServer/logs/photos.%Y%m%d 86400',
             error_log='|/opt/IBM/HTTPServer/bin/rotatelogs /opt/IBM/HTTPServer/logs/photos_error.%Y%m%d 86400')

CASES = {
    '2.2-seed': dict(apache_generation='2.2', mode='seed'),
    '2.2-hardened': dict(apache_generation='2.2', mode='hardened'),
    '2.2-hardened-piped-logs': dict(PIPED, apache_generation='2.2', mode='hardened'),
    '2.4-seed': dict(apache_generation='2.4', mode='seed'),
    '2.4-hardened': dict(apache_generation='2.4', mode='hardened'),
    '2.4-hardened-piped-logs': dict(PIPED, apache_generation='2.4', mode='hardened'),
}


def module_defaults():
    """The module's option defaults, as its argument_spec gives them to the renderer."""
    return dict((name, spec.get('default')) for name, spec in ihs_photo_vhost.ARGUMENT_SPEC.items())


def render(name):
    params = module_defaults()
    params.update(SITE)
    params.update(CASES[name])
    return apache.render_vhost(apache.build_spec(params)).encode('utf-8')


def golden_path(name):
    return os.path.join(GOLDEN_DIR, '%s.conf' % name)
