# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exactness of the CIDR -> regex generator, checked against netaddr (an independent implementation).

Proof structure: octets are joined by a literal '\\.' between '^' and '$' and octet patterns contain
no '.', so an address matches iff each octet matches its sub-pattern. test_every_octet_range_* proves
every octet sub-pattern the generator can emit exact over all 256 values plus junk; the network tests
then check, with set equality against netaddr (never match counts), boundaries, +-1 neighbours, every
address of small networks and structured samples of big ones, for every prefix length /0../32.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import re

import netaddr
import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import cidr

JUNK = ['', '00', '01', '007', '000', '0255', '256', '260', '300', '999', '1000', '2550', ' 1', '1 ', '-1', '+1',
        '1a', 'a', '0x1', '1.', '.1', '\u0661', '\uff11', '25 5', '1e2']
ALL_VALUES = [str(value) for value in range(256)]
HAYSTACK = '\n'.join(ALL_VALUES + JUNK)
SEED = 20261129


def _accepted(pattern):
    """The lines of HAYSTACK that the octet sub-pattern matches completely."""
    return set(re.findall('(?m)^(?:%s)$' % pattern, HAYSTACK))


def test_every_octet_range_is_exact():
    """All 32,896 (lo, hi) pairs x all 256 values + junk: accepted set == str(lo..hi)."""
    wrong = []
    for lo in range(256):
        for hi in range(lo, 256):
            pattern = cidr.octet_regex(lo, hi)
            assert '.' not in pattern and '\\d' not in pattern
            expected = set(ALL_VALUES[lo:hi + 1])
            if _accepted(pattern) != expected:
                wrong.append((lo, hi, pattern))
    assert wrong == []


@pytest.mark.parametrize('lo, hi, expected', [
    (0, 255, '(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])'),
    (64, 127, '(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])'),
    (16, 31, '(?:1[6-9]|2[0-9]|3[01])'),
    (100, 103, '10[0-3]'),
    (128, 255, '(?:12[89]|1[3-9][0-9]|2[0-4][0-9]|25[0-5])'),
    (7, 7, '7'),
    (8, 9, '[89]'),
])
def test_octet_regex_shapes(lo, hi, expected):
    assert cidr.octet_regex(lo, hi) == expected


@pytest.mark.parametrize('lo, hi', [(-1, 3), (3, 2), (0, 256)])
def test_octet_regex_refuses_bad_ranges(lo, hi):
    with pytest.raises(cidr.CidrError):
        cidr.octet_regex(lo, hi)


