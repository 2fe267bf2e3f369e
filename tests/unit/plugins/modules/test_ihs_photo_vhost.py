# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ansible_collections.sametime.deploy.plugins.modules import ihs_info, ihs_photo_vhost
from ansible_collections.sametime.deploy.tests.unit.plugins.module_utils import golden_vhosts

# -t -f MAIN: records the bytes of every file MAIN includes (what was tested), can hang (kill test) or fail
FAKE_APACHECTL = """#!/bin/sh
here=$(dirname "$0")
echo "$@" >> "$here/calls"
case "$1" in
    -V) cat "$here/version.txt" ;;
    -M) printf 'Loaded Modules:\\n core_module (static)\\n rewrite_module (shared)\\n' ;;
    -t) main=${3:-$here/../conf/httpd.conf}
        sed -n 's/^Include "\\(.*\\)"$/\\1/p' "$main" | while read -r f; do cat "$f"; done > "$here/tested"
        if [ -f "$here/hang" ]; then touch "$here/testing"; sleep 60; fi
        if [ -f "$here/broken" ]; then cat "$here/broken" >&2; exit 1; fi; echo 'Syntax OK' >&2 ;;
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
    (root / 'conf' / 'httpd.conf').write_text('ServerRoot "%s"\nListen 80\nInclude "conf/photos.conf"\n' % root)
    return root


def _args(root, **changes):
    args = dict(path=str(root / 'conf' / 'photos.conf'), server_name='icphotos.acme.example',
                document_root=str(root / 'photos'), apachectl=str(root / 'bin' / 'apachectl'),
                allow_networks=['192.0.2.0/25', '192.0.2.128/25'], allow_hosts=['203.0.113.11'],
                httpd_conf=str(root / 'conf' / 'httpd.conf'))
    args.update(changes)
    return args


def _calls(root):
    """The first argument of every apachectl call."""
    calls = root / 'bin' / 'calls'
    return [line.split()[0] for line in calls.read_text().splitlines()] if calls.exists() else []


def _conf_files(root):
    return sorted(os.listdir(str(root / 'conf')))


def test_creates_then_idempotent(run_module, ihs):
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert not failed, result
    assert not failed and result['changed'] and result['generation'] == '2.2'
    assert result['server_version'] == 'IBM_HTTP_Server/8.5.5.22 (Unix)'
    assert result['configtest'] == 'Syntax OK'
    text = (ihs / 'conf' / 'photos.conf').read_text()
    assert 'Allow from 192.0.2.0/25 192.0.2.128/25 203.0.113.11' in text
    assert (ihs / 'bin' / 'tested').read_text() == text  # the test saw the new bytes before they went live
    assert stat.S_IMODE(os.stat(str(ihs / 'conf' / 'photos.conf')).st_mode) == 0o644
    assert _calls(ihs) == ['-V', '-t']
    assert _conf_files(ihs) == ['httpd.conf', 'photos.conf']  # no candidate, no temporary main configuration left
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert not failed and not result['changed'] and 'configtest' not in result
    assert _calls(ihs) == ['-V', '-t', '-V']  # no configtest when nothing changed


def test_candidate_is_tested_through_a_copy_of_the_main_configuration(run_module, ihs):
    vhost = ihs / 'conf' / 'photos.conf'
    vhost.write_text('# old\n')
    vhost.chmod(0o640)
    main_before = (ihs / 'conf' / 'httpd.conf').read_bytes()
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.4'))
    assert not failed and result['changed']
    call = (ihs / 'bin' / 'calls').read_text().split()
    assert call[:2] == ['-t', '-f'] and os.path.dirname(call[2]) == str(ihs / 'conf')
    assert os.path.basename(call[2]).startswith('.photos.conf.testmain-')
    assert (ihs / 'bin' / 'tested').read_text() == vhost.read_text() != '# old\n'
    assert (ihs / 'conf' / 'httpd.conf').read_bytes() == main_before
    assert stat.S_IMODE(os.stat(str(vhost)).st_mode) == 0o640  # a replaced file keeps its mode


def test_explicit_generation_skips_detection(run_module, ihs):
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.4'))
    assert not failed and result['generation'] == '2.4'
    assert 'Require ip 192.0.2.0/25' in (ihs / 'conf' / 'photos.conf').read_text()
    assert _calls(ihs) == ['-t']


def test_httpd_conf_and_server_root_from_apachectl(run_module, ihs):
    """Without httpd_conf the main configuration is -V's SERVER_CONFIG_FILE (relative to HTTPD_ROOT)."""
    (ihs / 'bin' / 'version.txt').write_text(IHS_85.replace('/opt/IBM/HTTPServer', str(ihs)))
    (ihs / 'conf' / 'httpd.conf').write_text('Include conf/photos.conf\n')  # no ServerRoot: -V's HTTPD_ROOT
    args = _args(ihs, apache_generation='2.4')
    del args['httpd_conf']
    result, failed = run_module(ihs_photo_vhost, args)
    assert not failed, result
    assert _calls(ihs) == ['-V', '-t']
    assert (ihs / 'bin' / 'tested').read_text() == (ihs / 'conf' / 'photos.conf').read_text()


