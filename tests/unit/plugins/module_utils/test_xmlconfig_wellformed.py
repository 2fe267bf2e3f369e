# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every well-formed file is either edited with everything else kept, or refused with a reason.

The generated files combine what admins' files really hold (declarations, comments with quotes and brackets,
DOCTYPEs with internal subsets, PIs, CDATA, entity and character references, CRLF, tabs, single-line files) with
the section forms the edit meets. lxml is the judge of well-formedness and of what the edited file says; the
generator knows which bytes lie outside the root element and checks that they are kept byte for byte.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

import pytest
from lxml import etree

from ansible_collections.sametime.deploy.plugins.module_utils import xmlconfig
from ansible_collections.sametime.deploy.plugins.module_utils.xmlconfig import XmlConfigError

PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False)

DECLARATIONS = [
    u'',
    u'<?xml version="1.0"?>\n',
    u"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n",
    u'<?xml version="1.0" encoding="ISO-8859-1"?>\n',
]
PROLOG_MISC = [
    u'',
    u"<!-- it's the proxy's file; don't edit by hand -->\n",
    u'<!-- a "quoted" ] bracket > and <configuration> in a comment -->\n',
    u'<?xml-stylesheet type="text/xsl" href="a>b.xsl"?>\n',
    u'<!-- Ge\u00e4ndert von Hans -->\n',
]
DOCTYPES = [
    u'',
    u'<!DOCTYPE configuration>\n',
    u'<!DOCTYPE configuration SYSTEM "config\'s.dtd">\n',
    u'<!DOCTYPE configuration PUBLIC "-//ACME//DTD Proxy//EN" \'http://acme.example/a"b.dtd\'>\n',
    u"<!DOCTYPE configuration [\n  <!-- it's ours -->\n]>\n",
    u'<!DOCTYPE configuration [\n  <!-- "] > -->\n  <!ELEMENT configuration ANY>\n]>\n',
    u'<!DOCTYPE configuration [\n  <!ENTITY note "a ] > \' b">\n  <!ENTITY other \'q " ]>\'>\n]>\n',
    u'<!DOCTYPE configuration [\n  <!ATTLIST server note CDATA "a>b]">\n  <?pi ] > \' ?>\n]>\n',
    u'<!DOCTYPE configuration [<!ENTITY % pe "<!ENTITY inner \'x\'>"> %pe; <!-- \'-->]>\n',
]
OTHER_CHILDREN = [
    u'<server name="a&gt;b" note=\'it"s\'>text <![CDATA[<photoCache><enabled>x</enabled></photoCache>]]></server>',
    u'<!-- <photoCache><enabled>false</enabled></photoCache> -->',
    u'<?acme keep="this > that"?>',
    u'<listener port="8080"><option name="a" value="&#65;&amp;&lt;"/></listener>',
    u'<empty/>',
    u'<text>tab\there</text>',
]
SECTIONS = [
    None,
    u'<photoCache/>',
    u'<photoCache></photoCache>',
    u'<photoCache>{nl}{i2}<enabled>false</enabled>{nl}{i}</photoCache>',
    u'<photoCache>{nl}{i2}<enabled/>{nl}{i2}<cacheExpiry>5</cacheExpiry>{nl}{i2}<note a="1">keep</note>{nl}{i}'
    u'</photoCache>',
    u'<photoCache>{nl}{i2}<storageLocation>C:\\cache</storageLocation>{nl}{i2}'
    u'<proxyServerURL>http://old.example</proxyServerURL>{nl}{i}</photoCache>',
    u'<photoCache><!-- keep --><enabled>true</enabled><cacheExpiry>7</cacheExpiry><storageLocation>/a&amp;b'
    u'</storageLocation><proxyServerURL>http://x.example</proxyServerURL></photoCache>',
]
EPILOGS = [u'', u'\n', u"\n<!-- end, it's done -->\n", u'\n<?acme end?>']
VALUES = [
    ('enabled', [True, False]),
    ('cache_expiry', [1, 3600, '86400']),
    ('storage_location', ['/opt/IBM/stproxy/photo cache', '/a&b<c>/d', u'C:\\IBM\\Fotos\u00e4']),
    ('proxy_server_url', ['http://photos.acme.example/st?a=1&b=2', 'https://h.example:8443']),
]


def _generate(seed):
    rnd = random.Random(seed)
    declaration = rnd.choice(DECLARATIONS)
    encoding = 'iso-8859-1' if 'ISO-8859-1' in declaration else 'utf-8'
    newline = rnd.choice([u'\n', u'\r\n'])
    indent = rnd.choice([u'  ', u'    ', u'\t', u''])
    single_line = indent == u''
    nl = u'' if single_line else newline
    prolog = declaration + rnd.choice(PROLOG_MISC) + rnd.choice(DOCTYPES) + rnd.choice(PROLOG_MISC)
    children = rnd.sample(OTHER_CHILDREN, rnd.randint(0, 3))
    section = rnd.choice(SECTIONS)
    if section is not None:
        children.insert(rnd.randint(0, len(children)), section.format(nl=nl, i=indent, i2=indent * 2))
    entity = rnd.random() < 0.1 and 'ENTITY note' in prolog
    if entity:
        children.append(u'<server>&note;</server>')
    if children:
        body = u''.join(nl + indent + child for child in children) + nl
        root = u'<configuration>%s</configuration>' % body
    else:
        root = rnd.choice([u'<configuration/>', u'<configuration>%s</configuration>' % nl])
    epilog = rnd.choice(EPILOGS)
    text = (prolog + root + epilog).replace(u'\r\n', u'\n').replace(u'\n', newline)
    wanted = dict((option, rnd.choice(values)) for option, values in VALUES if rnd.random() < 0.6)
    if not wanted:
        wanted['enabled'] = True
    return (text.encode(encoding), prolog.replace(u'\n', newline).encode(encoding),
            epilog.replace(u'\n', newline).encode(encoding), wanted, entity)


