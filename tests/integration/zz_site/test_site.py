# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 10 on a fresh lab: site.yml --check --diff changes nothing, site.yml converges every host, a second run
changes nothing, rollback.yml puts every backed-up file back byte for byte.

The module rebuilds the lab at its start (labctl down + up) and leaves it converged. It is named zz_site so it runs
after the other integration tests. The tests build on each other and run in file order.

/etc/hosts is not part of the rollback check: federation_hosts keeps no backups in the lab (a backup next to a
bind-mounted /etc/hosts would land in the machine's own /etc), so no backup of it is in the manifest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.lab

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SITE = 'playbooks/site.yml'
ROLLBACK = 'playbooks/rollback.yml'
SERVERS = ['ssc', 'stproxy1', 'stproxy2', 'meeting1', 'meeting2', 'ihs1', 'ldap1', 'db2a', 'db2b']
# the trees of a lab host that site.yml may touch, seen from the controller (relative to .lab/hosts/<host>)
TREES = ['opt', 'home', 'etc/hosts']
# files that change by themselves while the lab runs (logs, pid/lock files, the HADR heartbeat)
# (the WAS emulator's events.jsonl is its audit log: read-only wsadmin runs and serverStatus append to it; what it
# records of changes is compared by _was_changes instead)
VOLATILE = ['*/logs/*', '*.log', '*.pid', '*/.lock', '*.lock', '*/db2emu/hadr.*', '*/__pycache__/*',
            '*/emulator/events.jsonl', '*$py.class']
# WAS emulator events that change something: a config save, a sync, a server start/stop, a meeting key written
WAS_CHANGE_EVENTS = ('save', 'sync', 'start', 'stop', 'meeting_config_set')
IHS_URL = 'http://203.0.113.20'
STATE = {}


def _labctl(lab, *args):
    return subprocess.run([sys.executable, lab.labctl] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=900, check=False)


def _sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _files(lab):
    """{(host, absolute path on the host): sha256} of every non-volatile file in the trees site.yml may touch."""
    snap = {}
    for host in SERVERS:
        root = lab.host_root(host)
        for tree in TREES:
            top = os.path.join(root, tree)
            paths = [top] if os.path.isfile(top) else []
            for dirpath, _dirs, names in os.walk(top):
                paths.extend(os.path.join(dirpath, name) for name in names)
            for path in paths:
                rel = '/' + os.path.relpath(path, root)
                if any(fnmatch.fnmatch(rel, pat) for pat in VOLATILE) or not os.path.isfile(path) or os.path.islink(path):
                    continue
                snap[(host, rel)] = _sha256(path)
    staging = os.path.join(lab.lab_dir, 'photo_sync')
    for dirpath, _dirs, names in os.walk(staging):
        for name in names:
            snap[('controller', os.path.join(dirpath, name))] = _sha256(os.path.join(dirpath, name))
    return snap


def _links(lab):
    """Symlinks (the photo docroot is one after photo_sync) and their targets."""
    out = {}
    for host in SERVERS:
        root = lab.host_root(host)
        for dirpath, dirs, names in os.walk(os.path.join(root, 'opt')):
            for name in dirs + names:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    out[(host, '/' + os.path.relpath(path, root))] = os.readlink(path)
    return out


def _apache(lab_exec):
    """Apache's master pid and its start time (field 22 of /proc/<pid>/stat): a graceful restart keeps the pid but
    re-reads its configuration, so the error log's restart lines are counted too."""
    pid = lab_exec('ihs1', ['cat', '/opt/IBM/HTTPServer/logs/httpd.pid']).stdout.strip()
    stat = lab_exec('ihs1', ['cat', '/proc/%s/stat' % pid]).stdout
    start = stat.rsplit(')', 1)[-1].split()[19] if stat else ''
    log = lab_exec('ihs1', ['cat', '/opt/IBM/HTTPServer/logs/error_log']).stdout
    return {'pid': pid, 'start': start, 'graceful': log.count('Graceful restart requested') + log.count('SIGUSR1')}


def _ad_admin_password(lab):
    with open(os.path.join(lab.lab_dir, 'ad', 'admin.pw')) as handle:
        return handle.read().strip()


def _ldap_urls(lab):
    """The photo URLs site.yml writes: labeledURI of the lab's AD users (read over LDAPS with the lab CA)."""
    import ssl  # pylint: disable=import-outside-toplevel
    import ldap3  # pylint: disable=import-outside-toplevel
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=os.path.join(lab.lab_dir, 'ad', 'ca.pem'))
    conn = ldap3.Connection(ldap3.Server('ldaps://203.0.113.31:636', tls=tls, connect_timeout=10),
                            'CN=Administrator,CN=Users,DC=acme,DC=example', _ad_admin_password(lab), auto_bind=True,
                            receive_timeout=60)
    try:
        entries = conn.extend.standard.paged_search('OU=People,DC=acme,DC=example', '(labeledURI=*)',
                                                    attributes=['labeledURI'], paged_size=500, generator=True)
        urls = sorted((e['dn'].lower(), tuple(sorted(e['attributes']['labeledURI'])))
                      for e in entries if e.get('type') == 'searchResEntry')
    finally:
        conn.unbind()
    return hashlib.sha256(repr(urls).encode()).hexdigest(), len(urls)


