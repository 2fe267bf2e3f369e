# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo chain end to end on real servers: ldap_photo_export from a real slapd (bundle unpacked by GNU tar, as
the photo_sync role does), ldap_photo_url into the same slapd, ihs_photo_vhost rendered with its defaults into a real
Apache, and every photoURL the run wrote fetched from that Apache."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import http.client
import io
import os
import shutil
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import pytest

ldap3 = pytest.importorskip('ldap3')

from ansible_collections.sametime.deploy.plugins.modules import ihs_photo_vhost, ldap_photo_export, ldap_photo_url
from ansible_collections.sametime.deploy.tests.lab.ports import free_port
from ansible_collections.sametime.deploy.tests.unit.plugins.modules.test_ihs_photo_vhost import FAKE_APACHECTL, _real_ihs
from ansible_collections.sametime.deploy.tests.unit.plugins.modules.test_ldap_photo_modules import (
    ADMIN, PASSWORD, PEOPLE, SLAPD, Slapd, jpeg)
from ansible_collections.sametime.deploy.tests.unit.plugins.modules.test_ldap_photo_resize import BIG_JPEG, PNG

# uid -> mail: one user per RFC 5322 atext special (and a few combinations), each with a valid photo
USERS = dict((uid, (mail, jpeg(uid))) for uid, mail in {
    'obrien': "O'Brien@acme.example",
    'plus': 'a+b@acme.example',
    'bang': 'a!b@acme.example',
    'hash': 'x#y@acme.example',
    'tilde': '~tilde@acme.example',
    'curly': '{curly}@acme.example',
    'percent': 'pct%41@acme.example',  # decoded once by Apache: the file is pct%41@..., not pctA@...
    'question': 'q?mark@acme.example',
    'amp': 'amp&er=eq@acme.example',
    'dollar': 'dollar$star*@acme.example',
    'caret': 'caret^back`tick@acme.example',
    'pipe': 'pipe|under_score@acme.example',
    'hyphen': '-hy-phen-@acme.example',
    'dotted': 'Dot.Ted.Name@Mail.ACME.example',
    'plain': 'alice@acme.example',
    'long': 'l' * 64 + '@' + 'd' * 60 + '.' + 'e' * 60 + '.example',  # a name longer than a tar header's 100 bytes
    'slash': 'sub/dir@acme.example',  # '/' is atext, but no file name: refused and reported
}.items())
REFUSED = {'slash': ('invalid_mail', 'mail contains a path separator')}