def test_check_mode_and_diff_write_nothing(run_module, ihs):
    args = _args(ihs, _ansible_check_mode=True, _ansible_diff=True)
    result, failed = run_module(ihs_photo_vhost, args)
    assert not failed and result['changed']
    assert 'Require ip' not in result['diff']['after'] and 'Allow from env=sametime_photo_ok' in result['diff']['after']
    assert result['diff']['before'] == ''
    assert not (ihs / 'conf' / 'photos.conf').exists()
    assert '-t' not in _calls(ihs)


def test_diff_of_a_non_utf8_file_reaches_the_controller(ihs, tmp_path):
    """A vhost holding an ISO-8859-1 byte (an admin's comment): the module's --diff result passes the controller's
    JSON check ("Refusing to deserialize an invalid UTF8 string value") and shows the byte as \\xNN."""
    vhost = ihs / 'conf' / 'photos.conf'
    vhost.write_bytes(b'# Z\xfcrich\n')
    args = _args(ihs, apache_generation='2.4')
    playbook = tmp_path / 'play.json'
    playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False,
                                     'tasks': [{'sametime.deploy.ihs_photo_vhost': args}]}]))
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
         '-e', 'ansible_python_interpreter=%s' % sys.executable, '--check', '--diff', str(playbook)],
        cwd=repo, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(repo, 'ansible.cfg'), ANSIBLE_NOCOLOR='1'),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout
    assert '-# Z\\xfcrich' in proc.stdout and 'changed: [localhost]' in proc.stdout
    assert vhost.read_bytes() == b'# Z\xfcrich\n'