def _was_changes(lab):
    """Count of state-changing events in every WAS emulator profile's audit log."""
    counts = {}
    for host in SERVERS:
        root = lab.host_root(host)
        for dirpath, _dirs, names in os.walk(os.path.join(root, 'opt')):
            if 'events.jsonl' in names and dirpath.endswith('/emulator'):
                with open(os.path.join(dirpath, 'events.jsonl')) as handle:
                    events = [json.loads(line) for line in handle if line.strip()]
                changes = sum(1 for e in events if e.get('event') in WAS_CHANGE_EVENTS)
                if changes:  # a profile's log appears with its first (read-only) event
                    counts[(host, dirpath)] = changes
    return counts


def _state(lab, lab_exec):
    return {'files': _files(lab), 'links': _links(lab), 'apache': _apache(lab_exec), 'ldap': _ldap_urls(lab),
            'was': _was_changes(lab)}


def _diff(before, after):
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return changed


def _recap_ok(proc):
    assert proc.stats, proc.stdout[-4000:]
    bad = dict((h, s) for h, s in proc.stats.items() if s.get('failed') or s.get('unreachable'))
    assert not bad, '%s\n%s' % (bad, proc.stdout[-6000:])


def _run(ansible_playbook, playbook, report_dir, *args):
    return ansible_playbook(playbook, *args, timeout=1800, env={'SAMETIME_REPORT_DIR': report_dir})


@pytest.fixture(scope='module')
def fresh_lab(lab, tmp_path_factory):
    """Rebuild the lab: the Must-show runs start from nothing."""
    down = _labctl(lab, 'down')
    assert down.returncode == 0, down.stdout[-3000:]
    up = _labctl(lab, 'up')
    assert up.returncode == 0, up.stdout[-3000:]
    STATE['reports'] = str(tmp_path_factory.mktemp('site-reports'))
    return lab


def test_check_diff_on_fresh_lab_changes_nothing(fresh_lab, lab_exec, ansible_playbook):
    before = _state(fresh_lab, lab_exec)
    STATE['pristine'] = before
    proc = _run(ansible_playbook, SITE, STATE['reports'], '--check', '--diff')
    _recap_ok(proc)
    after = _state(fresh_lab, lab_exec)
    assert _diff(before['files'], after['files']) == []
    assert before['links'] == after['links']
    assert before['apache'] == after['apache']
    assert before['ldap'] == after['ldap']
    assert before['was'] == after['was']
    # the preview shows the changes: hosts entries, the vhost, the photo cache, HADR, ... as diffs and in the report
    changed = dict((h, s['changed']) for h, s in proc.stats.items() if s['changed'])
    for host in ('ssc', 'stproxy1', 'stproxy2', 'meeting1', 'meeting2', 'ihs1', 'db2a', 'db2b'):
        assert changed.get(host), (host, proc.stats)
    assert '+++ after' in proc.stdout
    report = open(os.path.join(STATE['reports'], 'last.md')).read()
    assert 'check mode: a preview' in report
    assert '/etc/hosts' in report and 'icphotos.conf' in report and 'stproxyconfig.xml' in report
    # a check run never becomes the manifest that rollback.yml reads
    assert not os.path.exists(os.path.join(STATE['reports'], 'last.backups.json'))
    STATE['check_changed'] = changed


