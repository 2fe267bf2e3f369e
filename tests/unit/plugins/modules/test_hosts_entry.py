# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import fileio
from ansible_collections.sametime.deploy.plugins.modules import hosts_entry

ORIGINAL = (
    b'127.0.0.1\tlocalhost\n'
    b'203.0.113.140\tmeeting1.acme.example\tmeeting1   # mgmt\n'
    b'\n'
    b'::1     localhost ip6-localhost ip6-loopback')
EXCLUSIVE = (
    b'127.0.0.1\tlocalhost\n'
    b'\n'
    b'::1     localhost ip6-localhost ip6-loopback\n'
    b'203.0.113.12\tmeeting1.acme.example meeting1\n')
ARGS = dict(ip='203.0.113.12', hostnames=['meeting1.acme.example', 'meeting1'], exclusive=True)


@pytest.fixture
def hosts(tmp_path):
    path = tmp_path / 'hosts'
    path.write_bytes(ORIGINAL)
    return path


def _args(path, **extra):
    args = dict(ARGS, path=str(path))
    args.update(extra)
    return args


def test_present_exclusive_then_unchanged(run_module, hosts):
    result, failed = run_module(hosts_entry, _args(hosts))
    assert not failed
    assert result['changed'] is True
    assert result['write_method'] == 'atomic'
    assert hosts.read_bytes() == EXCLUSIVE
    assert len(result['changes']) == 3

    result, failed = run_module(hosts_entry, _args(hosts))
    assert not failed
    assert result['changed'] is False
    assert result['changes'] == []
    assert result['write_method'] is None
    assert hosts.read_bytes() == EXCLUSIVE


def test_check_mode_and_diff_write_nothing(run_module, hosts):
    result, failed = run_module(hosts_entry, _args(hosts, _ansible_check_mode=True, _ansible_diff=True))
    assert not failed
    assert result['changed'] is True
    assert hosts.read_bytes() == ORIGINAL
    assert result['diff']['before'] == ORIGINAL.decode()
    assert result['diff']['after'] == EXCLUSIVE.decode()
    assert result['diff']['before_header'] == '%s (content)' % hosts


def test_backup_keeps_the_original(run_module, hosts):
    result, failed = run_module(hosts_entry, _args(hosts, backup=True))
    assert not failed
    assert result['backup_file']
    with open(result['backup_file'], 'rb') as handle:
        assert handle.read() == ORIGINAL
    assert hosts.read_bytes() == EXCLUSIVE


def test_no_backup_when_unchanged(run_module, hosts):
    hosts.write_bytes(EXCLUSIVE)
    result, failed = run_module(hosts_entry, _args(hosts, backup=True))
    assert not failed
    assert 'backup_file' not in result
    assert sorted(os.listdir(str(hosts.parent))) == ['hosts']


def test_creates_missing_file(run_module, tmp_path):
    path = tmp_path / 'new_hosts'
    result, failed = run_module(hosts_entry, dict(path=str(path), ip='192.0.2.5', hostnames=['a.example']))
    assert not failed and result['changed']
    assert path.read_bytes() == b'192.0.2.5\ta.example\n'
    assert oct(os.stat(str(path)).st_mode & 0o777) == oct(0o644)


def test_absent_on_missing_file_is_ok(run_module, tmp_path):
    path = tmp_path / 'none'
    result, failed = run_module(hosts_entry, dict(path=str(path), hostnames=['a.example'], state='absent'))
    assert not failed and not result['changed']
    assert not path.exists()


def test_bind_mounted_file_is_written_in_place(run_module, hosts, monkeypatch):
    monkeypatch.setattr(fileio, 'is_bind_mounted', lambda path, *a: path == str(hosts))
    inode = os.stat(str(hosts)).st_ino
    result, failed = run_module(hosts_entry, _args(hosts))
    assert not failed
    assert result['write_method'] == 'in_place'
    assert os.stat(str(hosts)).st_ino == inode
    assert hosts.read_bytes() == EXCLUSIVE


@pytest.mark.parametrize('extra, words', [
    (dict(ip='203.0.113.999'), ["ip '203.0.113.999' is not a valid"]),
    (dict(ip='2001:db8::1::2'), ['not a valid IPv4 or IPv6']),
    (dict(ip='10.0.0.0/8'), ['prefix length']),
    (dict(hostnames=['meeting1.acme.example', 'meeting_1']), ["host name 'meeting_1' is not valid", 'RFC 1123']),
    (dict(hostnames=['bad name']), ["host name 'bad name'"]),
    (dict(hostnames=['a.example', 'A.EXAMPLE']), ['listed twice']),
    (dict(state='absent', ip='300.1.1.1', hostnames=None), ['300.1.1.1']),
])
def test_bad_input_leaves_file_identical(run_module, hosts, extra, words):
    stat_before = os.stat(str(hosts))
    result, failed = run_module(hosts_entry, _args(hosts, **extra))
    assert failed
    for word in words:
        assert word in result['msg']
    assert 'was not changed' in result['msg']
    assert hosts.read_bytes() == ORIGINAL
    assert os.stat(str(hosts)).st_mtime_ns == stat_before.st_mtime_ns
    assert sorted(os.listdir(str(hosts.parent))) == ['hosts']


def test_missing_required_arguments(run_module, hosts):
    result, failed = run_module(hosts_entry, dict(path=str(hosts), ip='192.0.2.5'))
    assert failed
    assert 'hostnames' in result['msg']
    assert hosts.read_bytes() == ORIGINAL


