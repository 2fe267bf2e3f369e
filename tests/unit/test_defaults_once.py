# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each default is stated once: in module_utils, referenced by the module's argument_spec and stated in its
DOCUMENTATION (the two agree), never restated by a role that feeds the module or by the example inventory.

A role variable named <prefix><option> feeds the module option <option>. When the role has no value of its own it
leaves the variable unset (no default in defaults/main.yml nor in meta/argument_specs.yml) and the task passes
`{{ var | default(omit) }}`, so the module's default applies; the example inventory shows it commented out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.sametime.deploy.plugins.modules import hosts_entry, ihs_info, ihs_photo_vhost

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# role -> (module, variable prefix, example inventory file)
ROLES = {
    'ihs_photos': (ihs_photo_vhost, 'ihs_photos_', 'inventories/example/group_vars/ihs/ihs_photos.yml'),
    'federation_hosts': (hosts_entry, 'federation_hosts_', 'inventories/example/group_vars/all/federation_hosts.yml'),
}
_UNSET = object()


def _yaml(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return yaml.safe_load(handle) or {}


def _doc_defaults(module):
    options = yaml.safe_load(module.DOCUMENTATION)['options']
    return dict((name, spec.get('default', _UNSET)) for name, spec in options.items())


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


@pytest.mark.parametrize('role', sorted(ROLES))
def test_role_spec_and_role_defaults_agree(role):
    """A variable has a default in defaults/main.yml exactly when meta/argument_specs.yml states one, the same."""
    role_defaults = _yaml('roles', role, 'defaults', 'main.yml')
    spec = _yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']
    stated = dict((k, v['default']) for k, v in spec.items() if 'default' in v)
    assert sorted(role_defaults) == sorted(stated)
    assert [k for k in stated if stated[k] != role_defaults[k] and not str(stated[k]).startswith('{{')] == []
