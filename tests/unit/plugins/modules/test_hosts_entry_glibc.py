# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hosts_entry against glibc itself: what `getent` answers before and after the module's edit.

Every hosts file (hand-picked and generated) is run through the module (check mode, then for real, then again),
and glibc is asked, through `getent hosts`, `getent ahostsv4` and `getent ahostsv6`, what each name resolves to
before and after. All lookups run in one process tree in a private mount namespace (`unshare -m --propagation
private`) where the scratch file is bind-mounted over /etc/hosts and a scratch nsswitch.conf (`hosts: files`) over
/etc/nsswitch.conf: the machine's own files are never written, and their checksums are compared at the end.

The module's promise, checked for every case:
- present: the name resolves to the address; unless the module warned, to nothing else (in either family: the only
  addresses are the forms of the address, e.g. ::ffff:a.b.c.d or, for 127.0.0.1, ::1); with exclusive it never warns;
  every warning names an address that glibc does return for that name.
- absent by names: the names resolve to nothing; absent by address: the names no longer resolve to that address.
- every other name resolves as before (before = the original file, with the final newline the module adds);
- check mode changes nothing and predicts `changed`; a second run changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import os
import random
import re
import shutil
import subprocess

import pytest

from ansible_collections.sametime.deploy.plugins.modules import hosts_entry

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('getent'),
    reason='needs root, unshare and getent (a private mount namespace for the scratch /etc/hosts)')

KELVIN = u'\u212a'.encode('utf-8')

HAND_PICKED = {
    'debian': (
        b'127.0.0.1\tlocalhost\n'
        b'127.0.1.1\tmeeting1.acme.example\tmeeting1\n'
        b'\n'
        b'# The following lines are desirable for IPv6 capable hosts\n'
        b'::1     localhost ip6-localhost ip6-loopback\n'
        b'ff02::1 ip6-allnodes\n'
        b'ff02::2 ip6-allrouters\n'),
    'rhel': (
        b'127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4 meeting1\n'
        b'::1         localhost localhost.localdomain localhost6 localhost6.localdomain6 meeting1\n'
        b'203.0.113.140 meeting1.acme.example ssc\n'),
    'latin1_crlf': (
        b'# Ge\xe4ndert von setup.exe\r\n'
        b'127.0.0.1 localhost\r\n'
        b'203.0.113.140\tMEETING1.acme.example\tMeeting1 # Gr\xfc\xdfe\r\n'
        b'203.0.113.10 ssc.acme.example ssc\r\n'),
    'no_newline_indented': (
        b'127.0.0.1 localhost\n'
        b'203.0.113.140 meeting1.acme.example meeting1\n'
        b'  203.0.113.10 ssc.acme.example ssc'),
    'no_newline_target': (
        b'127.0.0.1 localhost\n'
        b'\t203.0.113.12 meeting1.acme.example meeting1'),
    'mapped_and_dots': (
        b'::ffff:10.9.9.9 meeting1 key\n'
        b'203.0.113.12 meeting1. ssc.\n'
        b'10.9.9.9 ' + KELVIN + b'ey ssc\n'
        b'2001:db8:0:0::12 meeting1.acme.example\n'
        b'fe80::1%eth0 meeting1\n'
        b'010.0.0.1 ssc\n'),
    'many_aliases': (
        b'10.9.9.9 ' + b' '.join(b'alias%d' % n for n in range(60)) + b' meeting1\n'
        b'203.0.113.12 ' + b' '.join(b'other%d' % n for n in range(40)) + b'\n'),
    'address_only': (
        b'203.0.113.140\n'
        b'203.0.113.140 # was meeting1\n'
        b'203.0.113.140 meeting1\n'
        b'127.0.0.1 localhost\n'),
}

OPERATIONS = [
    dict(ip='203.0.113.12', hostnames=['meeting1.acme.example', 'meeting1'], exclusive=True),
    dict(ip='203.0.113.12', hostnames=['meeting1.acme.example', 'meeting1']),
    dict(ip='2001:db8::12', hostnames=['meeting1'], exclusive=True),
    dict(ip='127.0.0.1', hostnames=['key', 'ssc']),
    dict(hostnames=['meeting1', 'ssc'], state='absent'),
    dict(ip='127.0.0.1', hostnames=['meeting1'], state='absent'),
    dict(ip='203.0.113.140', state='absent'),
    dict(ip='10.9.9.9', hostnames=['key', 'ssc'], state='absent'),
]

ADDRESSES = [
    '127.0.0.1', '::1', '203.0.113.12', '203.0.113.140', '10.9.9.9', '2001:db8::12', '2001:db8:0:0::12',
    '::ffff:203.0.113.12', '::ffff:10.9.9.9', '198.51.100.7', '127.0.1.1', 'fe80::1%eth0', '010.0.0.1', '::1.2.3.4']
NAMES = [
    b'meeting1', b'MEETING1', b'Meeting1', b'meeting1.acme.example', b'meeting1.', b'ssc', b'SSC.acme.example',
    b'ssc.acme.example', b'key', KELVIN + b'ey', b'localhost', b'mgmt']
