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
    ('no_final_newline', 'rm_name'): '127.0.0.1 localhost\n203.0.113.140 meeting1.acme.example',
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
        assert hosts.resolve(name) == lines[0].ip


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
