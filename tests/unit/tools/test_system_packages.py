# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bindep.txt is complete: every executable the lab, its hooks, the tests and the benches call (found by
tests/tools/executables.py) comes from a Debian package of the profiles the make target installs (or a package
those depend on), from Debian's base system (Essential or Priority "required": what debootstrap's minbase and
the debian:12 image have), from .venv, or from the project itself (the emulators, the lab's IHS wrapper).
Which package owns a file is asked of dpkg on this machine, where `make test` installed profiles lab + test."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.sametime.deploy.tests.tools import executables

REPO = executables.REPO
SYSDEPS = os.path.join(REPO, 'tests', 'tools', 'sysdeps.sh')
VENV_BIN = os.path.join(REPO, '.venv', 'bin')
SYSTEM_DIRS = ('/usr/sbin', '/usr/bin', '/sbin', '/bin')
# where a file's executables run -> the bindep profiles its make targets install first (Makefile)
AREAS = (
    ('bench/', ('lab', 'bench')),            # make bench
    ('tests/lab/', ('lab',)),                # make lab-up, make demo
    ('tests/emulators/', ('lab',)),          # installed into the lab hosts by the hooks
    ('tests/tools/demo.py', ('lab',)),       # make demo
    ('', ('lab', 'test')),                   # make test, .ci/run: the tests, the tools, the molecule scenarios
)
PROJECT_DIRS = ('tests/emulators', 'tests/lab/files')


def profiles_of(path):
    return next(profiles for prefix, profiles in AREAS if path.startswith(prefix))


def listed(profiles):
    out = subprocess.run([SYSDEPS, '--list'] + list(profiles), stdout=subprocess.PIPE, universal_newlines=True,
                         check=True).stdout
    return set(out.split())


def _names(field):
    """Package names of a Depends/Pre-Depends field (every alternative; versions and :arch dropped)."""
    return set(re.split(r'[\s:(]', alt.strip())[0] for alt in re.split(r'[,|]', field) if alt.strip())


@pytest.fixture(scope='module')
def dpkg():
    out = subprocess.run(['dpkg-query', '-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Essential}\t${Priority}\t'
                          '${Pre-Depends}\t${Depends}\t${Provides}\n'], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    installed, base, depends = set(), set(), {}
    for line in out.splitlines():
        name, status, essential, priority, pre, deps, provides = (line.split('\t') + [''] * 7)[:7]
        if not status.startswith('ii'):
            continue
        installed.add(name)
        for virtual in _names(provides):
            depends.setdefault(virtual, set()).add(name)
        depends.setdefault(name, set()).update(_names(pre) | _names(deps))
        if essential == 'yes' or priority == 'required':
            base.add(name)
    return {'installed': installed, 'base': base, 'depends': depends}


def closure(packages, depends):
    seen, todo = set(), list(packages)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(depends.get(name, ()))
    return seen


@pytest.fixture(scope='module')
def owners():
    """path -> the Debian package that ships it, from dpkg's file lists (one read, not one dpkg -S a file)."""
    found = {}
    info = '/var/lib/dpkg/info'
    for name in os.listdir(info):
        if name.endswith('.list'):
            package = name[:-len('.list')].split(':')[0]
            with open(os.path.join(info, name), errors='replace') as handle:
                for line in handle:
                    found.setdefault(line.rstrip('\n'), package)
    return found


def owner(path, owners):
    """The package that ships path (merged /usr: dpkg may know it as /bin/x or /usr/bin/x; alternatives and
    other symlinks are followed)."""
    candidates = [path, os.path.realpath(path)]
    for cand in list(candidates):
        candidates.append(cand[4:] if cand.startswith('/usr/') else '/usr' + cand)
    return next((owners[c] for c in candidates if c in owners), None)


def project_names():
    names = set()
    for top in PROJECT_DIRS:
        for root, _dirs, files in os.walk(os.path.join(REPO, top)):
            names.update(f for f in files if os.access(os.path.join(root, f), os.X_OK))
    return names


def problems(calls, dpkg, owners, listed_for=listed):
    """One line per call that no package of its profiles (nor the base system, .venv or the project) provides."""
    found, allowed_by_profiles, project = [], {}, project_names()
    for call in calls:
        name = call.name
        if name in project:
            continue
        path = name if name.startswith('/') else next(
            (os.path.join(d, name) for d in SYSTEM_DIRS if os.access(os.path.join(d, name), os.X_OK)), None)
        if path is None:
            if os.access(os.path.join(VENV_BIN, name), os.X_OK):
                continue  # a pip package of requirements-dev.txt
            found.append('%r: not installed; add the Debian package that provides it to bindep.txt' % call)
            continue
        package = owner(path, owners)
        profiles = profiles_of(call.path)
        if profiles not in allowed_by_profiles:
            allowed_by_profiles[profiles] = closure(listed_for(profiles), dpkg['depends']) | dpkg['base']
        if package is None:
            found.append('%r: %s belongs to no Debian package' % (call, path))
        elif package not in allowed_by_profiles[profiles]:
            found.append('%r: %s is in Debian package %s, which is not in bindep.txt profiles %s nor a dependency '
                         'of one' % (call, path, package, '/'.join(profiles)))
    return found


@pytest.fixture(scope='module')
def calls():
    return executables.all_calls()


def test_every_called_executable_comes_from_a_listed_package(calls, dpkg, owners):
    assert len(calls) > 100, 'the reader found too few calls to be reading the sources: %r' % calls
    assert problems(calls, dpkg, owners) == []


@pytest.mark.parametrize('package,named', [
    ('jython', '/usr/bin/jython (tests/emulators/was/'),     # the emulator's wsadmin.sh runs Debian's jython
    ('iproute2', 'ip (tests/lab/labctl:'),                     # the lab's namespaces
    ('libjpeg-turbo-progs', '/usr/bin/djpeg (tests/integration/lab/'),
    ('wrk', 'wrk (bench/ihs_vhost/run:'),
])
def test_a_package_missing_from_the_list_is_named(calls, dpkg, owners, package, named):
    """The check can fail: with one package taken off the list, a call it provides is reported."""
    def without(profiles):
        return listed(profiles) - {package}

    found = problems(calls, dpkg, owners, listed_for=without)
    assert any(named in line and package in line for line in found), found


@pytest.mark.parametrize('profiles', [('lab',), ('test',), ('bench',), ('venv',), ('lab', 'test'), ('lab', 'bench')])
def test_sysdeps_reads_bindep_txt_as_bindep_does(profiles):
    out = subprocess.run([os.path.join(VENV_BIN, 'bindep'), '-f', os.path.join(REPO, 'bindep.txt'), '-l',
                          'newline'] + list(profiles), stdout=subprocess.PIPE, universal_newlines=True,
                         check=False).stdout
    assert listed(profiles) == set(out.split())
    assert listed(profiles)


def test_sysdeps_refuses_what_it_does_not_understand(tmp_path):
    bad = tmp_path / 'bindep.txt'
    bad.write_text('curl [lab platform:dpkg]\nfoo >= 1.0 [lab]\n')
    proc = subprocess.run([SYSDEPS, '--list', 'lab'], env=dict(os.environ, BINDEP_FILE=str(bad)),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 2 and proc.stdout == ''
    assert ':2: only `name [selectors]` is understood' in proc.stderr and 'foo >= 1.0 [lab]' in proc.stderr


def test_sysdeps_as_non_root_names_the_packages_and_the_command():
    """Stops before anything and names the packages and the command (run as nobody; the checkout and a
    world-readable copy of a fake bindep.txt must be readable by nobody)."""
    if os.geteuid() != 0:
        pytest.fail('this test runs the script as nobody and needs root to switch (make test runs as root)')
    workdir = tempfile.mkdtemp(prefix='sysdeps-')
    try:
        os.chmod(workdir, 0o755)
        fake = os.path.join(workdir, 'bindep.txt')
        with open(fake, 'w') as handle:
            # a package that is surely absent, one for another platform, one of another profile
            handle.write('sametime-no-such-package [fake platform:dpkg]\nsl [fake !platform:dpkg]\ncowsay [other]\n')
        os.chmod(fake, 0o644)
        script = os.path.join(workdir, 'sysdeps.sh')
        shutil.copy(SYSDEPS, script)
        os.chmod(script, 0o755)
        proc = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', script, 'fake'],
                              env=dict(os.environ, BINDEP_FILE=fake), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, check=False, cwd='/')
    finally:
        shutil.rmtree(workdir)
    assert proc.returncode == 1, proc.stderr
    assert 'missing Debian packages (bindep.txt, profiles fake): sametime-no-such-package\n' in proc.stderr
    assert ('apt-get update && apt-get install -y --no-install-recommends sametime-no-such-package\n'
            in proc.stderr)


@pytest.mark.parametrize('kind,text,expected', [
    ('shell', 'set -eu\nFOO=1 curl -s x | sha256sum && $X/bin/y\nif ! getent passwd a; then :; fi\n', [
        'curl', 'sha256sum', 'getent']),
    ('shell', 'case "$1" in\n  start|stop) run ;;\n  *) exit 0 ;;\nesac\n', ['run']),
    ('shell', 'f() { cat; }\nf\nx=$(awk \'{ print ( $1 ) }\' file) i=$((i + 1))\n', ['cat', 'awk']),
    ('shell', "cat <<'EOF'\nnot a command\nEOF\nexec /usr/bin/jython x  # a comment: ls\n",
     ['cat', '/usr/bin/jython']),
    ('python', "import subprocess\nsubprocess.run(['ip', 'netns'])\ncmd = PREFIX + ['wrk', '-t']\n"
               "subprocess.check_output(cmd)\nin_host('h', 'curl', '-s')\nshutil.which('taskset')\n"
               "run(['sh', '-c', 'openssl x | base64'])\nHTTPD = IHS + '/bin/apachectl'\n",
     ['ip', 'wrk', 'curl', 'taskset', 'sh', 'openssl', 'base64']),
    ('yaml', '- hosts: all\n  tasks:\n    - ansible.builtin.command:\n        argv: [getent, hosts]\n'
             '    - ansible.builtin.shell: hostname | cut -c1\n', ['getent', 'hostname', 'cut']),
])
def test_reader_finds_the_commands(kind, text, expected):
    scan = {'shell': executables.scan_shell, 'python': executables.scan_python, 'yaml': executables.scan_yaml}[kind]
    assert sorted(c.name for c in scan(text, 'x')) == sorted(expected)
