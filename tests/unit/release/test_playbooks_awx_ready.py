# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Static check that every playbooks/*.yml can run as an AWX/AAP job template.

An AWX job has no terminal and does not run from the playbook's folder (it runs from the project checkout or
from the collection installed in the execution environment), so a playbook must not:
  - prompt: `vars_prompt`, or `ansible.builtin.pause` with a `prompt`;
  - read files next to itself: `vars_files`, `include_vars`, a `src:` or a file lookup (`file`, `template`,
    `fileglob`, `first_found`, `csvfile`, `ini`, `unvault`) with a relative path, or any path built on
    `playbook_dir`.
Data comes from the inventory, extra vars (surveys) and role defaults instead. A path that starts with a
variable (`{{ photo_sync_source_dir }}/x`) is the caller's choice and passes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLAYBOOKS = sorted(glob.glob(os.path.join(REPO, 'playbooks', '*.yml')) +
                   glob.glob(os.path.join(REPO, 'playbooks', '*.yaml')))

FILE_LOOKUPS = ('file', 'template', 'fileglob', 'first_found', 'csvfile', 'ini', 'unvault')
LOOKUP_RE = re.compile(r"""\b(?:lookup|query|q)\(\s*['"](?:ansible\.builtin\.)?(%s)['"]\s*,\s*(['"])(.*?)\2"""
                       % '|'.join(FILE_LOOKUPS))
LOOKUP_PLAYBOOK_DIR_RE = re.compile(r"""\b(?:lookup|query|q)\(\s*['"](?:ansible\.builtin\.)?(%s)['"][^)]*playbook_dir"""
                                    % '|'.join(FILE_LOOKUPS))
INCLUDE_VARS = ('include_vars', 'ansible.builtin.include_vars', 'ansible.legacy.include_vars')
PAUSE = ('pause', 'ansible.builtin.pause', 'ansible.legacy.pause')
TASK_LISTS = ('tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always')


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads Ansible tags (`!vault`, `!unsafe`) as plain scalars."""


def _tagged(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_Loader.add_multi_constructor('!', _tagged)


def _relative(path):
    """True when PATH (a literal or a template) resolves against the playbook's folder."""
    path = path.strip()
    if 'playbook_dir' in path:
        return True
    if path.startswith('{{'):
        return False  # a variable chosen by the caller (inventory, survey, role default)
    return not path.startswith(('/', '~'))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _tasks(items):
    for task in items or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from _tasks(task.get(key))


def problems(text, name='playbook'):
    """List of human-readable reasons why the playbook TEXT is not fit for an AWX job template."""
    found = []
    try:
        plays = yaml.load(text, Loader=_Loader) or []  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        return ['%s: not valid YAML: %s' % (name, exc)]
    if not isinstance(plays, list):
        return ['%s: not a list of plays' % name]
    for index, play in enumerate(plays):
        if not isinstance(play, dict):
            continue
        where = '%s play %d (%s)' % (name, index + 1, play.get('name') or play.get('hosts') or
                                     play.get('import_playbook') or play.get('ansible.builtin.import_playbook'))
        if 'vars_prompt' in play:
            found.append('%s: vars_prompt (AWX cannot answer a prompt; use a survey + a default)' % where)
        for path in play.get('vars_files') or []:
            paths = path if isinstance(path, list) else [path]
            if any(isinstance(p, str) and _relative(p) for p in paths):
                found.append('%s: vars_files %r is read from next to the playbook' % (where, path))
        tasks = []
        for key in ('tasks', 'pre_tasks', 'post_tasks', 'handlers'):
            tasks.extend(_tasks(play.get(key)))
        for task in tasks:
            label = '%s task %r' % (where, task.get('name', '?'))
            for key in INCLUDE_VARS:
                if key in task:
                    args = task[key]
                    if isinstance(args, str):
                        paths = [args]
                    elif isinstance(args, dict):
                        paths = [args.get('file'), args.get('dir'), args.get('name')]
                    else:
                        paths = []
                    if any(isinstance(p, str) and _relative(p) for p in paths):
                        found.append('%s: include_vars %r is read from next to the playbook' % (label, args))
            for key in PAUSE:
                if isinstance(task.get(key), dict) and 'prompt' in task[key]:
                    found.append('%s: pause with a prompt waits for a keyboard' % label)
            for key, args in task.items():
                if key in TASK_LISTS or not isinstance(args, dict):
                    continue
                src = args.get('src')
                if isinstance(src, str) and not args.get('remote_src') and _relative(src):
                    found.append('%s: %s src %r is relative to the playbook' % (label, key, src))
            for loop_key in ('with_file', 'with_fileglob', 'with_first_found', 'with_template'):
                if loop_key in task and any(_relative(p) for p in _strings(task[loop_key])):
                    found.append('%s: %s reads files next to the playbook' % (label, loop_key))
        for text_value in _strings(play):
            for match in LOOKUP_RE.finditer(text_value):
                if _relative(match.group(3)):
                    found.append('%s: lookup %r reads %r from next to the playbook'
                                 % (where, match.group(1), match.group(3)))
            for match in LOOKUP_PLAYBOOK_DIR_RE.finditer(text_value):
                found.append('%s: lookup %r reads a file under playbook_dir' % (where, match.group(1)))
    return found


