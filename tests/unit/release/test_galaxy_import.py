# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make release` imports the tarball with galaxy-importer, the checker Galaxy and Automation Hub run on upload:
a tarball it refuses, or any warning it logs, fails the release. galaxy.yml carries what Galaxy shows.
(The full import with ansible-lint runs in .ci/run through `make release`; here the importer runs without lint.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV = os.environ.get('VENV') or os.path.join(REPO, '.venv')


def _galaxy():
    with open(os.path.join(REPO, 'galaxy.yml')) as handle:
        return yaml.safe_load(handle)


def test_galaxy_yml_carries_what_galaxy_shows():
    meta = _galaxy()
    assert meta['description'] and len(meta['description']) <= 255
    assert meta['repository']
    # Automation Hub's category tags: at least one is required there (galaxy_importer.schema.REQUIRED_TAG_LIST)
    assert set(meta['tags']) & {'application', 'database', 'infrastructure', 'linux', 'tools'}
    assert len(meta['tags']) <= 20
    # documentation/homepage/issues are left out while the collection has no public home (see galaxy.yml)
    for key in ('documentation', 'homepage', 'issues'):
        assert key not in meta or not meta[key].startswith('https://example.invalid')


def test_a_real_release_refuses_the_placeholder_address(release_checks, tmp_path, capsys):
    report = release_checks.check_publishable(REPO)
    assert report.failures == ['galaxy.yml repository is a real address, not a placeholder']
    (tmp_path / 'galaxy.yml').write_text('repository: https://git.example.com/sametime/deploy\n')
    assert release_checks.check_publishable(str(tmp_path)).failures == []


@pytest.mark.parametrize('line, finding', [
    ('Loading module hosts_entry', False),
    ('...ansible-lint run complete', False),
    ('WARNING: ERROR    Failed to find sametime.deploy.federation_preflight playbook.', True),
    ('WARNING: roles/x/tasks/main.yml:3: name[casing]: All names should start with an uppercase letter.', True),
    ('ERROR: The import failed for the following reason: No role readme found.', True),
    ('Traceback (most recent call last):', True),
])
def test_importer_findings(release_checks, line, finding):
    log = 'Importing with galaxy-importer 0.4.44\n%s\nCollection loading complete\n' % line
    assert release_checks.importer_findings(log) == ([line] if finding else [])


def _content(kind, name, **extra):
    item = {'content_type': kind, 'content_name': name, 'doc_strings': {'doc': {'short_description': 'x'}},
            'readme_html': None}
    item.update(extra)
    return item


def test_importer_result_must_hold_every_plugin_role_and_playbook(release_checks, tmp_path):
    tree = tmp_path / 'tree'
    for rel in ('plugins/modules/one.py', 'roles/r1/tasks/main.yml', 'playbooks/site.yml',
                'plugins/filter/f.py'):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text('')
    (tree / 'plugins/filter/f.py').write_text(
        'class FilterModule(object):\n    def filters(self):\n        return {"ff": len}\n')
    good = {'docs_blob': {'collection_readme': {'html': '<p>x</p>'},
                          'contents': [_content('module', 'one'), _content('filter', 'ff'),
                                       _content('role', 'r1', doc_strings={}, readme_html='<h1>r1</h1>')]},
            'contents': [{'content_type': 'playbook', 'name': 'site.yml'}]}
    report = release_checks.Report()
    release_checks.check_importer_result(good, str(tree), report)
    assert report.failures == []

    bad = {'docs_blob': {'collection_readme': {'html': ''},
                         'contents': [_content('module', 'one', doc_strings={}),
                                      _content('role', 'r1', readme_html='')]},
           'contents': []}
    report = release_checks.Report()
    release_checks.check_importer_result(bad, str(tree), report)
    assert report.failures == [
        'importer: every module has documentation Galaxy shows',
        'importer: the 1 filter(s) of the tree are in the import',
        'importer: every role shows its README',
        'importer: the 1 playbooks are in the import',
        'importer: the collection README renders',
    ]


@pytest.fixture(scope='module')
def role_without_readme(tmp_path_factory, release_checks):
    """A tarball of the tree with one role README taken away (what the issue's first import tried)."""
    base = tmp_path_factory.mktemp('import')
    tree = str(base / 'tree')
    release_checks.stage(REPO, tree)
    os.remove(os.path.join(tree, 'roles', 'was_restart', 'README.md'))
    subprocess.run([os.path.join(VENV, 'bin', 'ansible-galaxy'), 'collection', 'build', '--output-path', str(base),
                    tree], check=True, stdout=subprocess.PIPE)
    tarball = os.path.join(str(base), 'sametime-deploy-%s.tar.gz' % _galaxy()['version'])
    return release_checks, tree, tarball, str(base / 'importer')


def test_importer_refuses_a_role_without_readme(role_without_readme):
    release_checks, tree, tarball, work = role_without_readme
    report = release_checks.check_importer(tree, tarball, work, lint=False)
    assert 'galaxy-importer imports sametime-deploy-%s.tar.gz' % _galaxy()['version'] in report.failures
    with open(os.path.join(work, 'importer.log')) as handle:
        assert 'No role readme found' in handle.read()


def test_readme_playbooks_are_the_ones_users_are_told_to_run(release_checks, tmp_path):
    (tmp_path / 'README.md').write_text(
        '| playbook | `site`, `preflight` | `ansible-playbook sametime.deploy.<name>` |\n\n'
        '```sh\nansible-playbook -i inventories/x sametime.deploy.rollback --check\n'
        'ansible-doc sametime.deploy.hosts_entry\n```\n')
    assert release_checks.readme_playbooks(str(tmp_path)) == ['preflight', 'rollback', 'site']
    # the collection's own README names only playbooks it ships
    assert set(release_checks.readme_playbooks(REPO)) <= set(release_checks.expected_playbooks(REPO))
