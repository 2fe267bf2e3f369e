# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each default is stated once, or where it must be written twice, this test keeps the copies equal.

* Module defaults live in module_utils, referenced by the module's argument_spec and stated in its DOCUMENTATION
  (the two agree; ansible-test validate-modules checks it for every module).
* A role variable named <prefix><option> feeds the module option <option>. When the role has no value of its own it
  leaves the variable unset (no default in defaults/main.yml nor in meta/argument_specs.yml) and the task passes
  `{{ var | default(omit) }}`, so the module's default applies; the example inventory shows it commented out
  (ihs_photos, federation_hosts).
* Every role: meta/argument_specs.yml states exactly the defaults of defaults/main.yml (the role README is generated
  from the spec); a required variable may hold an empty placeholder in defaults/main.yml, which the role's own assert
  names.
* Every role variable handed to a module option or to another role's variable, where both sides have a default:
  the defaults are equal, unless DIFFERENT_ON_PURPOSE says why not. So a changed module default cannot leave a role
  quietly on the old value.
* The example inventory: a value that differs from the role's default carries a note (`-- why`) in its comment;
  without one it restates the default and must equal it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import importlib
import os
import re

import pytest
import yaml

from ansible_collections.sametime.deploy.plugins.module_utils import apache
from ansible_collections.sametime.deploy.plugins.modules import hosts_entry, ihs_info, ihs_photo_vhost

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# role -> (module, variable prefix, example inventory file)
ROLES = {
    'ihs_photos': (ihs_photo_vhost, 'ihs_photos_', 'inventories/example/group_vars/ihs/ihs_photos.yml'),
    'federation_hosts': (hosts_entry, 'federation_hosts_', 'inventories/example/group_vars/all/federation_hosts.yml'),
}
_UNSET = object()
ALL_ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                   for p in glob.glob(os.path.join(REPO, 'roles', '*', 'meta', 'argument_specs.yml')))
# (role variable, receiving module or role, its option) -> why the role's default differs from the receiver's.
DIFFERENT_ON_PURPOSE = {
    ('federation_hosts_backup', 'hosts_entry', 'backup'): 'the role keeps a backup of /etc/hosts by default',
    ('ihs_photos_backup', 'ihs_photo_vhost', 'backup'): 'the role keeps backups of the vhost and httpd.conf',
    ('photo_sync_prune', 'ldap_photo_export', 'prune'): 'the role owns the photo directory, so it prunes',
    ('stproxy_photos_backup', 'stproxy_config', 'backup'): 'the role keeps a backup of stproxyconfig.xml',
    ('stproxy_photos_backup', 'userinfo_config', 'backup'): 'the role keeps a backup of UserInfoConfig.xml',
    ('stproxy_photos_userinfo_remove_photo', 'userinfo_config', 'remove_photo'):
        'the role serves photos by URL, so the binary Photo field goes',
    ('stproxy_photos_sync_mode', 'was_restart', 'was_restart_sync_mode'):
        'stproxyconfig.xml is edited in the DM tree, which only a full sync carries',
}
PLACEHOLDERS = ('', [], {})
_TEMPLATE_VAR = re.compile(r'^\{\{\s*([a-z_][a-z0-9_]*)\s*(\|\s*default\(omit\)\s*)?\}\}$')


