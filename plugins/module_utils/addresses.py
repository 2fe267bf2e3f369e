# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pick a host's address in a network from its facts or a list of addresses (stdlib only, Python 3.6+)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from collections.abc import Mapping, Sequence

_STRING_TYPES = (type(u''), type(b''))


class AddressError(ValueError):
    """No address, several addresses, or unusable input; the message names the host and what was found."""


def parse_network(cidr):
    """An ip_network from 'a.b.c.d/nn' (host bits must be zero); raise AddressError."""
    try:
        return ipaddress.ip_network(u'%s' % (cidr,), strict=True)
    except (ValueError, TypeError) as exc:
        raise AddressError("'%s' is not a network in CIDR notation (%s)" % (cidr, exc))


def _is_list(value):
    return isinstance(value, Sequence) and not isinstance(value, _STRING_TYPES)


def _add(found, value):
    """Append an address (a 'a.b.c.d' or 'a.b.c.d/nn' string); ignore anything else."""
    if not isinstance(value, _STRING_TYPES):
        return
    text = value.decode('utf-8') if isinstance(value, bytes) else value
    text = text.split('/')[0].split('%')[0].strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return
    if address not in found:
        found.append(address)


def _fact(facts, name):
    """A fact from hostvars (ansible_<name>) or from ansible_facts (<name>)."""
    if 'ansible_' + name in facts:
        return facts['ansible_' + name]
    nested = facts.get('ansible_facts')
    if isinstance(nested, Mapping) and name in nested:
        return nested[name]
    return facts.get(name)


def _from_interface(found, iface):
    if not isinstance(iface, Mapping):
        return
    ipv4 = iface.get('ipv4')
    for entry in (ipv4 if _is_list(ipv4) else [ipv4]):
        if isinstance(entry, Mapping):
            _add(found, entry.get('address'))
    for entry in iface.get('ipv4_secondaries') or []:
        if isinstance(entry, Mapping):
            _add(found, entry.get('address'))
    for entry in iface.get('ipv6') or []:
        if isinstance(entry, Mapping):
            _add(found, entry.get('address'))


def addresses_of(data):
    """Every address in `data`: a host's facts/hostvars (dict), a list of addresses, or one address string."""
    found = []
    if isinstance(data, _STRING_TYPES):
        _add(found, data)
        return found
    if _is_list(data):
        for item in data:
            _add(found, item)
        return found
    if not isinstance(data, Mapping):
        raise AddressError('expected host facts (a dict), a list of addresses or an address, got %s'
                           % type(data).__name__)
    for name in ('all_ipv4_addresses', 'all_ipv6_addresses'):
        for value in _fact(data, name) or []:
            _add(found, value)
    for name in ('default_ipv4', 'default_ipv6'):
        value = _fact(data, name)
        if isinstance(value, Mapping):
            _add(found, value.get('address'))
    for iface in _fact(data, 'interfaces') or []:
        _from_interface(found, _fact(data, iface.replace('-', '_').replace('.', '_').replace(':', '_')))
    return found


def host_label(data):
    if isinstance(data, Mapping):
        for key in ('inventory_hostname', 'ansible_hostname'):
            if data.get(key):
                return "host '%s'" % data[key]
        nested = data.get('ansible_facts')
        if isinstance(nested, Mapping) and nested.get('hostname'):
            return "host '%s'" % nested['hostname']
    return 'the given addresses'


def address_in_network(data, cidr, host=None):
    """The one address of `data` inside `cidr`, as a string; AddressError when there are none or several."""
    network = parse_network(cidr)
    label = "host '%s'" % host if host else host_label(data)
    found = addresses_of(data)
    inside = [address for address in found if address.version == network.version and address in network]
    if len(inside) == 1:
        return str(inside[0])
    seen = ', '.join(str(address) for address in found) or 'none (were facts gathered?)'
    if not inside:
        raise AddressError('%s has no address in %s; its addresses: %s' % (label, network, seen))
    raise AddressError('%s has %d addresses in %s (%s); expected exactly one'
                       % (label, len(inside), network, ', '.join(str(address) for address in inside)))
