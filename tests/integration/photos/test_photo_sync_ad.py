# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/photos.yml (role photo_sync) against the lab's Active Directory: ad1's Samba AD DC -> controller staging
-> ihs1 docroot, labeledURI back in AD.

The lab inventory gives only the connection settings (LDAPS, the lab CA, the bind account, the base): everything else
is the role's defaults. The tests run in file order and share the lab: each one leaves the directory as it found it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import ssl

import pytest

ldap3 = pytest.importorskip('ldap3')

PLAYBOOK = 'playbooks/photos.yml'
DOCROOT = '/opt/IBM/HTTPServer/photos'
AD_LDAPS = 'ldaps://203.0.113.31:636'
AD_PLAIN = 'ldap://203.0.113.31:389'
PEOPLE = 'OU=People,DC=acme,DC=example'
ADMIN = 'CN=Administrator,CN=Users,DC=acme,DC=example'
URL = 'http://icphotos.acme.example/%s.jpg'
REFUSED = ('slash', 'dotdot', 'casedup', 'notjpeg')
EXPORT = 'Export the LDAP photos into the staging folder'
SET_URLS = "Point every user's photo URL at the published photo"
TASK_RE = re.compile(r'^TASK \[(?:[\w.]+ : )?(.*?)\] \**$', re.M)
RESULT_RE = re.compile(r'^(?:ok|changed|fatal|failed): \[ihs1(?: -> localhost)?\](?:: FAILED!)? => (?=\{)', re.M)


@pytest.fixture(scope='module')
def ad_users(lab):
    with open(os.path.join(lab.lab_dir, 'ad', 'users.json')) as handle:
        return json.load(handle)


def expected_photos(users):
    """{file name: sha256}: enabled users with a valid photo and mail; disabled accounts are left out by default."""
    return dict((u['mail'].lower() + '.jpg', u['photo_sha256']) for u in users
                if u['has_photo'] and u['mail'] is not None and u['kind'] not in REFUSED and not u['disabled'])


def run(ansible_playbook, *args):
    proc = ansible_playbook(PLAYBOOK, '-v', *args, env={'ANSIBLE_CALLBACK_RESULT_FORMAT': 'json'})
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
    with open(os.path.join(lab.lab_dir, 'ad', 'admin.pw')) as handle:
        password = handle.read().strip()
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=os.path.join(lab.lab_dir, 'ad', 'ca.pem'))
    return ldap3.Connection(ldap3.Server(AD_LDAPS, tls=tls, connect_timeout=10), ADMIN, password, auto_bind=True,
                            receive_timeout=30)


def directory_state(conn):
    """{dn: (labeledURI values, wWWHomePage values, uSNChanged)} of every user below OU=People."""
    entries = conn.extend.standard.paged_search(PEOPLE, '(objectClass=user)', attributes=[
        'labeledURI', 'wWWHomePage', 'uSNChanged'], paged_size=500, generator=False)
    return dict((e['dn'].lower(), (sorted(e['raw_attributes'].get('labeledURI', [])),
                                   e['raw_attributes'].get('wWWHomePage', []),
                                   e['raw_attributes'].get('uSNChanged')))
                for e in entries if e.get('type') == 'searchResEntry')


def staged(lab):
    staging = os.path.join(lab.lab_dir, 'photo_sync', 'staging')
    out = {}
    for name in os.listdir(staging):
        if name.endswith('.jpg'):
            with open(os.path.join(staging, name), 'rb') as handle:
                out[name] = hashlib.sha256(handle.read()).hexdigest()
    return out


def set_disabled(conn, dn, disabled):
    assert conn.modify(dn, {'userAccountControl': [(ldap3.MODIFY_REPLACE, ['546' if disabled else '544'])]}), conn.result