def _yaml(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return yaml.safe_load(handle) or {}


def _doc_defaults(module):
    options = yaml.safe_load(module.DOCUMENTATION)['options']
    return dict((name, spec.get('default', _UNSET)) for name, spec in options.items())


def _documented_options(module_name):
    """The module's options as ansible-doc shows them: its doc fragments merged under its own DOCUMENTATION."""
    module = importlib.import_module('ansible_collections.sametime.deploy.plugins.modules.' + module_name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = {}
    for fragment in doc.get('extends_documentation_fragment') or []:
        parts = fragment.split('.')
        fragments = importlib.import_module('ansible_collections.sametime.deploy.plugins.doc_fragments.' + parts[2])
        text = getattr(fragments.ModuleDocFragment, parts[3].upper() if len(parts) > 3 else 'DOCUMENTATION')
        options.update(yaml.safe_load(text).get('options') or {})
    for name, spec in (doc.get('options') or {}).items():
        options[name] = dict(options.get(name, {}), **spec)
    return options


def _tasks(tasks):
    """Every task, those inside block/rescue/always included."""
    found = []
    for task in tasks or []:
        if isinstance(task, dict):
            for key in ('block', 'rescue', 'always'):
                found.extend(_tasks(task.get(key)))
            found.append(task)
    return found


def _feeds(role):
    """(variable, module or role, option) for each task argument or include_role variable that is `{{ variable }}`
    (or `{{ variable | default(omit) }}`) of a role variable."""
    found = set()
    for path in sorted(glob.glob(os.path.join(REPO, 'roles', role, 'tasks', '*.yml')) +
                       glob.glob(os.path.join(REPO, 'roles', role, 'handlers', '*.yml'))):
        for task in _tasks(_yaml(os.path.relpath(path, REPO))):
            for key, args in task.items():
                if key.startswith('sametime.deploy.') and isinstance(args, dict):
                    pairs, receiver = args.items(), key.split('.')[-1]
                elif key.split('.')[-1] in ('include_role', 'import_role'):
                    pairs, receiver = (task.get('vars') or {}).items(), args['name'].split('.')[-1]
                else:
                    continue
                for option, value in pairs:
                    match = _TEMPLATE_VAR.match(value.strip()) if isinstance(value, str) else None
                    if match:
                        found.add((match.group(1), receiver, option))
    return sorted(found)


def _receiver_defaults(receiver):
    if os.path.isdir(os.path.join(REPO, 'roles', receiver)):
        return _yaml('roles', receiver, 'defaults', 'main.yml')
    return dict((name, spec['default']) for name, spec in _documented_options(receiver).items() if 'default' in spec)


def _is_template(value):
    return isinstance(value, str) and '{{' in value


@pytest.mark.parametrize('module', [ihs_photo_vhost], ids=['ihs_photo_vhost'])
def test_documentation_states_the_argument_spec_defaults(module):
    """The cross-check that ansible-test validate-modules does, here too for a quick answer."""
    documented = _doc_defaults(module)
    coded = dict((name, spec.get('default', _UNSET)) for name, spec in module.ARGUMENT_SPEC.items())
    assert dict((k, v) for k, v in documented.items() if v is not _UNSET) == \
        dict((k, v) for k, v in coded.items() if v is not None and v is not _UNSET)


def test_ihs_info_and_ihs_photo_vhost_share_the_apachectl_default():
    assert _doc_defaults(ihs_info)['apachectl'] == _doc_defaults(ihs_photo_vhost)['apachectl']


@pytest.mark.parametrize('role', sorted(ROLES))
def test_role_restates_no_module_default(role):
    module, prefix, example = ROLES[role]
    module_defaults = _doc_defaults(module)
    role_defaults = _yaml('roles', role, 'defaults', 'main.yml')
    spec = _yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']
    examples = _yaml(example)
    restated = []
    for option, default in sorted(module_defaults.items()):
        variable = prefix + option
        if default is _UNSET or variable not in spec:
            continue
        for where, values in (('defaults/main.yml', role_defaults), ('meta/argument_specs.yml',
                              dict((k, v['default']) for k, v in spec.items() if 'default' in v)), (example, examples)):
            if variable in values and values[variable] == default:
                restated.append('%s: %s restates the default of %s (%r)' % (where, variable, option, default))
    assert restated == []


@pytest.mark.parametrize('role', ALL_ROLES)
def test_role_spec_and_role_defaults_agree(role):
    """Every entry point's spec states exactly the defaults of defaults/main.yml, templates included; a variable
    without a spec default has none in defaults/main.yml, or, when it is required, an empty placeholder."""
    role_defaults = _yaml('roles', role, 'defaults', 'main.yml')
    problems = []
    for entry, entry_spec in sorted(_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs'].items()):
        spec = entry_spec.get('options') or {}
        for name, option in sorted(spec.items()):
            if 'default' in option and option['default'] != role_defaults.get(name, _UNSET):
                problems.append('%s %s: the spec states %r, defaults/main.yml %r'
                                % (entry, name, option['default'], role_defaults.get(name, '(nothing)')))
        if entry != 'main':
            continue
        for name, value in sorted(role_defaults.items()):
            if name not in spec:
                problems.append('%s: in defaults/main.yml, not in the spec' % name)
            elif 'default' not in spec[name] and not (spec[name].get('required') and value in PLACEHOLDERS):
                problems.append('%s: defaults/main.yml states %r, the spec states no default' % (name, value))
    assert problems == [], '\n'.join(problems)


@pytest.mark.parametrize('role', ALL_ROLES)
def test_role_defaults_agree_with_what_they_feed(role):
    """A default handed on to a module option or another role's variable equals the receiver's own default."""
    role_defaults = _yaml('roles', role, 'defaults', 'main.yml')
    feeds = _feeds(role)
    problems = []
    for variable, receiver, option in feeds:
        ours = role_defaults.get(variable, _UNSET)
        theirs = _receiver_defaults(receiver).get(option, _UNSET)
        if _UNSET in (ours, theirs) or _is_template(ours) or _is_template(theirs):
            continue
        on_purpose = (variable, receiver, option) in DIFFERENT_ON_PURPOSE
        if ours != theirs and not on_purpose:
            problems.append('%s=%r is handed to %s %s, whose default is %r: state it once (leave the variable unset '
                            'and pass `| default(omit)`) or say in DIFFERENT_ON_PURPOSE why it differs'
                            % (variable, ours, receiver, option, theirs))
        if ours == theirs and on_purpose:
            problems.append('%s: DIFFERENT_ON_PURPOSE, but %s %s has the same default %r'
                            % (variable, receiver, option, ours))
    stale = [key for key in DIFFERENT_ON_PURPOSE if key[0] in role_defaults and key not in feeds]
    assert problems == [] and stale == [], '\n'.join(problems + ['stale: %r' % (key,) for key in stale])


def _example_files():
    for path in sorted(glob.glob(os.path.join(REPO, 'inventories', 'example', 'group_vars', '*', '*.yml'))):
        role = os.path.splitext(os.path.basename(path))[0]
        if role in ALL_ROLES:
            yield role, os.path.relpath(path, REPO)


@pytest.mark.parametrize('role, example', list(_example_files()))
def test_example_inventory_restates_no_default_with_another_value(role, example):
    """A value in the example inventory that differs from the role's default says why (`-- note` in the comment
    above it, the example's own value); without a note it restates the default and must equal it."""
    role_defaults = _yaml('roles', role, 'defaults', 'main.yml')
    spec = _yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']
    with open(os.path.join(REPO, example)) as handle:
        lines = handle.read().splitlines()
    values = _yaml(example)
    problems = []
    for name, value in sorted(values.items()):
        default = role_defaults.get(name, _UNSET)
        if default is _UNSET or spec.get(name, {}).get('required') or value == default:
            continue
        index = [i for i, line in enumerate(lines) if line.startswith(name + ':')][0]
        comment = []
        for line in reversed(lines[:index]):
            if not line.startswith('#'):
                break
            comment.insert(0, line[1:].strip())
        if ' -- ' not in ' '.join(comment):
            problems.append('%s: %r here, %r in roles/%s/defaults/main.yml, and no `-- note` saying why'
                            % (name, value, default, role))
    assert problems == [], '\n'.join(problems)


def test_docs_quote_the_module_defaults():
    """docs/ihs.md quotes the Cache-Control default; the value comes from apache.py."""
    with open(os.path.join(REPO, 'docs', 'ihs.md')) as handle:
        quoted = re.findall(r'`Cache-Control: ([^`]*)`', handle.read())
    assert quoted == [apache.DEFAULT_CACHE_CONTROL]
    assert ihs_photo_vhost.ARGUMENT_SPEC['cache_control']['default'] is apache.DEFAULT_CACHE_CONTROL
    assert _doc_defaults(ihs_photo_vhost)['cache_control'] == apache.DEFAULT_CACHE_CONTROL
