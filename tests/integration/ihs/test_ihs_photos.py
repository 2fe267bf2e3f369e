# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo vhost end to end on the lab's IHS (Debian Apache 2.4 laid out like IHS; 2.2 syntax runs on
mod_access_compat). Requests come from the client namespaces with their real source addresses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

PLAYBOOK = 'tests/integration/ihs/photos_vhost.yml'
IHS = '/opt/IBM/HTTPServer'
VHOST = IHS + '/conf/icphotos.conf'
TEST_DOCROOT = IHS + '/photos-ihs-test'
PHOTO = 'zz-ihs-test@acme.example.jpg'
JPEG = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + b'ihs-test' * 64 + b'\xff\xd9'
URL = 'http://203.0.113.20'
SECRET = 'Zq7SecretTokenValue'

# name -> (method, path, [Cookie header values]); the photo exists, MISSING does not
REQUESTS = [
    ('no cookie', 'GET', '/' + PHOTO, []),
    ('LtpaToken2', 'GET', '/' + PHOTO, ['LtpaToken2=' + SECRET]),
    ('LtpaToken after another', 'GET', '/' + PHOTO, ['a=1; LtpaToken=' + SECRET]),
    ('two Cookie headers', 'GET', '/' + PHOTO, ['a=1', 'LtpaToken2=' + SECRET]),
    ('meeting cookie', 'GET', '/' + PHOTO, ['STPluginActivePage=stMeetingroom']),
    ('forged: name contains LtpaToken2', 'GET', '/' + PHOTO, ['xLtpaToken2=' + SECRET]),
    ('forged: empty value', 'GET', '/' + PHOTO, ['LtpaToken2=']),
    ('forged: quoted empty value', 'GET', '/' + PHOTO, ['LtpaToken2=""']),
    ('forged: quoted blanks', 'GET', '/' + PHOTO, ['LtpaToken2="  "; a=1']),
    ('forged: blanks only', 'GET', '/' + PHOTO, ['LtpaToken2=   ']),
    ('forged: blanks before another cookie', 'GET', '/' + PHOTO, ['LtpaToken2=   ; a=1']),
    ('forged: tab only', 'GET', '/' + PHOTO, ['LtpaToken2=\t']),
    ('forged: tabs before another cookie', 'GET', '/' + PHOTO, ['LtpaToken2=\t\t; a=1']),
    ('forged: quoted empty in a second header', 'GET', '/' + PHOTO, ['a=1', 'LtpaToken=""']),
    ('quoted value', 'GET', '/' + PHOTO, ['LtpaToken2="%s"' % SECRET]),
    ('value after a tab', 'GET', '/' + PHOTO, ['a=1;\tLtpaToken2=%s' % SECRET]),
    ('forged: name in a value', 'GET', '/' + PHOTO, ['foo=LtpaToken2=' + SECRET]),
    ('forged: wrong case', 'GET', '/' + PHOTO, ['ltpatoken2=' + SECRET]),
    ('forged: meeting value', 'GET', '/' + PHOTO, ['STPluginActivePage=stMeetingroomX']),
    ('forged: meeting name', 'GET', '/' + PHOTO, ['xSTPluginActivePage=stMeetingroom']),
    ('missing photo', 'GET', '/nobody@acme.example.jpg', []),
    ('missing photo, cookie', 'GET', '/nobody@acme.example.jpg', ['LtpaToken2=' + SECRET]),
    ('other file', 'GET', '/notes.txt', []),
    ('listing', 'GET', '/', []),
    ('HEAD', 'HEAD', '/' + PHOTO, []),
    ('POST', 'POST', '/' + PHOTO, []),
    ('POST, cookie', 'POST', '/' + PHOTO, ['LtpaToken2=' + SECRET]),
    ('OPTIONS', 'OPTIONS', '/' + PHOTO, []),
    ('DELETE', 'DELETE', '/' + PHOTO, []),
    ('TRACE', 'TRACE', '/' + PHOTO, []),
    ('encoded @', 'GET', '/' + PHOTO.replace('@', '%40'), []),
    ('sub-path', 'GET', '/' + PHOTO + '/x', []),
    ('other file, cookie', 'GET', '/notes.txt', ['LtpaToken2=' + SECRET]),
]
INSIDE = ('client-office', 'client-vpn', 'stproxy1')
OUTSIDE = ('guest',)