COMMENTS = [b'', b' # mgmt NIC', b'# Gr\xfc\xdfe', b'\t#\xe9t\xe9 ']


def _generated(count, seed=23):
    rng = random.Random(seed)
    files = {}
    for number in range(count):
        eol = rng.choice([b'\n', b'\n', b'\r\n'])
        lines = []
        for dummy in range(rng.randint(1, 8)):
            kind = rng.random()
            if kind < 0.12:
                lines.append(rng.choice([b'', b'# Ge\xe4ndert', b'#203.0.113.12 meeting1', b'   ']))
                continue
            lead = rng.choice([b'', b'', b' ', b'\t', b'  '])
            address = rng.choice(ADDRESSES).encode('ascii')
            if kind < 0.17:
                lines.append(lead + address + rng.choice(COMMENTS))
                continue
            names = rng.sample(NAMES, rng.randint(1, 4))
            if rng.random() < 0.08:
                names += [b'alias%d' % n for n in range(40)]
            rng.shuffle(names)
            separators = [rng.choice([b' ', b'\t', b' \t ', b'   ']) for dummy in names]
            body = address + b''.join(sep + name for sep, name in zip(separators, names))
            lines.append(lead + body + rng.choice([b'', b'  ', b'\t']) + rng.choice(COMMENTS))
        content = eol.join(lines)
        if rng.random() < 0.7:
            content += eol
        files['gen%02d' % number] = content
    return files


FILES = dict(HAND_PICKED)
FILES.update(_generated(24))
CASES = [(file_name, index) for file_name in sorted(FILES) for index in range(len(OPERATIONS))]


def _names_of(content):
    """The names (as glibc would be asked for them) that a file mentions: every token after an address."""
    names = set()
    for line in content.replace(b'\r', b' ').split(b'\n'):
        fields = line.split(b'#')[0].split()
        names.update(field for field in fields[1:])
    return set(name for name in names if _askable(name))


def _askable(name):
    """Names worth a lookup: valid UTF-8; of the long alias lists only the first, the 36th and the last ones."""
    try:
        name.decode('utf-8')
    except UnicodeDecodeError:
        return False
    if re.match(br'(alias|other)[0-9]+$', name):
        return name in (b'alias0', b'alias35', b'alias39', b'alias59', b'other0', b'other35', b'other39')
    return not name.startswith(b'-')


def _forms(ip):
    """The addresses in which glibc may return `ip` (its own, its IPv4-mapped form, ::1 for 127.0.0.1)."""
    address = ipaddress.ip_address(ip)
    forms = set([address])
    if address.version == 4:
        forms.add(ipaddress.ip_address(u'::ffff:%s' % address))
        if str(address) == '127.0.0.1':
            forms.add(ipaddress.ip_address(u'::1'))
    return forms


class Oracle(object):
    """Batches `getent` queries: add(file bytes, names) now, answers after run()."""

    def __init__(self, directory):
        self.directory = directory
        self.files = {}
        self.queries = []
        self.answers = {}

    def add(self, content, names):
        key = hashlib.sha256(content).hexdigest()[:16]
        if key not in self.files:
            path = os.path.join(self.directory, key)
            with open(path, 'wb') as handle:
                handle.write(content)
            self.files[key] = path
        for name in names:
            self.queries.append((key, name))
        return key

    def run(self):
        nsswitch = os.path.join(self.directory, 'nsswitch.conf')
        with open(nsswitch, 'wb') as handle:
            handle.write(b'hosts: files\n')
        script = os.path.join(self.directory, 'queries')
        by_file = {}
        for key, name in sorted(set(self.queries)):
            by_file.setdefault(key, []).append(name)
        # one line per query: file path, then the name; the shell reads them, so names need no quoting
        with open(script, 'wb') as handle:
            for key in sorted(by_file):
                for name in by_file[key]:
                    handle.write(key.encode('ascii') + b' ' + name + b'\n')
        shell = (
            'set -e; mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf; current=; '
            'while read -r key name; do '
            '  if [ "$key" != "$current" ]; then '
            '    [ -z "$current" ] || umount /etc/hosts; mount --bind "$1/$key" /etc/hosts; current=$key; fi; '
            '  for db in hosts ahostsv4 ahostsv6; do '
            '    printf "@@ %s %s %s\\n" "$key" "$db" "$name"; getent "$db" -- "$name" || true; done; '
            'done < "$1/queries"')
        output = subprocess.check_output(
            ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', shell, 'oracle', self.directory],
            env=dict(os.environ, LC_ALL='C'))
        current = None
        for line in output.split(b'\n'):
            if line.startswith(b'@@ '):
                dummy, key, db, name = line.split(b' ', 3)
                current = self.answers.setdefault((key.decode(), name), {})
                current[db.decode()] = []
                answers = current[db.decode()]
            elif line.strip():
                address = ipaddress.ip_address(line.split()[0].decode('ascii'))
                if address not in answers:
                    answers.append(address)

    def __call__(self, key, name):
        return self.answers[(key, name)]


