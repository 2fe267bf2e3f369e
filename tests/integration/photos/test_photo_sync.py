# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/photos.yml (role photo_sync) against the lab: ldap1's slapd -> controller staging -> ihs1 docroot.

The lab inventory points photo_sync at ad1 (Active Directory, test_photo_sync_ad.py); these tests add
slapd.yml (-e @...) to use the lab's second directory kind, OpenLDAP with photoURL.

The tests run in file order and share the lab: each one leaves the directory as it found it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

ldap3 = pytest.importorskip('ldap3')

PLAYBOOK = 'playbooks/photos.yml'
SLAPD_VARS = '@tests/integration/photos/slapd.yml'
IHS = '/opt/IBM/HTTPServer'
DOCROOT = IHS + '/photos'
SETS = IHS + '/photo-sets'
LDAP_URI = 'ldap://203.0.113.30:389'
PEOPLE = 'ou=people,dc=acme,dc=example'
ADMIN = 'cn=admin,dc=acme,dc=example'
URL_TEMPLATE = 'http://icphotos.acme.example/%s.jpg'
# kinds in the lab manifest (tests/lab/ldapgen.py) that must not be exported, and why
REFUSED = {'slash': 'invalid_mail', 'dotdot': 'invalid_mail', 'casedup': 'duplicate_mail', 'notjpeg': 'not_jpeg'}


def expected_photos(users):
    """{file name: sha256} the export must produce from the lab manifest."""
    out = {}
    for user in users:
        if user['has_photo'] and user['mail'] is not None and user['kind'] not in REFUSED:
            out[user['mail'].lower() + '.jpg'] = user['photo_sha256']
    return out


def tree(path):
    """{relative file name: sha256} of a folder (following the docroot symlink)."""
    out = {}
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        if os.path.isfile(full):
            with open(full, 'rb') as handle:
                out[name] = hashlib.sha256(handle.read()).hexdigest()
    return out


TASK_RE = re.compile(r'^TASK \[(?:[\w.]+ : )?(.*?)\] \**$', re.M)
RESULT_RE = re.compile(r'^(?:ok|changed|fatal|failed): \[ihs1(?: -> localhost)?\](?:: FAILED!)? => (?=\{)', re.M)


def run(ansible_playbook, *args):
    """Run the playbook with -v; (process, {task name: result of ihs1 as printed in JSON by the default callback})."""
    proc = ansible_playbook(PLAYBOOK, '-v', '-e', SLAPD_VARS, *args, env={'ANSIBLE_CALLBACK_RESULT_FORMAT': 'json'})
    results = {}
    decoder = json.JSONDecoder()
    tasks = list(TASK_RE.finditer(proc.stdout))
    for index, task in enumerate(tasks):
        end = tasks[index + 1].start() if index + 1 < len(tasks) else len(proc.stdout)
        found = RESULT_RE.search(proc.stdout, task.end(), end)
        if found:
            results[task.group(1)] = decoder.raw_decode(proc.stdout[found.end():end])[0]
    return proc, results


def admin_conn(lab):
    with open(os.path.join(lab.lab_dir, 'ldap', 'admin.pw')) as handle:
        password = handle.read().strip()
    return ldap3.Connection(ldap3.Server(LDAP_URI, connect_timeout=10), ADMIN, password, auto_bind=True,
                            receive_timeout=30)


def read_entry(conn, dn):
    conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['*'])
    return dict((k, v) for k, v in conn.response[0]['raw_attributes'].items())


def photo_urls(conn):
    conn.search(PEOPLE, '(uid=*)', attributes=['mail', 'photoURL'], paged_size=500)
    return dict((e['dn'], e['raw_attributes'].get('photoURL', [])) for e in conn.response
                if e.get('type') == 'searchResEntry')


def docroot(lab):
    return lab.path('ihs1', DOCROOT)


def http_sha256(lab_exec, name):
    """(HTTP status, sha256 of the body) of /<name> on ihs1's photo vhost, fetched from stproxy1 (an allowed host)."""
    url = 'http://203.0.113.20/' + name
    head = ['curl', '-s', '-H', 'Host: icphotos.acme.example']
    code = lab_exec('stproxy1', head + ['-o', '/dev/null', '-w', '%{http_code}', url]).stdout.strip()
    body = lab_exec('stproxy1', ['sh', '-c', '"$@" | sha256sum', 'sh'] + head + [url]).stdout.split()[0]
    return code, body


