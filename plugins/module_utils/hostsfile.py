# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse, edit and render a hosts file (runs on managed hosts: Python 3.6+, stdlib and fileio only).

A line that an operation does not need to change is rendered from its original text, byte for byte.
An entry line that is changed keeps its leading whitespace, the address as written, its separators,
its trailing whitespace, its comment and its line ending; only the list of names is rewritten.

The model is glibc's files backend (checked against ``getent`` on glibc 2.36, see docs/federation.md):

- ``#`` starts a comment anywhere on a line; an entry is an address followed by names, separated by blanks;
  the first name is the canonical name, the others aliases. Lines that do not start with an address that
  glibc's ``inet_pton`` accepts (blank lines, comments, ``fe80::1%eth0``, ``010.0.0.1``) are never changed.
- Names compare case-insensitively in ASCII only (``strcasecmp``): U+212A KELVIN SIGN is not ``k``.
  A name with a trailing dot is another name (``a.example.`` does not answer ``a.example``).
- Lookups are per address family. An IPv4 lookup is answered by IPv4 lines, by ``::ffff:a.b.c.d`` lines
  (as ``a.b.c.d``) and by ``::1`` lines (as ``127.0.0.1``). An IPv6 lookup is answered by IPv6 lines.
- A last line without a newline that starts with blanks is misread (its last bytes come back repeated),
  so every edit leaves the file ending with a newline.
- A NUL byte ends glibc's reading of its line: such a file is refused.

The file's bytes are kept as they are (decoded with ``surrogateescape``); every text meant for display
(changes, warnings) goes through ``fileio.display()``, which shows undecodable bytes as ``\\xNN``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.sametime.deploy.plugins.module_utils.fileio import display

_BLANKS = ' \t\f\v\r'
_SPLIT = re.compile(r'([ \t\f\v\r]+)')
_LABEL = re.compile(r'\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z')
_IPV4_LEADING_ZERO = re.compile(r'(^|\.)0[0-9]')
_ASCII_LOWER = dict((code, code + 32) for code in range(ord('A'), ord('Z') + 1))
_LOOPBACK_V4 = ipaddress.ip_address(u'127.0.0.1')
_LOOPBACK_V6 = ipaddress.ip_address(u'::1')

# The hosts file of hosts_entry when none is given (the federation_hosts role leaves it unset).
DEFAULT_PATH = '/etc/hosts'

# Default separators for a line that the module writes from scratch.
NEW_LINE_IP_SEPARATOR = '\t'
NEW_LINE_NAME_SEPARATOR = ' '


class HostsFileError(ValueError):
    """Invalid input (address, name, combination of options, unreadable file); the message says what and why."""


def _text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    return u'%s' % (value,)


def fold(name):
    """Case-fold a name as the resolver does (strcasecmp): ASCII letters only."""
    return name.translate(_ASCII_LOWER)


def parse_ip(value):
    """Return an ipaddress object for a v4/v6 address written without prefix or zone; raise HostsFileError."""
    text = _text(value).strip()
    if not text:
        raise HostsFileError('ip is empty')
    if '/' in text or '%' in text:
        raise HostsFileError("ip '%s' is not a plain address (no prefix length or zone index allowed)" % display(text))
    if ':' not in text and _IPV4_LEADING_ZERO.search(text):
        raise HostsFileError("ip '%s' has an octet with a leading zero (ambiguous: octal to some resolvers)"
                             % display(text))
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise HostsFileError("ip '%s' is not a valid IPv4 or IPv6 address" % display(text))


def _try_ip(token):
    try:
        return parse_ip(token)
    except HostsFileError:
        return None


def v4_answer(address):
    """The IPv4 address glibc returns for a line of `address` in an IPv4 lookup, or None."""
    if address.version == 4:
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address == _LOOPBACK_V6:
        return _LOOPBACK_V4
    return None


def serves(line_ip, ip):
    """True when a line of `line_ip` answers lookups with `ip` (the same address, or its IPv4 form for IPv4)."""
    return line_ip == ip or (ip.version == 4 and v4_answer(line_ip) == ip)