def test_site_converges_every_host(fresh_lab, lab_exec, ansible_playbook):
    proc = _run(ansible_playbook, SITE, STATE['reports'])
    _recap_ok(proc)
    for host in SERVERS:
        assert host in proc.stats, (host, proc.stats)
    changed = dict((h, s['changed']) for h, s in proc.stats.items() if s['changed'])
    # the preview announced a change on exactly the hosts that changed
    assert sorted(changed) == sorted(STATE['check_changed']), (changed, STATE['check_changed'])
    # the estate works: the guest needs a cookie, the office gets the photo, peers resolve to prod, HADR is in PEER
    users = json.load(open(os.path.join(fresh_lab.lab_dir, 'ldap', 'users.json')))
    user = [u for u in users if u['kind'] == 'normal' and u['has_photo'] and u['photo_is_jpeg']][0]
    photo = '/%s.jpg' % user['mail'].lower()
    got = lab_exec('client-office', ['sh', '-c', 'curl -s -H "Host: icphotos.acme.example" %s%s | sha256sum'
                                     % (IHS_URL, photo)])
    assert got.stdout.split()[0] == user['photo_sha256']
    guest = lab_exec('guest', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: icphotos.acme.example',
                               IHS_URL + photo])
    assert guest.stdout == '403'
    assert lab_exec('meeting1', ['getent', 'hosts', 'meeting2']).stdout.split()[0] == '203.0.113.13'
    assert lab_exec('meeting2', ['getent', 'hosts', 'meeting1']).stdout.split()[0] == '203.0.113.12'
    hadr = lab_exec('db2a', ['su', '-', 'db2inst1', '-c', 'db2pd -hadr -db STMS']).stdout
    assert re.search(r'HADR_STATE\s*=\s*PEER', hadr), hadr
    STATE['converged'] = _state(fresh_lab, lab_exec)
    assert STATE['converged']['ldap'][1] > 0, 'site.yml wrote no photo URL (labeledURI) into the lab AD'
    manifest = json.load(open(os.path.join(STATE['reports'], 'last.backups.json')))
    STATE['manifest'] = manifest
    paths = set(item['path'] for item in manifest['backups'])
    assert '/opt/IBM/HTTPServer/conf/httpd.conf' in paths
    assert any(p.endswith('stproxyconfig.xml') for p in paths), paths
    assert any(p.endswith('UserInfoConfig.xml') for p in paths), paths


def test_second_run_changes_nothing(fresh_lab, lab_exec, ansible_playbook):
    before = _state(fresh_lab, lab_exec)
    proc = _run(ansible_playbook, SITE, STATE['reports'])
    _recap_ok(proc)
    changed = dict((h, s['changed']) for h, s in proc.stats.items() if s['changed'])
    assert changed == {}, proc.stdout[-6000:]
    after = _state(fresh_lab, lab_exec)
    assert _diff(before['files'], after['files']) == []
    assert before['apache'] == after['apache']
    assert before['ldap'] == after['ldap']
    # a run without backups leaves the manifest of the last run that made some
    assert json.load(open(os.path.join(STATE['reports'], 'last.backups.json'))) == STATE['manifest']


def test_rollback_restores_every_file_byte_identical(fresh_lab, lab_exec, ansible_playbook):
    pristine = STATE['pristine']['files']
    converged = _state(fresh_lab, lab_exec)
    preview = _run(ansible_playbook, ROLLBACK, STATE['reports'], '--check', '--diff')
    _recap_ok(preview)
    assert _diff(converged['files'], _files(fresh_lab)) == []
    proc = _run(ansible_playbook, ROLLBACK, STATE['reports'])
    _recap_ok(proc)
    now = _files(fresh_lab)
    restored = []
    for item in STATE['manifest']['backups']:
        holders = [h for h in SERVERS if (h, item['path']) in now and
                   os.path.exists(fresh_lab.path(h, item['backup_file']))]
        assert holders, item
        for host in holders:
            key = (host, item['path'])
            if key in pristine:
                assert now[key] == pristine[key], ('not restored', key)
                restored.append(key)
    assert ('ihs1', '/opt/IBM/HTTPServer/conf/httpd.conf') in restored
    assert any(p.endswith('stproxyconfig.xml') for _h, p in restored), restored
    assert any(p.endswith('UserInfoConfig.xml') for _h, p in restored), restored
    # IHS re-read the restored configuration and still runs
    assert lab_exec('ihs1', ['/opt/IBM/HTTPServer/bin/apachectl', '-t']).returncode == 0
    assert _apache(lab_exec)['graceful'] > converged['apache']['graceful']


def test_site_converges_again_after_rollback(fresh_lab, ansible_playbook):
    """Leave the lab converged for the stages that follow."""
    proc = _run(ansible_playbook, SITE, STATE['reports'])
    _recap_ok(proc)
