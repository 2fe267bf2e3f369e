# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""photo_url: the URL of a photo file and the template rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import photo_url


@pytest.mark.parametrize('template, name, url', [
    ('http://photos.example/{mail}.jpg', 'jane@acme.example.jpg', 'http://photos.example/jane@acme.example.jpg'),
    ('http://p/{mail}.jpg', "o'b+x@a.example.jpg", "http://p/o%27b%2Bx@a.example.jpg"),
    ('http://p/{mail}.jpg', 'a~b_c-d.e@a.example.jpg', 'http://p/a~b_c-d.e@a.example.jpg'),
    ('http://p/{mail}.jpg', 'a#b?c%d@a.example.jpg', 'http://p/a%23b%3Fc%25d@a.example.jpg'),
    ('http://p/photo?email={mail}', 'x@a.example.jpg', 'http://p/photo?email=x@a.example'),
])
def test_render_url(template, name, url):
    assert photo_url.render_url(template, name) == url


@pytest.mark.parametrize('template, ok', [
    ('http://p/{mail}.jpg', True),
    ('http://p/photo.jpg', False),
    ('http://p/{mail}/{uid}.jpg', False),
    ('http://p/{0}.jpg', False),
    ('http://p/{mail} .jpg', False),
    ('', False),
])
def test_validate_url_template(template, ok):
    assert (photo_url.validate_url_template(template) is None) == ok