def test_defaults_work_on_ad(lab, ad_users, ansible_playbook):
    """Only connection settings given: photos over LDAPS (CA validated), labeledURI set, disabled accounts left out."""
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0, proc.stdout[-4000:]
    export = results[EXPORT]
    want = expected_photos(ad_users)
    disabled = [u for u in ad_users if u['disabled']]
    assert len(disabled) >= 5 and all(u['has_photo'] for u in disabled)
    assert staged(lab) == want
    served = os.listdir(lab.path('ihs1', DOCROOT))
    for user in disabled:
        assert user['mail'].lower() + '.jpg' not in served, user
    assert export['exported'] == len(want)
    assert export['skipped_by_reason']['duplicate_mail'] == 2
    # the incremental export remembers AD's uSNChanged for each entry
    with open(os.path.join(lab.lab_dir, 'photo_sync', 'staging', '.ldap_photo_export.json')) as handle:
        tokens = [e['token'] for e in json.load(handle)['entries'].values()]
    assert tokens and all('uSNChanged=' in t for t in tokens), tokens[:3]
    # labeledURI for every exported user, nobody else; wWWHomePage untouched
    state = directory_state(admin_conn(lab))
    for user in ad_users:
        uris, homepage, _usn = state[user['dn'].lower()]
        name = (user['mail'] or '').lower() + '.jpg'
        if name in want:
            assert uris == [(URL % user['mail'].lower()).encode()], user
        else:
            assert uris == [], user
        assert homepage == [], user


def test_second_run_reads_and_changes_nothing(lab, ansible_playbook):
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert proc.stats['ihs1']['changed'] == 0, [n for n, r in results.items() if r.get('changed')]
    export = results[EXPORT]
    assert (export['written'], export['fetched'], export['removed']) == (0, 0, 0)
    assert results[SET_URLS]['modified'] == 0 and results[SET_URLS]['unchanged'] > 100


def test_a_disabled_account_is_pruned_and_back_when_enabled(lab, ad_users, ansible_playbook):
    leaver = [u for u in ad_users if u['kind'] == 'normal' and u['has_photo'] and not u['disabled']][2]
    name = leaver['mail'].lower() + '.jpg'
    assert name in os.listdir(lab.path('ihs1', DOCROOT))
    conn = admin_conn(lab)
    set_disabled(conn, leaver['dn'], True)
    try:
        proc, results = run(ansible_playbook)
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert results[EXPORT]['removed_files'] == [name]
        assert name not in os.listdir(lab.path('ihs1', DOCROOT))
        # turned off, the filter no longer hides the account (check mode: nothing is written)
        proc, results = run(ansible_playbook, '--check', '-e', 'photo_sync_skip_disabled=never')
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert name in results[EXPORT]['written_files']
    finally:
        set_disabled(conn, leaver['dn'], False)
    proc, results = run(ansible_playbook)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert name in os.listdir(lab.path('ihs1', DOCROOT))


def test_plain_ldap_bind_refusal_names_the_fix_and_start_tls_works(lab, ansible_playbook):
    proc, results = run(ansible_playbook, '-e', 'photo_sync_ldap_uri=' + AD_PLAIN)
    assert proc.returncode != 0
    msg = results[EXPORT]['msg']
    assert 'Transport encryption required' in msg, msg
    assert 'ldaps://<host>:636' in msg and 'start_tls: true' in msg and 'photo_sync_ldap_start_tls' in msg, msg
    proc, results = run(ansible_playbook, '-e', 'photo_sync_ldap_uri=' + AD_PLAIN, '-e', 'photo_sync_ldap_start_tls=true')
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert proc.stats['ihs1']['changed'] == 0  # a new server_uri re-reads every photo, but writes nothing


@pytest.mark.parametrize('attribute, check_mode, expected', [
    ('photoURL', False, "the attribute photoURL is not in the directory's schema "
                        "(CN=Aggregate,CN=Schema,CN=Configuration,DC=acme,DC=example); nothing was modified"),
    ('photoURL', True, "the attribute photoURL is not in the directory's schema"),
    # in the schema, but the bind account was delegated labeledURI only
    ('wWWHomePage', False, 'CN=sametime-bind,OU=Service,DC=acme,DC=example may not write wWWHomePage on '),
    ('wWWHomePage', True, 'may not write wWWHomePage'),
])
def test_url_preflight_fails_before_any_write(lab, ansible_playbook, attribute, check_mode, expected):
    conn = admin_conn(lab)
    before = directory_state(conn)
    args = ['-e', 'photo_sync_url_attribute=' + attribute, '-e', 'photo_sync_publish=false']
    proc, results = run(ansible_playbook, *(args + (['--check'] if check_mode else [])))
    assert proc.returncode != 0
    msg = results[SET_URLS]['msg']
    assert expected in msg, msg
    assert directory_state(conn) == before
