# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: address_in_network
short_description: The one address of a host in a given network
version_added: 0.1.0
author:
  - sametime.deploy contributors (!UNKNOWN)
description:
  - Takes a host's facts (C(hostvars[host]) or C(ansible_facts)), a list of addresses or one address, and a network in
    CIDR notation; returns the single address of the host inside that network.
  - Addresses are collected from C(all_ipv4_addresses), C(all_ipv6_addresses), C(default_ipv4), C(default_ipv6) and every
    interface's C(ipv4), C(ipv4_secondaries) and C(ipv6) facts. Entries such as C(203.0.113.12/25) are accepted.
  - Fails with a message naming the host and listing what it found when the host has no address or several addresses in
    the network (a multi-homed host must be unambiguous; that is the point of the check).
options:
  _input:
    description: Host facts (dict), a list of addresses, or one address.
    type: raw
    required: true
  network:
    description: The network, for example C(203.0.113.0/25). Host bits must be zero.
    type: str
    required: true
  host:
    description: The host's name for error messages (default C(inventory_hostname) from the facts when present).
    type: str
"""

EXAMPLES = r"""
- name: Production address of every Meeting server
  ansible.builtin.debug:
    msg: "{{ hostvars[item] | sametime.deploy.address_in_network('203.0.113.0/25') }}"
  loop: "{{ groups['meeting'] }}"

- name: From a plain list
  ansible.builtin.debug:
    msg: "{{ ['203.0.113.140', '203.0.113.12/25'] | sametime.deploy.address_in_network('203.0.113.0/25') }}"
    # -> 203.0.113.12
"""

RETURN = r"""
_value:
  description: The address, as a string.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sametime.deploy.plugins.module_utils.addresses import AddressError
from ansible_collections.sametime.deploy.plugins.module_utils.addresses import address_in_network as _address_in_network


def address_in_network(data, network, host=None):
    try:
        return _address_in_network(data, network, host=host)
    except AddressError as exc:
        raise AnsibleFilterError('address_in_network: %s' % exc)


class FilterModule(object):
    """sametime.deploy address filters."""

    def filters(self):
        return {'address_in_network': address_in_network}