def test_export_publish_and_urls(lab, lab_users, ansible_playbook, lab_exec):
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0, proc.stdout[-4000:]
    export = results['Export the LDAP photos into the staging folder']
    want = expected_photos(lab_users)
    # right files, right names, right bytes - on the controller and behind the docroot symlink on ihs1
    staging = os.path.join(lab.lab_dir, 'photo_sync', 'staging')
    assert tree(staging) == dict(want, **{'.ldap_photo_export.json': tree(staging)['.ldap_photo_export.json']})
    served = tree(docroot(lab))
    # other engineers' IHS tests may drop their own files into the docroot meanwhile: ours must match exactly
    ours = dict((n, h) for n, h in served.items() if n in want or n == '.complete' or n.startswith('user')
                or n.startswith('dup') or n.startswith('..') or n == 'sub')
    assert ours == dict(want, **{'.complete': hashlib.sha256(b'').hexdigest()})
    link = os.readlink(docroot(lab))
    assert re.match(r'^photo-sets/[0-9a-f]{16}$', link), link
    assert export['exported'] == len(want)
    # nothing outside dest: the controller work dir holds staging/ and the bundle only; no stray files on ihs1
    assert sorted(os.listdir(os.path.join(lab.lab_dir, 'photo_sync'))) == ['photos.tar', 'staging']
    assert not [n for n in os.listdir(lab.path('ihs1', IHS)) if 'user0000' in n or n.endswith('.jpg')]
    for name in ('etc/passwd@acme.example.jpg', 'sub', 'user00003@acme.example.jpg'):
        assert not os.path.exists(os.path.join(staging, name))
    # skipped entries reported with reasons
    by_uid = dict((s['dn'].split(',')[0][4:], s) for s in export['skipped_entries'])
    for user in lab_users:
        if user['kind'] in REFUSED and user['has_photo'] and user['mail'] is not None:
            assert by_uid[user['uid']]['reason'] == REFUSED[user['kind']], user
    assert 'path separator' in by_uid['user00003']['detail']
    assert "'..'" in by_uid['user00004']['detail']
    assert export['skipped_by_reason']['duplicate_mail'] == 2
    # served by the real Apache through the symlink (the vhost converged with the lab defaults first: other
    # tests may have pointed it elsewhere)
    vhost = ansible_playbook('tests/integration/photos/ihs_vhost.yml')
    assert vhost.returncode == 0, vhost.stdout[-3000:]
    sample = sorted(want)[0]
    assert http_sha256(lab_exec, sample) == ('200', want[sample])
    # photoURL for every exported user, nobody else
    conn = admin_conn(lab)
    urls = photo_urls(conn)
    for user in lab_users:
        got = urls[user['dn']]
        name = (user['mail'] or '').lower() + '.jpg'
        if name in want:
            assert got == [(URL_TEMPLATE % user['mail'].lower()).encode()], user
        elif user['kind'] in ('slash', 'dotdot', 'casedup'):
            assert got == [], user


def test_second_run_changes_nothing(lab, ansible_playbook):
    before = os.readlink(docroot(lab))
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert proc.stats['ihs1']['changed'] == 0, [n for n, r in results.items() if r.get('changed')]
    export = results['Export the LDAP photos into the staging folder']
    assert (export['written'], export['fetched'], export['removed']) == (0, 0, 0)
    url = results["Point every user's photo URL at the published photo"]
    assert url['modified'] == 0 and url['unchanged'] > 100
    assert os.readlink(docroot(lab)) == before


def test_prune_removes_a_removed_users_photo(lab, lab_users, ansible_playbook):
    victim = [u for u in lab_users if u['kind'] == 'normal' and u['has_photo']][1]
    name = victim['mail'].lower() + '.jpg'
    assert os.path.exists(os.path.join(docroot(lab), name))
    conn = admin_conn(lab)
    saved = read_entry(conn, victim['dn'])
    assert conn.delete(victim['dn']), conn.result
    try:
        proc, results = run(ansible_playbook)
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert results['Export the LDAP photos into the staging folder']['removed_files'] == [name]
        assert not os.path.exists(os.path.join(docroot(lab), name))
        assert name not in tree(docroot(lab))
    finally:
        conn.add(victim['dn'], attributes=saved)
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0
    assert os.path.exists(os.path.join(docroot(lab), name))


def _slapd_pid(lab):
    with open(os.path.join(lab.lab_dir, 'ldap', 'slapd.pid')) as handle:
        return int(handle.read().strip())


