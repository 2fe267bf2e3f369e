# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ldap_photo_export with resize (Pillow) against a real slapd: the files are JPEGs the business card can show, an
unchanged directory is not rewritten, toggling the options re-exports, and the report counts what happened."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import random
import sys

import pytest

ldap3 = pytest.importorskip('ldap3')
from PIL import Image

from ansible.module_utils import basic

from ansible_collections.sametime.deploy.plugins.module_utils import photo_resize, photo_state
from ansible_collections.sametime.deploy.plugins.modules import ldap_photo_export, ldap_photo_url
from ansible_collections.sametime.deploy.tests.unit.plugins.modules.test_ldap_photo_modules import (
    ADMIN, PASSWORD, PEOPLE, SLAPD, Slapd, all_files, skips)
from ansible_collections.sametime.deploy.tests.unit.plugins.modules.test_ldap_photo_modules import (
    export_args as modules_export_args)


def encoded(image, fmt, **params):
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def noise(size, seed):
    rng = random.Random(seed)
    return Image.frombytes('RGB', size, bytes(rng.getrandbits(8) for _index in range(size[0] * size[1] * 3)))


BIG_JPEG = encoded(noise((640, 480), 1), 'JPEG', quality=95)  # a camera-sized photo far over 45 KB
PNG = encoded(Image.linear_gradient('L').resize((400, 200)).convert('RGBA'), 'PNG')
GIF = encoded(Image.linear_gradient('L').resize((64, 48)).convert('P'), 'GIF')  # within the limit, but not a JPEG
SMALL_JPEG = encoded(Image.linear_gradient('L').resize((100, 80)).convert('RGB'), 'JPEG', quality=80)
JUNK = b'this is not an image at all ' * 4

# uid -> (mail, photo, source size in pixels or None)
USERS = {
    'big': ('big@acme.example', BIG_JPEG, (640, 480)),
    'png': ('png@acme.example', PNG, (400, 200)),
    'gif': ('gif@acme.example', GIF, (64, 48)),
    'small': ('small@acme.example', SMALL_JPEG, (100, 80)),
    'junk': ('junk@acme.example', JUNK, None),
}
RESIZED = ['big@acme.example.jpg', 'gif@acme.example.jpg', 'png@acme.example.jpg']


@pytest.fixture
def slapd(tmp_path):
    if not os.path.exists(SLAPD):
        pytest.fail('slapd is not installed (Debian packages slapd + ldap-utils are required)')
    assert len(BIG_JPEG) > photo_resize.MAX_PHOTO_BYTES and len(SMALL_JPEG) < photo_resize.MAX_PHOTO_BYTES
    server = Slapd(str(tmp_path / 'slapd'), dict((uid, (mail, photo)) for uid, (mail, photo, _size) in USERS.items()))
    yield server
    server.stop()


def export_args(slapd, dest, **extra):
    """The module tests' arguments, two entries a page (five users: three pages)."""
    return modules_export_args(slapd, dest, **dict({'page_size': 2}, **extra))


def photo_files(dest):
    return sorted(name for name in os.listdir(str(dest)) if name.endswith('.jpg'))


def mtimes(dest):
    return dict((name, os.stat(str(dest / name)).st_mtime_ns) for name in os.listdir(str(dest)))


def check_served(data, source_size, max_photo_bytes, max_edge):
    """The file is a whole JPEG within the limits, aspect ratio kept, never enlarged; returns its size in pixels."""
    assert data.startswith(b'\xff\xd8\xff') and len(data) <= max_photo_bytes
    image = Image.open(io.BytesIO(data))
    image.load()  # decodes every pixel: a truncated file raises here
    assert image.format == 'JPEG' and image.mode == 'RGB'
    width, height = image.size
    assert max(width, height) == min(max_edge, max(source_size))
    assert abs(width / float(height) - source_size[0] / float(source_size[1])) < 0.02
    return image.size


def test_without_resize_the_export_skips_as_before(slapd, tmp_path, run_module):
    dest = tmp_path / 'staging'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed, result.get('msg')
    assert photo_files(dest) == ['small@acme.example.jpg']
    assert (dest / 'small@acme.example.jpg').read_bytes() == SMALL_JPEG
    assert skips(result) == [('big', 'too_large'), ('gif', 'not_jpeg'), ('junk', 'not_jpeg'), ('png', 'not_jpeg')]
    big = [s for s in result['skipped_entries'] if s['reason'] == 'too_large'][0]
    assert big['detail'] == 'photo has %d bytes, more than max_photo_bytes=46080' % len(BIG_JPEG)
    assert (result['resized'], result['resized_entries']) == (0, [])
    assert result['skipped_by_reason'] == {'invalid_mail': 0, 'duplicate_mail': 0, 'not_jpeg': 3, 'too_large': 1,
                                           'empty_photo': 0, 'resize_refused': 0, 'changed_during_export': 0}


