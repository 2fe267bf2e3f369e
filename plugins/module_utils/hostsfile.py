# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse, edit and render a hosts file (runs on managed hosts: Python 3.6+, stdlib only).

A line that an operation does not need to change is rendered from its original text, byte for byte.
An entry line that is changed keeps its leading whitespace, the address as written, its separators,
its trailing whitespace, its comment and its line ending; only the list of names is rewritten.

Syntax (as glibc reads it): ``#`` starts a comment anywhere on a line; an entry is an address followed
by one or more names, separated by blanks; the first name is the canonical name, the others aliases.
Lines that do not start with a valid address (blank lines, comments, garbage) are never changed.
Names compare case-insensitively, as the resolver does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

_BLANKS = ' \t\f\v\r'
_SPLIT = re.compile(r'([ \t\f\v\r]+)')
_LABEL = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
_IPV4_LEADING_ZERO = re.compile(r'(^|\.)0[0-9]')

# Default separators for a line that the module writes from scratch.
NEW_LINE_IP_SEPARATOR = '\t'
NEW_LINE_NAME_SEPARATOR = ' '


class HostsFileError(ValueError):
    """Invalid input (address, name, combination of options); the message says what and why."""


def _text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    return u'%s' % (value,)


def parse_ip(value):
    """Return an ipaddress object for a v4/v6 address written without prefix or zone; raise HostsFileError."""
    text = _text(value).strip()
    if not text:
        raise HostsFileError('ip is empty')
    if '/' in text or '%' in text:
        raise HostsFileError("ip '%s' is not a plain address (no prefix length or zone index allowed)" % text)
    if ':' not in text and _IPV4_LEADING_ZERO.search(text):
        raise HostsFileError("ip '%s' has an octet with a leading zero (ambiguous: octal to some resolvers)" % text)
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise HostsFileError("ip '%s' is not a valid IPv4 or IPv6 address" % text)


def _try_ip(token):
    try:
        return parse_ip(token)
    except HostsFileError:
        return None


def check_hostname(name):
    """Raise HostsFileError unless `name` is an RFC 1123 host name; return it as text."""
    text = _text(name)
    if not text:
        raise HostsFileError('a host name is empty')
    if len(text) > 253:
        raise HostsFileError("host name '%s...' is longer than 253 characters" % text[:40])
    labels = text.split('.')
    for label in labels:
        if not _LABEL.match(label):
            raise HostsFileError(
                "host name '%s' is not valid (RFC 1123: dot-separated labels of 1-63 letters, digits and "
                "inner hyphens; no underscore, blank, '#' or trailing dot)" % text)
    if labels[-1].isdigit():
        raise HostsFileError("host name '%s' is not valid (RFC 1123: the last label must not be all digits)" % text)
    return text


def check_hostnames(names):
    """Validate a list of names; reject duplicates (case-insensitive). Return the list as text."""
    result = []
    seen = set()
    for name in names:
        text = check_hostname(name)
        if text.lower() in seen:
            raise HostsFileError("host name '%s' is listed twice" % text)
        seen.add(text.lower())
        result.append(text)
    return result


class Line(object):
    """One line of a hosts file.

    ``raw`` is the original text (with line ending) or None once the line was changed.
    Entry lines have ``ip`` (ipaddress object); other lines have ``ip`` None and are only ever re-rendered from raw.
    """

    def __init__(self, raw):
        self.raw = raw
        if raw.endswith('\r\n'):
            self.eol, body = '\r\n', raw[:-2]
        elif raw.endswith('\n'):
            self.eol, body = '\n', raw[:-1]
        else:
            self.eol, body = '', raw
        hash_at = body.find('#')
        if hash_at >= 0:
            self.comment, body = body[hash_at:], body[:hash_at]
        else:
            self.comment = ''
        stripped = body.rstrip(_BLANKS)
        self.trail = body[len(stripped):]
        parts = _SPLIT.split(stripped)
        if parts and parts[0] == '':
            self.lead = parts[1] if len(parts) > 1 else ''
            parts = parts[2:]
        else:
            self.lead = ''
        # parts: [ip, sep, name, sep, name, ...]
        self.ip = None
        self.ip_token = None
        self.names = []
        self.seps = []
        if len(parts) >= 3:
            ip = _try_ip(parts[0])
            if ip is not None:
                self.ip = ip
                self.ip_token = parts[0]
                self.seps = parts[1::2]
                self.names = parts[2::2]

    @property
    def is_entry(self):
        return self.ip is not None

    def has_name(self, name):
        low = name.lower()
        return any(n.lower() == low for n in self.names)

    def set_names(self, names):
        """Replace the names; keep the separators by position (the first one: after the address)."""
        if [n.lower() for n in names] == [n.lower() for n in self.names]:
            return False
        default_between = self.seps[1] if len(self.seps) > 1 else NEW_LINE_NAME_SEPARATOR
        seps = [self.seps[0]]
        for index in range(1, len(names)):
            seps.append(self.seps[index] if index < len(self.seps) else default_between)
        self.names = list(names)
        self.seps = seps
        self.raw = None
        return True

    def render(self):
        if self.raw is not None:
            return self.raw
        body = self.ip_token
        for sep, name in zip(self.seps, self.names):
            body += sep + name
        return self.lead + body + self.trail + self.comment + self.eol

    def describe(self):
        return self.render().rstrip('\r\n')