def check_hostname(name):
    """Raise HostsFileError unless `name` is an RFC 1123 host name; return it as text."""
    text = _text(name)
    if not text:
        raise HostsFileError('a host name is empty')
    if len(text) > 253:
        raise HostsFileError("host name '%s...' is longer than 253 characters" % display(text[:40]))
    labels = text.split('.')
    for label in labels:
        if not _LABEL.match(label):
            raise HostsFileError(
                "host name '%s' is not valid (RFC 1123: dot-separated labels of 1-63 ASCII letters, digits and "
                "inner hyphens; no underscore, blank, '#' or trailing dot)" % display(text))
    if labels[-1].isdigit():
        raise HostsFileError("host name '%s' is not valid (RFC 1123: the last label must not be all digits)" % text)
    return text


def check_hostnames(names):
    """Validate a list of names; reject duplicates (case-insensitive). Return the list as text."""
    result = []
    seen = set()
    for name in names:
        text = check_hostname(name)
        if fold(text) in seen:
            raise HostsFileError("host name '%s' is listed twice" % text)
        seen.add(fold(text))
        result.append(text)
    return result


class Line(object):
    """One line of a hosts file.

    ``raw`` is the original text (with line ending) or None once the line was changed.
    Lines that start with an address have ``ip`` (ipaddress object); ``names`` may be empty (an address-only
    line, which answers no lookup). Other lines have ``ip`` None and are only ever re-rendered from raw.
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
        ip = _try_ip(parts[0]) if parts and parts[0] else None
        if ip is not None:
            self.ip = ip
            self.ip_token = parts[0]
            self.seps = parts[1::2]
            self.names = parts[2::2]

    @property
    def is_entry(self):
        """An address with at least one name: a line that can answer a lookup."""
        return self.ip is not None and bool(self.names)

    def has_name(self, name):
        low = fold(name)
        return any(fold(n) == low for n in self.names)

    def answer(self, version):
        """The address this line gives in a lookup of IP `version` (4 or 6), or None when it gives none there."""
        if version == 4:
            return v4_answer(self.ip)
        return self.ip if self.ip.version == 6 else None

    def set_names(self, names):
        """Replace the names; keep the separators by position (the first one: after the address)."""
        if [fold(n) for n in names] == [fold(n) for n in self.names]:
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
        return display(self.render().rstrip('\r\n'))


def split_lines(text):
    """Split on '\\n' only (as the resolver does), keeping the line endings."""
    return re.findall(r'[^\n]*\n|[^\n]+$', text)


class HostsFile(object):
    """A parsed hosts file; ``changes`` collects one line per edit, ``warnings`` what the edit cannot promise."""

    def __init__(self, content):
        text = _text(content)
        nul_at = text.find('\x00')
        if nul_at >= 0:
            raise HostsFileError(
                'the file holds a NUL byte (line %d, after %r); the resolver stops reading a line at a NUL, so its '
                'entries cannot be edited safely; remove the NUL byte first'
                % (text.count('\n', 0, nul_at) + 1, display(text[text.rfind('\n', 0, nul_at) + 1:nul_at])))
        self.lines = [Line(raw) for raw in split_lines(text)]
        self.changes = []
        self.warnings = []

    def render(self):
        return ''.join(line.render() for line in self.lines)

    def entries(self):
        return [line for line in self.lines if line.is_entry]

    def _eol(self):
        for line in self.lines:
            if line.eol:
                return line.eol
        return '\n'

    def _number(self, line):
        return self.lines.index(line) + 1

    def _end_with_newline(self, why):
        if self.lines and not self.lines[-1].eol:
            last = self.lines[-1]
            last.eol = self._eol()
            last.raw = last.render() if last.raw is None else last.raw + last.eol
            self.changes.append('added the missing final newline (%s)' % why)

    def _misread_last_line(self):
        """The last line, when glibc misreads it: no final newline and leading blanks (its end comes back doubled)."""
        if self.lines and not self.lines[-1].eol and self.lines[-1].lead and self.lines[-1].is_entry:
            return self.lines[-1]
        return None

    def _remove_names(self, line, names, why):
        """Drop `names` from `line`; a line left without names is deleted. Return True when changed."""
        lows = set(fold(n) for n in names)
        keep = [n for n in line.names if fold(n) not in lows]
        if len(keep) == len(line.names):
            return False
        gone = [n for n in line.names if fold(n) in lows]
        before = line.describe()
        if keep:
            line.set_names(keep)
            self.changes.append("removed %s from '%s' (%s)" % (display(', '.join(gone)), before, why))
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
        canonical = fold(hostnames[0])
        same_ip = [line for line in self.entries() if line.ip == ip]
        target = None
        for line in same_ip:
            if fold(line.names[0]) == canonical:
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
            self._end_with_newline('a new line follows')
            text = str(ip) + NEW_LINE_IP_SEPARATOR + NEW_LINE_NAME_SEPARATOR.join(hostnames) + self._eol()
            target = Line(text)
            self.lines.append(target)
            self.changes.append("added line '%s'" % display(text.rstrip('\r\n')))
        else:
            lows = set(fold(n) for n in hostnames)
            wanted = list(hostnames)
            for name in target.names:  # keep the file's spelling of our names, and its other names after ours
                if fold(name) in lows:
                    wanted[[fold(n) for n in wanted].index(fold(name))] = name
            wanted += [n for n in target.names if fold(n) not in lows]
            before = target.describe()
            if target.set_names(wanted):
                self.changes.append("changed '%s' to '%s'" % (before, target.describe()))
            if target is self._misread_last_line():
                self._end_with_newline('glibc misreads a last line that starts with blanks and has no newline')

        if exclusive:
            for line in list(self.entries()):
                if line is not target:
                    self._remove_names(line, hostnames, 'exclusive' if not serves(line.ip, ip)
                                       else 'exclusive, same address')
        self._warn_other_answers(ip, hostnames, target)
        return self

    def _warn_other_answers(self, ip, hostnames, target):
        """Warn about each name that another line still answers with another address (exclusive=false)."""
        for name in hostnames:
            for line in self.entries():
                if line is target or not line.has_name(name) or serves(line.ip, ip):
                    continue
                same_family = line.answer(ip.version)
                where = "line %d '%s'" % (self._number(line), line.describe())
                if same_family is not None and self.lines.index(line) < self.lines.index(target):
                    self.warnings.append(
                        '%s still resolves to %s first: %s comes before the line of %s (use exclusive: true to '
                        'take the name off other lines)' % (name, same_family, where, ip))
                elif same_family is not None:
                    self.warnings.append(
                        '%s also resolves to %s (%s); getaddrinfo may sort it before %s (use exclusive: true to '
                        'take the name off other lines)' % (name, same_family, where, ip))
                else:
                    self.warnings.append(
                        '%s also has the IPv%d address %s (%s), which IPv%d lookups return%s (use exclusive: true to '
                        'take the name off other lines)'
                        % (name, line.ip.version, line.ip, where, line.ip.version,
                           ', and lookups that try IPv6 first (getent hosts, Java on a dual-stack host)'
                           if line.ip.version == 6 else ''))

    def absent(self, ip=None, hostnames=None):
        """Remove names (from every line, or only from the lines that answer `ip`), or every line of `ip`.

        The lines of `ip` are those that glibc answers as `ip`: for an IPv4 address also its ``::ffff:`` lines,
        and for 127.0.0.1 also the ``::1`` lines. Without names, address-only lines of `ip` go too.
        """
        if ip is None and not hostnames:
            raise HostsFileError('state=absent needs ip, hostnames or both')
        ip = parse_ip(ip) if ip is not None else None
        hostnames = check_hostnames(hostnames or [])
        for line in [line for line in self.lines if line.ip is not None]:
            if ip is not None and not serves(line.ip, ip):
                continue
            if hostnames:
                self._remove_names(line, hostnames, 'absent')
            else:
                self.lines.remove(line)
                self.changes.append("deleted line '%s' (absent)" % line.describe())
        return self

    def finish(self):
        """After any edit the file ends with a newline (glibc misreads a last line without one)."""
        if self.changes:
            self._end_with_newline('the file was edited')
        return self


def apply(content, state, ip=None, hostnames=None, exclusive=False):
    """Pure entry point: the edited HostsFile (render(), changes, warnings). Raises HostsFileError on bad input."""
    hosts = HostsFile(content if content is not None else '')
    if state == 'present':
        if ip is None or not hostnames:
            raise HostsFileError('state=present needs ip and at least one host name')
        hosts.present(ip, hostnames, exclusive=exclusive)
    elif state == 'absent':
        hosts.absent(ip, hostnames)
    else:
        raise HostsFileError("state must be 'present' or 'absent', not '%s'" % state)
    return hosts.finish()


def edit(content, state, ip=None, hostnames=None, exclusive=False):
    """(new content as text, list of change descriptions); see apply()."""
    hosts = apply(content, state, ip=ip, hostnames=hostnames, exclusive=exclusive)
    return hosts.render(), hosts.changes
