# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import hostsfile
from ansible_collections.sametime.deploy.plugins.module_utils.hostsfile import HostsFileError, edit

NEW = '203.0.113.12\tmeeting1.acme.example meeting1\n'

FILES = {
    'debian': (
        '127.0.0.1\tlocalhost\n'
        '203.0.113.140\tmeeting1.acme.example\tmeeting1\n'
        '\n'
        '# The following lines are desirable for IPv6 capable hosts\n'
        '::1     localhost ip6-localhost ip6-loopback\n'
        'ff02::1 ip6-allnodes\n'
        'ff02::2 ip6-allrouters\n'),
    'comments': (
        '# /etc/hosts managed by hand\n'
        '  127.0.0.1   localhost   # loopback\n'
        '203.0.113.140 meeting1.acme.example meeting1 # mgmt NIC, set by the installer\n'
        '#203.0.113.12 meeting1.acme.example meeting1\n'
        '203.0.113.10 ssc.acme.example ssc\n'),
    'tabs': (
        '127.0.0.1\t\tlocalhost\n'
        '203.0.113.12\t\tmeeting1\t\tm1\n'
        '203.0.113.140\tmeeting1.acme.example\n'),
    'duplicates': (
        '203.0.113.140 meeting1.acme.example meeting1\n'
        '203.0.113.12 meeting1-prod\n'
        '10.9.9.9 meeting1 stale # old lab\n'
        '203.0.113.12 MEETING1.acme.example\n'),
    'ipv6': (
        '::1 localhost ip6-localhost\n'
        '2001:db8:0:0::12 meeting1.acme.example meeting1\n'
        'fe80::1%eth0 meeting1\n'
        '203.0.113.140 meeting1\n'),
    'trailing': (
        '127.0.0.1 localhost   \n'
        '203.0.113.140 meeting1.acme.example meeting1 \t \n'
        '203.0.113.10 ssc  \n'),
    'no_final_newline': (
        '127.0.0.1 localhost\n'
        '203.0.113.140 meeting1.acme.example meeting1'),
    'crlf': (
        '127.0.0.1 localhost\r\n'
        '203.0.113.140 meeting1\r\n'),
    'empty': '',
    'already': (
        '127.0.0.1 localhost\n'
        '203.0.113.12 meeting1.acme.example meeting1 # prod\n'),
    'order': '203.0.113.12 meeting1 meeting1.acme.example extra\n',
}

OPS = {
    'exclusive': dict(state='present', ip='203.0.113.12', hostnames=['meeting1.acme.example', 'meeting1'],
                      exclusive=True),
    'add': dict(state='present', ip='203.0.113.12', hostnames=['meeting1.acme.example', 'meeting1']),
    'rm_name': dict(state='absent', hostnames=['meeting1']),
    'rm_ip': dict(state='absent', ip='203.0.113.140'),
}

UNCHANGED = object()


def resolve(hosts, name, version=4):
    """The address glibc's files backend returns first for `name` in a lookup of IP `version` (or None)."""
    for line in hosts.entries():
        if line.has_name(name):
            answer = line.answer(version)
            if answer is not None:
                return answer
    return None