def _export_connected():
    """True once an ldap_photo_export module process holds a connection to ldap1."""
    out = subprocess.run(['ss', '-Htnp', 'state', 'established', 'dst', '203.0.113.30:389'],
                         stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout
    for pid in re.findall(r'pid=(\d+)', out):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                if b'ldap_photo_export' in handle.read():
                    return True
        except IOError:
            continue
    return False


def _restart_slapd(lab):
    env = dict(os.environ)
    env.pop('LAB_USERS', None)
    env.pop('LAB_PHOTO_SIZE', None)
    subprocess.run([sys.executable, lab.labctl, 'hooks', 'ldap1'], env=env, check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    deadline = time.time() + 30  # the pid file can appear before slapd listens
    while True:
        try:
            socket.create_connection(('203.0.113.30', 389), timeout=1).close()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def test_slapd_stopped_mid_export(lab, lab_users, ansible_playbook):
    """slapd dies in the middle of an export: the published set is untouched, the task says why, the next run completes."""
    target = [u for u in lab_users if u['kind'] == 'normal' and u['has_photo']][0]
    name = target['mail'].lower() + '.jpg'
    published = tree(docroot(lab))
    link = os.readlink(docroot(lab))
    conn = admin_conn(lab)
    old_photo = read_entry(conn, target['dn'])['thumbnailPhoto'][0]
    new_photo = old_photo[:-2] + b'\x00mid-export test\xff\xd9'
    assert conn.modify(target['dn'], {'thumbnailPhoto': [(ldap3.MODIFY_REPLACE, [new_photo])]})
    conn.unbind()
    state = os.path.join(lab.lab_dir, 'photo_sync', 'staging', '.ldap_photo_export.json')
    failure = None
    try:
        for _attempt in range(3):
            if os.path.exists(state):
                os.unlink(state)  # every photo is read again: a long export to interrupt
            cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', lab.inventory, PLAYBOOK,
                   '-e', SLAPD_VARS, '-e', 'photo_sync_page_size=1', '-e', 'photo_sync_ldap_timeout=5']
            env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(lab.repo, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
                       PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
            play = subprocess.Popen(cmd, cwd=lab.repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    universal_newlines=True)
            deadline = time.time() + 120
            while not _export_connected() and play.poll() is None and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
            os.kill(_slapd_pid(lab), signal.SIGKILL)
            output = play.communicate(timeout=300)[0]
            _restart_slapd(lab)
            if play.returncode != 0 and re.search(r'failed after [1-9]\d* entries', output):
                failure = output
                break
        assert failure is not None, 'could not stop slapd in the middle of an export:\n' + output[-3000:]
        assert 'Photo export to' in failure and 'Nothing was pruned' in failure
        assert 'Export the LDAP photos into the staging folder' in failure
        # the published folder is unchanged: same set, same bytes
        assert os.readlink(docroot(lab)) == link
        assert tree(docroot(lab)) == published  # (a concurrent IHS test writing into the docroot would show here)
        # the next run completes and publishes the changed photo
        proc, results = run(ansible_playbook)
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert tree(docroot(lab))[name] == hashlib.sha256(new_photo).hexdigest()
        assert os.readlink(docroot(lab)) != link
    finally:
        _restart_slapd(lab)
        conn = admin_conn(lab)
        conn.modify(target['dn'], {'thumbnailPhoto': [(ldap3.MODIFY_REPLACE, [old_photo])]})
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0
    assert tree(docroot(lab)) == published
    # keep_sets=2: the current set and the previous one stay, older ones are removed
    assert len(os.listdir(lab.path('ihs1', SETS))) <= 2


def test_schedule_renders_into_a_scratch_cron_file(lab, ansible_playbook, tmp_path):
    cron_file = str(tmp_path / 'sametime-photo-sync')
    args = ['-e', 'photo_sync_schedule_enabled=true', '-e', 'photo_sync_schedule_cron_file=%s' % cron_file,
            '-e', 'photo_sync_publish=false', '-e', 'photo_sync_url_enabled=false',
            '-e', 'photo_sync_schedule_minute=7', '-e', 'photo_sync_schedule_hour=*/2']
    proc, results = run(ansible_playbook, *args)
    assert proc.returncode == 0, proc.stdout[-4000:]
    with open(cron_file) as handle:
        text = handle.read()
    lines = [line for line in text.splitlines() if line and not line.startswith('#')]
    assert len(lines) == 1, text
    assert lines[0].startswith('7 */2 * * * root cd %s && flock -n /run/lock/sametime-photo-sync.lock ' % lab.repo)
    assert ' -i %s playbooks/photos.yml >> /var/log/sametime-photo-sync.log 2>&1' % lab.inventory in lines[0]
    assert '#Ansible: sametime photo sync' in text
    proc, results = run(ansible_playbook, *args)
    assert proc.stats['ihs1']['changed'] == 0
    proc, results = run(ansible_playbook, *(args + ['-e', 'photo_sync_schedule_state=absent']))
    assert proc.returncode == 0 and proc.stats['ihs1']['changed'] == 1
    assert not os.path.exists(cron_file)  # the cron module removes a cron file it emptied