def _all(answer):
    return set(answer['hosts']) | set(answer['ahostsv4']) | set(answer['ahostsv6'])


def _family(answer, ip):
    address = ipaddress.ip_address(ip)
    return answer['ahostsv4'] if address.version == 4 else answer['ahostsv6']


@pytest.fixture(scope='module')
def machine_files():
    """The machine's own /etc/hosts and /etc/nsswitch.conf, to prove afterwards that they were not touched."""
    def digest():
        return dict((path, hashlib.sha256(open(path, 'rb').read()).hexdigest())
                    for path in ('/etc/hosts', '/etc/nsswitch.conf'))
    before = digest()
    yield
    assert digest() == before


def test_module_keeps_its_promise_as_glibc_resolves(run_module, tmp_path, monkeypatch, machine_files):
    warnings = []
    monkeypatch.setattr(hosts_entry.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    oracle = Oracle(str(tmp_path))
    runs = []
    for file_name, index in CASES:
        operation = OPERATIONS[index]
        original = FILES[file_name]
        path = tmp_path / ('%s-%d.hosts' % (file_name, index))
        path.write_bytes(original)
        args = dict(operation, path=str(path))

        preview, failed = run_module(hosts_entry, dict(args, _ansible_check_mode=True, _ansible_diff=True))
        assert not failed, (file_name, operation, preview)
        assert path.read_bytes() == original
        del warnings[:]
        result, failed = run_module(hosts_entry, args)
        assert not failed, (file_name, operation, result)
        case_warnings = list(warnings)
        after = path.read_bytes()
        assert result['changed'] is preview['changed'] is (after != original), (file_name, operation)
        again, failed = run_module(hosts_entry, args)
        assert not failed and not again['changed'] and path.read_bytes() == after, (file_name, operation, again)
        for text in [preview['diff']['before'], preview['diff']['after']] + result['changes'] + case_warnings:
            text.encode('utf-8')  # valid text, whatever the file's bytes

        repaired = original + b'\n' if after != original and not original.endswith(b'\n') and original else original
        managed = [name.encode('ascii') for name in operation.get('hostnames') or []]
        names = sorted(_names_of(original) | _names_of(after) | set(managed))
        runs.append((file_name, operation, case_warnings, managed, names,
                     oracle.add(repaired, names), oracle.add(after, names)))

    oracle.run()
    # the oracle itself: glibc reads the scratch file (not the machine's), aliases beyond the 35th included
    debian = oracle.add(HAND_PICKED['debian'], [])
    assert oracle(debian, b'meeting1')['ahostsv4'] == [ipaddress.ip_address(u'127.0.1.1')]
    assert oracle(debian, b'ip6-localhost')['hosts'] == [ipaddress.ip_address(u'::1')]
    many = oracle.add(HAND_PICKED['many_aliases'], [])
    assert oracle(many, b'alias59')['ahostsv4'] == [ipaddress.ip_address(u'10.9.9.9')]
    assert sum(1 for answer in oracle.answers.values() if answer['ahostsv4']) > 500
    failures = []
    for file_name, operation, case_warnings, managed, names, before_key, after_key in runs:
        managed_folded = set(name.lower() for name in managed)
        ip = operation.get('ip')
        for name in names:
            before, after = oracle(before_key, name), oracle(after_key, name)
            is_managed = name.lower() in managed_folded  # bytes.lower(): ASCII only, as glibc
            problem = _check(operation, ip, name, is_managed, before, after, case_warnings)
            if problem:
                failures.append('%s %r %s: %s; before %s, after %s' % (
                    file_name, operation, name, problem, _show(before), _show(after)))
    assert not failures, '\n'.join(failures[:20])
    assert len(runs) == len(CASES) >= 250


def _show(answer):
    return dict((db, [str(a) for a in answer[db]]) for db in sorted(answer))


def _check(operation, ip, name, is_managed, before, after, warnings):
    """What is wrong with glibc's answers for `name` (None when the promise holds)."""
    state = operation.get('state', 'present')
    if state == 'present' and is_managed:
        if ipaddress.ip_address(ip) not in _family(after, ip):
            return 'does not resolve to %s' % ip
        mine = [text for text in warnings if text.encode('utf-8').lower().startswith(name.lower() + b' ')]
        if operation.get('exclusive') and warnings:
            return 'exclusive warned: %s' % warnings
        if not mine and not _all(after) <= _forms(ip):
            return 'resolves to other addresses too, without a warning'
        for text in mine:
            if not any(str(address) in text for address in _all(after) - _forms(ip)):
                return 'warning names no address that glibc returns: %s' % text
        return None
    if state == 'absent' and ip is None and is_managed:
        return 'still resolves' if _all(after) else None
    if state == 'absent' and ip is not None and (is_managed or not operation.get('hostnames')):
        if _all(after) & _forms(ip):
            return 'still resolves to %s' % ip
        if is_managed or _all(before) & _forms(ip):
            return None
    if after != before:
        return 'an unrelated name resolves differently'
    return None