@pytest.mark.parametrize('max_photo_bytes, max_edge', [(46080, 150), (10240, 96)])
def test_resize_serves_jpegs_within_the_limits_and_rereads_nothing(
        slapd, tmp_path, run_module, max_photo_bytes, max_edge):
    dest = tmp_path / 'staging'
    args = export_args(slapd, dest, resize=True, max_photo_bytes=max_photo_bytes, max_edge=max_edge)
    result, failed = run_module(ldap_photo_export, args)
    assert not failed, result.get('msg')
    assert photo_files(dest) == sorted(RESIZED + ['small@acme.example.jpg'])
    assert (dest / 'small@acme.example.jpg').read_bytes() == SMALL_JPEG  # a JPEG within the limit is kept as it is
    for name in RESIZED:
        uid = name.split('@', maxsplit=1)[0]
        data = (dest / name).read_bytes()
        check_served(data, USERS[uid][2], max_photo_bytes, max_edge)
        # exactly the deterministic output of the one pure function
        assert data == photo_resize.plan_photo(USERS[uid][1], max_photo_bytes, True, max_edge, ('jpeg',)).payload

    # the report: what was resized, what was refused, with counts
    assert (result['written'], result['exported'], result['resized']) == (4, 4, 3)
    assert [r['file'] for r in result['resized_entries']] == RESIZED
    by_file = dict((r['file'], r) for r in result['resized_entries'])
    assert by_file['big@acme.example.jpg']['dn'] == 'uid=big,' + PEOPLE
    assert by_file['big@acme.example.jpg']['mail'] == 'big@acme.example'
    assert 'KB limit' in by_file['big@acme.example.jpg']['detail'] and 're-encoded as JPEG' in \
        by_file['big@acme.example.jpg']['detail']
    assert by_file['png@acme.example.jpg']['detail'].startswith('PNG, clients show JPEG: re-encoded as JPEG %dx'
                                                                % max_edge)
    assert by_file['gif@acme.example.jpg']['detail'].startswith('GIF, clients show JPEG: re-encoded as JPEG 64x48')
    assert skips(result) == [('junk', 'resize_refused')]
    assert 'cannot decode unknown format' in result['skipped_entries'][0]['detail']
    assert result['skipped_by_reason']['resize_refused'] == 1
    assert result['skipped_by_reason']['not_jpeg'] == result['skipped_by_reason']['too_large'] == 0

    # the same directory again: nothing read, nothing written, the same report
    before = mtimes(dest)
    again, failed = run_module(ldap_photo_export, args)
    assert not failed
    assert (again['changed'], again['fetched'], again['written'], again['unchanged']) == (False, 0, 0, 4)
    assert again['state_file_changed'] is False and mtimes(dest) == before
    assert (again['resized'], again['resized_entries']) == (3, result['resized_entries'])
    assert skips(again) == [('junk', 'resize_refused')]

    # every photo read and re-encoded again (no state): the same bytes, so nothing is written either
    full, failed = run_module(ldap_photo_export, dict(args, incremental=False))
    assert not failed
    assert (full['changed'], full['fetched'], full['written'], full['resized']) == (False, 5, 0, 3)
    assert mtimes(dest) == before


def test_toggling_resize_or_max_edge_reexports_the_affected_photos(slapd, tmp_path, run_module):
    dest = tmp_path / 'staging'
    first, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed and first['written_files'] == ['small@acme.example.jpg']
    small_mtime = os.stat(str(dest / 'small@acme.example.jpg')).st_mtime_ns

    on, failed = run_module(ldap_photo_export, export_args(slapd, dest, resize=True))
    assert not failed, on.get('msg')
    assert on['fetched'] == 5  # changed settings: every photo is read again
    assert (on['written_files'], on['unchanged'], on['resized']) == (RESIZED, 1, 3)
    assert os.stat(str(dest / 'small@acme.example.jpg')).st_mtime_ns == small_mtime
    assert max(Image.open(str(dest / 'big@acme.example.jpg')).size) == 150

    smaller, failed = run_module(ldap_photo_export, export_args(slapd, dest, resize=True, max_edge=100))
    assert not failed
    # the 64x48 GIF is not enlarged: the same bytes at max_edge 100, not rewritten
    assert (smaller['fetched'], smaller['unchanged']) == (5, 2)
    assert smaller['written_files'] == ['big@acme.example.jpg', 'png@acme.example.jpg']
    for name in RESIZED:
        check_served((dest / name).read_bytes(), USERS[name.split('@', maxsplit=1)[0]][2], 46080, 100)

    # max_edge does not matter without resize: the key of a state without resize is the one of before resize existed
    off, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed
    assert (off['fetched'], off['written'], off['resized']) == (5, 0, 0)
    assert skips(off) == [('big', 'too_large'), ('gif', 'not_jpeg'), ('junk', 'not_jpeg'), ('png', 'not_jpeg')]
    still_off, failed = run_module(ldap_photo_export, export_args(slapd, dest, max_edge=64))
    assert not failed and (still_off['fetched'], still_off['written']) == (0, 0)


