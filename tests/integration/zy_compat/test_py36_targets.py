# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-core 2.16 + Python 3.6 targets on the lab (issue 12).

Python 3.6 comes from the machine's pyenv build, hard-linked into each target's own /opt (the lab's per-host
tree), with a wrapper because pyenv links libpython by an absolute RUNPATH. ansible-core 2.16 comes from
.venv-compat (`make test-compat` / `make test` create it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import shutil
import subprocess

import pytest

from conftest import INVENTORY, REPO, LAB_DIR, parse_recap  # pylint: disable=import-error

HOSTS = ('meeting1', 'db2a', 'ssc', 'ihs1')
COMPAT_PLAYBOOK = os.path.join(REPO, '.venv-compat', 'bin', 'ansible-playbook')
PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'py36.yml')
WRAPPER = """#!/bin/sh
LD_LIBRARY_PATH=/opt/python3.6/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec /opt/python3.6/bin/python3.6 "$@"
"""


def python36_source():
    found = sorted(glob.glob(os.path.expanduser(os.path.join(
        os.environ.get('PYENV_ROOT', '~/.pyenv'), 'versions', '3.6.*', 'bin', 'python3.6'))))
    return os.path.dirname(os.path.dirname(found[-1])) if found else None


@pytest.fixture(scope='module')
def py36_targets(lab):
    source = python36_source()
    if source is None:
        pytest.fail('no Python 3.6 on this machine (pyenv versions/3.6.x) to install on the lab hosts', pytrace=False)
    for host in HOSTS:
        dest = os.path.join(LAB_DIR, 'hosts', host, 'opt', 'python3.6')
        if not os.path.exists(os.path.join(dest, 'bin', 'python3.6-lab')):
            shutil.rmtree(dest, ignore_errors=True)
            if subprocess.call(['cp', '-al', source, dest]) != 0:
                shutil.rmtree(dest, ignore_errors=True)
                subprocess.check_call(['cp', '-a', source, dest])
            with open(os.path.join(dest, 'bin', 'python3.6-lab'), 'w') as handle:
                handle.write(WRAPPER)
            os.chmod(os.path.join(dest, 'bin', 'python3.6-lab'), 0o755)
    return HOSTS


def run_compat(*args):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), ANSIBLE_FORCE_COLOR='0')
    env['PATH'] = os.path.dirname(COMPAT_PLAYBOOK) + os.pathsep + env.get('PATH', '')
    proc = subprocess.run([COMPAT_PLAYBOOK, '-i', INVENTORY, PLAYBOOK] + list(args), cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900,
                          check=False)
    proc.stats = parse_recap(proc.stdout)
    return proc


def test_core_216_converges_py36_targets_and_is_idempotent(py36_targets):
    assert os.path.exists(COMPAT_PLAYBOOK), 'run `make test-compat` first: %s is missing' % COMPAT_PLAYBOOK
    version = subprocess.run([COMPAT_PLAYBOOK, '--version'], stdout=subprocess.PIPE, universal_newlines=True,
                             check=True).stdout
    assert 'core 2.16.' in version.splitlines()[0]

    first = run_compat()
    assert first.returncode == 0, first.stdout[-6000:]
    assert set(first.stats) == set(py36_targets)
    assert all(s['failed'] == 0 and s['unreachable'] == 0 for s in first.stats.values()), first.stats

    second = run_compat()
    assert second.returncode == 0, second.stdout[-6000:]
    assert {h: s['changed'] for h, s in second.stats.items()} == {h: 0 for h in py36_targets}, second.stdout[-6000:]


def test_check_mode_on_py36_targets_changes_nothing(py36_targets):
    proc = run_compat('--check', '--diff')
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert {h: s['changed'] for h, s in proc.stats.items()} == {h: 0 for h in py36_targets}