# expected status: (mode) -> request -> (inside, outside); identical for 2.2 and 2.4 syntax
HARDENED = {
    'no cookie': (200, 403), 'LtpaToken2': (200, 200), 'LtpaToken after another': (200, 200),
    'two Cookie headers': (200, 200), 'meeting cookie': (200, 200),
    'forged: name contains LtpaToken2': (200, 403), 'forged: empty value': (200, 403),
    'forged: quoted empty value': (200, 403), 'forged: quoted blanks': (200, 403), 'forged: blanks only': (200, 403),
    'forged: blanks before another cookie': (200, 403), 'forged: tab only': (200, 403),
    'forged: tabs before another cookie': (200, 403), 'forged: quoted empty in a second header': (200, 403),
    'quoted value': (200, 200), 'value after a tab': (200, 200),
    'forged: name in a value': (200, 403), 'forged: wrong case': (200, 403), 'forged: meeting value': (200, 403),
    'forged: meeting name': (200, 403), 'missing photo': (404, 403), 'missing photo, cookie': (404, 404),
    'other file': (403, 403), 'listing': (403, 403), 'HEAD': (200, 403), 'POST': (403, 403),
    'POST, cookie': (403, 403), 'OPTIONS': (403, 403), 'DELETE': (403, 403), 'TRACE': (405, 405),
    'encoded @': (200, 403), 'sub-path': (403, 403), 'other file, cookie': (403, 403),
}
SEED = {
    'no cookie': (200, 302), 'LtpaToken2': (200, 200), 'LtpaToken after another': (200, 200),
    'two Cookie headers': (200, 200), 'meeting cookie': (200, 200),
    # the seed's weaknesses: every forged variant gets in
    'forged: name contains LtpaToken2': (200, 200), 'forged: empty value': (200, 200),
    'forged: quoted empty value': (200, 200), 'forged: quoted blanks': (200, 200), 'forged: blanks only': (200, 200),
    'forged: blanks before another cookie': (200, 200), 'forged: tab only': (200, 200),
    'forged: tabs before another cookie': (200, 200), 'forged: quoted empty in a second header': (200, 200),
    'quoted value': (200, 200), 'value after a tab': (200, 200),
    'forged: name in a value': (200, 200), 'forged: wrong case': (200, 200), 'forged: meeting value': (200, 200),
    'forged: meeting name': (200, 200), 'missing photo': (404, 302), 'missing photo, cookie': (404, 404),
    # any file is served; "/" has no index.html and the lab loads no mod_autoindex: 404, no listing here
    'other file': (200, 302), 'listing': (404, 302), 'HEAD': (200, 302), 'POST': (200, 302),
    'POST, cookie': (200, 200), 'OPTIONS': (200, 302), 'DELETE': (405, 302), 'TRACE': (200, 302),
    'encoded @': (200, 302), 'sub-path': (404, 302), 'other file, cookie': (200, 200),
}
EXPECTED = {'hardened': HARDENED, 'seed': SEED}


def _script():
    """One shell script per client: prints '<index> <status>' for every request."""
    lines = []
    for index, (_name, method, path, cookies) in enumerate(REQUESTS):
        args = ['curl', '-s', '-o', '/dev/null', '-w', "'%{http_code}'", '--max-time', '5']
        args += ['-I'] if method == 'HEAD' else ['-X', method]
        args += ["-H 'Cookie: %s'" % cookie for cookie in cookies]
        lines.append('echo "%d $(%s \'%s%s\')"' % (index, ' '.join(args), URL, path))
    return '\n'.join(lines)


