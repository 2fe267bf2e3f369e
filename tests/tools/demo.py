# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo`: lab up -> site.yml (change report in build/reports) -> the report -> a short verification.

Verification: a guest gets 403 for a photo without a cookie, the office gets the photo (bytes equal to the entry's
thumbnailPhoto in the lab's Active Directory, ad1), a disabled AD account's photo is not published, the meeting servers
resolve each other to their production addresses, DB2 HADR is in PEER.
Exit status: 0 when everything holds; 1 when a check fails; 2 when lab-up or site.yml fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, '.collections'))
from ansible_collections.sametime.deploy.plugins.module_utils import db2clp  # pylint: disable=wrong-import-position

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABCTL = os.path.join(REPO, 'tests', 'lab', 'labctl')
REPORTS = os.path.join(REPO, 'build', 'reports')
IHS = 'http://203.0.113.20'
PROD = {'meeting1': '203.0.113.12', 'meeting2': '203.0.113.13'}


def tool(name):
    cand = os.path.join(os.path.dirname(sys.executable), name)
    return cand if os.path.exists(cand) else name


def in_host(host, *cmd):
    return subprocess.run([sys.executable, LABCTL, 'exec', host, '--'] + list(cmd), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120, check=False)


def step(title):
    print('\n== %s' % title, flush=True)


def main():
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), SAMETIME_REPORT_DIR=REPORTS)
    step('lab up')
    if subprocess.run([sys.executable, LABCTL, 'up'], cwd=REPO, check=False).returncode != 0:
        print('demo: lab-up failed', file=sys.stderr)
        return 2
    step('site.yml (change report in %s)' % os.path.relpath(REPORTS, REPO))
    run = subprocess.run([tool('ansible-playbook'), '-i', os.path.join(REPO, 'inventories', 'lab', 'hosts.yml'),
                          os.path.join(REPO, 'playbooks', 'site.yml')], cwd=REPO, env=env, check=False)
    if run.returncode != 0:
        print('demo: site.yml failed (rc=%d); see the output above' % run.returncode, file=sys.stderr)
        return 2
    step('change report')
    with open(os.path.join(REPORTS, 'last.md')) as handle:
        print(handle.read())

    step('verification')
    failures = []

    def check(ok, text, detail=''):
        print('%s  %s%s' % ('PASS' if ok else 'FAIL', text, (' (%s)' % detail) if detail else ''))
        if not ok:
            failures.append(text)

    # the lab inventory's directory is ad1 (Samba AD DC): its manifest, written by tests/lab/adgen.py
    with open(os.path.join(REPO, '.lab', 'ad', 'users.json')) as handle:
        users = json.load(handle)
    user = [u for u in users if u['kind'] == 'normal' and u['has_photo'] and u['photo_is_jpeg']
            and not u['disabled']][0]
    leaver = [u for u in users if u['kind'] == 'normal' and u['has_photo'] and u['disabled']][0]
    url = '%s/%s.jpg' % (IHS, user['mail'].lower())
    host_header = 'Host: icphotos.acme.example'

    guest = in_host('guest', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '10', '-H', host_header, url)
    check(guest.stdout.decode() == '403', 'guest gets 403 without a cookie', 'HTTP %s' % guest.stdout.decode())

    office = in_host('client-office', 'curl', '-s', '-m', '10', '-H', host_header, url)
    digest = hashlib.sha256(office.stdout).hexdigest()
    check(office.returncode == 0 and digest == user['photo_sha256'], 'office gets the photo of %s' % user['mail'],
          '%d bytes, sha256 %s' % (len(office.stdout), 'matches LDAP' if digest == user['photo_sha256'] else 'differs'))

    gone = in_host('client-office', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '10', '-H',
                   host_header, '%s/%s.jpg' % (IHS, leaver['mail'].lower()))
    check(gone.stdout.decode() == '404', 'the disabled account %s has no published photo' % leaver['mail'],
          'HTTP %s' % gone.stdout.decode())

    for host, peer in (('meeting1', 'meeting2'), ('meeting2', 'meeting1')):
        got = in_host(host, 'getent', 'hosts', peer).stdout.decode().split()
        addr = got[0] if got else 'unresolved'
        check(addr == PROD[peer], '%s resolves %s on prod' % (host, peer), addr)

    roles = {}
    for host in ('db2a', 'db2b'):
        out = in_host(host, 'su', '-', 'db2inst1', '-c', 'LANG=C db2pd -hadr -db STMS').stdout.decode()
        # the collection's own parser: db2a prints the 10.1+ format, db2b the 9.7 table format
        hadr = db2clp.parse_db2pd_hadr(out)
        roles[host] = hadr['role'] or '?'
        check(hadr['state'] == 'PEER', '%s HADR in PEER' % host, '%s, %s' % (roles[host], hadr['state'] or 'no state'))
    check(sorted(roles.values()) == ['PRIMARY', 'STANDBY'], 'one primary and one standby', str(roles))

    print('\ndemo: %s' % ('all checks passed' if not failures else '%d check(s) failed: %s'
                          % (len(failures), '; '.join(failures))))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