EXPECTED = {
    ('debian', 'exclusive'): (
        '127.0.0.1\tlocalhost\n'
        '\n'
        '# The following lines are desirable for IPv6 capable hosts\n'
        '::1     localhost ip6-localhost ip6-loopback\n'
        'ff02::1 ip6-allnodes\n'
        'ff02::2 ip6-allrouters\n' + NEW),
    ('debian', 'add'): FILES['debian'] + NEW,
    ('debian', 'rm_name'): FILES['debian'].replace('meeting1.acme.example\tmeeting1\n', 'meeting1.acme.example\n'),
    ('debian', 'rm_ip'): FILES['debian'].replace('203.0.113.140\tmeeting1.acme.example\tmeeting1\n', ''),

    ('comments', 'exclusive'): (
        '# /etc/hosts managed by hand\n'
        '  127.0.0.1   localhost   # loopback\n'
        '#203.0.113.12 meeting1.acme.example meeting1\n'
        '203.0.113.10 ssc.acme.example ssc\n' + NEW),
    ('comments', 'add'): FILES['comments'] + NEW,
    ('comments', 'rm_name'): (
        '# /etc/hosts managed by hand\n'
        '  127.0.0.1   localhost   # loopback\n'
        '203.0.113.140 meeting1.acme.example # mgmt NIC, set by the installer\n'
        '#203.0.113.12 meeting1.acme.example meeting1\n'
        '203.0.113.10 ssc.acme.example ssc\n'),
    ('comments', 'rm_ip'): (
        '# /etc/hosts managed by hand\n'
        '  127.0.0.1   localhost   # loopback\n'
        '#203.0.113.12 meeting1.acme.example meeting1\n'
        '203.0.113.10 ssc.acme.example ssc\n'),

    ('tabs', 'exclusive'): (
        '127.0.0.1\t\tlocalhost\n'
        '203.0.113.12\t\tmeeting1.acme.example\t\tmeeting1\t\tm1\n'),
    ('tabs', 'add'): (
        '127.0.0.1\t\tlocalhost\n'
        '203.0.113.12\t\tmeeting1.acme.example\t\tmeeting1\t\tm1\n'
        '203.0.113.140\tmeeting1.acme.example\n'),
    ('tabs', 'rm_name'): (
        '127.0.0.1\t\tlocalhost\n'
        '203.0.113.12\t\tm1\n'
        '203.0.113.140\tmeeting1.acme.example\n'),
    ('tabs', 'rm_ip'): (
        '127.0.0.1\t\tlocalhost\n'
        '203.0.113.12\t\tmeeting1\t\tm1\n'),

    ('duplicates', 'exclusive'): (
        '203.0.113.12 meeting1-prod\n'
        '10.9.9.9 stale # old lab\n'
        '203.0.113.12 MEETING1.acme.example meeting1\n'),
    ('duplicates', 'add'): (
        '203.0.113.140 meeting1.acme.example meeting1\n'
        '203.0.113.12 meeting1-prod\n'
        '10.9.9.9 meeting1 stale # old lab\n'
        '203.0.113.12 MEETING1.acme.example meeting1\n'),
    ('duplicates', 'rm_name'): (
        '203.0.113.140 meeting1.acme.example\n'
        '203.0.113.12 meeting1-prod\n'
        '10.9.9.9 stale # old lab\n'
        '203.0.113.12 MEETING1.acme.example\n'),
    ('duplicates', 'rm_ip'): (
        '203.0.113.12 meeting1-prod\n'
        '10.9.9.9 meeting1 stale # old lab\n'
        '203.0.113.12 MEETING1.acme.example\n'),

    ('ipv6', 'exclusive'): (
        '::1 localhost ip6-localhost\n'
        'fe80::1%eth0 meeting1\n' + NEW),
    ('ipv6', 'add'): FILES['ipv6'] + NEW,
    ('ipv6', 'rm_name'): (
        '::1 localhost ip6-localhost\n'
        '2001:db8:0:0::12 meeting1.acme.example\n'
        'fe80::1%eth0 meeting1\n'),
    ('ipv6', 'rm_ip'): (
        '::1 localhost ip6-localhost\n'
        '2001:db8:0:0::12 meeting1.acme.example meeting1\n'
        'fe80::1%eth0 meeting1\n'),

    ('trailing', 'exclusive'): '127.0.0.1 localhost   \n203.0.113.10 ssc  \n' + NEW,
    ('trailing', 'add'): FILES['trailing'] + NEW,
    ('trailing', 'rm_name'): (
        '127.0.0.1 localhost   \n'
        '203.0.113.140 meeting1.acme.example \t \n'
        '203.0.113.10 ssc  \n'),
    ('trailing', 'rm_ip'): '127.0.0.1 localhost   \n203.0.113.10 ssc  \n',

    ('no_final_newline', 'exclusive'): '127.0.0.1 localhost\n' + NEW,
    ('no_final_newline', 'add'): FILES['no_final_newline'] + '\n' + NEW,
    ('no_final_newline', 'rm_name'): '127.0.0.1 localhost\n203.0.113.140 meeting1.acme.example\n',
    ('no_final_newline', 'rm_ip'): '127.0.0.1 localhost\n',

    ('crlf', 'exclusive'): '127.0.0.1 localhost\r\n203.0.113.12\tmeeting1.acme.example meeting1\r\n',
    ('crlf', 'add'): FILES['crlf'] + '203.0.113.12\tmeeting1.acme.example meeting1\r\n',
    ('crlf', 'rm_name'): '127.0.0.1 localhost\r\n',
    ('crlf', 'rm_ip'): '127.0.0.1 localhost\r\n',

    ('empty', 'exclusive'): NEW,
    ('empty', 'add'): NEW,
    ('empty', 'rm_name'): UNCHANGED,
    ('empty', 'rm_ip'): UNCHANGED,

    ('already', 'exclusive'): UNCHANGED,
    ('already', 'add'): UNCHANGED,
    ('already', 'rm_name'): '127.0.0.1 localhost\n203.0.113.12 meeting1.acme.example # prod\n',
    ('already', 'rm_ip'): UNCHANGED,

    ('order', 'exclusive'): '203.0.113.12 meeting1.acme.example meeting1 extra\n',
    ('order', 'add'): '203.0.113.12 meeting1.acme.example meeting1 extra\n',
    ('order', 'rm_name'): '203.0.113.12 meeting1.acme.example extra\n',
    ('order', 'rm_ip'): UNCHANGED,
}