def test_unwritable_directory_missing(run_module, tmp_path):
    path = tmp_path / 'no' / 'such' / 'hosts'
    result, failed = run_module(hosts_entry, dict(path=str(path), ip='192.0.2.5', hostnames=['a.example']))
    assert failed
    assert result['msg'] == 'Cannot write %s: its directory %s does not exist; nothing was changed' % (
        path, path.parent)
    assert not path.parent.exists()


def test_unwritable_parent_is_a_file(run_module, tmp_path):
    parent = tmp_path / 'plainfile'
    parent.write_bytes(b'x')
    path = parent / 'hosts'
    result, failed = run_module(hosts_entry, dict(path=str(path), ip='192.0.2.5', hostnames=['a.example']))
    assert failed
    assert result['msg'].startswith('Cannot read %s: ' % path)
    assert 'Not a directory' in result['msg']
    assert parent.read_bytes() == b'x'


def test_path_is_a_directory(run_module, tmp_path):
    result, failed = run_module(hosts_entry, dict(path=str(tmp_path), ip='192.0.2.5', hostnames=['a.example']))
    assert failed
    assert 'Cannot read %s' % tmp_path in result['msg']
    assert 'directory' in result['msg'].lower()
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.skipif(os.geteuid() == 0, reason='root ignores file permission bits; the other unwritable cases cover root')
def test_read_only_file(run_module, hosts):
    os.chmod(str(hosts), 0o444)
    os.chmod(str(hosts.parent), 0o555)
    try:
        result, failed = run_module(hosts_entry, _args(hosts))
    finally:
        os.chmod(str(hosts.parent), 0o755)
    assert failed
    assert 'not writable' in result['msg']
    assert hosts.read_bytes() == ORIGINAL


LATIN1 = (
    b'# Ge\xe4ndert von setup.exe\n'
    b'127.0.0.1\tlocalhost\n'
    b'203.0.113.140\tmeeting1.acme.example meeting1 # Gr\xfc\xdfe\n')
LATIN1_AFTER = (
    b'# Ge\xe4ndert von setup.exe\n'
    b'127.0.0.1\tlocalhost\n'
    b'203.0.113.12\tmeeting1.acme.example meeting1\n')


def _strings(value):
    if isinstance(value, dict):
        yield from value.keys()
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _assert_valid_text(result):
    """What the controller deserializes must be valid UTF-8 ("Refusing to deserialize an invalid UTF8 string")."""
    for text in _strings(result):
        text.encode('utf-8')  # strict


def test_non_utf8_file_check_mode_and_diff(run_module, hosts):
    hosts.write_bytes(LATIN1)
    result, failed = run_module(hosts_entry, _args(hosts, _ansible_check_mode=True, _ansible_diff=True))
    assert not failed
    _assert_valid_text(result)
    assert result['changed'] is True
    assert hosts.read_bytes() == LATIN1
    assert result['diff']['before'].startswith(u'# Ge\\xe4ndert von setup.exe\n')
    assert result['diff']['after'].startswith(u'# Ge\\xe4ndert von setup.exe\n')
    assert u"deleted line '203.0.113.140\tmeeting1.acme.example meeting1 # Gr\\xfc\\xdfe' (exclusive)" in (
        result['changes'])


def test_non_utf8_file_run_keeps_the_bytes(run_module, hosts):
    hosts.write_bytes(LATIN1)
    result, failed = run_module(hosts_entry, _args(hosts, _ansible_diff=True))
    assert not failed
    _assert_valid_text(result)
    assert hosts.read_bytes() == LATIN1_AFTER
    result, failed = run_module(hosts_entry, _args(hosts))
    assert not failed and not result['changed']
    assert hosts.read_bytes() == LATIN1_AFTER


def test_nul_byte_is_refused_and_file_kept(run_module, hosts):
    content = ORIGINAL.replace(b'meeting1   # mgmt', b'meeting1\x00 # mgmt')
    hosts.write_bytes(content)
    result, failed = run_module(hosts_entry, _args(hosts))
    assert failed
    assert 'NUL byte (line 2' in result['msg'] and 'was not changed' in result['msg']
    assert hosts.read_bytes() == content


def test_shadowed_name_is_warned_about(run_module, hosts, monkeypatch):
    warnings = []
    monkeypatch.setattr(hosts_entry.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    result, failed = run_module(hosts_entry, _args(hosts, exclusive=False))
    assert not failed and result['changed']
    assert len(warnings) == 2
    assert warnings[0].startswith("meeting1.acme.example still resolves to 203.0.113.140 first: line 2 "
                                  "'203.0.113.140\tmeeting1.acme.example\tmeeting1   # mgmt'")
    assert warnings[1].startswith('meeting1 still resolves to 203.0.113.140 first')


def _ansible(path, *options):
    """Run the module through the ansible CLI, as a user would: the result crosses the controller's JSON decoding."""
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(repo, '.collections'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='0')
    args = 'path=%s ip=203.0.113.12 hostnames=meeting1.acme.example,meeting1 exclusive=true' % path
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-i', 'localhost,', '-c', 'local',
         '-m', 'sametime.deploy.hosts_entry', '-a', args] + list(options),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)


def test_non_utf8_file_through_the_ansible_cli(hosts):
    """One real run with --diff (check mode is covered in-process): the old module failed here after writing."""
    hosts.write_bytes(LATIN1)
    run = _ansible(hosts, '--diff')
    assert run.returncode == 0, run.stdout
    assert 'CHANGED' in run.stdout
    assert '# Ge\\xe4ndert von setup.exe' in run.stdout
    assert hosts.read_bytes() == LATIN1_AFTER
