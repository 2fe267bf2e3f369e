# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv4 CIDR -> exact, anchored regular expression (pure functions, Python 3.6+, stdlib only).

The one implementation behind the ``sametime.deploy.cidr_regex`` filter (controller) and the
``sametime.deploy.ihs_photo_vhost`` module (managed host, seed mode on Apache 2.2 syntax).

Why stdlib ``ipaddress`` and not netaddr: this file also runs on managed hosts, where only the
standard library and ``ansible.module_utils`` may be imported. ``ipaddress`` is used only to
parse a network and to collapse (merge) networks; the regex construction itself is integer
arithmetic. The unit tests use netaddr as an independent oracle for membership and merging.

Construction: a CIDR block is an IPv4 "glob": ``p // 8`` fixed octets, then at most one octet
range ``lo-hi`` (when ``p % 8`` is not 0), then any-octet wildcards. Octet sub-patterns contain no
``.`` and octets are joined by a literal ``\\.`` between ``^`` and ``$``, so an address matches
iff every octet matches its sub-pattern: proving :func:`octet_regex` exact for every ``(lo, hi)``
over all 256 values proves every network regex exact.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

DOTTED_QUAD = re.compile(r'^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$')
PREFIX = re.compile(r'^(0|[1-9][0-9]?)$')


class CidrError(ValueError):
    """Invalid network text; the message names the offending value."""


def _digit_class(lo, hi):
    if lo == hi:
        return str(lo)
    if hi == lo + 1:
        return '[%d%d]' % (lo, hi)
    return '[%d-%d]' % (lo, hi)


def _same_length(lo, hi):
    """Alternatives matching the decimal strings lo..hi, both of the same length (no leading zeros issue)."""
    if not lo:
        return ['']
    if lo == hi:
        return [lo]
    first_lo, first_hi = int(lo[0]), int(hi[0])
    rest = len(lo) - 1
    if first_lo == first_hi:
        return [lo[0] + tail for tail in _same_length(lo[1:], hi[1:])]
    parts = []
    if lo[1:] != '0' * rest:
        parts.extend(lo[0] + tail for tail in _same_length(lo[1:], '9' * rest))
        first_lo += 1
    tail_parts = []
    if hi[1:] != '9' * rest:
        tail_parts.extend(hi[0] + tail for tail in _same_length('0' * rest, hi[1:]))
        first_hi -= 1
    if first_lo <= first_hi:
        wildcard = ''
        if rest == 1:
            wildcard = '[0-9]'
        elif rest > 1:
            wildcard = '[0-9]{%d}' % rest
        parts.append(_digit_class(first_lo, first_hi) + wildcard)
    return parts + tail_parts


def octet_alternatives(lo, hi):
    """The alternatives of a regex matching exactly the canonical decimal integers lo..hi (0 <= lo <= hi <= 255)."""
    if not (0 <= lo <= hi <= 255):
        raise CidrError('octet range %r-%r is outside 0-255' % (lo, hi))
    parts = []
    for low, high in ((0, 9), (10, 99), (100, 255)):
        start, end = max(lo, low), min(hi, high)
        if start <= end:
            parts.extend(_same_length(str(start), str(end)))
    return parts


def _group(parts):
    if len(parts) == 1:
        return parts[0]
    return '(?:%s)' % '|'.join(parts)


def octet_regex(lo, hi):
    """Unanchored sub-pattern for one octet value in lo..hi; contains no '.', wrapped in (?:) when needed."""
    return _group(octet_alternatives(lo, hi))


ANY_OCTET = octet_regex(0, 255)


def block_regex(first, prefixlen):
    """Unanchored body for the network whose first address is the integer `first` with /prefixlen."""
    if not 0 <= prefixlen <= 32:
        raise CidrError('prefix length %r is outside 0-32' % (prefixlen,))
    octets = [(first >> shift) & 255 for shift in (24, 16, 8, 0)]
    fixed, bits = divmod(prefixlen, 8)
    pieces = [str(octet) for octet in octets[:fixed]]
    if bits:
        size = 1 << (8 - bits)
        low = octets[fixed] & (256 - size)
        pieces.append(octet_regex(low, low + size - 1))
    while len(pieces) < 4:
        pieces.append(ANY_OCTET)
    return r'\.'.join(pieces)


def parse_network(value):
    """'a.b.c.d' or 'a.b.c.d/n' -> ipaddress.IPv4Network; strict: canonical octets, no host bits."""
    if not isinstance(value, str):
        raise CidrError('expected an IPv4 network as a string like "192.0.2.0/24", got %r' % (value,))
    text = value.strip()
    if ':' in text:
        raise CidrError('%r is IPv6; only IPv4 networks are supported (REMOTE_ADDR of an IPv6 client never '
                        'matches an IPv4 regex)' % (value,))
    address, sep, prefix = text.partition('/')
    match = DOTTED_QUAD.match(address)
    if not match or any(int(octet) > 255 for octet in match.groups()):
        raise CidrError('%r is not an IPv4 address in dotted-quad form (four decimal octets 0-255, no leading '
                        'zeros)' % (value,))
    if sep and not PREFIX.match(prefix) or sep and int(prefix) > 32:
        raise CidrError('%r has an invalid prefix length (expected /0 to /32)' % (value,))
    try:
        return ipaddress.IPv4Network(u'%s/%s' % (address, prefix or '32'), strict=True)
    except ValueError:
        network = ipaddress.IPv4Network(u'%s/%s' % (address, prefix), strict=False)
        raise CidrError('%r has host bits set; did you mean %s?' % (value, network))


def parse_networks(values, merge=False):
    """A string or list of strings -> list of IPv4Network in the given order (collapsed when merge=True)."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise CidrError('expected a CIDR string or a list of them, got %r' % (values,))
    networks = [parse_network(value) for value in values]
    if merge:
        networks = list(ipaddress.collapse_addresses(networks))
    return networks


def networks_regex(networks):
    """Anchored regex matching exactly the dotted-quad addresses in any of `networks` (IPv4Network list)."""
    if not networks:
        raise CidrError('no network given')
    bodies = []
    for net in networks:
        body = block_regex(int(net.network_address), net.prefixlen)
        if body not in bodies:
            bodies.append(body)
    if len(bodies) == 1:
        return '^%s$' % bodies[0]
    return '^(?:%s)$' % '|'.join(bodies)


def cidr_regex(values, merge=False, join=False):
    """CIDR string -> anchored regex; list of CIDR strings -> list of anchored regexes (one per network).

    merge=True collapses overlapping and adjacent networks first; join=True returns one anchored
    regex for the union of a list instead of a list.
    """
    if isinstance(values, str) and not merge:
        return networks_regex([parse_network(values)])
    networks = parse_networks(values, merge=merge)
    if join or isinstance(values, str):
        return networks_regex(networks)
    return [networks_regex([network]) for network in networks]
