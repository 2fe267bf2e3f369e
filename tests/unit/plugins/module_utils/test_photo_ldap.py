# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""photo_ldap, the Active Directory defaults: disabled-account filter, directory kind, schema lookup, bind refusal."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import photo_ldap as lp, photo_url

AD_DISABLED = '(userAccountControl:1.2.840.113556.1.4.803:=2)'


@pytest.mark.parametrize('user_filter, skip, disabled, is_ad, expected', [
    ('(objectClass=person)', 'auto', AD_DISABLED, True,
     '(&(objectClass=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))'),
    ('(objectClass=person)', 'auto', AD_DISABLED, False, '(objectClass=person)'),
    ('(objectClass=person)', 'never', AD_DISABLED, True, '(objectClass=person)'),
    ('(objectClass=person)', 'always', '(pwdAccountLockedTime=000001010000Z)', False,
     '(&(objectClass=person)(!(pwdAccountLockedTime=000001010000Z)))'),
    ('objectClass=user', 'always', 'nsAccountLock=TRUE', False, '(&(objectClass=user)(!(nsAccountLock=TRUE)))'),
    ('', 'auto', AD_DISABLED, True, '(&(objectClass=*)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))'),
])
def test_effective_filter(user_filter, skip, disabled, is_ad, expected):
    assert lp.effective_filter(user_filter, skip, disabled, is_ad) == expected


@pytest.mark.parametrize('root_dse, expected', [
    ({'supportedcapabilities': ['1.2.840.113556.1.4.800', '1.2.840.113556.1.4.1670']}, True),
    ({'supportedcapabilities': []}, False),
    ({}, False),
    (None, False),
])
def test_is_active_directory(root_dse, expected):
    assert lp.is_active_directory(root_dse) is expected


# attributeTypes values as the two servers print them (Samba 4.17's CN=Aggregate; OpenLDAP 2.5's cn=Subschema)
AD_LABELED_URI = ("( 1.3.6.1.4.1.250.1.57 NAME 'labeledURI' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' )")
AD_WWW = ("( 1.2.840.113556.1.2.464 NAME 'wWWHomePage' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )")
OPENLDAP_CN = ("( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s) for which the entity is known by' "
               "SUP name )")
OPENLDAP_URI = ("( 1.3.6.1.4.1.250.1.57 NAME 'labeledURI' DESC 'RFC2079: Uniform Resource Identifier with optional "
                "label' EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )")


@pytest.mark.parametrize('description, names', [
    (AD_LABELED_URI, ['labeledURI']),
    (AD_WWW, ['wWWHomePage']),
    (OPENLDAP_CN, ['cn', 'commonName']),
    (OPENLDAP_URI, ['labeledURI']),
    ("( 1.2.3.4 SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )", []),
])
def test_attribute_type_names(description, names):
    assert photo_url.attribute_type_names(description) == names


@pytest.mark.parametrize('types, name, expected', [
    ([AD_LABELED_URI, AD_WWW], 'labeleduri', True),
    ([AD_LABELED_URI, AD_WWW], 'photoURL', False),
    ([OPENLDAP_CN, OPENLDAP_URI], 'commonName', True),
    ([OPENLDAP_CN, OPENLDAP_URI], 'wWWHomePage', False),
    # a DESC mentioning a name is not a NAME
    (["( 1.2.3 NAME 'other' DESC 'like photoURL' )"], 'photoURL', False),
])
def test_schema_has_attribute(types, name, expected):
    assert photo_url.schema_has_attribute(types, name) is expected


@pytest.mark.parametrize('result, fix_named', [
    # Samba AD DC 4.17 over plain ldap:// (reference ad.md): "BindSimple: Transport encryption required."
    ({'result': 8, 'description': 'strongerAuthRequired', 'message': 'BindSimple: Transport encryption required.'}, True),
    ({'result': 13, 'description': 'confidentialityRequired', 'message': 'TLS confidentiality required'}, True),
    ({'result': 49, 'description': 'invalidCredentials', 'message': '80090308: LdapErr: DSID-0C09041C'}, False),
])
def test_bind_failure_message(result, fix_named):
    msg = lp.bind_failure_message('ldap://dc1.acme.example:389', {'bind_dn': 'CN=x'}, result)
    assert result['message'] in msg and "as 'CN=x'" in msg
    assert ('ldaps://<host>:636' in msg and 'start_tls: true' in msg and 'photo_sync_ldap_start_tls' in msg
            and 'ca_file' in msg) is fix_named


