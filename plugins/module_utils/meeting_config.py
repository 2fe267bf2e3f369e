# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sametime 9.0.1 meeting server configuration keys (target side: Python 3.6+, stdlib + ansible.module_utils).

Reads come from GET /stmeetings/configuration?format=json (a flat JSON object of strings), with WAS form login
(j_security_check) when the server asks for it. Where the SSC persists these keys is not documented, so writes go
through a backend: `manual` (fail with the exact SSC steps) or `command` (an argv template the site provides).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.six.moves.urllib.parse import urlencode

SSC_PATH = ('Sametime System Console > Sametime Servers > Sametime Meeting Servers > {server} > '
            'Server Configuration')


def as_text(value):
    """Key values are strings on the server; booleans become true/false."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return ''
    return '%s' % (value,)


def normalize(keys):
    return dict((str(k), as_text(v)) for k, v in (keys or {}).items())


def validate(keys, placeholder):
    """Error messages for the wanted keys."""
    errors = []
    for key in keys:
        if not key or key.strip() != key or ' ' in key:
            errors.append('key %r is not a configuration key name' % key)
    template = keys.get('userInfoUrlTemplate')
    if template:
        if not (template.startswith('http://') or template.startswith('https://')):
            errors.append('userInfoUrlTemplate %r must be an http:// or https:// URL' % template)
        if template.count(placeholder) != 1:
            errors.append('userInfoUrlTemplate %r must contain the placeholder %r exactly once (the placeholder syntax '
                          'is configurable: option placeholder)' % (template, placeholder))
    for key in ('userInfoRedirect', 'whiteboard.enabled'):
        if key in keys and keys[key] not in ('true', 'false'):
            errors.append('%s must be true or false, not %r' % (key, keys[key]))
    return errors


def differences(current, wanted):
    """{key: {'before': value or None, 'after': value}} for keys whose value differs."""
    out = {}
    for key in sorted(wanted):
        before = current.get(key)
        if before is not None:
            before = as_text(before)
        if before != wanted[key]:
            out[key] = {'before': before, 'after': wanted[key]}
    return out


def manual_steps(server_label, diff):
    """The exact SSC steps for the keys that differ."""
    lines = ['In the %s tab:' % SSC_PATH.format(server=server_label)]
    for key in sorted(diff):
        change = diff[key]
        if change['before'] is None:
            lines.append('  - click New, enter key "%s" and value "%s", click OK (a new key needs a meeting server '
                         'restart)' % (key, change['after']))
        else:
            lines.append('  - select "%s", click Edit, change the value from "%s" to "%s", click OK'
                         % (key, change['before'], change['after']))
    lines.append('Repeat on every meeting server of the cluster, then run this task again to verify.')
    return lines


def parse_config(body):
    """The JSON object of the endpoint, values as text; ValueError when the body is not that."""
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError('not a JSON object')
    return dict((k, as_text(v)) for k, v in data.items())


def config_url(base_url, verbose=True):
    return '%s/stmeetings/configuration?format=json%s' % (base_url.rstrip('/'), '&verbose=true' if verbose else '')


def login_request(base_url, username, password):
    """(url, body) of the WAS form login."""
    return ('%s/stmeetings/j_security_check' % base_url.rstrip('/'),
            urlencode({'j_username': username, 'j_password': password}))


def backend_argv(template, key, value):
    """The command backend's argv for one key: {key}/{value} replaced inside each element (no shell)."""
    return [part.replace('{key}', key).replace('{value}', value) for part in template]
