# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo file names, defined once for the export, the photoURL and the photo virtual host.

A photo is `<lower-cased mail>.jpg`. The export (photo_export) writes exactly the names of
`file_name`, ldap_photo_url links them with `url_path_segment`, and the vhost serves exactly the decoded paths that
`APACHE_NAME_REGEX` matches - both derived from the tables below, so the three cannot disagree.

Standard library only, Python 3.6 compatible (the vhost renderer runs on the IHS host).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# RFC 5322 section 3.2.3: atext = ALPHA / DIGIT / these
ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~"

# The atext characters a photo name cannot hold, and why (the export reports the reason). Every other atext character
# is served: Apache decodes the percent-encoded URL back to it and finds the file.
REFUSED_ATEXT = {
    '/': 'mail contains a path separator',
}
SERVED_SPECIALS = ''.join(char for char in ATEXT_SPECIALS if char not in REFUSED_ATEXT)

MAX_MAIL_LENGTH = 250  # + ".jpg" stays under the 255-byte file name limit
SUFFIX = '.jpg'

# Characters written as they are in a photoURL: RFC 3986 "unreserved" and "@" (a pchar). Everything else in a name is
# percent-encoded, also the sub-delims RFC 3986 would allow in a path segment ("!$&'*+="): Apache decodes both forms
# to the same file, and the encoded form survives clients that put the URL into a quoted HTML attribute or that
# decode "+" as a blank (form decoding).
URL_LITERAL = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@')


def _atom_class():
    """The bracket expression of one served atext character, lower case: the same text is a Python and a PCRE
    (Apache) regex. '-' goes last (a literal there); no backslash (Apache's argument parser) and no '${' (Apache
    would read a variable) can come out of it."""
    specials = ''.join(sorted(SERVED_SPECIALS.replace('-', ''))) + ('-' if '-' in SERVED_SPECIALS else '')
    text = '[a-z0-9%s]' % specials
    if '${' in text or '\\' in text or ']' in specials:
        raise ValueError('photo_names: the atom class %r cannot be written safely for Apache' % text)
    return text


ATOM = _atom_class()
LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
# dot-atom local part (no leading, trailing or double dot: a name never starts with '.', never holds '..') and a
# DNS-shaped domain with at least one dot
MAIL_PATTERN = '%s+(?:[.]%s+)*@%s(?:[.]%s)+' % (ATOM, ATOM, LABEL, LABEL)
MAIL_RE = re.compile('^%s\\Z' % MAIL_PATTERN, re.IGNORECASE | re.ASCII)  # ASCII: KELVIN SIGN is not 'k'

# The decoded request path without its leading '/', as Apache matches it in `RedirectMatch 403 "^/(?!(?:...)$)"`:
# exactly the names file_name() returns (lower case, at most MAX_MAIL_LENGTH + 4 characters).
APACHE_NAME_REGEX = '(?=[^/]{1,%d}$)%s[.]jpg' % (MAX_MAIL_LENGTH + len(SUFFIX), MAIL_PATTERN)


def file_name(mail):
    """Map a mail value (bytes or text) to (file_name, None) or (None, why_not).

    The name is the lower-cased address + '.jpg'. Anything that could leave the folder or is not shaped like an
    address is refused: a refused atext character ('/'), '\\', NUL and other control characters, '..', leading dots,
    non-ASCII, over-long values.
    """
    if mail is None:
        return None, 'no mail value'
    if isinstance(mail, bytes):
        try:
            mail = mail.decode('utf-8')
        except UnicodeDecodeError:
            return None, 'mail is not UTF-8'
    if len(mail) <= MAX_MAIL_LENGTH and MAIL_RE.match(mail):
        return mail.lower() + SUFFIX, None  # the checks below only explain a refusal
    if not mail:
        return None, 'mail is empty'
    if '\x00' in mail:
        return None, 'mail contains NUL'
    if '\\' in mail:
        return None, 'mail contains a path separator'
    for char in sorted(REFUSED_ATEXT):
        if char in mail:
            return None, REFUSED_ATEXT[char]
    if '..' in mail:
        return None, "mail contains '..'"
    if any(ord(c) < 32 or ord(c) == 127 for c in mail):
        return None, 'mail contains control characters'
    if any(ord(c) > 127 for c in mail):
        return None, 'mail is not ASCII'
    if len(mail) > MAX_MAIL_LENGTH:
        return None, 'mail is longer than %d characters' % MAX_MAIL_LENGTH
    return None, 'mail is not shaped like an address'


def url_path_segment(text):
    """`text` as one RFC 3986 path segment: URL_LITERAL as is, every other byte of its UTF-8 form as %XX."""
    out = []
    for char in text:
        if char in URL_LITERAL:
            out.append(char)
        else:
            out.extend('%%%02X' % byte for byte in bytearray(char.encode('utf-8')))
    return ''.join(out)