def test_table_is_complete():
    assert set(EXPECTED) == set((f, o) for f in FILES for o in OPS)


@pytest.mark.parametrize('file_name, op_name', sorted(EXPECTED))
def test_table(file_name, op_name):
    original = FILES[file_name]
    expected = EXPECTED[(file_name, op_name)]
    after, changes = edit(original, **OPS[op_name])
    if expected is UNCHANGED:
        assert after == original
        assert changes == []
    else:
        assert after == expected
        assert changes, 'a change must be described'
    again, changes_again = edit(after, **OPS[op_name])
    assert again == after
    assert changes_again == []


@pytest.mark.parametrize('file_name', sorted(FILES))
def test_exclusive_leaves_one_address_per_name(file_name):
    after, dummy = edit(FILES[file_name], **OPS['exclusive'])
    hosts = hostsfile.HostsFile(after)
    for name in ('meeting1', 'MEETING1.ACME.EXAMPLE'):
        lines = [line for line in hosts.entries() if line.has_name(name)]
        assert len(lines) == 1
        assert str(lines[0].ip) == '203.0.113.12'
        assert resolve(hosts, name) == lines[0].ip


def test_ipv6_matches_by_value():
    after, changes = edit(FILES['ipv6'], state='present', ip='2001:db8::12',
                          hostnames=['meeting1.acme.example', 'meeting1'])
    assert after == FILES['ipv6']
    assert changes == []


def test_ipv6_new_line_is_compressed():
    after, dummy = edit('', state='present', ip='2001:DB8:0:0:0:0:0:12', hostnames=['v6.example'])
    assert after == '2001:db8::12\tv6.example\n'


def test_absent_with_ip_and_name_touches_only_that_address():
    after, dummy = edit(FILES['duplicates'], state='absent', ip='10.9.9.9', hostnames=['meeting1'])
    assert after == FILES['duplicates'].replace('10.9.9.9 meeting1 stale', '10.9.9.9 stale')


def test_present_keeps_other_names_of_the_address_after_ours():
    after, dummy = edit('203.0.113.10 ssc\n', state='present', ip='203.0.113.10', hostnames=['ssc.acme.example'])
    assert after == '203.0.113.10 ssc.acme.example ssc\n'