class WarningModule(object):
    def __init__(self):
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


@pytest.mark.parametrize('capabilities, page_size, skip, want_page, want_filter, warned', [
    (['1.2.840.113556.1.4.800'], 5000, 'auto', 1000,
     '(&(objectClass=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))', True),
    (['1.2.840.113556.1.4.800'], 1000, 'never', 1000, '(objectClass=person)', False),
    (['1.2.840.113556.1.4.800'], 200, 'auto', 200,
     '(&(objectClass=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))', False),
    ([], 5000, 'auto', 5000, '(objectClass=person)', False),  # OpenLDAP: no MaxPageSize to respect, no UAC
])
def test_apply_directory_defaults(monkeypatch, capabilities, page_size, skip, want_page, want_filter, warned):
    monkeypatch.setattr(lp, 'read_root_dse', lambda conn: {'supportedcapabilities': capabilities})
    params = {'search_filter': '(objectClass=person)', 'page_size': page_size, 'skip_disabled': skip,
              'disabled_filter': AD_DISABLED}
    module = WarningModule()
    lp.apply_directory_defaults(module, None, params)
    assert (params['page_size'], params['search_filter'], bool(module.warnings)) == (want_page, want_filter, warned)


@pytest.mark.parametrize('user_filter, attrs, expected', [
    ('(objectClass=person)', ['mail', 'jpegPhoto'], '(&(objectClass=person)(mail=*)(jpegPhoto=*))'),
    ('objectClass=person', ['mail'], '(&(objectClass=person)(mail=*))'),
    ('', ['mail'], '(&(objectClass=*)(mail=*))'),
    (None, [], '(&(objectClass=*))'),
    ('(|(ou=a)(ou=b))', ['mail'], '(&(|(ou=a)(ou=b))(mail=*))'),
])
def test_combine_filter(user_filter, attrs, expected):
    assert lp.combine_filter(user_filter, attrs) == expected


class DirectoryOfThree(object):
    """The parts of an ldap3 Connection that read_entries uses, over uid=a, uid=b, uid=c (paged search and
    base-object search); records how it was asked."""
    ENTRIES = dict(('uid=%s,dc=x' % uid, {'mail': [uid.encode('ascii') + b'@x.example']}) for uid in 'abc')

    def __init__(self):
        self.calls = []
        self.result = None
        self.response = None
        self.extend = self.standard = self

    def paged_search(self, base, search_filter, search_scope=None, attributes=None, paged_size=None, generator=False):
        self.calls.append(('paged', base))
        self.result = {'result': 0}
        for dn in sorted(self.ENTRIES):
            yield {'type': 'searchResEntry', 'dn': dn, 'raw_attributes': self.ENTRIES[dn]}

    def search(self, dn, search_filter, search_scope=None, attributes=None):
        self.calls.append(('base', dn))
        found = self.ENTRIES.get(dn.lower())  # DNs compare case-insensitively here
        self.result = {'result': 0 if found else 32}
        self.response = [{'type': 'searchResEntry', 'dn': dn, 'raw_attributes': found}] if found else []
        return bool(found)


@pytest.mark.parametrize('threshold, reads', [
    (0, [('paged', 'dc=x')]),                                       # more than the threshold: one paged search
    (5, [('base', 'UID=A,dc=x'), ('base', 'uid=gone,dc=x')]),       # few: a base-object read each, by their DN
])
def test_read_entries_passes_each_wanted_entry_once_and_none_for_a_gone_one(threshold, reads, monkeypatch):
    monkeypatch.setattr(lp, 'ldap3', type('ldap3', (), {'SUBTREE': 'SUBTREE', 'BASE': 'BASE'}))
    conn = DirectoryOfThree()
    wanted = {'uid=a,dc=x': 'UID=A,dc=x', 'uid=gone,dc=x': 'uid=gone,dc=x'}
    seen = []
    lp.read_entries(conn, wanted, ['mail'], 'dc=x', '(mail=*)', 2, threshold,
                    lambda key, raw: seen.append((key, None if raw is None else raw['mail'])))
    assert seen == [('uid=a,dc=x', [b'a@x.example']), ('uid=gone,dc=x', None)]
    assert conn.calls == reads
