# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""pytest fixtures for the integration tests that run against the lab (see docs/lab.md).

- ``lab`` (session): a ``Lab`` object; the test FAILS (never skips) when the lab is not up.
- ``lab_exec(host, cmd_list, input=None, timeout=120, env=None) -> subprocess.CompletedProcess`` (text):
  runs the command inside the host's namespaces via ``tests/lab/labctl exec``.
- ``ansible_playbook(playbook_path, *args, timeout=900, env=None) -> CompletedProcess`` with ``.stats``
  (host -> {ok, changed, unreachable, failed, skipped, rescued, ignored}) parsed from the PLAY RECAP;
  runs from the repo root with the lab inventory.
- ``ansible_adhoc(pattern, module, args='', *extra) -> CompletedProcess`` for one-off module calls.
- ``lab_users`` (session): the LDAP manifest .lab/ldap/users.json (list of dicts: dn, uid, mail, kind,
  has_photo, photo_is_jpeg, has_jpegphoto, photo_size, photo_sha256).

Every test under tests/integration gets the ``lab`` marker.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABCTL = os.path.join(REPO, 'tests', 'lab', 'labctl')
INVENTORY = os.path.join(REPO, 'inventories', 'lab', 'hosts.yml')
LAB_DIR = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(REPO, '.lab'))

RECAP_RE = re.compile(r'^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$')


def _tool(name):
    """Prefer the tool next to the running interpreter (the repo's .venv), then PATH."""
    cand = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(cand):
        return cand
    found = shutil.which(name)
    if not found:
        raise RuntimeError('%s not found (activate .venv)' % name)
    return found


def parse_recap(output):
    """Return {host: {ok: n, changed: n, ...}} from an ansible-playbook PLAY RECAP."""
    stats = {}
    in_recap = False
    for line in output.splitlines():
        if line.startswith('PLAY RECAP'):
            in_recap = True
            stats = {}
            continue
        if in_recap:
            m = RECAP_RE.match(line.strip())
            if m:
                stats[m.group(1)] = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', m.group(2)))
            elif line.strip():
                in_recap = False
    return stats


class Lab(object):
    """What tests need to know about the running lab."""

    repo = REPO
    lab_dir = LAB_DIR
    labctl = LABCTL
    inventory = INVENTORY

    def __init__(self, status):
        self.status = status
        self.hosts = sorted(status['hosts'])

    def host_root(self, host):
        """The host's private tree: <root>/opt is the host's /opt, <root>/etc/hosts its /etc/hosts."""
        return os.path.join(self.lab_dir, 'hosts', host)

    def path(self, host, abs_path):
        """Controller-side path of a file the host sees at abs_path (only for /opt, /tmp, /root, /home, /etc/hosts)."""
        return os.path.join(self.host_root(host), abs_path.lstrip('/'))


def _env(extra=None):
    env = dict(os.environ)
    env['ANSIBLE_CONFIG'] = os.path.join(REPO, 'ansible.cfg')
    env.setdefault('ANSIBLE_FORCE_COLOR', '0')
    env['ANSIBLE_NOCOLOR'] = '1'
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    if extra:
        env.update(extra)
    return env


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here + os.sep):
            item.add_marker(pytest.mark.lab)


@pytest.fixture(scope='session')
def lab():
    proc = subprocess.run([sys.executable, LABCTL, 'status', '--json'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    try:
        status = json.loads(proc.stdout)
    except ValueError:
        status = {'state': 'unknown'}
    if proc.returncode != 0 or status.get('state') != 'up':
        pytest.fail('the lab is not up (state %s): run `make lab-up`\n%s%s'
                    % (status.get('state'), proc.stdout[-2000:], proc.stderr[-2000:]), pytrace=False)
    return Lab(status)


def run_in_host(host, cmd, input=None, timeout=120, env=None):
    """Run cmd (list) inside the lab host's namespaces; returns a text CompletedProcess (no check)."""
    if isinstance(cmd, str):
        raise TypeError('lab_exec wants a list of arguments, e.g. ["sh", "-c", "..."]')
    full = [sys.executable, LABCTL, 'exec', host, '--'] + list(cmd)
    return subprocess.run(full, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, cwd='/', env=_env(env), check=False)


@pytest.fixture
def lab_exec(lab):
    return run_in_host


def run_playbook(playbook, *args, **kwargs):
    timeout = kwargs.pop('timeout', 900)
    env = kwargs.pop('env', None)
    if kwargs:
        raise TypeError('unexpected arguments: %s' % ', '.join(kwargs))
    playbook = playbook if os.path.isabs(playbook) else os.path.join(REPO, playbook)
    cmd = [_tool('ansible-playbook'), '-i', INVENTORY, playbook] + list(args)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=timeout, cwd=REPO, env=_env(env), check=False)
    proc.stats = parse_recap(proc.stdout)
    return proc


@pytest.fixture
def ansible_playbook(lab):
    return run_playbook


def run_adhoc(pattern, module, module_args='', *args, **kwargs):
    timeout = kwargs.pop('timeout', 300)
    cmd = [_tool('ansible'), '-i', INVENTORY, pattern, '-m', module] + (['-a', module_args] if module_args else [])
    cmd += list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=timeout, cwd=REPO, env=_env(kwargs.pop('env', None)), check=False)


@pytest.fixture
def ansible_adhoc(lab):
    return run_adhoc


@pytest.fixture(scope='session')
def lab_users(lab):
    with open(os.path.join(LAB_DIR, 'ldap', 'users.json')) as f:
        return json.load(f)
