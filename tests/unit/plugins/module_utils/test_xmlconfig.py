# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import os
import sys
import re

import pytest
from lxml import etree

from ansible_collections.sametime.deploy.plugins.module_utils import xmlconfig
from ansible_collections.sametime.deploy.plugins.module_utils.xmlconfig import XmlConfigError

HERE = os.path.dirname(os.path.abspath(__file__))
STPROXY = os.path.join(HERE, 'fixtures', 'stproxy')
USERINFO = os.path.join(HERE, 'fixtures', 'userinfo')
sys.path.insert(0, os.path.join(HERE, 'fixtures'))
from xml_bytes import fixture_bytes  # pylint: disable=import-error,wrong-import-position

PHOTO_CACHE = dict(enabled=True, cache_expiry=10, storage_location='/opt/IBM/stproxy/photocache',
                   proxy_server_url='http://stproxy.acme.example')
WANTED = {'enabled': 'true', 'cacheExpiry': '10', 'storageLocation': '/opt/IBM/stproxy/photocache',
          'proxyServerURL': 'http://stproxy.acme.example'}


def read_photo_cache(data):
    """{element: text} of the <photoCache> children, as lxml reads the file."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    section = [child for child in root if isinstance(child.tag, str) and etree.QName(child).localname == 'photoCache']
    assert len(section) == 1
    return dict((etree.QName(child).localname, ''.join(child.itertext())) for child in section[0]
                if isinstance(child.tag, str))


def _read(*parts):
    return fixture_bytes(os.path.join(*parts))


def _inputs(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith('.xml') and not name.startswith('bad-'))


def _only_values_and_insertions(before, after):
    """A character diff of the two files shows insertions, and removals of text-node or attribute values only.

    Removed characters may not include markup ('<', '>', '=', quotes), except the '/' of a self-closing
    tag that now has children.
    """
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ('delete', 'replace'):
            removed = before[i1:i2]
            assert removed == b'/' or not re.search(br'[<>="\']', removed), (tag, removed, before[i1 - 20:i2 + 20])


# ---------------------------------------------------------------------------------------------
# the table of input files: right result (byte for byte), values read back, second run unchanged
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name', _inputs(STPROXY))
def test_photo_cache_table(name):
    before = _read(STPROXY, name)
    after, changes = xmlconfig.edit_photo_cache(before, PHOTO_CACHE, name=name)
    assert after == _read(STPROXY, 'expected', name)
    assert read_photo_cache(after) == WANTED
    assert (after == before) == (not changes)
    _only_values_and_insertions(before, after)
    again, changes_again = xmlconfig.edit_photo_cache(after, PHOTO_CACHE, name=name)
    assert again == after and changes_again == []


def test_table_covers_the_issue():
    names = _inputs(STPROXY)
    for needed in ('missing-section.xml', 'partial-section.xml', 'indent-tabs.xml', 'indent-4-spaces.xml',
                   'comments.xml', 'crlf.xml', 'bom-crlf.xml', 'default-namespace.xml'):
        assert needed in names
    assert b'xmlns' not in _read(STPROXY, 'missing-section.xml')  # namespaces absent


@pytest.mark.parametrize('name, check', [
    ('crlf.xml', lambda out: out.count(b'\r\n') == out.count(b'\n') and out.count(b'\r\n') == 20),
    ('bom-crlf.xml', lambda out: out.startswith(b'\xef\xbb\xbf<?xml') and b'\n' not in out.replace(b'\r\n', b'')),
    ('indent-tabs.xml', lambda out: b'\n\t<photoCache>\n\t\t<enabled>true</enabled>' in out and b'  ' not in out),
    ('indent-4-spaces.xml', lambda out: b'\n    <photoCache>\n        <enabled>' in out),
    ('latin1.xml', lambda out: u'für'.encode('latin-1') in out and b'encoding="ISO-8859-1"' in out),
    ('one-line.xml', lambda out: b'\n' not in out),
    ('no-declaration.xml', lambda out: not out.endswith(b'\n') and not out.startswith(b'<?xml')),
    ('default-namespace.xml', lambda out: etree.fromstring(out).find(
        '{http://www.ibm.com/sametime/stproxy}photoCache/{http://www.ibm.com/sametime/stproxy}enabled').text == 'true'),
    ('missing-section.xml', lambda out: out.index(b'<photoCache>') > out.index(b'</mobile>')),
    ('partial-section.xml', lambda out: b'<!-- turned off until the IHS photo host is ready -->\n    <enabled>true' in out),
    ('comments.xml', lambda out: out.count(b'<!--') == 6 and b'<enabled>true</enabled> <!-- trailing comment -->' in out),
])
def test_format_details(name, check):
    after, _changes = xmlconfig.edit_photo_cache(_read(STPROXY, name), PHOTO_CACHE, name=name)
    assert check(after)


def test_only_the_photo_cache_enabled_changes():
    before = _read(STPROXY, 'partial-section.xml')
    after, changes = xmlconfig.edit_photo_cache(before, dict(enabled=True), name='x')
    assert changes == ["photoCache/enabled: 'false' -> 'true'"]
    assert after == before.replace(b'<enabled>false</enabled>', b'<enabled>true</enabled>')
    assert b'<refreshJwt>\n    <enabled>true</enabled>' in after


def test_partial_settings_leave_other_children_alone():
    before = _read(STPROXY, 'comments.xml')
    after, changes = xmlconfig.edit_photo_cache(before, dict(cache_expiry='45'), name='x')
    assert changes == ["photoCache/cacheExpiry: '30' -> '45'"]
    assert after == before.replace(b'<cacheExpiry>30<', b'<cacheExpiry>45<')


def test_value_is_escaped_and_read_back():
    url = 'http://stproxy.acme.example/photos?a=1&b=<2>'
    after, _changes = xmlconfig.edit_photo_cache(_read(STPROXY, 'up-to-date.xml'), dict(proxy_server_url=url), name='x')
    assert b'?a=1&amp;b=&lt;2&gt;</proxyServerURL>' in after
    assert read_photo_cache(after)['proxyServerURL'] == url


def test_windows_storage_location():
    after, _changes = xmlconfig.edit_photo_cache(_read(STPROXY, 'up-to-date.xml'),
                                                 dict(storage_location='d:\\hcl\\photocache'), name='x')
    assert b'<storageLocation>d:\\hcl\\photocache</storageLocation>' in after


def test_missing_children_go_next_to_their_neighbours():
    before = b'<configuration>\n  <photoCache>\n    <storageLocation>/a</storageLocation>\n    <custom>x</custom>\n  </photoCache>\n</configuration>\n'
    after, _changes = xmlconfig.edit_photo_cache(before, PHOTO_CACHE, name='x')
    assert after == (b'<configuration>\n  <photoCache>\n    <enabled>true</enabled>\n'
                     b'    <storageLocation>/opt/IBM/stproxy/photocache</storageLocation>\n'
                     b'    <cacheExpiry>10</cacheExpiry>\n    <proxyServerURL>http://stproxy.acme.example</proxyServerURL>\n'
                     b'    <custom>x</custom>\n  </photoCache>\n</configuration>\n')


def test_cdata_and_entities_elsewhere_are_kept():
    before = (b'<?xml version="1.0"?>\n<!DOCTYPE configuration [\n  <!ENTITY host "stproxy.acme.example">\n]>\n'
              b'<configuration>\n  <note><![CDATA[<keep> & </keep>]]></note>\n  <other a=\'1 &gt; 0\' b="x"/>\n'
              b'</configuration>\n')
    after, _changes = xmlconfig.edit_photo_cache(before, dict(enabled=False), name='x')
    assert after == before.replace(b'</configuration>',
                                   b'  <photoCache>\n    <enabled>false</enabled>\n  </photoCache>\n</configuration>')


def test_utf16_with_bom_round_trips():
    before = u'<?xml version="1.0" encoding="UTF-16"?>\r\n<configuration>\r\n  <a>ü</a>\r\n</configuration>\r\n'
    data = b'\xff\xfe' + before.encode('utf-16-le')
    after, _changes = xmlconfig.edit_photo_cache(data, dict(enabled=True), name='x')
    assert after.startswith(b'\xff\xfe')
    assert after[2:].decode('utf-16-le') == before.replace(
        u'</configuration>', u'  <photoCache>\r\n    <enabled>true</enabled>\r\n  </photoCache>\r\n</configuration>')


# ---------------------------------------------------------------------------------------------
# bad input catalogue: clear errors (nothing is returned, so nothing can be written)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name, message', [
    ('bad-seed-typo.xml', "bad-seed-typo.xml: malformed XML at line 7, column 64: expected '>'"),
    ('bad-empty.xml', 'bad-empty.xml: malformed XML at line 1, column 1: Document is empty'),
    ('bad-root.xml', 'bad-root.xml: the root element is <server> (line 3), expected <configuration>'),
    ('bad-duplicate-section.xml', 'bad-duplicate-section.xml: <photoCache> appears 2 times (lines 2, 3); expected one'),
    ('bad-nested-value.xml', 'bad-nested-value.xml: <photoCache/enabled> at line 3 holds child elements, '
                             'expected a plain value'),
])
def test_bad_files(name, message):
    with pytest.raises(XmlConfigError) as info:
        xmlconfig.edit_photo_cache(_read(STPROXY, name), PHOTO_CACHE, name=name)
    assert str(info.value) == message


def test_seed_typo_column_points_at_the_typo():
    lines = _read(STPROXY, 'bad-seed-typo.xml').splitlines()
    assert lines[6][63:67] == b'&gt;'  # line 7, column 64 (1-based)


@pytest.mark.parametrize('settings, message', [
    (dict(cache_expiry=-1), "photo_cache.cache_expiry must be a positive integer, got -1"),
    (dict(cache_expiry='-1'), "photo_cache.cache_expiry must be a positive integer, got '-1'"),
    (dict(cache_expiry='abc'), "photo_cache.cache_expiry must be a positive integer, got 'abc'"),
    (dict(cache_expiry=0), "photo_cache.cache_expiry must be a positive integer, got 0"),
    (dict(cache_expiry=True), "photo_cache.cache_expiry must be a positive integer, got True"),
    (dict(cache_expiry=1.5), "photo_cache.cache_expiry must be a positive integer, got 1.5"),
    (dict(proxy_server_url='stproxy.acme.example'),
     "photo_cache.proxy_server_url needs a scheme (http:// or https://), got 'stproxy.acme.example'"),
    (dict(proxy_server_url='ftp://stproxy.acme.example'),
     "photo_cache.proxy_server_url needs a scheme (http:// or https://), got 'ftp://stproxy.acme.example'"),
    (dict(proxy_server_url='http://'), "photo_cache.proxy_server_url needs a host name, got 'http://'"),
    (dict(proxy_server_url='http://host:99999'), "photo_cache.proxy_server_url is not a valid URL"),
    (dict(storage_location='photocache'),
     "photo_cache.storage_location must be an absolute path (/… or C:\\…), got 'photocache'"),
    (dict(storage_location='./photocache'), "photo_cache.storage_location must be an absolute path"),
    (dict(storage_location='/opt/a\x01b'), "photo_cache.storage_location contains a character that XML 1.0 cannot hold"),
    (dict(enabled='yes'), "photo_cache.enabled must be a boolean, got 'yes'"),
    (dict(color='red'), 'photo_cache has unknown keys: color'),
    (dict(), 'photo_cache sets nothing'),
    (dict(enabled=None), 'photo_cache sets nothing'),
])
def test_bad_values(settings, message):
    with pytest.raises(XmlConfigError) as info:
        xmlconfig.edit_photo_cache(_read(STPROXY, 'missing-section.xml'), settings, name='x')
    assert str(info.value).startswith(message)


def test_values_are_checked_before_the_file():
    # a malformed file and a bad value: the value is reported (it is checked first)
    with pytest.raises(XmlConfigError) as info:
        xmlconfig.edit_photo_cache(_read(STPROXY, 'bad-seed-typo.xml'), dict(cache_expiry='abc'), name='x')
    assert 'cache_expiry' in str(info.value)


def test_not_utf8_without_declaration():
    with pytest.raises(XmlConfigError) as info:
        xmlconfig.edit_photo_cache(b'<configuration><a>\xe9</a></configuration>', dict(enabled=True), name='x.xml')
    assert str(info.value).startswith('x.xml: malformed XML at line 1, column 1')


# ---------------------------------------------------------------------------------------------
# layout helpers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, unit, newline', [
    (b'<configuration>\n  <a>\n    <b/>\n  </a>\n</configuration>', '  ', '\n'),
    (b'<configuration>\r\n\t<a/>\r\n</configuration>\r\n', '\t', '\r\n'),
    (b'<configuration>\n   <a/>\n</configuration>', '   ', '\n'),
    (b'<configuration><a/></configuration>', '  ', '\n'),
])
def test_indent_unit_and_newline(text, unit, newline):
    doc = xmlconfig.XmlDocument(text)
    assert (doc.unit, doc.newline) == (unit, newline)


def test_scanner_offsets_match_lxml():
    data = _read(USERINFO, 'domino-901.xml')
    doc = xmlconfig.XmlDocument(data)
    for element in doc.elements:
        node = doc.node(element)
        assert doc.text[node.start:node.start + 1 + len(node.qname)] == '<' + node.qname
        assert doc.text[node.end - 1] == '>'
        for name, vstart, vend, _quote in node.attrs:
            assert etree.fromstring(('<x a=%s%s%s/>' % (_quote, doc.text[vstart:vend], _quote)).encode()).get('a') \
                == element.get(name)


# ---------------------------------------------------------------------------------------------
# UserInfoConfig.xml
# ---------------------------------------------------------------------------------------------

USERINFO_PARAMS = dict(photo_attribute='photoURL', remove_photo=True)


@pytest.mark.parametrize('name', _inputs(USERINFO))
def test_userinfo_table(name):
    before = _read(USERINFO, name)
    after, changes = xmlconfig.edit_userinfo(before, USERINFO_PARAMS, name=name)
    assert after == _read(USERINFO, 'expected', name)
    assert (after == before) == (not changes)
    root = etree.fromstring(after)
    for ident in ('PhotoURL', 'ImagePath'):
        detail = root.findall('.//Details/Detail[@Id="%s"]' % ident)
        assert len(detail) == 1 and detail[0].get('FieldName') == 'photoURL'
    for set_id in ('0', '1'):
        params = [p.strip() for p in root.find('.//Set[@SetId="%s"]' % set_id).get('params').split(',')]
        assert 'PhotoURL' in params and 'ImagePath' in params and 'Photo' not in params
    _only_values_and_insertions(before, after)
    again, changes_again = xmlconfig.edit_userinfo(after, USERINFO_PARAMS, name=name)
    assert again == after and changes_again == []


def test_userinfo_photo_kept_unless_asked():
    after, _changes = xmlconfig.edit_userinfo(_read(USERINFO, 'domino-901.xml'), dict(photo_attribute='photoURL'))
    assert b'params="MailAddress,Name,Title,Location,Telephone,Photo,Company,PhotoURL,ImagePath"' in after
    assert b'<Detail FieldName="jpegPhoto" Id="Photo" Type="image/jpeg"/>' in after


def test_userinfo_new_details_copy_style():
    after, _changes = xmlconfig.edit_userinfo(_read(USERINFO, 'bom-partial-crlf.xml'), USERINFO_PARAMS)
    assert b"\r\n\t\t\t\t<Detail Id='ImagePath' FieldName='photoURL' Type='text/plain' />\r\n\t\t\t</Details>" in after


@pytest.mark.parametrize('name, params, message', [
    ('bad-malformed.xml', USERINFO_PARAMS,
     'bad-malformed.xml: malformed XML at line 6, column 17: Opening and ending tag mismatch: Detail line 5 and Details'),
    ('bad-root.xml', USERINFO_PARAMS, 'bad-root.xml: the root element is <configuration> (line 1), expected <UserInformation>'),
    ('bad-no-details.xml', USERINFO_PARAMS, 'bad-no-details.xml: expected one <Details> inside <Storage type="LDAP"> (line 3), found 0'),
    ('bad-missing-set.xml', USERINFO_PARAMS, 'bad-missing-set.xml: expected one <Set SetId="1">, found 0'),
    ('domino-901.xml', dict(photo_attribute='photo URL'), 'photo_attribute must be an LDAP attribute name'),
    ('domino-901.xml', dict(photo_attribute=''), 'photo_attribute must be an LDAP attribute name'),
    ('domino-901.xml', dict(photo_attribute='photoURL', set_ids=['anonymous']), 'set_ids entries must be numbers'),
    ('domino-901.xml', dict(photo_attribute='photoURL', detail_ids=['Photo URL']), 'detail_ids entries must be simple names'),
    ('domino-901.xml', dict(photo_attribute='photoURL', detail_ids=['Photo'], remove_photo=True), 'remove_photo cannot'),
    ('domino-901.xml', dict(photo_attribute='photoURL', detail_type='plain'), 'detail_type must be a MIME type'),
    ('domino-901.xml', dict(photo_attribute='photoURL', storage_type='DOMINO'), 'domino-901.xml: expected one <Storage type="DOMINO">'),
])
def test_userinfo_bad_input(name, params, message):
    with pytest.raises(XmlConfigError) as info:
        xmlconfig.edit_userinfo(_read(USERINFO, name), params, name=name)
    assert str(info.value).startswith(message)
