# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The naming contract, character by character: what the export writes, how the URL spells it, what the vhost
serves. The end-to-end check on real slapd + Apache is tests/unit/plugins/modules/test_photo_chain.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import string
from urllib.parse import unquote

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import apache, photo_names, photo_url

# The vhost's test in Python: a name is served when APACHE_NAME_REGEX matches all of it.
NAME_RE = re.compile('(?:%s)\\Z' % photo_names.APACHE_NAME_REGEX)


def is_photo_name(name):
    return bool(NAME_RE.match(name))


# Every RFC 5322 atext character that is not a letter or digit (RFC 5322 section 3.2.3, written out here rather than
# taken from the code under test): decision, and how the name 'a<char>b@acme.example' appears in the photoURL.
ATEXT_TABLE = [
    ('!', 'served', 'a%21b@acme.example'),
    ('#', 'served', 'a%23b@acme.example'),
    ('$', 'served', 'a%24b@acme.example'),
    ('%', 'served', 'a%25b@acme.example'),
    ('&', 'served', 'a%26b@acme.example'),
    ("'", 'served', 'a%27b@acme.example'),
    ('*', 'served', 'a%2Ab@acme.example'),
    ('+', 'served', 'a%2Bb@acme.example'),
    ('-', 'served', 'a-b@acme.example'),
    ('/', 'mail contains a path separator', None),
    ('=', 'served', 'a%3Db@acme.example'),
    ('?', 'served', 'a%3Fb@acme.example'),
    ('^', 'served', 'a%5Eb@acme.example'),
    ('_', 'served', 'a_b@acme.example'),
    ('`', 'served', 'a%60b@acme.example'),
    ('{', 'served', 'a%7Bb@acme.example'),
    ('|', 'served', 'a%7Cb@acme.example'),
    ('}', 'served', 'a%7Db@acme.example'),
    ('~', 'served', 'a~b@acme.example'),
]
# RFC 3986 section 2.3 unreserved characters; with "@" the only ones a photoURL carries unencoded
UNRESERVED = set(string.ascii_letters + string.digits + '-._~')


def apache_refuses(path, regex=None):
    """Whether the rendered RedirectMatch refuses this decoded path (Python's re agrees with PCRE on this syntax)."""
    spec = apache.build_spec(dict(apache_generation='2.4', server_name='icphotos.acme.example', document_root='/srv/p',
                                  allow_hosts=['192.0.2.1'], photo_name_regex=regex))
    line = apache._other_paths_line(spec)  # pylint: disable=protected-access
    return bool(re.search(re.search(r'RedirectMatch 403 "([^"]+)"', line).group(1), path))


def test_the_table_covers_every_atext_special():
    assert ''.join(char for char, _decision, _url in ATEXT_TABLE) == photo_names.ATEXT_SPECIALS


@pytest.mark.parametrize('char, decision, url_form', ATEXT_TABLE)
def test_each_atext_character(char, decision, url_form):
    mail = 'A%sB@ACME.example' % char
    name, why = photo_names.file_name(mail)
    if decision != 'served':
        assert (name, why) == (None, decision)
        assert apache_refuses('/a%sb@acme.example.jpg' % char)
        return
    assert (name, why) == ('a%sb@acme.example.jpg' % char, None)
    url = photo_url.render_url('http://icphotos.acme.example/{mail}.jpg', name)
    assert url == 'http://icphotos.acme.example/%s.jpg' % url_form
    path = url[len('http://icphotos.acme.example'):]
    assert all(c in UNRESERVED or c in '@/%' for c in path)  # only unreserved, "@" and %XX in the path
    assert unquote(path) == '/' + name  # what Apache decodes is the file name
    assert not apache_refuses(unquote(path))
    assert is_photo_name(name)
    # the character also works at the start and the end of the local part and in a dotted local part
    for local in ('%sx' % char, 'x%s' % char, 'x.%s.y' % char, char * 3):
        name, why = photo_names.file_name(local + '@acme.example')
        assert why is None and not apache_refuses('/' + name), local


