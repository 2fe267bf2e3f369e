# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.sametime.deploy.plugins.filter.cidr_regex import FilterModule

FILTER = FilterModule().filters()['cidr_regex']


def test_string_gives_string():
    regex = FILTER('198.51.100.64/26')
    assert regex == r'^198\.51\.100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])$'
    assert re.match(regex, '198.51.100.127') and not re.match(regex, '198.51.100.128')


def test_list_gives_list_and_join_gives_string():
    assert isinstance(FILTER(['192.0.2.0/25', '203.0.113.11']), list)
    joined = FILTER(['192.0.2.0/25', '203.0.113.11'], join=True)
    assert re.match(joined, '203.0.113.11') and re.match(joined, '192.0.2.10')
    assert not re.match(joined, '203.0.113.110') and not re.match(joined, '192.0.2.130')


def test_merge_collapses():
    assert FILTER(['192.0.2.0/25', '192.0.2.128/25'], merge=True) == [FILTER('192.0.2.0/24')]


@pytest.mark.parametrize('value', ['2001:db8::/32', '10.0.0.1/8', 'nonsense', ['10.0.0.0/8', 42]])
def test_errors_become_filter_errors(value):
    with pytest.raises(AnsibleFilterError) as info:
        FILTER(value)
    assert str(info.value).startswith('cidr_regex: ')