def _statuses(lab_exec, host):
    proc = lab_exec(host, ['sh', '-c', _script()])
    assert proc.returncode == 0, proc.stderr
    got = dict(line.split() for line in proc.stdout.splitlines())
    assert len(got) == len(REQUESTS), proc.stdout
    return dict((REQUESTS[int(index)][0], int(code)) for index, code in got.items())


@pytest.fixture(scope='module')
def docroot_files(lab):
    """A document root of the tests' own (the photo pipeline owns and syncs /opt/IBM/HTTPServer/photos); the
    lab's vhost is put back on its normal document root afterwards."""
    photos = lab.path('ihs1', TEST_DOCROOT)
    os.makedirs(photos, exist_ok=True)
    for name, data in ((PHOTO, JPEG), ('notes.txt', b'not a photo\n')):
        target = os.path.join(photos, name)
        with open(target, 'wb') as handle:
            handle.write(data)
        os.chmod(target, 0o644)
    yield photos
    restored = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', lab.inventory,
                               PLAYBOOK], cwd=lab.repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, check=False)
    assert restored.returncode == 0, restored.stdout[-3000:]


def _converge(ansible_playbook, mode, generation, *extra):
    proc = ansible_playbook(PLAYBOOK, '-e', 'ihs_photos_mode=%s' % mode, '-e',
                            'ihs_photos_apache_generation=%s' % generation, '-e',
                            'ihs_photos_document_root=%s' % TEST_DOCROOT, *extra)
    return proc


def _vhost_bytes(lab):
    with open(lab.path('ihs1', VHOST), 'rb') as handle:
        return handle.read()


