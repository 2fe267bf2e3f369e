# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cidr_regex
short_description: IPv4 CIDR network(s) to exact, anchored regular expression(s)
version_added: 0.1.0
description:
  - Turns an IPv4 network such as C(192.0.2.0/25) into an anchored regular expression that matches exactly the
    canonical dotted-quad addresses of that network and nothing else (no leading zeros, no octet above 255, no
    partial match), for use in C(RewriteCond %{REMOTE_ADDR}) or C(SetEnvIf Remote_Addr) on Apache 2.2 based IBM HTTP
    Server, where C(Require ip) and C(expr -R) do not exist.
  - A list gives a list of regexes, one per network, unless O(join=true).
  - The same implementation (C(plugins/module_utils/cidr.py)) is used by the M(sametime.deploy.ihs_photo_vhost) module on
    the managed host. It parses and merges with the standard library C(ipaddress) module because it must also run on
    managed hosts, where netaddr is not installed; the regex itself is built by integer arithmetic. netaddr is used as
    the independent oracle in the collection's unit tests.
  - On Apache 2.2 an allow-list does not need regexes at all (C(Allow from 192.0.2.0/25) takes CIDRs); use this filter
    when the rule must live in mod_rewrite or mod_setenvif.
options:
  _input:
    description: An IPv4 network (C(a.b.c.d/n), or C(a.b.c.d) for a /32) or a list of them. Host bits must be zero.
    type: raw
    required: true
  merge:
    description: Collapse overlapping and adjacent networks first (C(10.0.0.0/9) + C(10.128.0.0/9) = C(10.0.0.0/8)).
    type: bool
    default: false
  join:
    description: For a list, return one anchored regex for the union instead of a list.
    type: bool
    default: false
notes:
  - IPv6 networks are refused with an error. An IPv6 client's C(REMOTE_ADDR) never matches an IPv4 regex, so such a client
    is simply not allow-listed.
  - The regex uses C(\.), C((?:...)), C([0-9]) and C({n}); it contains no C(\d) and is valid PCRE (Apache) and Python C(re).
"""

EXAMPLES = r"""
- name: Office range as a RewriteCond regex
  ansible.builtin.debug:
    msg: "{{ '198.51.100.64/26' | sametime.deploy.cidr_regex }}"
  # ^198\.51\.100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])$

- name: One regex for several ranges, merged
  ansible.builtin.set_fact:
    allowed_re: "{{ ['10.0.0.0/9', '10.128.0.0/9', '192.0.2.7'] | sametime.deploy.cidr_regex(merge=true, join=true) }}"
"""

RETURN = r"""
_value:
  description: An anchored regex (C(^...$)) for a string input or with O(join=true); otherwise a list of them.
  type: raw
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.sametime.deploy.plugins.module_utils.cidr import CidrError, cidr_regex as _cidr_regex


def cidr_regex(value, merge=False, join=False):
    """Jinja2 filter: see DOCUMENTATION."""
    try:
        return _cidr_regex(value, merge=bool(merge), join=bool(join))
    except CidrError as exc:
        raise AnsibleFilterError('cidr_regex: %s' % to_native(exc))


class FilterModule(object):
    """sametime.deploy CIDR filters."""

    def filters(self):
        return {'cidr_regex': cidr_regex}