def _others(root):
    """Everything in the root but the photoCache section, as lxml serialises it."""
    return [etree.tostring(child, with_tail=False) for child in root
            if not (isinstance(child.tag, str) and child.tag == 'photoCache')]


def _not_owned(section, owned):
    return [etree.tostring(c, with_tail=False) for c in section if not (isinstance(c.tag, str) and c.tag in owned)]


def _section(root):
    sections = [child for child in root if child.tag == 'photoCache']
    assert len(sections) == 1, [etree.tostring(s) for s in sections]
    return sections[0]


@pytest.mark.parametrize('seed', range(400))
def test_generated_stproxy_files(seed):
    data, prolog, epilog, photo_cache, entity = _generate(seed)
    before = etree.fromstring(data, etree.XMLParser(**PARSER))  # the generator makes well-formed files only
    if entity:
        with pytest.raises(XmlConfigError, match=r'entity reference &note;'):
            xmlconfig.edit_photo_cache(data, photo_cache)
        return
    result, changes = xmlconfig.edit_photo_cache(data, photo_cache)
    assert result.startswith(prolog) and result.endswith(epilog)
    after = etree.fromstring(result, etree.XMLParser(**PARSER))
    assert _others(after) == _others(before)
    wanted = xmlconfig.validate_photo_cache(photo_cache)
    section = _section(after)
    got = dict((child.tag, ''.join(child.itertext())) for child in section if isinstance(child.tag, str))
    assert dict((k, got.get(k)) for k in wanted) == wanted
    old = [s for s in before if s.tag == 'photoCache']
    if old:  # children the edit does not own are kept as they were
        assert _not_owned(section, set(wanted)) == _not_owned(old[0], set(wanted))
    assert bool(changes) == (result != data)
    again, changes_again = xmlconfig.edit_photo_cache(result, photo_cache)
    assert (again, changes_again) == (result, [])


@pytest.mark.parametrize('doctype', DOCTYPES)
def test_userinfo_behind_any_doctype(doctype):
    body = (u'<UserInformation>\n  <Resources>\n    <Storage type="LDAP">\n      <Details>\n'
            u'        <Detail FieldName="jpegPhoto" Id="Photo" Type="image/jpeg"/>\n      </Details>\n'
            u'      <Set SetId="0" params="Name,Photo"/>\n      <Set SetId="1" params="Name"/>\n'
            u'    </Storage>\n  </Resources>\n</UserInformation>\n')
    prolog = u'<?xml version="1.0"?>\n' + doctype.replace(u'configuration', u'UserInformation')
    data = (prolog + body).encode('utf-8')
    result, changes = xmlconfig.edit_userinfo(data, dict(photo_attribute='wWWHomePage'))
    assert changes and result.startswith(prolog.encode('utf-8'))
    root = etree.fromstring(result, etree.XMLParser(**PARSER))
    assert [d.get('FieldName') for d in root.iter('Detail') if d.get('Id') in ('PhotoURL', 'ImagePath')] == \
        ['wWWHomePage', 'wWWHomePage']
    assert xmlconfig.edit_userinfo(result, dict(photo_attribute='wWWHomePage')) == (result, [])


# ---------------------------------------------------------------------------------------------
# the three files and values from issue #20 that crashed or broke the structure
# ---------------------------------------------------------------------------------------------

def test_doctype_comment_with_apostrophe_is_edited():
    data = (b"<?xml version='1.0'?>\n<!DOCTYPE configuration [\n  <!-- it's ours -->\n]>\n<configuration>\n"
            b"  <photoCache>\n    <enabled>false</enabled>\n  </photoCache>\n</configuration>\n")
    result, changes = xmlconfig.edit_photo_cache(data, dict(enabled=True))
    assert result == data.replace(b'>false<', b'>true<')
    assert changes == ["photoCache/enabled: 'false' -> 'true'"]


def test_section_from_an_entity_is_refused_not_doubled():
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE configuration [\n'
            b'<!ENTITY pc "<photoCache><enabled>false</enabled></photoCache>">\n]>\n'
            b'<configuration>\n  &pc;\n</configuration>\n')
    with pytest.raises(XmlConfigError, match=r'entity reference &pc; at line 6'):
        xmlconfig.edit_photo_cache(data, dict(enabled=True))


@pytest.mark.parametrize('option, value', [
    ('proxy_server_url', 'http://photos.example/\nx'),
    ('proxy_server_url', 'http://photos.example/\tx'),
    ('proxy_server_url', 'http://photos.example/a\u2028b'),
    ('storage_location', '/opt/photos\n/evil'),
    ('storage_location', '/opt/photos\r'),
    ('storage_location', 'C:\\photos\x85'),
])
def test_values_that_would_change_the_layout_are_refused(option, value):
    with pytest.raises(XmlConfigError, match=r'photo_cache\.%s must be one line' % option):
        xmlconfig.edit_photo_cache(b'<configuration/>', {option: value})


@pytest.mark.parametrize('params, option', [
    (dict(photo_attribute='wWWHomePage\n'), 'photo_attribute'),
    (dict(photo_attribute='url', detail_ids=['PhotoURL\n']), 'detail_ids'),
    (dict(photo_attribute='url', set_ids=['0\n']), 'set_ids'),
    (dict(photo_attribute='url', detail_type='text/plain\n'), 'detail_type'),
])
def test_userinfo_values_with_a_trailing_newline_are_refused(params, option):
    # Python's `$` matches before a final newline; the checks must not let one through into the file
    with pytest.raises(XmlConfigError, match=r'^%s ' % option):
        xmlconfig.validate_userinfo(params)
