# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every role has a README.md (Galaxy refuses a collection whose role has none) that says what the role does, what
it changes on which host, shows an example play, and whose variables section is the one generated from the role's
meta/argument_specs.yml (tests/tools/role_readmes.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import re
import shutil

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'tests', 'tools', 'role_readmes.py')
SECTIONS = ('## What it changes, on which host', '## Example play', '## Variables')


def _load():
    spec = importlib.util.spec_from_file_location('role_readmes', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


role_readmes = _load()
ROLES = role_readmes.roles(REPO)


def _readme(role):
    with open(os.path.join(REPO, 'roles', role, 'README.md')) as handle:
        return handle.read()


def test_every_role_readme_matches_its_argument_spec():
    found = role_readmes.problems(REPO)
    assert not found, '\n'.join(what for role, what in found) + '\nregenerate with: ' + role_readmes.REGENERATE


@pytest.mark.parametrize('role', ROLES)
def test_readme_is_written_for_users(role):
    text = _readme(role)
    assert text.startswith('# sametime.deploy.%s\n' % role)
    for heading in SECTIONS:
        assert '\n%s\n' % heading in text, 'roles/%s/README.md has no section %r' % (role, heading)
    assert 'TODO' not in text, 'roles/%s/README.md still has TODO marks of the skeleton' % role


def _example_plays(text):
    section = text.split('\n## Example play\n', 1)[1].split('\n## ', 1)[0]
    blocks = re.findall(r'```yaml\n(.*?)```', section, re.S)
    assert blocks, 'no ```yaml block in the example section'
    return [yaml.safe_load(block) for block in blocks]


def _role_uses(plays):
    """(role name as written, vars, tasks_from) of every role a play applies (roles: or include/import_role)."""
    uses = []
    for play in plays:
        assert isinstance(play, list) and play, 'an example is a list of plays'
        for entry in play:
            for role in entry.get('roles') or []:
                uses.append((role['role'], role.get('vars') or {}, 'main'))
            for task in entry.get('tasks') or []:
                for key in ('ansible.builtin.include_role', 'ansible.builtin.import_role'):
                    if key in task:
                        uses.append((task[key]['name'], task.get('vars') or {}, task[key].get('tasks_from', 'main')))
    return uses


@pytest.mark.parametrize('role', ROLES)
def test_example_play_uses_the_role_by_fqcn_with_declared_variables(role):
    specs = role_readmes.load_specs(os.path.join(REPO, 'roles', role))
    uses = _role_uses(_example_plays(_readme(role)))
    assert uses and all(use[0] == 'sametime.deploy.' + role for use in uses), uses
    for unused_name, variables, entry in uses:
        options = specs[entry].get('options') or {}
        unknown = sorted(name for name in variables if name not in options)
        assert not unknown, 'example of %s sets variables its argument spec (%s) does not declare: %s' % (
            role, entry, unknown)
        # The literal values must pass the role's own argument validation (templated ones are left to run time).
        literal = dict((k, v) for k, v in variables.items() if '{{' not in str(v))
        spec = dict((k, dict(v, required=False)) for k, v in options.items() if k in literal)
        for opt in spec.values():
            opt.pop('default', None)
        result = ArgumentSpecValidator(spec).validate(literal)
        assert not result.error_messages, '%s example: %s' % (role, result.error_messages)


@pytest.mark.parametrize('text, want', [
    ('Plain words.', 'Plain words.'),
    ('Set C(foo) to V(true) with O(bar=1).', 'Set `foo` to `true` with `bar=1`.'),
    ('See M(sametime.deploy.hosts_entry).', 'See `sametime.deploy.hosts_entry`.'),
    ('I(Italic) and B(bold).', '*Italic* and **bold**.'),
    ('L(IBM docs,https://www.ibm.com/docs) or U(https://example.com).',
     '[IBM docs](https://www.ibm.com/docs) or <https://example.com>.'),
    ('a|b <mail>.jpg & C(x|y)', 'a\\|b &lt;mail&gt;.jpg &amp; `x\\|y`'),
    (['first', 'second  line'], 'first second line'),
    ('C(<was_root>/profiles)', '`<was_root>/profiles`'),
])
def test_markdown_of_ansible_markup(text, want):
    assert role_readmes.markdown(text) == want


def _copy_roles(tmp_path):
    shutil.copytree(os.path.join(REPO, 'roles'), str(tmp_path / 'roles'))
    return str(tmp_path)


def test_a_changed_spec_is_reported_with_the_command_and_write_keeps_the_hand_written_part(tmp_path, capsys):
    repo = _copy_roles(tmp_path)
    spec_path = os.path.join(repo, 'roles', 'was_restart', 'meta', 'argument_specs.yml')
    with open(spec_path) as handle:
        data = yaml.safe_load(handle)
    data['argument_specs']['main']['options']['was_restart_new_knob'] = {
        'description': 'A knob another engineer added.', 'type': 'int', 'default': 3}
    with open(spec_path, 'w') as handle:
        yaml.safe_dump(data, handle)
    readme = os.path.join(repo, 'roles', 'was_restart', 'README.md')
    with open(readme) as handle:
        old = handle.read()

    assert role_readmes.main(['--repo', repo]) == 1
    out = capsys.readouterr().out
    assert 'roles/was_restart/README.md' in out and role_readmes.REGENERATE in out
    assert [found[0] for found in role_readmes.problems(repo)] == ['was_restart']

    assert role_readmes.main(['--repo', repo, '--write']) == 0
    with open(readme) as handle:
        new = handle.read()
    assert '| `was_restart_new_knob` | int | `3` | A knob another engineer added. |' in new
    old_parts = role_readmes.split(old)
    new_parts = role_readmes.split(new)
    assert (new_parts[0], new_parts[2]) == (old_parts[0], old_parts[2])
    assert role_readmes.problems(repo) == []


def test_missing_readme_and_missing_markers_are_reported(tmp_path):
    repo = _copy_roles(tmp_path)
    os.remove(os.path.join(repo, 'roles', 'db2_hadr', 'README.md'))
    with open(os.path.join(repo, 'roles', 'ihs_photos', 'README.md'), 'w') as handle:
        handle.write('# hand edited, markers lost\n')
    found = dict(role_readmes.problems(repo))
    assert 'README.md is missing' in found['db2_hadr']
    assert 'markers' in found['ihs_photos']
    assert sorted(found) == ['db2_hadr', 'ihs_photos']
    # --write gives a new role a skeleton, which the user-facing test above rejects until filled in
    with pytest.raises(ValueError):
        role_readmes.write(repo)  # the README without markers is not overwritten blindly
    with open(os.path.join(repo, 'roles', 'ihs_photos', 'README.md')) as handle:
        assert handle.read() == '# hand edited, markers lost\n'
