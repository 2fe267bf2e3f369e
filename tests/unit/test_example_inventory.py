# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""inventories/example/ agrees with every role's meta/argument_specs.yml.

The example inventory is what admins copy. Each group_vars file named after a role sets only that role's documented
variables, with values of the documented type and choices; the comment above each variable is the spec's description,
marked `(required)` exactly when the spec requires it (a note may follow after `--`); every required variable is set
somewhere in the inventory. A variable shown commented out (`# name:` alone, no value: its default is stated in one
other place, the role's defaults or the module it feeds) is a documented, optional variable with the same comment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, 'inventories', 'example')
ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
               for p in glob.glob(os.path.join(REPO, 'roles', '*', 'meta', 'argument_specs.yml')))
TYPES = {'str': str, 'path': str, 'bool': bool, 'int': int, 'list': list, 'dict': dict, 'raw': object,
         'float': (int, float)}


def _options(role):
    with open(os.path.join(REPO, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        return yaml.safe_load(handle)['argument_specs']['main'].get('options') or {}


def _role_files():
    files = []
    for path in sorted(glob.glob(os.path.join(EXAMPLE, 'group_vars', '*', '*.yml'))):
        role = os.path.splitext(os.path.basename(path))[0]
        if role in ROLES:
            files.append((role, path))
    return files


def _plain(text):
    """Spec markup (C(), I(), M(), V(), O()) and layout out of a description, for comparing with a comment."""
    text = re.sub(r'\b[CIMVOBU]\(([^)]*)\)', r'\1', text)
    return ' '.join(text.split())


COMMENTED_OUT = re.compile(r'^# ([a-z][a-z0-9_]*):\s*$')


def _commented_out(lines, options):
    """Variables shown commented out (`# name:` alone on a line): left unset, so the default applies."""
    return [match.group(1) for match in map(COMMENTED_OUT.match, lines) if match and match.group(1) in options]


def _comments_above(lines, key, options=()):
    """The comment block right above `key:` (or `# key:`) at the start of a line, joined; None when there is none.
    The block stops at a commented-out variable of `options`."""
    for index, line in enumerate(lines):
        if re.match(r'^(# )?%s\s*:' % re.escape(key), line):
            block = []
            for previous in reversed(lines[:index]):
                match = COMMENTED_OUT.match(previous)
                if not previous.startswith('#') or (match and match.group(1) in options):
                    break
                block.insert(0, previous[1:].strip())
            return ' '.join(' '.join(block).split()) if block else None
    return None


def _is_template(value):
    return isinstance(value, str) and '{{' in value


def test_every_role_with_variables_has_an_example_file():
    covered = set(role for role, _path in _role_files())
    assert [role for role in ROLES if _options(role) and role not in covered] == []


@pytest.mark.parametrize('role, path', _role_files(), ids=lambda value: os.path.relpath(value, EXAMPLE)
                         if os.path.sep in str(value) else value)
def test_example_file_matches_the_role_spec(role, path):
    options = _options(role)
    with open(path) as handle:
        text = handle.read()
    values = yaml.safe_load(text) or {}
    lines = text.splitlines()
    problems = []
    unset = _commented_out(lines, options)
    for key in unset:
        if key in values:
            problems.append('%s: both set and shown commented out' % key)
        if options[key].get('required'):
            problems.append('%s: required, but shown commented out' % key)
    for key, value in sorted(list(values.items()) + [(key, None) for key in unset if key not in values]):
        spec = options.get(key)
        if spec is None:
            problems.append('%s: not an option of role %s' % (key, role))
            continue
        wanted = TYPES.get(spec.get('type', 'str'), object)
        if value is not None and not _is_template(value) and not isinstance(value, wanted):
            if not (spec.get('type') in ('str', 'path') and isinstance(value, (int, float)) and
                    not isinstance(value, bool)):
                problems.append('%s: %r is not of type %s' % (key, value, spec.get('type', 'str')))
        if spec.get('choices') and key not in unset and not _is_template(value):
            items = value if spec.get('type') == 'list' else [value]
            bad = [item for item in items if item not in spec['choices']]
            if bad:
                problems.append('%s: %r not among the choices %s' % (key, bad, spec['choices']))
        description = spec.get('description')
        description = ' '.join(description) if isinstance(description, list) else (description or '')
        comment = _comments_above(lines, key, options)
        if comment is None:
            problems.append('%s: no comment above it (the spec says: %s)' % (key, _plain(description)))
        else:
            said = comment.split(' -- ')[0]
            marked = said.endswith('(required)')
            said = said[:-len('(required)')] if marked else said
            if _plain(said) != _plain(description):
                problems.append('%s: the comment says %r, the spec says %r' % (key, comment, _plain(description)))
            if marked != bool(spec.get('required')):
                problems.append('%s: the comment %s "(required)", the spec has required: %s'
                                % (key, 'says' if marked else 'lacks', bool(spec.get('required'))))
    assert problems == [], "\n".join(problems)


def test_required_variables_are_set_in_the_example():
    set_anywhere = set()
    for path in glob.glob(os.path.join(EXAMPLE, '**', '*.yml'), recursive=True):
        with open(path) as handle:
            data = yaml.safe_load(handle) or {}
        if isinstance(data, dict):
            set_anywhere.update(data)
    text = open(os.path.join(EXAMPLE, 'hosts.yml')).read()
    set_anywhere.update(re.findall(r'^\s*([a-z0-9_]+)\s*:', text, re.M))
    missing = ['%s.%s' % (role, key) for role in ROLES for key, spec in sorted(_options(role).items())
               if spec.get('required') and key not in set_anywhere]
    assert missing == []