def _candidates(net, rng):
    """Addresses to test for netaddr.IPNetwork `net`: all of it when small, else boundaries + structure + random."""
    first, last = net.first, net.last
    found = set()
    if net.size <= 1024:
        found.update(range(first, last + 1))
    else:
        found.update((first, first + 1, last - 1, last, (first + last) // 2))
        found.update(rng.randint(first, last) for _index in range(200))
        # every value of the ranged octet, with random and extreme values in the wildcard octets
        fixed, bits = divmod(net.prefixlen, 8)
        if fixed < 4:
            shift = 8 * (3 - fixed)
            for value in range(256):
                base = (first & ~(0xFF << shift) & 0xFFFFFFFF) | (value << shift)
                for low in (0, (1 << shift) - 1, rng.randint(0, (1 << shift) - 1)):
                    found.add((base & ~((1 << shift) - 1)) | low)
    for delta in range(1, 4):  # just outside, both sides
        found.update(address for address in (first - delta, last + delta) if 0 <= address <= 0xFFFFFFFF)
    found.update(rng.randint(0, 0xFFFFFFFF) for _index in range(100))
    return found


def _check(regex, nets, addresses):
    compiled = re.compile(regex)
    texts = [str(netaddr.IPAddress(address)) for address in addresses]
    got = set(text for text in texts if compiled.match(text))
    want = set(text for text in texts if any(netaddr.IPAddress(text) in net for net in nets))
    return got ^ want


def _random_networks():
    rng = random.Random(SEED)
    for prefix in range(33):
        edges = [netaddr.IPNetwork('0.0.0.0/%d' % prefix), netaddr.IPNetwork('255.255.255.255/%d' % prefix).cidr]
        randoms = [netaddr.IPNetwork('%s/%d' % (netaddr.IPAddress(rng.randint(0, 0xFFFFFFFF)), prefix)).cidr
                   for _index in range(12)]
        yield from edges + randoms


@pytest.mark.parametrize('prefix', range(33))
def test_every_prefix_length_is_exact(prefix):
    rng = random.Random(SEED + prefix)
    nets = [net for net in _random_networks() if net.prefixlen == prefix]
    assert len(nets) == 14
    for net in nets:
        regex = cidr.cidr_regex(str(net))
        assert regex.startswith('^') and regex.endswith('$')
        assert _check(regex, [net], _candidates(net, rng)) == set(), (str(net), regex)


def test_junk_addresses_never_match():
    regex = re.compile(cidr.cidr_regex('0.0.0.0/0'))
    # ("$" also matches before a final newline in Python re and in PCRE; REMOTE_ADDR never ends in one.)
    for junk in ['1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '256.1.1.1', '1.2.3.4 ', ' 1.2.3.4',
                 '1x2x3x4', '1.2.3.', '', '::ffff:1.2.3.4', '1.2.3.4/32']:
        assert not regex.match(junk), junk
    assert regex.match('255.255.255.255') and regex.match('0.0.0.0')


def test_unescaped_dot_pitfall_is_absent():
    regex = re.compile(cidr.cidr_regex('192.168.1.0/24'))
    for wrong in ['192.168.10.5', '192.168.100.7', '192x168y1z5', '1192.168.1.1', '192.168.1.1000']:
        assert not regex.match(wrong), wrong


@pytest.mark.parametrize('network, start, stop', [
    ('172.16.0.0/12', '172.15.0.0', '172.32.255.255'),
    ('10.20.0.0/14', '10.19.0.0', '10.24.255.255'),
])
def test_brute_force_around_big_networks(network, start, stop):
    """Every address of the /16s at both edges of the network and just outside it (262,144 addresses)."""
    regex = cidr.cidr_regex(network)
    net = netaddr.IPNetwork(network)
    first, last = int(netaddr.IPAddress(start)), int(netaddr.IPAddress(stop))
    blocks = [first, net.first, net.last - 0xFFFF, last - 0xFFFF]
    texts = []
    for block in blocks:
        texts.extend(str(netaddr.IPAddress(address)) for address in range(block, block + 0x10000))
    matched = set(re.findall('(?m)%s' % regex, '\n'.join(texts)))
    expected = set(text for text in texts if net.first <= int(netaddr.IPAddress(text)) <= net.last)
    assert len(expected) == 2 * 0x10000
    assert matched == expected


def test_list_input_gives_list_in_order():
    got = cidr.cidr_regex(['192.0.2.128/25', '192.0.2.0/25'])
    assert got == [r'^192\.0\.2\.(?:12[89]|1[3-9][0-9]|2[0-4][0-9]|25[0-5])$',
                   r'^192\.0\.2\.(?:[0-9]|[1-9][0-9]|1[01][0-9]|12[0-7])$']


def test_merge_matches_netaddr_cidr_merge():
    rng = random.Random(SEED)
    for _round in range(25):
        nets = [netaddr.IPNetwork('%s/%d' % (netaddr.IPAddress(rng.randint(0, 0xFFFFFFFF) & 0xFFFF0000 | 0x0A000000),
                                             rng.randint(8, 30))).cidr for _index in range(rng.randint(1, 6))]
        nets.append(nets[0])  # a duplicate
        merged = netaddr.cidr_merge(nets)
        got = cidr.cidr_regex([str(net) for net in nets], merge=True)
        assert got == [cidr.cidr_regex(str(net)) for net in merged]
        joined = cidr.cidr_regex([str(net) for net in nets], merge=True, join=True)
        addresses = set()
        for net in nets:
            addresses.update(_candidates(net, rng))
        assert _check(joined, nets, addresses) == set()


def test_adjacent_networks_merge_to_one():
    assert cidr.cidr_regex(['10.0.0.0/9', '10.128.0.0/9'], merge=True) == [cidr.cidr_regex('10.0.0.0/8')]
    assert cidr.cidr_regex(['10.0.0.0/9', '10.128.0.0/9'], merge=True, join=True) == cidr.cidr_regex('10.0.0.0/8')


def test_bare_address_is_a_host():
    assert cidr.cidr_regex('203.0.113.11') == r'^203\.0\.113\.11$' == cidr.cidr_regex('203.0.113.11/32')


@pytest.mark.parametrize('value, message', [
    ('10.0.0.1/8', 'host bits set; did you mean 10.0.0.0/8'),
    ('2001:db8::/32', 'IPv6'),
    ('::ffff:10.0.0.1', 'IPv6'),
    ('010.0.0.0/8', 'dotted-quad'),
    ('10.0.0/8', 'dotted-quad'),
    ('256.0.0.0/8', 'dotted-quad'),
    ('10.0.0.0/33', 'prefix length'),
    ('10.0.0.0/', 'prefix length'),
    ('10.0.0.0/08', 'prefix length'),
    ('10.0.0.0/255.0.0.0', 'prefix length'),
    ('icphotos.acme.com', 'dotted-quad'),
    (None, 'expected'),
    (10, 'expected'),
    ([], 'no network given'),
    (['10.0.0.0/8', 'x'], "'x'"),
])
def test_invalid_input_is_refused_clearly(value, message):
    with pytest.raises(cidr.CidrError) as info:
        result = cidr.cidr_regex(value, join=True)
        assert result is None
    assert message in str(info.value)
