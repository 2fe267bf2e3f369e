# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rendered photo vhosts equal the golden files in fixtures/vhosts/, byte for byte (see golden_vhosts.py; to
regenerate after an intended change: UPDATE_GOLDEN=1, then review the git diff)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils.golden_vhosts import (
    CASES, GOLDEN_DIR, golden_path, render)

UPDATE = os.environ.get('UPDATE_GOLDEN') == '1'


@pytest.mark.parametrize('name', sorted(CASES))
def test_rendered_vhost_is_the_golden_file(name):
    rendered = render(name)
    if UPDATE:
        with open(golden_path(name), 'wb') as handle:
            handle.write(rendered)
        pytest.skip('UPDATE_GOLDEN=1: wrote %s; review the git diff' % golden_path(name))
    with open(golden_path(name), 'rb') as handle:
        golden = handle.read()
    assert rendered.decode('utf-8').splitlines() == golden.decode('utf-8').splitlines()  # readable diff first
    assert rendered == golden


def test_every_golden_file_has_a_case():
    assert sorted(os.listdir(GOLDEN_DIR)) == sorted('%s.conf' % name for name in CASES)