def _probe(lab_exec, host, path):
    proc = lab_exec(host, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', URL + path])
    return int(proc.stdout or 0)


def _wait_for_config(lab_exec, expected, timeout=15):
    """After the graceful restart, wait until new workers answer: the probes that tell the modes apart must give
    the new answers three times in a row (old workers may take a moment to stop accepting)."""
    probes = [('guest', '/' + PHOTO, expected['no cookie'][1]), ('client-office', '/notes.txt', expected['other file'][0])]
    deadline, streak = time.time() + timeout, 0
    while streak < 3 and time.time() < deadline:
        if all(_probe(lab_exec, host, path) == status for host, path, status in probes):
            streak += 1
        else:
            streak = 0
            time.sleep(0.3)
    return streak >= 3


@pytest.mark.parametrize('mode, generation', [('hardened', '2.4'), ('hardened', '2.2'), ('seed', '2.4'),
                                              ('seed', '2.2')])
def test_status_matrix(lab, lab_exec, ansible_playbook, docroot_files, mode, generation):
    proc = _converge(ansible_playbook, mode, generation)
    assert proc.returncode == 0 and proc.stats['ihs1']['failed'] == 0, proc.stdout[-3000:]
    text = _vhost_bytes(lab).decode()
    assert 'mode %s, Apache %s syntax' % (mode, generation) in text
    if generation == '2.2':
        assert 'Order ' in text and 'Require ip' not in text
    else:
        assert 'Order ' not in text
    expected = EXPECTED[mode]
    assert _wait_for_config(lab_exec, expected)
    table = {}
    for host in INSIDE + OUTSIDE:
        column = 0 if host in INSIDE else 1
        got = _statuses(lab_exec, host)
        for name, _method, _path, _cookies in REQUESTS:
            table[(host, name)] = (got[name], expected[name][column])
    wrong = dict((key, value) for key, value in table.items() if value[0] != value[1])
    assert len(table) == len(REQUESTS) * 4
    assert wrong == {}, 'got, expected: %r' % wrong
    # idempotent: a second run changes nothing
    again = _converge(ansible_playbook, mode, generation)
    assert again.returncode == 0 and again.stats['ihs1']['changed'] == 0, again.stdout[-3000:]


def test_hardened_headers_and_log(lab, lab_exec, ansible_playbook, docroot_files):
    proc = _converge(ansible_playbook, 'hardened', '2.4')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert _wait_for_config(lab_exec, HARDENED)
    head = lab_exec('client-office', ['curl', '-s', '-D', '-', '-o', '/dev/null', '%s/%s' % (URL, PHOTO)])
    headers = head.stdout.lower()
    assert 'cache-control: private' in headers and 'x-content-type-options: nosniff' in headers
    got = lab_exec('guest', ['sh', '-c', "curl -s -H 'Cookie: LtpaToken2=%s' %s/%s | md5sum" % (SECRET, URL, PHOTO)])
    assert got.stdout.split()[0] == hashlib.md5(JPEG).hexdigest()
    logs = lab.path('ihs1', IHS + '/logs')
    for name in os.listdir(logs):
        path = os.path.join(logs, name)
        if os.path.isfile(path):
            with open(path, 'rb') as handle:
                assert SECRET.encode() not in handle.read(), name
    with open(os.path.join(logs, 'photos_access.log')) as handle:
        assert 'photo_cookie=1' in handle.read()


@pytest.mark.parametrize('breakage', ['bad module path', 'broken included file'])
def test_configtest_failure_keeps_old_vhost(lab, lab_exec, ansible_playbook, docroot_files, breakage):
    proc = _converge(ansible_playbook, 'hardened', '2.4')
    assert proc.returncode == 0, proc.stdout[-3000:]
    before = _vhost_bytes(lab)
    broken = lab.path('ihs1', IHS + '/conf.d/zz-ihs-test-broken.conf')
    extra = []
    if breakage == 'bad module path':
        extra = ['-e', '{"ihs_photos_load_modules": {"bogus_module": "modules/mod_bogus.so"}}']
        message = 'Cannot load modules/mod_bogus.so'
    else:
        with open(broken, 'w') as handle:
            handle.write('# written by tests/integration/ihs\nBogusDirective on\n')
        extra = ['-e', 'ihs_photos_cache_control=no-store']
        message = "Invalid command 'BogusDirective'"
    try:
        failed = _converge(ansible_playbook, 'hardened', '2.4', *extra)
    finally:
        if os.path.exists(broken):
            os.unlink(broken)
    assert failed.returncode != 0 and failed.stats['ihs1']['failed'] == 1
    assert message in failed.stdout and 'Apache configuration test failed' in failed.stdout
    assert _vhost_bytes(lab) == before
    assert _statuses(lab_exec, 'client-office')['no cookie'] == 200
    assert _statuses(lab_exec, 'guest')['no cookie'] == 403
    ok = lab_exec('ihs1', [IHS + '/bin/apachectl', '-t'])
    assert ok.returncode == 0, ok.stderr


ROTATELOGS = '|/usr/bin/rotatelogs %s/logs/zz-ihs-test-photos.%%Y%%m%%d 86400' % IHS


def test_piped_rotatelogs_access_log(lab, lab_exec, ansible_playbook, docroot_files):
    """IHS's log rotation through the role: the piped program with arguments passes the configuration test, and
    after the graceful restart rotatelogs writes the requests (the lab's ihs1 has Debian's /usr/bin/rotatelogs)."""
    proc = _converge(ansible_playbook, 'hardened', '2.4', '-e', json.dumps({'ihs_photos_access_log': ROTATELOGS}))
    assert proc.returncode == 0 and proc.stats['ihs1']['failed'] == 0, proc.stdout[-3000:]
    assert ('CustomLog "%s" sametime_photos' % ROTATELOGS).encode() in _vhost_bytes(lab)
    assert _wait_for_config(lab_exec, HARDENED)
    lab_exec('guest', ['curl', '-s', '-o', '/dev/null', '-H', 'Cookie: LtpaToken2=%s' % SECRET, '%s/%s' % (URL, PHOTO)])
    log = lab.path('ihs1', IHS + '/logs/zz-ihs-test-photos.' + time.strftime('%Y%m%d'))
    deadline, text = time.time() + 10, ''
    while time.time() < deadline and 'photo_cookie=1' not in text:
        time.sleep(0.2)
        if os.path.exists(log):
            with open(log) as handle:
                text = handle.read()
    assert '"GET /%s HTTP/1.1" 200' % PHOTO in text and 'photo_cookie=1' in text, text
    assert SECRET not in text
