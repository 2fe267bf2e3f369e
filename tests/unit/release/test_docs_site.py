# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make docs` (tests/tools/docs.py) builds offline: the references the generated pages make into the Ansible
documentation resolve through a local intersphinx inventory that Sphinx itself can read. (The whole build, with
zero warnings, runs in .ci/run through `make docs`.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope='module')
def docs():
    spec = importlib.util.spec_from_file_location('docs_tool', os.path.join(REPO, 'tests', 'tools', 'docs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGE = """
.. _ansible_collections.sametime.deploy.hosts_entry_module:

See :ref:`here <common_return_values>` and :ref:`ansible.builtin.slurp <ansible_collections.ansible.builtin.slurp_module>`,
:ref:`ansible_configuration_settings`, :ref:`us <ansible_collections.sametime.deploy.hosts_entry_module>`,
:ref:`them <ansible_collections.sametime.deploy.was_sync_module>` and :ref:`nobody <no_such_label>`.
"""


def test_external_labels_are_the_ansible_docs_ones_only(docs, tmp_path):
    (tmp_path / 'page.rst').write_text(PAGE)
    labels = docs.external_labels(str(tmp_path))
    assert labels == {
        'common_return_values': ('reference_appendices/common_return_values.html', 'Return Values'),
        'ansible_collections.ansible.builtin.slurp_module': ('collections/ansible/builtin/slurp_module.html',
                                                             'ansible.builtin.slurp module'),
        'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible Configuration Settings'),
    }
    # our own pages (defined here or not) and unknown labels are left for sphinx-build -W to judge


def test_inventory_is_read_by_sphinx(docs, tmp_path):
    from sphinx.util.inventory import InventoryFile
    path = str(tmp_path / 'ansible_devel.inv')
    docs.write_inventory(path, {'common_return_values': ('reference_appendices/common_return_values.html',
                                                         'Return Values')})
    with open(path, 'rb') as handle:
        inventory = InventoryFile.loads(handle.read(), uri=docs.DEVEL)
    data = inventory.data if hasattr(inventory, 'data') else inventory
    entry = data['std:label']['common_return_values']
    location = entry.uri if hasattr(entry, 'uri') else entry[2]
    assert location == docs.DEVEL + 'reference_appendices/common_return_values.html'


def test_every_playbook_says_what_it_is_for(docs):
    page = docs.playbooks_page(REPO)
    names = sorted(n[:-4] for n in os.listdir(os.path.join(REPO, 'playbooks')) if n.endswith('.yml'))
    for name in names:
        assert '\nsametime.deploy.%s\n' % name in page
    assert '``ansible-playbook -i <inventory> sametime.deploy.site``' in page


def test_a_playbook_without_a_leading_comment_fails_the_docs(docs, tmp_path):
    (tmp_path / 'with.yml').write_text('---\n# Restart things.\n#\n#   ansible-playbook x\n\n- hosts: all\n')
    assert docs.playbook_purpose(str(tmp_path / 'with.yml')) == ['Restart things.', '', '  ansible-playbook x']
    (tmp_path / 'without.yml').write_text('---\n- name: Restart\n  hosts: all\n# a comment further down\n')
    with pytest.raises(ValueError, match='no leading comment'):
        docs.playbook_purpose(str(tmp_path / 'without.yml'))
