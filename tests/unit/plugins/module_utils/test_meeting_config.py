# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import meeting_config as mc


@pytest.mark.parametrize('keys, placeholder, expected', [
    ({'userInfoUrlTemplate': 'http://p/photos/{0}.jpg'}, '{0}', None),
    ({'userInfoUrlTemplate': 'http://p/photos/%s.jpg'}, '%s', None),
    ({'userInfoUrlTemplate': 'http://p/photos/x.jpg'}, '{0}', 'exactly once'),
    ({'userInfoUrlTemplate': 'http://p/{0}/{0}.jpg'}, '{0}', 'exactly once'),
    ({'userInfoUrlTemplate': 'ftp://p/{0}.jpg'}, '{0}', 'http:// or https://'),
    ({'userInfoRedirect': 'yes'}, '{0}', 'true or false'),
    ({'bad key': 'x'}, '{0}', 'not a configuration key'),
])
def test_validate(keys, placeholder, expected):
    errors = mc.validate(mc.normalize(keys), placeholder)
    if expected is None:
        assert errors == []
    else:
        assert any(expected in e for e in errors), errors


def test_normalize_and_differences():
    wanted = mc.normalize({'userInfoRedirect': True, 'whiteboard.enabled': 'true', 'n': 3})
    assert wanted == {'userInfoRedirect': 'true', 'whiteboard.enabled': 'true', 'n': '3'}
    current = {'userInfoRedirect': 'true', 'n': '4'}
    assert mc.differences(current, wanted) == {'n': {'before': '4', 'after': '3'},
                                               'whiteboard.enabled': {'before': None, 'after': 'true'}}
    assert mc.differences(wanted, wanted) == {}


def test_manual_steps_name_every_differing_key():
    steps = mc.manual_steps('meeting1', {'a': {'before': None, 'after': '1'}, 'b': {'before': 'x', 'after': 'y'}})
    text = '\n'.join(steps)
    assert 'Sametime Meeting Servers > meeting1 > Server Configuration' in text
    assert 'click New, enter key "a" and value "1"' in text
    assert 'select "b", click Edit, change the value from "x" to "y"' in text


def test_parse_config_and_backend_argv():
    assert mc.parse_config('{"a": "1", "b": true}') == {'a': '1', 'b': 'true'}
    with pytest.raises(ValueError):
        mc.parse_config('<html>login</html>')
    with pytest.raises(ValueError):
        mc.parse_config('[1]')
    assert mc.backend_argv(['set', '{key}', 'v={value}'], 'k', 'a b') == ['set', 'k', 'v=a b']
    assert mc.config_url('http://h:9080/') == 'http://h:9080/stmeetings/configuration?format=json&verbose=true'