def test_non_utf8_bytes_are_kept():
    original = b'# caf\xe9\n127.0.0.1 localhost\n'
    after, dummy = edit(original, state='present', ip='192.0.2.5', hostnames=['a.example'])
    assert after.encode('utf-8', 'surrogateescape') == original + b'192.0.2.5\ta.example\n'


@pytest.mark.parametrize('ip', [
    '203.0.113.256', '203.0.113', '010.0.0.1', '10.0.0.01', '10.0.0.1/24', 'fe80::1%eth0', '', '   ',
    'meeting1', '1:2:3:4:5:6:7:8:9', '::g',
])
def test_bad_ip(ip):
    with pytest.raises(HostsFileError) as info:
        edit(FILES['debian'], state='present', ip=ip, hostnames=['a.example'])
    assert 'ip' in str(info.value)


@pytest.mark.parametrize('name', [
    'meeting_1', '-meeting', 'meeting-', 'a..b', 'a.b.', 'x' * 64, 'meeting 1', 'm#1', '', '1.2.3.4', 'caf\xe9.example',
    '.lead', ('a' * 62 + '.') * 4 + 'abc',
])
def test_bad_hostname(name):
    with pytest.raises(HostsFileError) as info:
        edit(FILES['debian'], state='present', ip='192.0.2.5', hostnames=['ok.example', name])
    assert 'host name' in str(info.value)


@pytest.mark.parametrize('name', ['a', 'x' * 63, '3com.example', 'a-b.c-d.example', 'MEETING1', ('a' * 62 + '.') * 3 + 'abc'])
def test_good_hostname(name):
    assert hostsfile.check_hostname(name) == name


def test_duplicate_names_rejected():
    with pytest.raises(HostsFileError) as info:
        edit('', state='present', ip='192.0.2.5', hostnames=['a.example', 'A.example'])
    assert 'twice' in str(info.value)


@pytest.mark.parametrize('kwargs', [
    dict(state='present', hostnames=['a.example']),
    dict(state='present', ip='192.0.2.5', hostnames=[]),
    dict(state='absent'),
    dict(state='latest', ip='192.0.2.5', hostnames=['a']),
])
def test_bad_combinations(kwargs):
    with pytest.raises(HostsFileError):
        edit('', **kwargs)


@pytest.mark.parametrize('raw, is_entry, names', [
    ('127.0.0.1 localhost\n', True, ['localhost']),
    ('  ::1\tlocalhost ip6-localhost # c\n', True, ['localhost', 'ip6-localhost']),
    ('# 127.0.0.1 localhost\n', False, []),
    ('127.0.0.1\n', False, []),
    ('garbage here\n', False, []),
    ('\n', False, []),
    ('127.0.0.1#comment localhost\n', False, []),
])
def test_line_parsing(raw, is_entry, names):
    line = hostsfile.Line(raw)
    assert line.is_entry is is_entry
    assert line.names == names
    assert line.render() == raw


# --- the resolver's rules (glibc files backend; checked with getent in test_hosts_entry_glibc.py) ---

RHEL = (
    '127.0.0.1   localhost localhost.localdomain meeting1\n'
    '::1         localhost localhost.localdomain meeting1\n'
    '203.0.113.12 meeting1.acme.example\n')


