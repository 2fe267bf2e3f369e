# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lab-down leaves nothing behind, and the lab survives up/down cycles.

Opt-in with LAB_CYCLE_TEST=1: these tests take the whole lab down (and bring it back up), which would
disturb anybody else using the lab at the same time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(os.environ.get('LAB_CYCLE_TEST') != '1',
                                reason='opt-in: set LAB_CYCLE_TEST=1 (takes the lab down and up again)')

HOSTS = ['router', 'ssc', 'stproxy1', 'stproxy2', 'meeting1', 'meeting2', 'ihs1', 'ldap1', 'db2a', 'db2b',
         'client-office', 'client-vpn', 'guest']


def labctl(lab, *args):
    return subprocess.run([sys.executable, lab.labctl] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)


def snapshot(lab):
    """Namespace inodes and pids of everything running in the lab right now (independently of labctl)."""
    inodes = set()
    for h in HOSTS:
        inodes.add(('net', os.stat('/run/netns/%s' % h).st_ino))
        inodes.add(('mnt', os.stat(os.path.join(lab.lab_dir, 'ns', h, 'mnt')).st_ino))
    pids = set()
    for h in HOSTS:
        out = subprocess.run(['ip', 'netns', 'pids', h], stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout
        pids.update(int(p) for p in out.split())
    return inodes, pids


def alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def leftovers(lab, inodes, pids):
    found = {}
    ns = sorted(set(os.listdir('/run/netns')) & set(HOSTS)) if os.path.isdir('/run/netns') else []
    if ns:
        found['netns'] = ns
    links = subprocess.run(['ip', '-o', 'link', 'show'], stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout
    stl = [line.split(':')[1].strip() for line in links.splitlines() if line.split(':')[1].strip().startswith('stl-')]
    if stl:
        found['links'] = stl
    with open('/proc/self/mountinfo') as f:
        mnts = [line.split()[4] for line in f]
    ours = [m for m in mnts if m.startswith(lab.lab_dir) or m in ['/run/netns/%s' % h for h in HOSTS]]
    if ours:
        found['mounts'] = ours
    still = sorted(p for p in pids if alive(p))
    in_ns = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            for kind in ('net', 'mnt'):
                try:
                    if (kind, os.stat('/proc/%s/ns/%s' % (entry, kind)).st_ino) in inodes:
                        in_ns.append(int(entry))
                except OSError:
                    pass
    if still or in_ns:
        found['processes'] = sorted(set(still + in_ns))
    routes = subprocess.run(['ip', 'route', 'show'], stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout
    if 'stl-' in routes:
        found['routes'] = [r for r in routes.splitlines() if 'stl-' in r]
    return found


def check_up(lab):
    st = labctl(lab, 'status')
    assert st.returncode == 0, st.stdout
    ping = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible'), '-i', lab.inventory, 'all',
                           '-m', 'ansible.builtin.ping'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, cwd=lab.repo, check=False)
    assert ping.returncode == 0, ping.stdout
    assert ping.stdout.count('SUCCESS') == 12, ping.stdout
    ldap = subprocess.run(['ldapsearch', '-x', '-LLL', '-H', 'ldap://203.0.113.30', '-b', 'dc=acme,dc=example',
                           '(uid=user00001)', 'dn'], stdout=subprocess.PIPE, universal_newlines=True, check=False)
    assert ldap.returncode == 0 and 'uid=user00001,ou=people,dc=acme,dc=example' in ldap.stdout
    for host, mgmt in (('meeting1', '203.0.113.140'), ('meeting2', '203.0.113.141')):
        res = labctl(lab, 'exec', host, '--', 'getent', 'hosts', host)
        assert res.returncode == 0 and res.stdout.split()[0] == mgmt, res.stdout   # the seed's naive lookup
    curl = labctl(lab, 'exec', 'guest', '--', 'curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '-m', '10',
                  'http://203.0.113.20/')
    assert curl.returncode == 0 and len(curl.stdout.strip()) == 3 and curl.stdout.strip() != '000', curl.stdout


def test_down_leaves_nothing_behind_and_up_restores(lab):
    inodes, pids = snapshot(lab)
    assert pids, 'the lab should have processes (sshd, httpd, slapd) before lab-down'
    down = labctl(lab, 'down')
    assert down.returncode == 0, down.stdout
    assert leftovers(lab, inodes, pids) == {}
    up = labctl(lab, 'up')
    assert up.returncode == 0, up.stdout
    check_up(lab)


def test_three_up_down_cycles(lab):
    for cycle in range(3):
        inodes, pids = snapshot(lab)
        down = labctl(lab, 'down')
        assert down.returncode == 0, (cycle, down.stdout)
        assert leftovers(lab, inodes, pids) == {}, cycle
        assert labctl(lab, 'status', '--quiet').returncode == 3
        up = labctl(lab, 'up')
        assert up.returncode == 0, (cycle, up.stdout)
        check_up(lab)
