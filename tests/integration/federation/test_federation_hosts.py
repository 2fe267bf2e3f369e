# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 7 on the lab: the preflight fails on the Meeting servers as installed, the role fixes it, once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import hashlib
import importlib.machinery
import importlib.util
import os

import pytest

pytestmark = pytest.mark.lab

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PREFLIGHT = os.path.join(REPO, 'playbooks', 'federation_preflight.yml')
APPLY = os.path.join(HERE, 'apply.yml')
IN_PLACE = os.path.join(HERE, 'in_place.yml')

PROD = {'ssc': '203.0.113.10', 'stproxy1': '203.0.113.11', 'meeting1': '203.0.113.12', 'meeting2': '203.0.113.13',
        'stproxy2': '203.0.113.14'}
MGMT = {'ssc': '203.0.113.138', 'stproxy1': '203.0.113.139', 'meeting1': '203.0.113.140', 'meeting2': '203.0.113.141',
        'stproxy2': '203.0.113.142'}
ORDER = ['ssc', 'meeting1', 'meeting2', 'stproxy1', 'stproxy2']  # federation_hosts_groups order in the lab: ssc, meeting, stproxy


def _labctl():
    loader = importlib.machinery.SourceFileLoader('labctl_for_federation', os.path.join(REPO, 'tests', 'lab', 'labctl'))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _host_file(lab, host):
    """The file bind-mounted as the lab host's /etc/hosts (written in place, so the mount stays valid)."""
    return lab.path(host, '/etc/hosts')


def _read_in_host(lab_exec, host, cmd):
    proc = lab_exec(host, cmd)
    assert proc.returncode == 0, (host, cmd, proc.stderr)
    return proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode()


def _machine_state():
    """The machine's own /etc/hosts and anything a wrong write path would leave next to it."""
    return _sha256('/etc/hosts'), sorted(glob.glob('/etc/hosts.*') + glob.glob('/etc/.sametime-*'))


def _expected_after(fresh, host):
    """Fresh-install file -> what the role must make of it (derived by hand from the rules, not by the module)."""
    lines = fresh.splitlines(True)
    own_mgmt = '%s\t%s.acme.example %s\n' % (MGMT[host], host, host)
    if host.startswith('meeting'):
        lines.remove(own_mgmt)  # exclusive: the installer's mapping of the own name to the mgmt NIC goes
    for member in ORDER:
        line = '%s\t%s.acme.example %s\n' % (PROD[member], member, member)
        if line not in lines:
            lines.append(line)
    return ''.join(lines)


@pytest.fixture
def fresh_members(lab):
    """Each member's /etc/hosts as lab-up writes it (a fresh install); the previous content is put back afterwards."""
    labctl = _labctl()
    saved = {}
    fresh = {}
    for host in PROD:
        path = _host_file(lab, host)
        with open(path, 'rb') as handle:
            saved[host] = handle.read()
        fresh[host] = labctl.hosts_file(labctl.HOST_BY_NAME[host])
        with open(path, 'w') as handle:
            handle.write(fresh[host])
    yield fresh
    for host, content in saved.items():
        with open(_host_file(lab, host), 'wb') as handle:
            handle.write(content)


def test_preflight_fails_then_role_fixes_once(lab, lab_exec, ansible_playbook, fresh_members):
    machine_before = _machine_state()
    inodes = dict((host, _read_in_host(lab_exec, host, ['stat', '-c', '%i', '/etc/hosts'])) for host in PROD)
    for host in ('meeting1', 'meeting2'):
        got = _read_in_host(lab_exec, host, ['getent', 'hosts', host]).split()[0]
        assert got == MGMT[host], 'the lab should start with the seed bug on %s' % host

    # 1. before the role: the preflight fails on both Meeting servers, and says who resolves whom to what
    before = ansible_playbook(PREFLIGHT)
    assert before.returncode != 0
    assert before.stats['meeting1']['failed'] == 1
    assert before.stats['meeting2']['failed'] == 1
    out = before.stdout if isinstance(before.stdout, str) else before.stdout.decode()
    for host in ('meeting1', 'meeting2'):
        row = '%-10s %-26s %-10s %-15s %-28s %s' % (host, host, host, PROD[host], MGMT[host], 'MISMATCH')
        assert row in out, 'no table row for %s resolving itself to its mgmt address:\n%s' % (host, out)
    assert 'resolver   name' in out
    for host in PROD:  # nothing was written by the check
        with open(_host_file(lab, host)) as handle:
            assert handle.read() == fresh_members[host]

    # 2. the role: entries written, its own preflight passes on every member
    applied = ansible_playbook(APPLY)
    assert applied.returncode == 0, applied.stdout
    for host in PROD:
        assert applied.stats[host]['failed'] == 0
        assert applied.stats[host]['changed'] >= 1, host  # every member lacked at least one peer
        with open(_host_file(lab, host)) as handle:
            assert handle.read() == _expected_after(fresh_members[host], host), host
        for member, address in PROD.items():
            for name in (member, '%s.acme.example' % member):
                got = _read_in_host(lab_exec, host, ['getent', 'hosts', name]).split()[0]
                assert got == address, '%s resolves %s to %s' % (host, name, got)
        # in place: the bind mount still shows the same file
        assert _read_in_host(lab_exec, host, ['stat', '-c', '%i', '/etc/hosts']) == inodes[host]

    # 3. the standalone preflight now passes everywhere
    after = ansible_playbook(PREFLIGHT)
    assert after.returncode == 0, after.stdout
    for host in PROD:
        assert after.stats[host]['failed'] == 0

    # 4. a second run changes nothing
    again = ansible_playbook(APPLY)
    assert again.returncode == 0, again.stdout
    for host in PROD:
        assert again.stats[host]['changed'] == 0, host

    # 5. the machine's own /etc/hosts is untouched, and no backup or temporary file landed next to it
    assert _machine_state() == machine_before


def test_module_writes_bind_mounted_hosts_in_place(lab, ansible_playbook):
    machine_before = _machine_state()
    result = ansible_playbook(IN_PLACE)
    assert result.returncode == 0, result.stdout
    assert result.stats['meeting1']['failed'] == 0
    assert result.stats['meeting1']['changed'] == 2
    assert _machine_state() == machine_before