def test_check_mode_with_resize_writes_nothing(slapd, tmp_path, run_module):
    dest = tmp_path / 'staging'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, resize=True, _ansible_check_mode=True,
                                                               _ansible_diff=True))
    assert not failed, result.get('msg')
    assert result['changed'] and (result['written'], result['resized']) == (4, 3)
    assert 'png@acme.example.jpg (new content)' in result['diff']['after']
    assert not dest.exists()


def test_resize_without_pillow_fails_before_anything_is_read(slapd, tmp_path, run_module, monkeypatch):
    for name in [name for name in sys.modules if name == 'PIL' or name.startswith('PIL.')]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, 'PIL', None)  # import PIL now raises ImportError
    dest = tmp_path / 'staging'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, resize=True))
    assert failed
    assert result['msg'].startswith('the option resize needs the Python library Pillow on the controller')
    assert 'pip install Pillow' in result['msg']
    assert not dest.exists()
    # without resize Pillow is not needed
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed and photo_files(dest) == ['small@acme.example.jpg']


@pytest.mark.parametrize('extra, message', [
    ({'max_edge': 31}, 'max_edge must be a number of pixels of at least 32, got 31'),
    ({'max_edge': 0, 'resize': True}, 'max_edge must be a number of pixels of at least 32, got 0'),
])
def test_bad_max_edge_fails_before_anything_is_written(slapd, tmp_path, run_module, extra, message):
    dest = tmp_path / 'staging'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, **extra))
    assert failed and result['msg'] == message
    assert not dest.exists()


def test_photo_url_of_a_resized_photo_keeps_the_export_state_current(slapd, tmp_path, run_module):
    """ldap_photo_url confirms a resized file by re-encoding the photo with the export's settings from the state."""
    dest = tmp_path / 'staging'
    args = export_args(slapd, dest, resize=True)
    run_module(ldap_photo_export, args)
    linked, failed = run_module(ldap_photo_url, {
        'server_uri': slapd.uri, 'bind_dn': ADMIN, 'bind_password': PASSWORD, 'search_base': PEOPLE,
        'url_template': 'http://icphotos.acme.example/{mail}.jpg', 'url_attribute': 'photoURL', 'photo_dir': str(dest)})
    assert not failed, linked.get('msg')
    assert linked['modified'] == 4 and linked['export_state_refreshed'] == 4
    state = photo_state.load_document(str(dest))
    assert state['export']['resize'] is True and state['export']['max_edge'] == 150
    assert sorted(e['name'] for e in state['entries'].values() if e.get('resized')) == RESIZED
    again, failed = run_module(ldap_photo_export, args)
    assert not failed and (again['fetched'], again['written'], again['resized']) == (0, 0, 3)


@pytest.mark.parametrize('template, warned', [
    ('https://icphotos.acme.example/{mail}.jpg', True),
    ('http://icphotos.acme.example/{mail}.jpg', False),
])
def test_photo_url_warns_on_an_https_template(slapd, run_module, monkeypatch, template, warned):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    result, failed = run_module(ldap_photo_url, {
        'server_uri': slapd.uri, 'bind_dn': ADMIN, 'bind_password': PASSWORD, 'search_base': PEOPLE,
        'url_template': template, 'url_attribute': 'photoURL'})
    assert not failed and result['modified'] == 5  # an https URL is still written: a warning, not a refusal
    https = [text for text in warnings if 'https' in text]
    if warned:
        assert https == [photo_resize.https_template_warning(template)]
        assert 'PhotoURL must be http, not https' in https[0]
    else:
        assert https == []


def test_nothing_outside_dest(slapd, tmp_path, run_module):
    work = tmp_path / 'work'
    work.mkdir()
    result, failed = run_module(ldap_photo_export, export_args(slapd, work / 'staging', resize=True))
    assert not failed
    assert all_files(work) == sorted(['staging/' + name for name in RESIZED + ['small@acme.example.jpg']] +
                                     ['staging/' + photo_state.STATE_FILE_NAME])
