# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the lab itself: reachability, topology, isolation, Apache-as-IHS, slapd, hooks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
IHS = '/opt/IBM/HTTPServer'
SERVERS = ['ssc', 'stproxy1', 'stproxy2', 'meeting1', 'meeting2', 'ihs1', 'ldap1', 'db2a', 'db2b']
CLIENTS = ['client-office', 'client-vpn', 'guest']


def inventory_hosts():
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-inventory'), '-i',
                          os.path.join(HERE, '..', '..', '..', 'inventories', 'lab', 'hosts.yml'), '--list'],
                         stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    data = json.loads(out)
    return sorted(data['_meta']['hostvars'])


def labctl(lab, *args, **kw):
    return subprocess.run([sys.executable, lab.labctl] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False, **kw)


def test_all_hosts_answer_ansible_over_ssh(lab, ansible_playbook):
    proc = ansible_playbook(os.path.join(HERE, 'ping.yml'))
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert sorted(proc.stats) == inventory_hosts() == sorted(SERVERS + CLIENTS)
    for host, st in proc.stats.items():
        assert st['ok'] == 3 and st['failed'] == 0 and st['unreachable'] == 0, (host, st)


def load_labctl():
    import importlib.util
    from importlib.machinery import SourceFileLoader
    loader = SourceFileLoader('labctl', os.path.join(HERE, '..', '..', 'lab', 'labctl'))
    spec = importlib.util.spec_from_loader('labctl', loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_meeting_nodes_have_mgmt_first(lab):
    for host, mgmt, prod in (('meeting1', '203.0.113.140', '203.0.113.12'),
                             ('meeting2', '203.0.113.141', '203.0.113.13')):
        out = subprocess.run(['ip', '-n', host, '-o', '-4', 'addr', 'show'], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout
        nics = [(f[1], f[3]) for f in (line.split() for line in out.splitlines()) if f[1] != 'lo']
        assert nics == [('eth0', mgmt + '/25'), ('eth1', prod + '/25')]


def test_fresh_hosts_files_are_naive():
    """What lab-up writes (roles such as federation_hosts change the live files afterwards; the cycle test
    checks a freshly built lab with getent)."""
    labctl = load_labctl()
    for host, first in (('meeting1', '203.0.113.140'), ('meeting2', '203.0.113.141'), ('ssc', '203.0.113.10'),
                        ('guest', '198.51.100.10')):
        text = labctl.hosts_file(labctl.HOST_BY_NAME[host])
        entries = [line.split() for line in text.splitlines() if line and not line.startswith('#')]
        names = dict((n, e[0]) for e in entries for n in e[1:])
        assert names[host] == first and names['%s.acme.example' % host] == first
        others = set(n.split('.')[0] for n in names) - {host, 'localhost', 'ip6-localhost', 'ip6-loopback'}
        # a naive admin only added the deployment manager on the cell members (for addNode)
        assert others == ({'ssc'} if host in ('meeting1', 'meeting2') else set())


def test_ansible_facts_see_the_host_nics(lab, ansible_playbook):
    proc = ansible_playbook(os.path.join(HERE, 'facts.yml'))
    assert proc.returncode == 0, proc.stdout[-4000:]
    facts = dict(re.findall(r'LABFACT (\S+) (.*?)"?$', proc.stdout, re.M))
    assert 'eth0=203.0.113.140 eth1=203.0.113.12' in facts['meeting1']
    assert 'eth0=203.0.113.141 eth1=203.0.113.13' in facts['meeting2']
    assert 'interfaces=eth0,eth1,lo' in facts['meeting1']


@pytest.mark.parametrize('client,source', [('guest', '198.51.100.10'), ('client-office', '192.0.2.10'),
                                           ('client-vpn', '192.0.2.130'), ('stproxy1', '203.0.113.11'),
                                           ('stproxy2', '203.0.113.14')])
def test_clients_reach_ihs1_from_their_own_address(lab, lab_exec, client, source):
    # The photo roles reconfigure ihs1 (vhosts, access rules, log files), so this test only relies on
    # Apache answering and logging the request with the client's own source address.
    marker = '/lab-%s' % uuid.uuid4().hex
    res = lab_exec(client, ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '-m', '10',
                            'http://203.0.113.20%s' % marker])
    assert res.returncode == 0, res.stderr
    assert re.match(r'^[1-5][0-9][0-9]$', res.stdout), res.stdout   # a real HTTP answer
    logs = os.path.join(lab.path('ihs1', IHS + '/logs'))
    lines = []
    for name in os.listdir(logs):
        if 'access' in name:
            with open(os.path.join(logs, name), errors='replace') as f:
                lines += [line for line in f if marker in line]
    assert len(lines) == 1 and lines[0].split()[0] == source, lines


def test_guest_goes_through_the_router(lab, lab_exec):
    route = lab_exec('guest', ['ip', '-4', 'route', 'get', '203.0.113.20'])
    assert route.returncode == 0 and 'via 198.51.100.1 ' in route.stdout, route.stdout
    # without forwarding on the router the guest must not get through
    sysctl = ['ip', 'netns', 'exec', 'router', 'sh', '-c']
    subprocess.run(sysctl + ['echo 0 > /proc/sys/net/ipv4/ip_forward'], check=True)
    try:
        res = lab_exec('guest', ['curl', '-sS', '-o', '/dev/null', '-m', '2', 'http://203.0.113.20/'])
        assert res.returncode != 0
    finally:
        subprocess.run(sysctl + ['echo 1 > /proc/sys/net/ipv4/ip_forward'], check=True)
    assert lab_exec('guest', ['curl', '-sS', '-o', '/dev/null', '-m', '5', 'http://203.0.113.20/']).returncode == 0


def test_hosts_are_isolated(lab, lab_exec):
    token = uuid.uuid4().hex
    assert lab_exec('ihs1', ['sh', '-c', 'echo %s > /opt/lab-isolation && echo %s > /tmp/lab-isolation'
                             % (token, token)]).returncode == 0
    try:
        with open(lab.path('ihs1', '/opt/lab-isolation')) as f:
            assert f.read().strip() == token
        assert not os.path.exists('/opt/lab-isolation')
        assert lab_exec('ssc', ['test', '-e', '/opt/lab-isolation']).returncode == 1
        assert lab_exec('ssc', ['test', '-e', '/tmp/lab-isolation']).returncode == 1
    finally:
        os.unlink(lab.path('ihs1', '/opt/lab-isolation'))
        os.unlink(lab.path('ihs1', '/tmp/lab-isolation'))
    for host in SERVERS + CLIENTS:
        assert lab_exec(host, ['hostname']).stdout.strip() == host
    with open('/etc/hosts') as f:
        assert 'acme.example' not in f.read()


def test_db2_hosts_have_the_instance_owner(lab, lab_exec):
    for host in ('db2a', 'db2b'):
        res = lab_exec(host, ['id', '-un', 'db2inst1'])
        assert res.returncode == 0 and res.stdout.strip() == 'db2inst1'
        assert lab_exec(host, ['sh', '-c', 'test -d ~db2inst1 && stat -c %U ~db2inst1']).stdout.strip() == 'db2inst1'
    assert lab_exec('ssc', ['id', 'db2inst1']).returncode != 0
    assert subprocess.run(['id', 'db2inst1'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False).returncode != 0


def test_ihs_apachectl(lab, lab_exec):
    ctl = IHS + '/bin/apachectl'
    v = lab_exec('ihs1', [ctl, '-V'])
    assert v.returncode == 0 and 'Server version: Apache/2.4' in v.stdout
    assert re.search(r"Module Magic Number: 20120211:", v.stdout)
    m = lab_exec('ihs1', [ctl, '-M'])
    assert m.returncode == 0
    for mod in ('rewrite_module', 'headers_module', 'authz_core_module', 'authz_host_module',
                'access_compat_module', 'mime_module', 'dir_module', 'alias_module', 'log_config_module'):
        assert mod in m.stdout, mod
    t = lab_exec('ihs1', [ctl, '-t'])
    assert t.returncode == 0 and 'Syntax OK' in t.stderr
    bad = lab_exec('ihs1', [ctl, '-t', '-c', 'Order Deny,Alow'])
    assert bad.returncode != 0
    with open(lab.path('ihs1', IHS + '/logs/httpd.pid')) as f:
        pid = f.read().strip()
    g = lab_exec('ihs1', [ctl, '-k', 'graceful'])
    assert g.returncode == 0, g.stderr
    with open(lab.path('ihs1', IHS + '/logs/httpd.pid')) as f:
        assert f.read().strip() == pid   # graceful keeps the parent
    after = lab_exec('guest', ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '-m', '10',
                               'http://203.0.113.20/'])
    assert after.returncode == 0 and re.match(r'^[1-5][0-9][0-9]$', after.stdout), after
    # the machine-wide Apache is not involved: the one serving ihs1 runs from the lab tree
    with open('/proc/%s/cmdline' % pid) as f:
        assert IHS + '/conf/httpd.conf' in f.read().split('\0')


def _ldapsearch(*args):
    return subprocess.run(['ldapsearch', '-x', '-LLL', '-o', 'ldif-wrap=no', '-H', 'ldap://203.0.113.30'] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)


def test_ldapsearch_from_the_controller_finds_the_users(lab, lab_users):
    res = _ldapsearch('-b', 'dc=acme,dc=example', '-E', 'pr=500/noprompt', '(objectClass=inetOrgPerson)', 'dn')
    assert res.returncode == 0, res.stderr
    dns = sorted(line[4:] for line in res.stdout.splitlines() if line.startswith('dn: '))
    assert dns == sorted(u['dn'] for u in lab_users)
    kinds = set(u['kind'] for u in lab_users)
    assert {'normal', 'nophoto', 'uppercase', 'slash', 'dotdot', 'casedup', 'notjpeg'} <= kinds


def test_bind_account_reads_photos_matching_the_manifest(lab, lab_users):
    import ldap3  # controller-side library from the venv

    with open(os.path.join(lab.lab_dir, 'ldap', 'bind.pw')) as f:
        password = f.read()
    conn = ldap3.Connection(ldap3.Server('ldap://203.0.113.30'), 'cn=sametime-bind,ou=service,dc=acme,dc=example',
                            password, auto_bind=True)
    seen = {}
    for entry in conn.extend.standard.paged_search('ou=people,dc=acme,dc=example', '(objectClass=person)',
                                                   attributes=['mail', 'thumbnailPhoto', 'jpegPhoto'],
                                                   paged_size=100, generator=True):
        seen[entry['dn']] = entry['raw_attributes']
    assert len(seen) == len(lab_users)
    for u in lab_users:
        raw = seen[u['dn']]
        photo = raw.get('thumbnailPhoto') or []
        assert bool(photo) == u['has_photo'], u
        if photo:
            assert hashlib.sha256(photo[0]).hexdigest() == u['photo_sha256']
            is_jpeg = photo[0][:3] == b'\xff\xd8\xff' and photo[0][-2:] == b'\xff\xd9'
            assert is_jpeg == u['photo_is_jpeg'], u
        assert bool(raw.get('jpegPhoto')) == u['has_jpegphoto']
        mails = [m.decode('utf-8') for m in raw.get('mail') or []]
        assert mails == ([u['mail']] if u['mail'] else [])
    casedup = [u['mail'] for u in lab_users if u['kind'] == 'casedup']
    assert len(casedup) == 2 and casedup[0] != casedup[1] and casedup[0].lower() == casedup[1].lower()
    assert any('/' in u['mail'] for u in lab_users if u['kind'] == 'slash')
    assert any('..' in u['mail'] for u in lab_users if u['kind'] == 'dotdot')
    assert any(u['mail'] and u['mail'] != u['mail'].lower() for u in lab_users if u['kind'] == 'uppercase')
    # the bind account may write photoURL (nothing else); checked on a scratch user, then restored
    dn = lab_users[0]['dn']
    assert not conn.modify(dn, {'mail': [(ldap3.MODIFY_REPLACE, ['x@acme.example'])]})
    assert conn.result['description'] == 'insufficientAccessRights'
    assert conn.modify(dn, {'photoURL': [(ldap3.MODIFY_REPLACE, ['http://lab.invalid/x.jpg'])]}), conn.result
    assert conn.modify(dn, {'photoURL': [(ldap3.MODIFY_DELETE, [])]}), conn.result
    conn.unbind()


def test_photo_attributes_schema(lab):
    res = _ldapsearch('-b', 'cn=Subschema', '-s', 'base', '(objectClass=*)', 'attributeTypes', 'objectClasses')
    assert res.returncode == 0, res.stderr
    assert re.search(r"NAME 'thumbnailPhoto'.*SYNTAX 1\.3\.6\.1\.4\.1\.1466\.115\.121\.1\.40", res.stdout)
    assert re.search(r"NAME 'photoURL'", res.stdout)
    assert re.search(r"NAME 'stLabPhotoPerson'.*AUXILIARY", res.stdout)


def test_photos_are_valid_jpeg_when_djpeg_is_available(lab, lab_users):
    djpeg = '/usr/bin/djpeg'
    sys.path.insert(0, os.path.join(lab.repo, 'tests', 'lab'))
    import ldapgen
    for size in (0, 8192):
        blob = ldapgen.make_jpeg('x', size)
        assert len(blob) == max(size, len(ldapgen.make_jpeg('x', 0)))
        if os.path.exists(djpeg):
            proc = subprocess.run([djpeg, '-pnm'], input=blob, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
            assert proc.returncode == 0 and proc.stderr == b'' and proc.stdout.startswith(b'P5\n8 8\n255\n')
    if not os.path.exists(djpeg):
        pytest.skip('djpeg (libjpeg-turbo-progs) not installed: JPEG decoding not checked')


def test_hooks_run_in_order_inside_each_host(lab):
    import pathlib
    # not under /tmp: hooks run inside the host, whose /tmp is private
    hooks = pathlib.Path(lab.lab_dir) / ('test-hooks-%s' % uuid.uuid4().hex)
    hooks.mkdir()
    for name in ('20-second.sh', '10-first.sh'):
        p = hooks / name
        p.write_text('#!/bin/sh\necho "%s $LAB_HOST [$LAB_GROUPS] $(hostname) $LAB_HOST_ROOT $LAB_DIR $REPO '
                     '$(grep -c acme.example /etc/hosts)" >> /tmp/lab-hook-test\n' % name)
        p.chmod(0o755)
    (hooks / '30-not-executable.sh').write_text('#!/bin/sh\nexit 1\n')
    env = dict(os.environ, LAB_HOOKS_DIR=str(hooks))
    try:
        proc = labctl(lab, 'hooks', 'guest', 'db2a', env=env)
        assert proc.returncode == 0, proc.stdout
        for host, groups in (('guest', 'clients'), ('db2a', 'db2')):
            with open(lab.path(host, '/tmp/lab-hook-test')) as f:
                lines = f.read().splitlines()
            root = lab.host_root(host)
            assert lines == ['%s %s [%s] %s %s %s %s 1' % (n, host, groups, host, root, lab.lab_dir, lab.repo)
                             for n in ('10-first.sh', '20-second.sh')]
        assert not os.path.exists(lab.path('ssc', '/tmp/lab-hook-test'))
        (hooks / '40-fails.sh').write_text('#!/bin/sh\necho broken >&2\nexit 7\n')
        (hooks / '40-fails.sh').chmod(0o755)
        proc = labctl(lab, 'hooks', 'guest', env=env)
        assert proc.returncode != 0 and '40-fails.sh failed for guest (rc 7)' in proc.stdout
        (hooks / '40-fails.sh').unlink()
        # a hanging hook (with a forking child) is killed after LAB_HOOK_TIMEOUT, children included
        token = uuid.uuid4().hex
        (hooks / '50-hangs.sh').write_text('#!/bin/sh\nsh -c "exec sleep 3600 %s" &\nexec sleep 3601\n' % token)
        (hooks / '50-hangs.sh').chmod(0o755)
        proc = labctl(lab, 'hooks', 'guest', env=dict(env, LAB_HOOK_TIMEOUT='2'))
        assert proc.returncode != 0 and '50-hangs.sh failed for guest (rc timeout after 2s)' in proc.stdout
        left = []
        for pid in (e for e in os.listdir('/proc') if e.isdigit()):
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    if token.encode() in f.read():
                        left.append(pid)
            except OSError:
                pass
        assert left == []
    finally:
        shutil.rmtree(str(hooks))
        for host in ('guest', 'db2a'):
            if os.path.exists(lab.path(host, '/tmp/lab-hook-test')):
                os.unlink(lab.path(host, '/tmp/lab-hook-test'))


def test_lab_up_is_idempotent(lab):
    def service_pids():
        pids = {}
        for root, _dirs, files in os.walk(lab.lab_dir):
            for f in files:
                if f.endswith('.pid'):
                    with open(os.path.join(root, f)) as fh:
                        pids[os.path.join(root, f)] = fh.read().strip()
        return pids

    before = service_pids()
    proc = labctl(lab, 'up')
    assert proc.returncode == 0, proc.stdout
    assert 'lab already up' in proc.stdout
    assert service_pids() == before
    assert labctl(lab, 'status', '--quiet').returncode == 0


def test_inventory_matches_the_builder():
    """inventories/lab/hosts.yml and tests/lab/labctl describe the same estate."""
    labctl = load_labctl()
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-inventory'), '-i',
                          os.path.join(HERE, '..', '..', '..', 'inventories', 'lab', 'hosts.yml'), '--list'],
                         stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    data = json.loads(out)
    hostvars = data['_meta']['hostvars']
    built = [h for h in labctl.HOSTS if h['sshd']]
    assert sorted(hostvars) == sorted(h['name'] for h in built)
    for h in built:
        hv = hostvars[h['name']]
        assert hv['ansible_host'] == labctl.ssh_address(h)
        nics = dict((net, cidr.split('/')[0]) for net, cidr in h['nics'])
        assert hv.get('lab_prod_ip') == nics.get('prod') and hv.get('lab_mgmt_ip') == nics.get('mgmt')
        assert bool(hv.get('lab_ssh_via_router')) == labctl.via_router(h)
        for group in h['groups']:
            assert h['name'] in data[group]['hosts']


def test_slapd_comes_back_after_a_crash(lab):
    """A SIGKILLed slapd (possibly an unreaped zombie for a while) is restarted by the ldap hook."""
    import signal
    import socket
    import time

    pidfile = os.path.join(lab.lab_dir, 'ldap', 'slapd.pid')
    with open(pidfile) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGKILL)
    proc = labctl(lab, 'hooks', 'ldap1')
    assert proc.returncode == 0, proc.stdout
    with open(pidfile) as f:
        assert int(f.read().strip()) != pid
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(('203.0.113.30', 389), timeout=1).close()
            break
        except OSError:
            assert time.time() < deadline, 'slapd did not come back'
            time.sleep(0.1)
    assert _ldapsearch('-b', 'dc=acme,dc=example', '(uid=user00001)', 'dn').returncode == 0