@pytest.mark.parametrize('mail, why', [
    ('sub/user@acme.example', 'mail contains a path separator'),
    ('back\\slash@acme.example', 'mail contains a path separator'),
    ('"quoted local"@acme.example', 'mail is not shaped like an address'),
    ('(comment)user@acme.example', 'mail is not shaped like an address'),
    ('a,b@acme.example', 'mail is not shaped like an address'),
    ('a;b@acme.example', 'mail is not shaped like an address'),
    ('a:b@acme.example', 'mail is not shaped like an address'),
    ('a[b]@acme.example', 'mail is not shaped like an address'),
    ('a<b>@acme.example', 'mail is not shaped like an address'),
    ('user@[192.0.2.1]', 'mail is not shaped like an address'),
    ('user@acme_x.example', 'mail is not shaped like an address'),
    ('a' * 238 + '@acme.example', 'mail is longer than 250 characters'),
])
def test_refused_mails_are_reported(mail, why):
    assert photo_names.file_name(mail) == (None, why)


def test_longest_name_is_served_and_one_more_is_not():
    longest = 'a' * 64 + '@' + '.'.join(['b' * 61] * 3) + '.example'
    longest = longest[:photo_names.MAX_MAIL_LENGTH - len('.ex')] + '.ex'
    assert len(longest) == photo_names.MAX_MAIL_LENGTH
    name, why = photo_names.file_name(longest)
    assert why is None and len(name) == 254 and not apache_refuses('/' + name)
    assert apache_refuses('/' + 'a' + name)  # 255 characters: no mail maps to it


@pytest.mark.parametrize('path', [
    '/', '/alice@acme.example', '/alice@acme.example.jpg/x', '/sub/alice@acme.example.jpg', '/.alice@acme.example.jpg',
    '/Alice@acme.example.jpg', '/alice@ACME.example.jpg', '/alice@acme.example.JPG', '/alice.jpg', '/@acme.example.jpg',
    '/a..b@acme.example.jpg', '/a.@acme.example.jpg', '/alice@localhost.jpg', '/alice@-x.example.jpg',
    '/a b@acme.example.jpg', '/a"b@acme.example.jpg', '/a\\b@acme.example.jpg', '/a\nb@acme.example.jpg',
    '/a,b@acme.example.jpg', '/alice@acme.example.jpg.bak', '/j\u00fcrgen@acme.example.jpg',
])
def test_apache_refuses_every_path_that_is_no_photo_name(path):
    """Upper case is refused too: the export writes lower case only, so such a file is never one of its names."""
    assert apache_refuses(path)
    assert not is_photo_name(path[1:])


def test_generated_regex_is_safe_in_an_apache_argument():
    """Rendered inside double quotes: no quote, blank, backslash (the argument parser's escapes) or '${'
    (a variable for Apache 2.4's parser); the same text for 2.2 and 2.4."""
    regex = photo_names.APACHE_NAME_REGEX
    assert not re.search(r'["\s\\]', regex) and '${' not in regex
    for generation in ('2.2', '2.4'):
        spec = apache.build_spec(dict(apache_generation=generation, server_name='p.example', document_root='/srv/p'))
        assert spec['photo_name_regex'] == regex
        assert 'RedirectMatch 403 "^/(?!(?:%s)$)"' % regex in apache.render_vhost(spec)


def test_url_segment_encodes_utf8_bytes_of_anything_else():
    """Only ASCII names come out of file_name; the encoder still encodes a wider text byte by byte."""
    assert photo_names.url_path_segment('a b/\u00fc') == 'a%20b%2F%C3%BC'


def test_docs_show_the_generated_regex():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    with open(os.path.join(repo, 'docs', 'ihs.md')) as handle:
        assert 'RedirectMatch 403 "^/(?!(?:%s)$)"' % photo_names.APACHE_NAME_REGEX in handle.read()