def test_backup_of_replaced_file(run_module, ihs):
    vhost = ihs / 'conf' / 'photos.conf'
    vhost.write_text('# old\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs, backup=True, mode='seed', redirect_url='http://www.acme.example'))
    assert not failed and result['changed']
    with open(result['backup_file']) as handle:
        assert handle.read() == '# old\n'
    assert 'RewriteRule ^(.*)$ http://www.acme.example [R,L]' in vhost.read_text()


def test_configtest_failure_leaves_the_live_file_and_makes_no_backup(run_module, ihs):
    vhost = ihs / 'conf' / 'photos.conf'
    run_module(ihs_photo_vhost, _args(ihs))
    before = vhost.read_bytes()
    (ihs / 'bin' / 'broken').write_text(APACHE_MESSAGE)
    result, failed = run_module(ihs_photo_vhost, _args(ihs, allow_hosts=['203.0.113.12'], backup=True))
    assert failed and not result['changed'] and 'backup_file' not in result
    assert "Invalid command 'Bogus'" in result['msg'] and 'was not installed' in result['msg']
    assert '203.0.113.12' in (ihs / 'bin' / 'tested').read_text()  # the candidate was what failed
    assert vhost.read_bytes() == before
    assert _conf_files(ihs) == ['httpd.conf', 'photos.conf']  # nothing was replaced: no backup, no leftovers


def test_configtest_failure_creates_no_file(run_module, ihs):
    (ihs / 'bin' / 'broken').write_text(APACHE_MESSAGE)
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert failed and 'was not installed' in result['msg'] and 'AH00526' in result['msg']
    assert _conf_files(ihs) == ['httpd.conf']


MODULE_CODE = 'from ansible_collections.sametime.deploy.plugins.modules import ihs_photo_vhost; ihs_photo_vhost.main()'


def _module_process(args):
    """The module as Ansible runs it: its own process (and process group), arguments on stdin."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, '-c', MODULE_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    proc.stdin.write(json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode())
    proc.stdin.close()
    return proc


def _run_process(args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, '-c', MODULE_CODE], input=json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60, check=False)
    result = json.loads(proc.stdout.decode())
    return result, bool(result.get('failed'))


@pytest.mark.parametrize('existing', [True, False])
def test_killed_during_configtest_leaves_the_old_file_live(ihs, existing):
    vhost = ihs / 'conf' / 'photos.conf'
    if existing:
        vhost.write_text('# old, tested\n')
    (ihs / 'bin' / 'hang').write_text('')
    proc = _module_process(_args(ihs, apache_generation='2.4', backup=True))
    try:
        deadline = time.time() + 30
        while not (ihs / 'bin' / 'testing').exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert (ihs / 'bin' / 'testing').exists(), proc.stderr.read()
        # the new bytes exist (they are being tested) while the module is killed
        assert 'Require ip 192.0.2.0/25' in (ihs / 'bin' / 'tested').read_text()
        proc.send_signal(signal.SIGKILL)  # the module only; its hanging apachectl goes with the group below
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stdout.close()
        proc.stderr.close()
    if existing:
        assert vhost.read_bytes() == b'# old, tested\n'
    else:
        assert not vhost.exists()
    assert not [name for name in _conf_files(ihs) if '~' in name or name.endswith('.bak')]  # no backup either
    # the next run tests again, installs, and clears the killed run's leftovers
    (ihs / 'bin' / 'hang').unlink()
    result, failed = _run_process(_args(ihs, apache_generation='2.4'))
    assert not failed and result['changed'], result
    assert _conf_files(ihs) == ['httpd.conf', 'photos.conf']


def test_stale_candidates_are_removed(run_module, ihs):
    for name in ('.photos.conf.candidate-abc123', '.photos.conf.testmain-abc123'):
        (ihs / 'conf' / name).write_text('Bogus\n')
    (ihs / 'conf' / '.other.conf.candidate-x').write_text('not ours\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert not failed and result['changed']
    assert _conf_files(ihs) == ['.other.conf.candidate-x', 'httpd.conf', 'photos.conf']


@pytest.mark.parametrize('changes, message', [
    (dict(allow_networks=['10.0.0.1/8']), 'host bits'),
    (dict(allow_cookies=['LtpaToken2=']), 'allow_cookies'),
    (dict(document_root='/nonexistent/photos'), 'is not an existing directory'),
    (dict(apachectl='/nonexistent/apachectl'), 'not an executable file'),
    (dict(path='/nonexistent/dir/photos.conf'), 'does not exist'),
    (dict(mode='seed'), 'redirect_url'),
    (dict(access_log='|bin/rotatelogs "logs/a" 86400'), 'access_log'),
    (dict(error_log='logs/err\nInclude /etc/passwd'), 'error_log'),
    (dict(httpd_conf='/nonexistent/httpd.conf'), 'httpd_conf /nonexistent/httpd.conf'),
])
def test_bad_input_fails_before_any_write(run_module, ihs, changes, message):
    vhost = ihs / 'conf' / 'photos.conf'
    vhost.write_text('# old\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs, **changes))
    assert failed and message in result['msg'], result
    assert vhost.read_text() == '# old\n'
    assert '-t' not in _calls(ihs)
    assert _conf_files(ihs) == ['httpd.conf', 'photos.conf']


def test_unknown_generation_is_refused(run_module, ihs):
    (ihs / 'bin' / 'version.txt').write_text('Server version: IBM_HTTP_Server/6.1.0.47 (Unix)\n')
    result, failed = run_module(ihs_photo_vhost, _args(ihs))
    assert failed and 'generation 2.0' in result['msg']


def test_a_file_nothing_includes_needs_configtest_include(run_module, ihs):
    (ihs / 'conf' / 'httpd.conf').write_text('ServerRoot "%s"\nListen 80\n' % ihs)
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.4'))
    assert failed and 'has no Include of %s' % (ihs / 'conf' / 'photos.conf') in result['msg']
    assert not (ihs / 'conf' / 'photos.conf').exists() and '-t' not in _calls(ihs)
    result, failed = run_module(ihs_photo_vhost, _args(ihs, apache_generation='2.4', configtest_include=True))
    assert not failed and result['changed']
    assert (ihs / 'bin' / 'tested').read_text() == (ihs / 'conf' / 'photos.conf').read_text()


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


ROTATING = '|{root}/bin/rotatelogs {root}/logs/photos.%Y%m%d 86400'
ROTATING_ERRORS = '|{root}/bin/rotatelogs {root}/logs/photos_error.%Y%m%d 86400'


def _real_ihs(ihs, port):
    """Debian's apache2 laid out like IHS in the test's folder: bin/apachectl, bin/rotatelogs, conf/httpd.conf."""
    mods = '/usr/lib/apache2/modules'
    (ihs / 'logs').mkdir()
    conf = REAL_CONF.format(root=ihs, mods=mods).replace('Listen 127.0.0.1:18999', 'Listen 127.0.0.1:%d' % port)
    conf += 'DefaultRuntimeDir logs\nMutex file:logs default\nLoadModule access_compat_module %s/mod_access_compat.so\n' \
            % mods
    (ihs / 'conf' / 'httpd.conf').write_text(conf)
    (ihs / 'conf' / 'other.conf').write_text('# fine\n')
    (ihs / 'conf' / 'photos.conf').write_text('# placeholder\n')
    os.symlink(shutil.which('rotatelogs') or '/usr/bin/rotatelogs', str(ihs / 'bin' / 'rotatelogs'))
    ctl = ihs / 'bin' / 'apachectl'
    ctl.write_text('#!/bin/sh\ncd /\nexec apache2 -d "%s" -f "%s/conf/httpd.conf" "$@"\n' % (ihs, ihs))


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not shutil.which('apache2'), reason='Debian apache2 not installed')
@pytest.mark.parametrize('generation', ['2.2', '2.4'])
def test_real_apache_piped_rotatelogs_writes(run_module, ihs, generation):
    """IHS's rotation, `CustomLog "|<root>/bin/rotatelogs <root>/logs/photos.%Y%m%d 86400"`: Apache accepts the
    rendered file and the piped rotatelogs writes the requests and the vhost's errors. The relative form
    `|bin/rotatelogs logs/...` passes the configuration test too (Apache runs it in httpd's working directory)."""
    port = _free_port()
    _real_ihs(ihs, port)
    args = _args(ihs, apache_generation=generation, port=port, listen_address='127.0.0.1',
                 access_log='|bin/rotatelogs logs/photos.%Y%m%d 86400', error_log='|bin/rotatelogs logs/e.%Y 86400')
    result, failed = run_module(ihs_photo_vhost, args)
    assert not failed and 'Syntax OK' in result['configtest'], result
    access_log, error_log = ROTATING.format(root=ihs), ROTATING_ERRORS.format(root=ihs)
    result, failed = run_module(ihs_photo_vhost, dict(args, access_log=access_log, error_log=error_log))
    assert not failed and 'Syntax OK' in result['configtest'], result
    text = (ihs / 'conf' / 'photos.conf').read_text()
    assert 'CustomLog "%s" sametime_photos' % access_log in text and 'ErrorLog "%s"' % error_log in text
    ctl = str(ihs / 'bin' / 'apachectl')
    started = subprocess.run([ctl, '-k', 'start'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    assert started.returncode == 0, started.stdout
    try:
        status = None
        for _attempt in range(50):
            try:
                request = urllib.request.Request('http://127.0.0.1:%d/nobody@acme.example.jpg' % port,
                                                 headers={'Host': 'icphotos.acme.example'})
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except OSError:
                time.sleep(0.1)
        assert status == 403  # 127.0.0.1 is not allowed, no cookie
        stamp = time.strftime('%Y%m%d')
        access, errors = ihs / 'logs' / ('photos.%s' % stamp), ihs / 'logs' / ('photos_error.%s' % stamp)
        deadline = time.time() + 10
        while time.time() < deadline and not (access.exists() and 'nobody@acme.example.jpg' in access.read_text()):
            time.sleep(0.1)
        assert '"GET /nobody@acme.example.jpg HTTP/1.1" 403' in access.read_text()
        assert 'photo_cookie=-' in access.read_text()
        # rotatelogs creates its file with the first line it reads, which may come after the access line
        while time.time() < deadline and not errors.exists():
            time.sleep(0.1)
        assert errors.exists()
    finally:
        subprocess.run([ctl, '-k', 'stop'], check=False)
        pid_file = ihs / 'logs' / 'httpd.pid'
        deadline = time.time() + 10
        while pid_file.exists() and time.time() < deadline:
            time.sleep(0.1)


@pytest.mark.skipif(not shutil.which('apache2'), reason='Debian apache2 not installed')
@pytest.mark.parametrize('name', sorted(golden_vhosts.CASES))
def test_golden_vhost_passes_real_apache_configtest(ihs, name):
    """Each golden file (tests/unit/plugins/module_utils/fixtures/vhosts/, the bytes a reviewer reads) as the vhost of
    the real Apache layout above: `apachectl -t` says Syntax OK (2.2 syntax through mod_access_compat)."""
    _real_ihs(ihs, _free_port())
    with open(golden_vhosts.golden_path(name), 'rb') as handle:
        (ihs / 'conf' / 'photos.conf').write_bytes(handle.read())
    proc = subprocess.run([str(ihs / 'bin' / 'apachectl'), '-t'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0 and 'Syntax OK' in proc.stdout, proc.stdout


@pytest.mark.skipif(not shutil.which('apache2'), reason='Debian apache2 not installed')
def test_real_apache_wildcard_include(run_module, ihs):
    """The vhost in conf.d, included by `IncludeOptional conf.d/*.conf` only: the copy lists conf.d in Apache's order
    with the candidate in the vhost's place. A broken candidate is reported under the vhost's own name."""
    _real_ihs(ihs, _free_port())
    conf_d = ihs / 'conf.d'
    conf_d.mkdir()
    (ihs / 'conf' / 'httpd.conf').write_text((ihs / 'conf' / 'httpd.conf').read_text().replace(
        'Include conf/photos.conf\n', 'IncludeOptional conf.d/*.conf\n'))
    (conf_d / 'a-first.conf').write_text('# fine\n')
    vhost = conf_d / 'photos.conf'
    args = _args(ihs, apache_generation='2.4', path=str(vhost))
    result, failed = run_module(ihs_photo_vhost, args)
    assert not failed and 'Syntax OK' in result['configtest'], result
    good = vhost.read_bytes()
    result, failed = run_module(ihs_photo_vhost, dict(args, load_modules={'bogus_module': 'modules/mod_bogus.so'}))
    assert failed and 'mod_bogus.so' in result['msg'] and str(vhost) in result['msg'], result
    assert '.candidate-' not in result['msg']
    assert vhost.read_bytes() == good
    assert sorted(os.listdir(str(conf_d))) == ['a-first.conf', 'photos.conf']