# ------------------------------------------------------------------ the checker itself, on known inputs

CASES = [
    ('clean', """
- name: Publish photos
  hosts: ihs
  vars:
    photo_sync_source_dir: /var/tmp/photos
  tasks:
    - name: Copy
      ansible.builtin.copy:
        src: "{{ photo_sync_source_dir }}/"
        dest: /opt/IBM/HTTPServer/photos/
    - name: Absolute file lookup
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.file', '/etc/hostname') }}"
    - name: Remote copy
      ansible.builtin.copy:
        src: relative/on/the/host
        dest: /tmp/x
        remote_src: true
    - name: Wait without prompt
      ansible.builtin.pause:
        seconds: 1
    - name: Encrypted value parses
      ansible.builtin.debug:
        msg: !unsafe "{{ not templated }}"
- name: Import a sibling playbook of the collection
  ansible.builtin.import_playbook: sametime.deploy.photos
""", []),
    ('vars_prompt', """
- hosts: all
  vars_prompt:
    - name: bind_password
      prompt: LDAP bind password
""", ['vars_prompt']),
    ('pause prompt', """
- hosts: all
  tasks:
    - name: Ask
      ansible.builtin.pause:
        prompt: Continue?
""", ['pause with a prompt']),
    ('relative lookup', """
- hosts: all
  tasks:
    - ansible.builtin.debug:
        msg: "{{ lookup('file', 'files/key.pub') }}"
""", ["lookup 'file'"]),
    ('query template', """
- hosts: all
  vars:
    x: "{{ query(\\"template\\", \\"templates/a.j2\\") }}"
""", ["lookup 'template'"]),
    ('playbook_dir lookup', """
- hosts: all
  tasks:
    - ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.file', playbook_dir ~ '/x') }}"
""", ["lookup 'file' reads a file under playbook_dir"]),
    ('include_vars relative', """
- hosts: all
  tasks:
    - name: Load
      ansible.builtin.include_vars: vars/site.yml
""", ['include_vars']),
    ('include_vars dict', """
- hosts: all
  tasks:
    - name: Load
      include_vars:
        file: "{{ playbook_dir }}/vars/site.yml"
""", ['include_vars']),
    ('include_vars absolute', """
- hosts: all
  tasks:
    - name: Load
      ansible.builtin.include_vars:
        file: /etc/sametime/site.yml
""", []),
    ('relative src in a block', """
- hosts: all
  tasks:
    - block:
        - name: Template
          ansible.builtin.template:
            src: templates/httpd.conf.j2
            dest: /tmp/x
""", ['src']),
    ('vars_files', """
- hosts: all
  vars_files:
    - vars/secrets.yml
""", ['vars_files']),
    ('bad yaml', """
- name: Restart: now
  hosts: all
""", ['not valid YAML']),
    ('with_file', """
- hosts: all
  tasks:
    - ansible.builtin.debug:
        msg: "{{ item }}"
      with_file:
        - files/a.txt
""", ['with_file']),
]


@pytest.mark.parametrize('name,text,expected', CASES, ids=[c[0] for c in CASES])
def test_checker_on_known_playbooks(name, text, expected):
    found = problems(text, name)
    assert len(found) == len(expected), found
    for fragment, message in zip(expected, found):
        assert fragment in message


# ------------------------------------------------------------------ the real playbooks

def test_there_are_playbooks_to_check():
    """Fails (not skips) when playbooks/ is empty, so a green run always means playbooks were checked."""
    assert PLAYBOOKS, 'no playbooks/*.yml to check'


@pytest.mark.parametrize('path', PLAYBOOKS, ids=[os.path.basename(p) for p in PLAYBOOKS])
def test_playbook_is_awx_ready(path):
    with open(path) as handle:
        found = problems(handle.read(), os.path.relpath(path, REPO))
    assert not found, '\n'.join(found)
