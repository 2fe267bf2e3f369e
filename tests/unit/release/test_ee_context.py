# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make ee-context`: the execution environment's build context names ldap3, netaddr, lxml and this collection,
and the collection's meta/execution-environment.yml is what ansible-builder reads from the installed copy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import tarfile

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOLS = os.path.join(REPO, 'tests', 'tools')

LIBS = ('ldap3', 'netaddr', 'lxml')


def _reqs(path):
    with open(path) as handle:
        lines = [line.split('#')[0].strip() for line in handle]
    return dict((canonicalize_name(Requirement(line).name), str(Requirement(line).specifier))
                for line in lines if line and not line.startswith('-'))


@pytest.fixture(scope='module')
def context(tmp_path_factory, run_tool):
    ctx = str(tmp_path_factory.mktemp('ee') / 'ee-context')
    proc = run_tool([os.path.join(TOOLS, 'ee_context.sh')], EE_CONTEXT=ctx)
    return proc, ctx


def test_ee_context_script_passes(context):
    proc, ctx = context
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert 'all checks passed' in proc.stdout
    assert 'FAIL:' not in proc.stdout


def test_context_requirements_name_the_controller_libraries(context):
    proc, ctx = context
    reqs = _reqs(os.path.join(ctx, '_build', 'requirements.txt'))
    repo_reqs = _reqs(os.path.join(REPO, 'requirements.txt'))
    for lib in LIBS:
        assert reqs[lib] == repo_reqs[lib], lib
    assert 'ansible-core' not in reqs  # the base image's ansible-core is kept


def test_context_installs_this_collection_from_its_own_tarball(context):
    proc, ctx = context
    with open(os.path.join(ctx, '_build', 'requirements.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    (entry,) = galaxy['collections']
    assert entry['type'] == 'file'
    with tarfile.open(os.path.join(ctx, '_build', entry['name'])) as tar:
        info = json.loads(tar.extractfile('MANIFEST.json').read().decode('utf-8'))['collection_info']
    with open(os.path.join(REPO, 'galaxy.yml')) as handle:
        version = str(yaml.safe_load(handle)['version'])
    assert (info['namespace'], info['name'], info['version']) == ('sametime', 'deploy', version)
    with open(os.path.join(ctx, 'Containerfile')) as handle:
        containerfile = handle.read()
    with open(os.path.join(REPO, 'execution-environment.yml')) as handle:
        base = yaml.safe_load(handle)['images']['base_image']['name']
    assert 'ARG EE_BASE_IMAGE="%s"' % base in containerfile
    assert 'ARG ANSIBLE_GALAXY_CLI_COLLECTION_OPTS="--offline"' in containerfile


def test_rehearsal_introspects_the_installed_collection(context):
    """The builder stage's introspection, replayed by the script on the collection installed from the context."""
    proc, ctx = context
    with open(ctx + '-rehearsal/pip.txt') as handle:
        pip_lines = handle.read().splitlines()
    for lib in LIBS:
        assert any(line.startswith(lib) and line.endswith('# from collection sametime.deploy') for line in pip_lines)
    assert not any(line.startswith('ansible-core') for line in pip_lines)
    with open(ctx + '-rehearsal/bindep.txt') as handle:
        assert 'libxml2 [platform:rpm]  # from collection sametime.deploy' in handle.read().splitlines()


def test_ee_python_list_matches_requirements_txt():
    with open(os.path.join(REPO, 'execution-environment.yml')) as handle:
        ee = yaml.safe_load(handle)
    ee_reqs = dict((canonicalize_name(Requirement(line).name), str(Requirement(line).specifier))
                   for line in ee['dependencies']['python'])
    repo_reqs = _reqs(os.path.join(REPO, 'requirements.txt'))
    repo_reqs.pop('ansible-core', None)
    assert ee_reqs == repo_reqs


def test_meta_execution_environment_points_at_collection_files():
    with open(os.path.join(REPO, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta['version'] == 1
    for kind, name in (('python', 'requirements.txt'), ('system', 'bindep.txt')):
        path = meta['dependencies'][kind]
        assert path == name and not os.path.isabs(path)
        with open(os.path.join(REPO, path)) as handle:
            assert handle.read().strip()


def test_bindep_parses_for_el9_and_debian():
    from bindep.depends import Depends
    with open(os.path.join(REPO, 'bindep.txt')) as handle:
        depends = Depends(handle.read())
    rpm = [rule[0] for rule in depends.active_rules(['platform:rpm', 'platform:redhat'])]
    dpkg = [rule[0] for rule in depends.active_rules(['platform:dpkg', 'platform:debian'])]
    assert set(rpm) == {'libxml2', 'libxslt', 'openssh-clients'}
    assert set(dpkg) == {'libxml2', 'libxslt1.1', 'openssh-client'}


@pytest.mark.parametrize('damage,named', [
    ('drop_lxml', 'context requirements name lxml'),
    ('repin_netaddr', 'context pins netaddr'),
    ('drop_tarball', 'is inside the context'),
])
def test_checker_fails_on_a_damaged_context(context, tmp_path, release_checks, damage, named):
    proc, ctx = context
    copy = str(tmp_path / 'ctx')
    shutil.copytree(ctx, copy)
    req = os.path.join(copy, '_build', 'requirements.txt')
    with open(req) as handle:
        lines = handle.read().splitlines()
    if damage == 'drop_lxml':
        lines = [line for line in lines if not line.startswith('lxml')]
    elif damage == 'repin_netaddr':
        lines = ['netaddr>=0.7' if line.startswith('netaddr') else line for line in lines]
    else:
        shutil.rmtree(os.path.join(copy, '_build', 'collections'))
    with open(req, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    report = release_checks.check_ee_context(REPO, copy)
    assert [f for f in report.failures if named in f], report.failures
