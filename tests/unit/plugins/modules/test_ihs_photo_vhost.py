# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import stat

import pytest

from ansible_collections.sametime.deploy.plugins.modules import ihs_info, ihs_photo_vhost

FAKE_APACHECTL = """#!/bin/sh
here=$(dirname "$0")
echo "$@" >> "$here/calls"
case "$1" in
    -V) cat "$here/version.txt" ;;
    -M) printf 'Loaded Modules:\\n core_module (static)\\n rewrite_module (shared)\\n' ;;
    -t) if [ -f "$here/broken" ]; then cat "$here/broken" >&2; exit 1; fi; echo 'Syntax OK' >&2 ;;
esac
"""
IHS_85 = "Server version: IBM_HTTP_Server/8.5.5.22 (Unix)\nServer's Module Magic Number: 20051115:23\n" \
         ' -D HTTPD_ROOT="/opt/IBM/HTTPServer"\n -D SERVER_CONFIG_FILE="conf/httpd.conf"\n'
APACHE_MESSAGE = "AH00526: Syntax error on line 2 of /opt/IBM/HTTPServer/conf/other.conf:\nInvalid command 'Bogus'"


@pytest.fixture
def ihs(tmp_path):
    root = tmp_path / 'HTTPServer'
    for sub in ('bin', 'conf', 'photos'):
        (root / sub).mkdir(parents=True)
    ctl = root / 'bin' / 'apachectl'
    ctl.write_text(FAKE_APACHECTL)
    ctl.chmod(0o755)
    (root / 'bin' / 'version.txt').write_text(IHS_85)
    return root


def _args(root, **changes):
    args = dict(path=str(root / 'conf' / 'photos.conf'), server_name='icphotos.acme.example',
                document_root=str(root / 'photos'), apachectl=str(root / 'bin' / 'apachectl'),
                allow_networks=['192.0.2.0/25', '192.0.2.128/25'], allow_hosts=['203.0.113.11'])
    args.update(changes)
    return args


def _calls(root):
    calls = root / 'bin' / 'calls'
    return calls.read_text().splitlines() if calls.exists() else []


def test_creates_then_idempotent(run_module, ihs):
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert not failed, result
    assert not failed and result['changed'] and result['generation'] == '2.2'
    assert result['server_version'] == 'IBM_HTTP_Server/8.5.5.22 (Unix)'
    assert result['configtest'] == 'Syntax OK'
    text = (ihs / 'conf' / 'photos.conf').read_text()
    assert 'Allow from 192.0.2.0/25 192.0.2.128/25 203.0.113.11' in text
    assert stat.S_IMODE(os.stat(str(ihs / 'conf' / 'photos.conf')).st_mode) == 0o644
    assert _calls(ihs) == ['-V', '-t']
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert not failed and not result['changed'] and 'configtest' not in result
    assert _calls(ihs) == ['-V', '-t', '-V']  # no configtest when nothing changed


def test_explicit_generation_skips_detection(run_module, ihs):
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.4'))
    assert not failed and result['generation'] == '2.4'
    assert 'Require ip 192.0.2.0/25' in (ihs / 'conf' / 'photos.conf').read_text()
    assert _calls(ihs) == ['-t']


def test_check_mode_and_diff_write_nothing(run_module, ihs):
    args = _args(ihs, _ansible_check_mode=True, _ansible_diff=True)
    result, failed = run_module(ihs_photo_vhost, args)
    assert not failed and result['changed']
    assert 'Require ip' not in result['diff']['after'] and 'Allow from env=sametime_photo_ok' in result['diff']['after']
    assert result['diff']['before'] == ''
    assert not (ihs / 'conf' / 'photos.conf').exists()
    assert '-t' not in _calls(ihs)