def split_lines(text):
    """Split on '\\n' only (as the resolver does), keeping the line endings."""
    return re.findall(r'[^\n]*\n|[^\n]+$', text)


class HostsFile(object):
    """A parsed hosts file; ``changes`` collects one human-readable line per edit."""

    def __init__(self, content):
        self.lines = [Line(raw) for raw in split_lines(_text(content))]
        self.changes = []

    def render(self):
        return ''.join(line.render() for line in self.lines)

    def entries(self):
        return [line for line in self.lines if line.is_entry]

    def _eol(self):
        for line in self.lines:
            if line.eol:
                return line.eol
        return '\n'

    def _remove_names(self, line, names, why):
        """Drop `names` from `line`; a line left without names is deleted. Return True when changed."""
        lows = set(n.lower() for n in names)
        keep = [n for n in line.names if n.lower() not in lows]
        if len(keep) == len(line.names):
            return False
        gone = [n for n in line.names if n.lower() in lows]
        before = line.describe()
        if keep:
            line.set_names(keep)
            self.changes.append("removed %s from '%s' (%s)" % (', '.join(gone), before, why))
        else:
            self.lines.remove(line)
            self.changes.append("deleted line '%s' (%s)" % (before, why))
        return True

    def present(self, ip, hostnames, exclusive=False):
        """Make `ip` carry `hostnames` (the first one canonical). With exclusive, no other line keeps those names."""
        ip = parse_ip(ip)
        hostnames = check_hostnames(hostnames)
        if not hostnames:
            raise HostsFileError('state=present needs at least one host name')
        canonical = hostnames[0].lower()
        same_ip = [line for line in self.entries() if line.ip == ip]
        target = None
        for line in same_ip:
            if line.names[0].lower() == canonical:
                target = line
                break
        if target is None:
            for line in same_ip:
                if line.has_name(canonical):
                    target = line
                    break
        if target is None and same_ip:
            target = same_ip[0]

        if target is None:
            if self.lines and not self.lines[-1].eol:
                last = self.lines[-1]
                last.raw = last.render() + self._eol()
                last.eol = self._eol()
                self.changes.append('added the missing final newline')
            text = str(ip) + NEW_LINE_IP_SEPARATOR + NEW_LINE_NAME_SEPARATOR.join(hostnames) + self._eol()
            target = Line(text)
            self.lines.append(target)
            self.changes.append("added line '%s'" % text.rstrip('\r\n'))
        else:
            lows = set(n.lower() for n in hostnames)
            wanted = list(hostnames)
            for name in target.names:  # keep the file's spelling of our names, and its other names after ours
                if name.lower() in lows:
                    wanted[[n.lower() for n in wanted].index(name.lower())] = name
            wanted += [n for n in target.names if n.lower() not in lows]
            before = target.describe()
            if target.set_names(wanted):
                self.changes.append("changed '%s' to '%s'" % (before, target.describe()))

        if exclusive:
            for line in list(self.entries()):
                if line is not target:
                    self._remove_names(line, hostnames, 'exclusive' if line.ip != ip else 'exclusive, same address')
        return self

    def absent(self, ip=None, hostnames=None):
        """Remove names (from every line, or only from `ip`'s lines), or every line of `ip` when no names are given."""
        if ip is None and not hostnames:
            raise HostsFileError('state=absent needs ip, hostnames or both')
        ip = parse_ip(ip) if ip is not None else None
        hostnames = check_hostnames(hostnames or [])
        for line in list(self.entries()):
            if ip is not None and line.ip != ip:
                continue
            if hostnames:
                self._remove_names(line, hostnames, 'absent')
            else:
                self.lines.remove(line)
                self.changes.append("deleted line '%s' (absent)" % line.describe())
        return self

    def resolve(self, name):
        """The address the resolver's files backend returns first for `name` (None when no line has it)."""
        for line in self.entries():
            if line.has_name(name):
                return line.ip
        return None


def edit(content, state, ip=None, hostnames=None, exclusive=False):
    """Pure entry point: (new content as text, list of change descriptions). Raises HostsFileError on bad input."""
    hosts = HostsFile(content if content is not None else '')
    if state == 'present':
        if ip is None or not hostnames:
            raise HostsFileError('state=present needs ip and at least one host name')
        hosts.present(ip, hostnames, exclusive=exclusive)
    elif state == 'absent':
        hosts.absent(ip, hostnames)
    else:
        raise HostsFileError("state must be 'present' or 'absent', not '%s'" % state)
    return hosts.render(), hosts.changes