@pytest.mark.parametrize('content, kwargs, expected', [
    # an IPv4 lookup of meeting1 is answered by the ::1 line as 127.0.0.1
    (RHEL, dict(ip='127.0.0.1', hostnames=['meeting1']),
     '127.0.0.1   localhost localhost.localdomain\n'
     '::1         localhost localhost.localdomain\n'
     '203.0.113.12 meeting1.acme.example\n'),
    # and by a ::ffff: line as its IPv4 address
    ('::ffff:192.0.2.8 mapped other\n192.0.2.8 mapped\n', dict(ip='192.0.2.8', hostnames=['mapped']),
     '::ffff:192.0.2.8 other\n'),
    ('::ffff:192.0.2.8 mapped other\n192.0.2.9 keep\n', dict(ip='192.0.2.8'), '192.0.2.9 keep\n'),
    # an IPv6 lookup is not answered by IPv4 lines: removing from ::1 leaves 127.0.0.1 alone
    (RHEL, dict(ip='::1', hostnames=['meeting1']),
     '127.0.0.1   localhost localhost.localdomain meeting1\n'
     '::1         localhost localhost.localdomain\n'
     '203.0.113.12 meeting1.acme.example\n'),
    # ::1.2.3.4 (IPv4-compatible) does not answer IPv4 lookups
    ('::1.2.3.4 compat\n', dict(ip='1.2.3.4', hostnames=['compat']), None),
    # address-only lines of the address go too when no names are given ("every line of the address")
    ('10.0.0.5\n10.0.0.5 # was meeting1\n127.0.0.1 localhost\n10.0.0.5 meeting1\n', dict(ip='10.0.0.5'),
     '127.0.0.1 localhost\n'),
    ('10.0.0.5\n127.0.0.1 localhost\n', dict(ip='10.0.0.5', hostnames=['meeting1']), None),
])
def test_absent_follows_the_address_family_rules(content, kwargs, expected):
    after, changes = edit(content, state='absent', **kwargs)
    assert after == (content if expected is None else expected)
    assert bool(changes) is (expected is not None)
    assert edit(after, state='absent', **kwargs) == (after, [])


def test_resolve_models_ipv4_lookups_of_ipv6_lines():
    hosts = hostsfile.HostsFile('::1 lo6\n::ffff:192.0.2.8 mapped\n2001:db8::1 v6only\n192.0.2.9 v4\n')
    assert str(resolve(hosts, 'lo6', 4)) == '127.0.0.1'
    assert str(resolve(hosts, 'lo6', 6)) == '::1'
    assert str(resolve(hosts, 'mapped', 4)) == '192.0.2.8'
    assert resolve(hosts, 'v6only', 4) is None
    assert resolve(hosts, 'v4', 6) is None


KELVIN = u'\u212a'  # KELVIN SIGN: str.lower() makes it 'k', the resolver (ASCII strcasecmp) does not


@pytest.mark.parametrize('kwargs', [
    dict(state='present', ip='192.0.2.2', hostnames=['key.example'], exclusive=True),
    dict(state='absent', hostnames=['key.example']),
])
def test_case_folding_is_ascii_only(kwargs):
    original = (u'192.0.2.1 %sey.example\n' % KELVIN).encode('utf-8')
    after, changes = edit(original, **kwargs)
    assert after.encode('utf-8', 'surrogateescape').startswith(original)
    assert not any('192.0.2.1' in change for change in changes)


def test_ascii_case_variants_are_the_same_name():
    after, dummy = edit('192.0.2.1 KEY.Example\n', state='present', ip='192.0.2.2', hostnames=['key.example'],
                        exclusive=True)
    assert after == '192.0.2.2\tkey.example\n'


@pytest.mark.parametrize('name', ['meeting1\n', 'meeting1.example\n', KELVIN + 'ey', 'caf\xe9'])
def test_hostname_is_ascii_and_has_no_newline(name):
    with pytest.raises(HostsFileError):
        hostsfile.check_hostname(name)


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_nul_byte_is_refused(state):
    with pytest.raises(HostsFileError) as info:
        edit(b'127.0.0.1 localhost\n192.0.2.7 meeting1\x00 x more\n', state=state, ip='192.0.2.7',
             hostnames=['meeting1'])
    assert 'NUL byte (line 2' in str(info.value)


# --- a last line without a newline: glibc misreads it when it starts with blanks ---