def test_backup_of_replaced_file(run_module, ihs):
    vhost = ihs / 'conf' / 'photos.conf'
    vhost.write_text('# old\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs, backup=True, mode='seed', redirect_url='http://www.acme.example'))
    assert not failed and result['changed']
    with open(result['backup_file']) as handle:
        assert handle.read() == '# old\n'
    assert 'RewriteRule ^(.*)$ http://www.acme.example [R,L]' in vhost.read_text()


def test_configtest_failure_restores_previous_file(run_module, ihs):
    vhost = ihs / 'conf' / 'photos.conf'
    run_module(ihs_photo_vhost, _args(ihs))
    before = vhost.read_bytes()
    (ihs / 'bin' / 'broken').write_text(APACHE_MESSAGE)
    result, failed = run_module(ihs_photo_vhost, _args(ihs, allow_hosts=['203.0.113.12']))
    assert failed and not result['changed']
    assert "Invalid command 'Bogus'" in result['msg'] and 'previous file was put back' in result['msg']
    assert vhost.read_bytes() == before
    assert [name for name in os.listdir(str(ihs / 'conf')) if name != 'photos.conf'] == []


def test_configtest_failure_removes_new_file(run_module, ihs):
    (ihs / 'bin' / 'broken').write_text(APACHE_MESSAGE)
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert failed and 'new file was removed' in result['msg'] and 'AH00526' in result['msg']
    assert os.listdir(str(ihs / 'conf')) == []


@pytest.mark.parametrize('changes, message', [
    (dict(allow_networks=['10.0.0.1/8']), 'host bits'),
    (dict(allow_cookies=['LtpaToken2=']), 'allow_cookies'),
    (dict(document_root='/nonexistent/photos'), 'is not an existing directory'),
    (dict(apachectl='/nonexistent/apachectl'), 'not an executable file'),
    (dict(path='/nonexistent/dir/photos.conf'), 'does not exist'),
    (dict(mode='seed'), 'redirect_url'),
])
def test_bad_input_fails_before_any_write(run_module, ihs, changes, message):
    vhost = ihs / 'conf' / 'photos.conf'
    vhost.write_text('# old\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs, **changes))
    assert failed and message in result['msg']
    assert vhost.read_text() == '# old\n'
    assert '-t' not in _calls(ihs)


def test_unknown_generation_is_refused(run_module, ihs):
    (ihs / 'bin' / 'version.txt').write_text('Server version: IBM_HTTP_Server/6.1.0.47 (Unix)\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert failed and 'generation 2.0' in result['msg']


def test_configtest_include_passes_the_file(run_module, ihs):
    run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.4', configtest_include=True))
    assert _calls(ihs) == ['-t -c Include %s' % (ihs / 'conf' / 'photos.conf')]


def test_ihs_info(run_module, ihs):
    result, failed = run_module(ihs_info, dict(apachectl=str(ihs / 'bin' / 'apachectl')))
    assert not failed and not result['changed']
    assert result['generation'] == '2.2' and result['is_ihs'] and result['product_version'] == '8.5.5.22'
    assert result['server_config_file'] == '/opt/IBM/HTTPServer/conf/httpd.conf'
    assert result['modules'] == ['core_module', 'rewrite_module']


def test_ihs_info_fails_on_other_output(run_module, ihs):
    (ihs / 'bin' / 'version.txt').write_text('sh: httpd: not found\n')
    result, failed = run_module(ihs_info, dict(apachectl=str(ihs / 'bin' / 'apachectl'), modules=False))
    assert failed and 'Server version' in result['msg']


# ---- the same with a real Apache configtest (Debian apache2), when installed --------------------------------

REAL_CONF = """ServerRoot "{root}"
PidFile logs/httpd.pid
Listen 127.0.0.1:18999
LoadModule mpm_event_module {mods}/mod_mpm_event.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule authz_host_module {mods}/mod_authz_host.so
LoadModule rewrite_module {mods}/mod_rewrite.so
LoadModule alias_module {mods}/mod_alias.so
LoadModule setenvif_module {mods}/mod_setenvif.so
LoadModule headers_module {mods}/mod_headers.so
ServerName test.local
ErrorLog logs/error_log
Include conf/photos.conf
Include conf/other.conf
"""


@pytest.mark.skipif(not shutil.which('apache2'), reason='Debian apache2 not installed')
def test_real_apache_configtest(run_module, ihs):
    mods = '/usr/lib/apache2/modules'
    (ihs / 'logs').mkdir()
    (ihs / 'conf' / 'httpd.conf').write_text(REAL_CONF.format(root=ihs, mods=mods))
    (ihs / 'conf' / 'other.conf').write_text('# fine\n')
    (ihs / 'conf' / 'photos.conf').write_text('# placeholder\n')
    ctl = ihs / 'bin' / 'apachectl'
    ctl.write_text('#!/bin/sh\nexec apache2 -d "%s" -f "%s/conf/httpd.conf" "$@"\n' % (ihs, ihs))
    # 2.4 syntax: fine
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='auto'))
    assert not failed and result['generation'] == '2.4' and 'Syntax OK' in result['configtest']
    good = (ihs / 'conf' / 'photos.conf').read_bytes()
    # 2.2 syntax without mod_access_compat: Apache refuses "Order", the 2.4 file stays
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.2'))
    assert failed and "Invalid command 'Order'" in result['msg']
    assert (ihs / 'conf' / 'photos.conf').read_bytes() == good
    # ... and works once the module loads it
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.2', load_modules={
        'access_compat_module': mods + '/mod_access_compat.so'}))
    assert not failed and result['changed']
    good = (ihs / 'conf' / 'photos.conf').read_bytes()
    # a broken sibling include: the change is rolled back with Apache's message
    (ihs / 'conf' / 'other.conf').write_text('Bogus directive\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.2', allow_hosts=[], load_modules={
        'access_compat_module': mods + '/mod_access_compat.so'}))
    assert failed and "Invalid command 'Bogus'" in result['msg'] and 'other.conf' in result['msg']
    assert (ihs / 'conf' / 'photos.conf').read_bytes() == good