def _get(url, source, cookie=None):
    """(status, body) of a GET of `url` exactly as written, from the loopback address `source`."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10, source_address=(source, 0))
    try:
        conn.request('GET', url[len('%s://%s' % (parts.scheme, parts.netloc)):],
                     headers={'Cookie': cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _photo_urls(slapd):
    conn = slapd.admin()
    conn.search(PEOPLE, '(uid=*)', attributes=['uid', 'photoURL'], paged_size=100)
    urls = dict((e['attributes']['uid'][0], e['attributes']['photoURL']) for e in conn.response)
    conn.unbind()
    return urls


@pytest.fixture
def docroot():
    """Apache's workers do not run as root: a world-readable folder outside pytest's private temp folder."""
    path = tempfile.mkdtemp(prefix='photo-chain-')
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path)


@pytest.fixture
def ihs(tmp_path):
    """Debian's apache2 laid out like IHS (bin/apachectl, conf/httpd.conf), as test_ihs_photo_vhost's fixture."""
    root = tmp_path / 'HTTPServer'
    for sub in ('bin', 'conf', 'photos'):
        (root / sub).mkdir(parents=True)
    (root / 'bin' / 'apachectl').write_text(FAKE_APACHECTL)  # replaced by _real_ihs
    (root / 'bin' / 'apachectl').chmod(0o755)
    return root


@pytest.mark.parametrize('generation', ['2.2', '2.4'])
def test_every_photo_url_the_run_wrote_is_served(tmp_path, run_module, docroot, ihs, generation):
    if not os.path.exists(SLAPD) or not shutil.which('apache2'):
        pytest.fail('slapd and apache2 are required (Debian packages slapd, ldap-utils, apache2)')
    slapd = Slapd(str(tmp_path / 'slapd'), USERS)
    try:
        port = free_port()
        staging, bundle = tmp_path / 'staging', tmp_path / 'photos.tar'
        ldap = dict(server_uri=slapd.uri, bind_dn=ADMIN, bind_password=PASSWORD, search_base=PEOPLE, page_size=3)
        exported, failed = run_module(ldap_photo_export, dict(ldap, dest=str(staging), bundle=str(bundle)))
        assert not failed, exported
        subprocess.check_call(['tar', '-xf', str(bundle), '-C', docroot])  # what ansible.builtin.unarchive runs
        linked, failed = run_module(ldap_photo_url, dict(
            ldap, url_attribute='photoURL', url_template='http://127.0.0.1:%d/{mail}.jpg' % port,
            photo_dir=str(staging)))
        assert not failed, linked
        urls = _photo_urls(slapd)
    finally:
        slapd.stop()

    # a user whose mail is legal and whose photo is fine gets a URL, or the export says why not
    reported = dict((s['dn'].split(',')[0][4:], (s['reason'], s['detail'])) for s in exported['skipped_entries'])
    assert reported == REFUSED
    assert sorted(uid for uid, url in urls.items() if url) == sorted(set(USERS) - set(REFUSED))
    assert exported['written'] == linked['modified'] == len(USERS) - len(REFUSED)

    with apache(run_module, ihs, docroot, port, generation):
        answers = {}
        for uid, url in sorted(urls.items()):
            if not url:
                continue
            allowed = _get(url, '127.0.0.1')
            guest = _get(url, '127.0.0.2')
            with_cookie = _get(url, '127.0.0.2', cookie='LtpaToken2=abc')
            answers[uid] = (allowed[0], allowed[1] == USERS[uid][1], guest[0], with_cookie[0])
        assert answers == dict((uid, (200, True, 403, 200)) for uid in set(USERS) - set(REFUSED)), (answers, urls)


@contextlib.contextmanager
def apache(run_module, ihs, docroot, port, generation):
    """The vhost rendered by ihs_photo_vhost with its defaults into a real Apache serving `docroot` on `port`."""
    _real_ihs(ihs, port)
    vhost, failed = run_module(ihs_photo_vhost, dict(
        path=str(ihs / 'conf' / 'photos.conf'), server_name='icphotos.acme.example', document_root=docroot,
        apachectl=str(ihs / 'bin' / 'apachectl'), httpd_conf=str(ihs / 'conf' / 'httpd.conf'),
        apache_generation=generation, port=port, listen_address='127.0.0.1', allow_hosts=['127.0.0.1']))
    assert not failed and 'Syntax OK' in vhost['configtest'], vhost
    ctl = str(ihs / 'bin' / 'apachectl')
    started = subprocess.run([ctl, '-k', 'start'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    assert started.returncode == 0, started.stdout
    try:
        deadline = time.time() + 10
        while True:
            try:
                _get('http://127.0.0.1:%d/' % port, '127.0.0.1')
                break
            except OSError:
                assert time.time() < deadline, 'Apache did not start'
                time.sleep(0.1)
        yield
    finally:
        subprocess.run([ctl, '-k', 'stop'], check=False)
        pid_file = ihs / 'logs' / 'httpd.pid'
        deadline = time.time() + 10
        while pid_file.exists() and time.time() < deadline:
            time.sleep(0.1)


def test_a_resized_photo_is_served_as_a_jpeg_within_the_limit(tmp_path, run_module, docroot, ihs):
    """An oversized JPEG and a PNG, which the business card cannot show as they are: with resize the run gives both
    users a photoURL that Apache answers with a JPEG within max_photo_bytes and max_edge."""
    if not os.path.exists(SLAPD) or not shutil.which('apache2'):
        pytest.fail('slapd and apache2 are required (Debian packages slapd, ldap-utils, apache2)')
    from PIL import Image

    users = {'big': ('Big.Photo@acme.example', BIG_JPEG), 'png': ('png@acme.example', PNG),
             'plain': ('alice@acme.example', jpeg('alice'))}
    max_photo_bytes, max_edge = 10240, 120
    slapd = Slapd(str(tmp_path / 'slapd'), users)
    try:
        port = free_port()
        staging, bundle = tmp_path / 'staging', tmp_path / 'photos.tar'
        ldap = dict(server_uri=slapd.uri, bind_dn=ADMIN, bind_password=PASSWORD, search_base=PEOPLE, page_size=3)
        export = dict(ldap, dest=str(staging), bundle=str(bundle), max_photo_bytes=max_photo_bytes)
        without, failed = run_module(ldap_photo_export, export)
        assert not failed and without['skipped_by_reason']['too_large'] == 1, without
        exported, failed = run_module(ldap_photo_export, dict(export, resize=True, max_edge=max_edge))
        assert not failed, exported
        assert (exported['written'], exported['resized']) == (2, 2)  # alice's photo is kept, not rewritten
        subprocess.check_call(['tar', '-xf', str(bundle), '-C', docroot])
        linked, failed = run_module(ldap_photo_url, dict(
            ldap, url_attribute='photoURL', url_template='http://127.0.0.1:%d/{mail}.jpg' % port,
            photo_dir=str(staging)))
        assert not failed and linked['modified'] == 3, linked
        urls = _photo_urls(slapd)
    finally:
        slapd.stop()

    with apache(run_module, ihs, docroot, port, '2.4'):
        for uid in ('big', 'png'):
            status, body = _get(urls[uid], '127.0.0.1')
            assert status == 200, (uid, urls[uid])
            assert len(body) <= max_photo_bytes
            image = Image.open(io.BytesIO(body))
            image.load()
            assert image.format == 'JPEG' and max(image.size) == max_edge, (uid, image.format, image.size)
        assert _get(urls['plain'], '127.0.0.1') == (200, users['plain'][1])
