# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make release`: the tarball carries the changelog built from the fragments and none of the local folders;
installed offline into an empty path, `ansible-doc` lists every module, filter and role of the tree from that copy.
The rehearsal leaves the working tree alone; REAL_RELEASE=1 consumes the fragments (tried on a copy)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOLS = os.path.join(REPO, 'tests', 'tools')
VENV = os.environ.get('VENV') or os.path.join(REPO, '.venv')


def _version():
    with open(os.path.join(REPO, 'galaxy.yml')) as handle:
        return str(yaml.safe_load(handle)['version'])


def _changelogs_state(root):
    state = {}
    for path in sorted(glob.glob(os.path.join(root, 'changelogs', '**', '*'), recursive=True)):
        if os.path.isfile(path):
            with open(path, 'rb') as handle:
                state[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return state


@pytest.fixture(scope='module')
def release(tmp_path_factory, run_tool):
    out = str(tmp_path_factory.mktemp('release') / 'out')
    before = _changelogs_state(REPO)
    # galaxy-importer (a minute of ansible-lint) is left to `make release` in .ci/run and test_galaxy_import.py
    proc = run_tool([os.path.join(TOOLS, 'release.sh')], RELEASE_OUT=out, RELEASE_IMPORTER='0')
    tarball = os.path.join(out, 'dist', 'sametime-deploy-%s.tar.gz' % _version())
    return {'proc': proc, 'out': out, 'tarball': tarball, 'before': before, 'after': _changelogs_state(REPO)}


def _isolated(work, collections):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))
    cfg = os.path.join(work, 'ansible.cfg')
    with open(cfg, 'w') as handle:
        handle.write('[defaults]\n')
    env.update({'ANSIBLE_CONFIG': cfg, 'ANSIBLE_COLLECTIONS_PATH': collections,
                'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'False', 'ANSIBLE_ROLES_PATH': work})
    env['PATH'] = os.path.join(VENV, 'bin') + os.pathsep + env['PATH']
    return env


def _listed(kind, env, cwd):
    proc = subprocess.run([os.path.join(VENV, 'bin', 'ansible-doc'), '-t', kind, '-l', 'sametime.deploy', '--json'],
                          cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return sorted(json.loads(proc.stdout))


def test_release_script_passes(release):
    assert release['proc'].returncode == 0, release['proc'].stdout[-5000:]
    assert 'all checks passed' in release['proc'].stdout


def test_rehearsal_leaves_the_working_tree_changelogs_alone(release):
    assert release['after'] == release['before']
    assert any(name.startswith(os.path.join('changelogs', 'fragments')) for name in release['before'])


def test_tarball_content(release):
    with tarfile.open(release['tarball']) as tar:
        names = tar.getnames()
        changes = yaml.safe_load(tar.extractfile('changelogs/changelog.yaml').read())
    for local in ('.venv', '.collections', 'build', '.lab', '.git'):
        assert not [n for n in names if n == local or n.startswith(local + '/')], local
    for need in ('meta/execution-environment.yml', 'bindep.txt', 'requirements.txt', 'CHANGELOG.rst',
                 'execution-environment.yml', 'docs/awx.md'):
        assert need in names, need
    entries = changes['releases'][_version()]
    fragments = sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO, 'changelogs', 'fragments', '*.yml')))
    assert set(fragments) <= set(entries['fragments'])


def test_installed_copy_lists_every_module_filter_and_role(release, release_checks, tmp_path):
    """Independent of the script: list from the installed copy only and compare with the source tree."""
    env = _isolated(str(tmp_path), os.path.join(release['out'], 'install'))
    modules = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, 'plugins', 'modules', '*.py'))
                     if not p.endswith('__init__.py'))
    filters = sorted(name for p in glob.glob(os.path.join(REPO, 'plugins', 'filter', '*.py'))
                     for name in release_checks.filter_names_in(p))
    roles = sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO, 'roles', '*')) if os.path.isdir(p))
    assert modules, 'no modules in plugins/modules'
    for kind, names in (('module', modules), ('filter', filters), ('role', roles)):
        assert _listed(kind, env, str(tmp_path)) == ['sametime.deploy.' + n for n in names], kind


@pytest.mark.slow
def test_checker_names_what_the_installed_copy_lacks(release, release_checks, tmp_path):
    """Damage a copy of the installed collection: the check must fail and name the missing pieces."""
    install = str(tmp_path / 'install')
    shutil.copytree(os.path.join(release['out'], 'install'), install, symlinks=True)
    root = os.path.join(install, 'ansible_collections', 'sametime', 'deploy')
    victim = sorted(glob.glob(os.path.join(root, 'plugins', 'modules', '*.py')))[0]
    os.remove(victim)
    roles = sorted(glob.glob(os.path.join(root, 'roles', '*', 'meta', 'argument_specs.yml')))
    for spec in roles[:1]:
        os.remove(spec)
    work = str(tmp_path / 'work')
    os.makedirs(work)
    report = release_checks.check_installed(REPO, install, release['tarball'], work=work)
    module = 'sametime.deploy.' + os.path.basename(victim)[:-3]
    assert [d for w, d in report.details if w.startswith('ansible-doc -t module -l') and module in d], report.details
    if roles:  # `-t role -l` still lists a role without a spec; the entry-point check names it
        role = roles[0].split(os.sep)[-3]
        assert [f for f in report.failures if f.startswith('every role documents its main entry point')], \
            report.failures
        assert any(role in detail for what, detail in report.details), report.details
    assert module not in _listed('module', _isolated(work, install), work)


@pytest.mark.slow
def test_real_release_consumes_the_fragments_of_its_tree(run_tool, release_checks, tmp_path):
    """REAL_RELEASE=1 run from a copy of the repo: fragments gone, changelog.yaml has the release, CHANGELOG.rst."""
    copy = str(tmp_path / 'repo')
    release_checks.stage(REPO, copy)
    fragments = sorted(os.listdir(os.path.join(copy, 'changelogs', 'fragments')))
    assert fragments
    # a real release refuses galaxy.yml's .invalid placeholder (test_galaxy_import.py); give the copy an address
    with open(os.path.join(copy, 'galaxy.yml')) as handle:
        meta = handle.read()
    with open(os.path.join(copy, 'galaxy.yml'), 'w') as handle:
        handle.write(meta.replace('https://example.invalid/', 'https://git.example.com/'))
    proc = run_tool([os.path.join(copy, 'tests', 'tools', 'release.sh')], cwd=copy, REAL_RELEASE='1',
                    RELEASE_OUT=str(tmp_path / 'out'), RELEASE_IMPORTER='0')
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert not [n for n in os.listdir(os.path.join(copy, 'changelogs', 'fragments')) if n.endswith('.yml')]
    with open(os.path.join(copy, 'changelogs', 'changelog.yaml')) as handle:
        released = yaml.safe_load(handle)['releases'][_version()]
    assert sorted(released['fragments']) == [f for f in fragments if f.endswith('.yml')]
    with open(os.path.join(copy, 'CHANGELOG.rst')) as handle:
        assert 'v%s' % _version() in handle.read()
