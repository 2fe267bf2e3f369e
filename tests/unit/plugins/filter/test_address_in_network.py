# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.sametime.deploy.plugins.filter.address_in_network import FilterModule
from ansible_collections.sametime.deploy.plugins.module_utils import addresses

PROD = '203.0.113.0/25'

# hostvars of a two-NIC Meeting server: the mgmt NIC is the first interface and carries the default route
MEETING1_HOSTVARS = {
    'inventory_hostname': 'meeting1',
    'ansible_hostname': 'meeting1',
    'ansible_all_ipv4_addresses': ['203.0.113.140', '203.0.113.12'],
    'ansible_all_ipv6_addresses': ['fe80::1'],
    'ansible_default_ipv4': {'address': '203.0.113.140', 'interface': 'mgmt0'},
    'ansible_interfaces': ['lo', 'mgmt0', 'prod0'],
    'ansible_lo': {'ipv4': {'address': '127.0.0.1'}},
    'ansible_mgmt0': {'ipv4': {'address': '203.0.113.140', 'netmask': '255.255.255.128'}},
    'ansible_prod0': {'ipv4': {'address': '203.0.113.12', 'netmask': '255.255.255.128'}},
}

# ansible_facts form (no prefix), address only visible as a secondary of an interface with a dash in its name
FACTS_SECONDARY = {
    'hostname': 'ssc',
    'all_ipv4_addresses': [],
    'interfaces': ['eth-0'],
    'eth_0': {'ipv4': {'address': '203.0.113.138'}, 'ipv4_secondaries': [{'address': '203.0.113.10'}]},
}


@pytest.mark.parametrize('data, network, expected', [
    (MEETING1_HOSTVARS, PROD, '203.0.113.12'),
    (MEETING1_HOSTVARS, '203.0.113.128/25', '203.0.113.140'),
    ({'ansible_facts': {'all_ipv4_addresses': ['203.0.113.13', '203.0.113.141']}}, PROD, '203.0.113.13'),
    (FACTS_SECONDARY, PROD, '203.0.113.10'),
    (FACTS_SECONDARY, '203.0.113.128/25', '203.0.113.138'),
    (['203.0.113.140', '203.0.113.12/25'], PROD, '203.0.113.12'),
    ('203.0.113.30', PROD, '203.0.113.30'),
    (['2001:db8::12', '203.0.113.12'], '2001:db8::/64', '2001:db8::12'),
    (['2001:db8::12', '203.0.113.12', 'not-an-address', None, 7], PROD, '203.0.113.12'),
    (['203.0.113.12', '203.0.113.12'], PROD, '203.0.113.12'),
])
def test_one_address(data, network, expected):
    assert addresses.address_in_network(data, network) == expected
    assert FilterModule().filters()['address_in_network'](data, network) == expected


@pytest.mark.parametrize('data, network, message', [
    (MEETING1_HOSTVARS, '198.51.100.0/24',
     "host 'meeting1' has no address in 198.51.100.0/24; its addresses: 203.0.113.140, 203.0.113.12, fe80::1, 127.0.0.1"),
    (MEETING1_HOSTVARS, '203.0.113.0/24',
     "host 'meeting1' has 2 addresses in 203.0.113.0/24 (203.0.113.140, 203.0.113.12); expected exactly one"),
    ({'inventory_hostname': 'db2a'}, PROD,
     "host 'db2a' has no address in 203.0.113.0/25; its addresses: none (were facts gathered?)"),
    (['192.0.2.1'], PROD, 'the given addresses has no address in 203.0.113.0/25; its addresses: 192.0.2.1'),
    (['203.0.113.12'], '203.0.113.1/25', "'203.0.113.1/25' is not a network in CIDR notation"),
    (['203.0.113.12'], 'prod', "'prod' is not a network in CIDR notation"),
    (42, PROD, 'expected host facts (a dict), a list of addresses or an address, got int'),
])
def test_errors(data, network, message):
    with pytest.raises(AnsibleFilterError) as info:
        FilterModule().filters()['address_in_network'](data, network)
    assert message in str(info.value)
    assert str(info.value).startswith('address_in_network: ')


def test_host_name_for_messages():
    with pytest.raises(addresses.AddressError) as info:
        addresses.address_in_network(['192.0.2.1'], PROD, host='guest')
    assert str(info.value).startswith("host 'guest' has no address")