@pytest.mark.parametrize('content, kwargs, expected', [
    # the target is that line and already right: the newline is still needed for glibc to read it
    ('127.0.0.1 localhost\n  203.0.113.12 meeting1.acme.example meeting1',
     dict(state='present', ip='203.0.113.12', hostnames=['meeting1.acme.example', 'meeting1']),
     '127.0.0.1 localhost\n  203.0.113.12 meeting1.acme.example meeting1\n'),
    # any edit elsewhere ends the file with a newline, so the neighbour resolves
    ('203.0.113.140 meeting1\n\t203.0.113.10 ssc.acme.example ssc',
     dict(state='absent', hostnames=['meeting1']),
     '\t203.0.113.10 ssc.acme.example ssc\n'),
    ('203.0.113.140 meeting1 old\n 203.0.113.10 ssc',
     dict(state='absent', ip='203.0.113.140', hostnames=['old']),
     '203.0.113.140 meeting1\n 203.0.113.10 ssc\n'),
    ('192.0.2.1 a\n  203.0.113.10 ssc', dict(state='present', ip='192.0.2.1', hostnames=['b']),
     '192.0.2.1 b a\n  203.0.113.10 ssc\n'),
])
def test_edits_end_the_file_with_a_newline(content, kwargs, expected):
    after, changes = edit(content, **kwargs)
    assert after == expected
    assert any('final newline' in change for change in changes)
    assert edit(after, **kwargs) == (after, [])


def test_unrelated_misread_last_line_is_left_alone_when_nothing_changes():
    content = '192.0.2.1 a\n  203.0.113.10 ssc'
    assert edit(content, state='present', ip='192.0.2.1', hostnames=['a']) == (content, [])


# --- shadowed names (exclusive: false) ---

@pytest.mark.parametrize('content, words', [
    ('10.9.9.9 meeting1 stale\n', ["meeting1 still resolves to 10.9.9.9 first: line 1 '10.9.9.9 meeting1 stale'"]),
    ('127.0.0.1 localhost\n::1 localhost meeting1\n',
     ["meeting1 still resolves to 127.0.0.1 first: line 2 '::1 localhost meeting1'"]),
    ('203.0.113.12 x\n10.9.9.9 meeting1\n', ["meeting1 also resolves to 10.9.9.9 (line 2 '10.9.9.9 meeting1')"]),
    ('2001:db8::12 meeting1\n', ["meeting1 also has the IPv6 address 2001:db8::12 (line 1 '2001:db8::12 meeting1')"]),
])
def test_shadowed_names_are_warned_about(content, words):
    hosts = hostsfile.apply(content, 'present', ip='203.0.113.12', hostnames=['meeting1'])
    assert len(hosts.warnings) == 1
    for word in words:
        assert word in hosts.warnings[0]
    assert hosts.changes  # the behaviour is kept: the name is added
    assert hostsfile.apply(content, 'present', ip='203.0.113.12', hostnames=['meeting1'],
                           exclusive=True).warnings == []


@pytest.mark.parametrize('content', [
    '203.0.113.12 meeting1\n::ffff:203.0.113.12 meeting1\n',  # the same address in another form
    '203.0.113.12 other\n203.0.113.12 meeting1\n',
    '127.0.0.1 localhost\n',
])
def test_no_warning_when_every_line_gives_the_address(content):
    assert hostsfile.apply(content, 'present', ip='203.0.113.12', hostnames=['meeting1']).warnings == []


# --- bytes that are not UTF-8 ---

def test_descriptions_are_valid_text_and_bytes_are_kept():
    original = b'# Ge\xe4ndert\n203.0.113.140 meeting1 # alt \xe4\n'
    hosts = hostsfile.apply(original, 'present', ip='203.0.113.12', hostnames=['meeting1'], exclusive=True)
    assert hosts.render().encode('utf-8', 'surrogateescape') == b'# Ge\xe4ndert\n203.0.113.12\tmeeting1\n'
    assert hosts.changes == ["added line '203.0.113.12\tmeeting1'",
                             "deleted line '203.0.113.140 meeting1 # alt \\xe4' (exclusive)"]
    for text in hosts.changes:
        text.encode('utf-8')  # strict: what the module returns must be valid text


def test_display():
    assert hostsfile.display(b'caf\xe9 \xc3\xa9') == u'caf\\xe9 \xe9'
