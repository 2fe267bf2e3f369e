# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ldap_photo_export / ldap_photo_url against a real, throwaway slapd on 127.0.0.1:<free port>."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import os
import signal
import socket
import subprocess
import tarfile
import time

import pytest

ldap3 = pytest.importorskip('ldap3')

from ansible_collections.sametime.deploy.plugins.module_utils import fileio, photo_ldap, photo_state
from ansible_collections.sametime.deploy.plugins.modules import ldap_photo_export, ldap_photo_url
from ansible_collections.sametime.deploy.tests.lab.ports import free_port

SLAPD = '/usr/sbin/slapd'
BASE = 'dc=acme,dc=example'
PEOPLE = 'ou=people,' + BASE
ADMIN = 'cn=admin,' + BASE
PASSWORD = 'unit-secret'
SCHEMA = """\
attributetype ( 2.16.840.1.113730.3.1.35 NAME 'thumbnailPhoto'
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.32473.1.1.1 NAME 'photoURL'
    EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{1024} SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.32473.1.2.1 NAME 'stLabPhotoPerson' SUP top AUXILIARY MAY ( thumbnailPhoto $ photoURL ) )
"""


def jpeg(tag, size=200):
    body = ('photo of %s ' % tag).encode('utf-8')
    body = (body * (size // len(body) + 1))[:size]
    return b'\xff\xd8\xff\xfe' + len(body).to_bytes(2, 'big') + body + b'\xff\xd9'


# uid -> (mail, photo); None = attribute absent
USERS = {
    'alice': ('alice@acme.example', jpeg('alice')),
    'bob': ('Bob.Builder@ACME.example', jpeg('bob')),
    'carol': ('carol@acme.example', jpeg('carol')),
    'nophoto': ('nophoto@acme.example', None),
    'nomail': (None, jpeg('nomail')),
    'slash': ('sub/evil@acme.example', jpeg('slash')),
    'dotdot': ('../../escape@acme.example', jpeg('dotdot')),
    'dotdot2': ('..hidden@acme.example', jpeg('dotdot2')),
    'nul': ('nul\x00evil@acme.example', jpeg('nul')),
    'notmail': ('not-an-address', jpeg('notmail')),
    'dup1': ('Dup@acme.example', jpeg('dup1')),
    'dup2': ('dup@ACME.example', jpeg('dup2')),
    'png': ('png@acme.example', b'\x89PNG\r\n\x1a\n' + b'not a jpeg' * 10),
    'huge': ('huge@acme.example', jpeg('huge', 60000)),
}
EXPECTED_FILES = sorted(['alice@acme.example.jpg', 'bob.builder@acme.example.jpg', 'carol@acme.example.jpg'])
EXPECTED_SKIPS = sorted([
    ('dotdot', 'invalid_mail'), ('dotdot2', 'invalid_mail'), ('nul', 'invalid_mail'), ('slash', 'invalid_mail'),
    ('notmail', 'invalid_mail'), ('dup1', 'duplicate_mail'), ('dup2', 'duplicate_mail'), ('png', 'not_jpeg'),
    ('huge', 'too_large'),
])


def _attr(name, value):
    if isinstance(value, bytes) or any(ord(c) < 32 for c in value) or value.startswith(('.', ' ', ':', '<')):
        raw = value if isinstance(value, bytes) else value.encode('utf-8')
        return '%s:: %s\n' % (name, base64.b64encode(raw).decode('ascii'))
    return '%s: %s\n' % (name, value)


def _ldif(users):
    out = ['dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: acme\no: acme\n\n' % BASE,
           'dn: %s\nobjectClass: organizationalUnit\nou: people\n\n' % PEOPLE]
    for uid, (mail, photo) in sorted(users.items()):
        out.append('dn: uid=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: stLabPhotoPerson\nuid: %s\ncn: %s\nsn: %s\n'
                   % (uid, PEOPLE, uid, uid, uid))
        if mail is not None:
            out.append(_attr('mail', mail))
        if photo is not None:
            out.append(_attr('thumbnailPhoto', photo))
        out.append('\n')
    return ''.join(out)


def make_certificates(root):
    """A throw-away CA and a server certificate for 127.0.0.1 (openssl); returns the CA file."""
    def openssl(*args):
        subprocess.check_call(('openssl',) + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=unit test CA',
            '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
            '-keyout', root + '/ca.key', '-out', root + '/ca.crt')
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', root + '/server.key',
            '-out', root + '/server.csr')
    with open(root + '/ext.cnf', 'w') as handle:
        # what Python 3.13's strict verification wants of a server certificate
        handle.write('subjectAltName=IP:127.0.0.1\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
                     'extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid,issuer\n')
    openssl('x509', '-req', '-in', root + '/server.csr', '-CA', root + '/ca.crt', '-CAkey', root + '/ca.key',
            '-CAcreateserial', '-days', '2', '-extfile', root + '/ext.cnf', '-out', root + '/server.crt')
    return root + '/ca.crt'


class Slapd(object):
    """A slapd of our own: slapd.conf + mdb in a temp dir, listening on loopback only."""

    def __init__(self, root, users, tls=False):
        self.root = root
        self.port = None
        self.tls_port = None
        self.proc = None
        os.makedirs(os.path.join(root, 'db'))
        tls_lines = []
        if tls:
            self.ca_file = make_certificates(root)
            tls_lines = ['TLSCACertificateFile %s/ca.crt' % root, 'TLSCertificateFile %s/server.crt' % root,
                         'TLSCertificateKeyFile %s/server.key' % root]
        with open(os.path.join(root, 'unit.schema'), 'w') as handle:
            handle.write(SCHEMA)
        self.conf = os.path.join(root, 'slapd.conf')
        with open(self.conf, 'w') as handle:
            handle.write('\n'.join([
                'include /etc/ldap/schema/core.schema', 'include /etc/ldap/schema/cosine.schema',
                'include /etc/ldap/schema/inetorgperson.schema', 'include %s/unit.schema' % root,
                'pidfile %s/slapd.pid' % root, 'modulepath /usr/lib/ldap', 'moduleload back_mdb'] + tls_lines + [
                'sizelimit size.soft=5 size.hard=5 size.prtotal=unlimited',
                'database mdb', 'maxsize 268435456', 'suffix "%s"' % BASE, 'rootdn "%s"' % ADMIN,
                'rootpw %s' % PASSWORD, 'directory %s/db' % root, 'index objectClass eq', '']))
        ldif = os.path.join(root, 'data.ldif')
        with open(ldif, 'w') as handle:
            handle.write(_ldif(users))
        subprocess.check_call([SLAPD.replace('slapd', 'slapadd'), '-q', '-f', self.conf, '-l', ldif])
        self.start()

    @property
    def uri(self):
        return 'ldap://127.0.0.1:%d' % self.port

    @property
    def ldaps_uri(self):
        return 'ldaps://127.0.0.1:%d' % self.tls_port

    def start(self):
        if self.port is None:
            self.port, self.tls_port = free_port(), free_port()
        urls = self.uri + '/' + (' %s/' % self.ldaps_uri if getattr(self, 'ca_file', None) else '')
        self.proc = subprocess.Popen([SLAPD, '-f', self.conf, '-h', urls, '-d', '0'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('slapd did not start on port %d' % self.port)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def admin(self):
        conn = ldap3.Connection(ldap3.Server(self.uri), ADMIN, PASSWORD, auto_bind=True)
        return conn


@pytest.fixture
def slapd(tmp_path):
    if not os.path.exists(SLAPD):
        pytest.fail('slapd is not installed (Debian packages slapd + ldap-utils are required)')
    server = Slapd(str(tmp_path / 'slapd'), USERS)
    yield server
    server.stop()


@pytest.fixture
def workdir(tmp_path):
    path = tmp_path / 'work'
    path.mkdir()
    return path


def export_args(slapd, dest, **extra):
    args = {'server_uri': slapd.uri, 'bind_dn': ADMIN, 'bind_password': PASSWORD, 'search_base': PEOPLE,
            'dest': str(dest), 'page_size': 3}
    args.update(extra)
    return args


def all_files(root):
    found = []
    for dirpath, _dirs, files in os.walk(str(root)):
        for name in files:
            found.append(os.path.relpath(os.path.join(dirpath, name), str(root)))
    return sorted(found)


def skips(result):
    return sorted((s['dn'].split(',')[0][4:], s['reason']) for s in result['skipped_entries'])


def test_export_hostile_entries(slapd, workdir, run_module):
    dest = workdir / 'staging'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed, result
    assert result['changed'] is True
    # nothing outside dest, exactly the expected files inside (plus the state file)
    assert all_files(workdir) == sorted(['staging/' + n for n in EXPECTED_FILES] + ['staging/' + photo_state.STATE_FILE_NAME])
    for name, uid in zip(EXPECTED_FILES, ['alice', 'bob', 'carol']):
        assert (dest / name).read_bytes() == USERS[uid][1]
        assert oct(os.stat(str(dest / name)).st_mode & 0o777) == oct(0o644)
    assert skips(result) == EXPECTED_SKIPS
    assert result['written'] == 3 and result['unchanged'] == 0 and result['exported'] == 3
    assert result['skipped_by_reason']['invalid_mail'] == 5 and result['skipped_by_reason']['duplicate_mail'] == 2
    assert result['entries'] == 12  # nophoto and nomail are not found at all
    nul = [s for s in result['skipped_entries'] if s['dn'].startswith('uid=nul,')][0]
    assert nul['mail'] == 'nul\\x00evil@acme.example' and nul['detail'] == 'mail contains NUL'
    dup = [s for s in result['skipped_entries'] if s['dn'].startswith('uid=dup1,')][0]
    assert 'uid=dup2' in dup['detail']


def test_state_file_symlink_is_replaced_not_followed(slapd, workdir, run_module):
    dest = workdir / 'staging'
    dest.mkdir()
    victim = workdir / 'victim.txt'
    victim.write_bytes(b'precious')
    os.symlink(str(victim), str(dest / photo_state.STATE_FILE_NAME))
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed, result.get('msg')
    assert victim.read_bytes() == b'precious'
    assert not os.path.islink(str(dest / photo_state.STATE_FILE_NAME)) and result['state_file_changed']
    again, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed and again['fetched'] == 0  # the regular state file is used


def test_second_run_reads_and_writes_nothing(slapd, workdir, run_module):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    before = dict((n, os.stat(str(dest / n)).st_mtime_ns) for n in os.listdir(str(dest)))
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed
    assert result['changed'] is False
    assert (result['written'], result['fetched'], result['unchanged']) == (0, 0, 3)
    assert result['state_file_changed'] is False
    assert skips(result) == EXPECTED_SKIPS  # content refusals are remembered and reported again
    assert dict((n, os.stat(str(dest / n)).st_mtime_ns) for n in os.listdir(str(dest))) == before


def test_changed_photo_is_fetched_and_rewritten(slapd, workdir, run_module):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    conn = slapd.admin()
    new = jpeg('alice v2')
    time.sleep(1.1)  # modifyTimestamp has one-second resolution; entryCSN is precise anyway
    assert conn.modify('uid=alice,' + PEOPLE, {'thumbnailPhoto': [(ldap3.MODIFY_REPLACE, [new])]})
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed
    assert (result['fetched'], result['written'], result['unchanged']) == (1, 1, 2)
    assert result['written_files'] == ['alice@acme.example.jpg']
    assert (dest / 'alice@acme.example.jpg').read_bytes() == new


def test_touched_local_file_is_repaired(slapd, workdir, run_module):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    (dest / 'carol@acme.example.jpg').write_bytes(b'garbage')
    (dest / 'bob.builder@acme.example.jpg').unlink()
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed
    assert sorted(result['written_files']) == ['bob.builder@acme.example.jpg', 'carol@acme.example.jpg']
    assert (dest / 'carol@acme.example.jpg').read_bytes() == USERS['carol'][1]


def test_non_incremental_compares_bytes(slapd, workdir, run_module):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest, incremental=False))
    assert not (dest / photo_state.STATE_FILE_NAME).exists()
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, incremental=False))
    assert not failed and result['changed'] is False
    assert (result['fetched'], result['written'], result['unchanged']) == (5, 0, 3)  # png and huge are read and refused again


@pytest.mark.parametrize('incremental', [False, True])
def test_one_pass_export_keeps_duplicate_semantics(slapd, workdir, run_module, incremental):
    """Without a state file one search reads everything; a duplicate mail found after its first holder was
    written must leave the folder as two passes would: no file for a new name, the old bytes for an existing one."""
    fresh = workdir / 'fresh'
    result, failed = run_module(ldap_photo_export, export_args(slapd, fresh, incremental=incremental))
    assert not failed and sorted(p for p in os.listdir(str(fresh)) if p.endswith('.jpg')) == EXPECTED_FILES
    assert result['fetched'] == 5 and result['written'] == 3
    assert sorted(s['reason'] for s in result['skipped_entries'] if s['reason'] == 'duplicate_mail') == \
        ['duplicate_mail'] * 2

    existing = workdir / 'existing'
    existing.mkdir()
    (existing / 'dup@acme.example.jpg').write_bytes(jpeg('old dup'))
    (existing / 'alice@acme.example.jpg').write_bytes(jpeg('old alice'))
    (existing / 'bob.builder@acme.example.jpg').write_bytes(USERS['bob'][1])
    result, failed = run_module(ldap_photo_export, export_args(slapd, existing, incremental=incremental))
    assert not failed
    assert (existing / 'dup@acme.example.jpg').read_bytes() == jpeg('old dup')
    assert (existing / 'alice@acme.example.jpg').read_bytes() == USERS['alice'][1]
    assert (result['written'], result['unchanged']) == (2, 1)  # alice replaced, carol new, bob unchanged
    assert not [p for p in os.listdir(str(existing)) if p.startswith('.sametime-')]


def test_prune_removes_leavers_only(slapd, workdir, run_module):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    (dest / 'dup@acme.example.jpg').write_bytes(jpeg('old dup'))  # a person still found (duplicate): kept
    (dest / 'readme.txt').write_bytes(b'not ours')
    conn = slapd.admin()
    assert conn.delete('uid=carol,' + PEOPLE)
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, prune=False))
    assert not failed and result['removed'] == 0 and (dest / 'carol@acme.example.jpg').exists()
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, prune=True, _ansible_check_mode=True))
    assert not failed and result['removed_files'] == ['carol@acme.example.jpg'] and result['changed']
    assert (dest / 'carol@acme.example.jpg').exists()
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, prune=True))
    assert not failed
    assert result['removed_files'] == ['carol@acme.example.jpg']
    assert sorted(os.listdir(str(dest))) == sorted([
        'alice@acme.example.jpg', 'bob.builder@acme.example.jpg', 'dup@acme.example.jpg', 'readme.txt',
        photo_state.STATE_FILE_NAME])


def test_check_mode_writes_nothing(slapd, workdir, run_module):
    dest = workdir / 'staging'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, _ansible_check_mode=True,
                                                               _ansible_diff=True, bundle=str(workdir / 'p.tar')))
    assert not failed
    assert result['changed'] is True and result['written'] == 3
    assert 'alice@acme.example.jpg (new content)' in result['diff']['after']
    assert all_files(workdir) == []


def test_bundle_follows_the_set(slapd, workdir, run_module):
    dest = workdir / 'staging'
    bundle = workdir / 'photos.tar'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, bundle=str(bundle)))
    assert not failed and result['bundle_changed']
    with tarfile.open(str(bundle)) as tar:
        assert tar.getnames() == EXPECTED_FILES + ['.complete']
        assert tar.extractfile('alice@acme.example.jpg').read() == USERS['alice'][1]
    again, failed = run_module(ldap_photo_export, export_args(slapd, dest, bundle=str(bundle)))
    assert not failed and again['changed'] is False and again['bundle_changed'] is False
    assert again['bundle_sha256'] == result['bundle_sha256']


def test_check_mode_on_a_fresh_controller(slapd, workdir, run_module):
    """--check before the first run: neither dest nor the bundle's folder exists yet; nothing may be created."""
    dest = workdir / 'new' / 'staging'
    bundle = workdir / 'other' / 'photos.tar'
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, bundle=str(bundle),
                                                               _ansible_check_mode=True))
    assert not failed, result.get('msg')
    assert result['changed'] and result['bundle_changed'] and len(result['bundle_sha256']) == 64
    assert result['written'] == 3 and os.listdir(str(workdir)) == []
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, bundle=str(bundle)))
    assert failed and 'the folder of bundle %s does not exist' % bundle in result['msg']


def test_server_killed_mid_export_fails_cleanly_then_recovers(slapd, workdir, run_module, monkeypatch):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    conn = slapd.admin()
    conn.delete('uid=carol,' + PEOPLE)
    for uid in ('alice', 'bob'):
        conn.modify('uid=%s,%s' % (uid, PEOPLE), {'thumbnailPhoto': [(ldap3.MODIFY_REPLACE, [jpeg(uid + ' v2')])]})
    conn.unbind()
    before = dict((n, (dest / n).read_bytes()) for n in os.listdir(str(dest)))
    real_search = ldap3.Connection.search
    calls = {'n': 0}

    def dying_search(self, *args, **kwargs):
        if args and args[0] != '':  # the rootDSE read (directory kind) is not a page of the export
            calls['n'] += 1
        if calls['n'] == 2:  # pass 1 has read its first page: the server goes away
            slapd.stop()
        return real_search(self, *args, **kwargs)

    monkeypatch.setattr(ldap3.Connection, 'search', dying_search)
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, prune=True, timeout=5))
    assert failed
    assert 'Photo export to %s failed' % dest in result['msg'] and 'failed after 3 entries of pass 1 (mail and change markers)' in result['msg']
    assert 'Nothing was pruned' in result['msg']
    assert dict((n, (dest / n).read_bytes()) for n in os.listdir(str(dest))) == before
    monkeypatch.setattr(ldap3.Connection, 'search', real_search)
    slapd.start()
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, prune=True))
    assert not failed, result
    assert sorted(result['written_files']) == ['alice@acme.example.jpg', 'bob.builder@acme.example.jpg']
    assert result['removed_files'] == ['carol@acme.example.jpg']


def test_server_dies_in_pass_two(slapd, workdir, run_module, monkeypatch):
    dest = workdir / 'staging'
    writer_class = fileio.DirectoryWriter
    real_write = writer_class.write
    writes = {'n': 0}

    def write_then_die(writer, name, content, **kwargs):
        writes['n'] += 1
        if writes['n'] == 2:
            slapd.stop()
        return real_write(writer, name, content, **kwargs)

    monkeypatch.setattr(writer_class, 'write', write_then_die)
    result, failed = run_module(ldap_photo_export, export_args(slapd, dest, page_size=1, fetch_threshold=0, timeout=5))
    assert failed and ('LDAP search under %s failed after %d entries of the one search (mail, photo and change '
                       'markers): the connection to the LDAP server was lost' % (PEOPLE, writes['n'])) in result['msg']
    assert not (dest / photo_state.STATE_FILE_NAME).exists()
    # without a state the export was one search: a failed one leaves dest as it was (no file a later duplicate
    # could have claimed)
    assert writes['n'] >= 2 and os.listdir(str(dest)) == []


@pytest.fixture
def tls_slapd(tmp_path):
    server = Slapd(str(tmp_path / 'slapd'), USERS, tls=True)
    yield server
    server.stop()


@pytest.mark.parametrize('how', ['ldaps', 'start_tls'])
def test_export_over_tls(tls_slapd, workdir, run_module, how):
    """TLS records are at most 16 KB: the buffered reader must join them into whole LDAP messages."""
    dest = workdir / how
    extra = dict(ca_file=tls_slapd.ca_file, page_size=1000)
    if how == 'ldaps':
        extra['server_uri'] = tls_slapd.ldaps_uri
    else:
        extra['start_tls'] = True
    result, failed = run_module(ldap_photo_export, export_args(tls_slapd, dest, **extra))
    assert not failed, result.get('msg')
    assert sorted(p for p in os.listdir(str(dest)) if p.endswith('.jpg')) == EXPECTED_FILES
    for name, uid in zip(EXPECTED_FILES, ['alice', 'bob', 'carol']):
        assert (dest / name).read_bytes() == USERS[uid][1]
    assert result['skipped_by_reason']['too_large'] == 1  # the big photo came through whole, then was refused
    result, failed = run_module(ldap_photo_export, export_args(tls_slapd, workdir / 'unverified', start_tls=True))
    assert failed and 'CERTIFICATE_VERIFY_FAILED' in result['msg']  # no ca_file: the test CA is not trusted


def test_bad_credentials_and_missing_ldap3(slapd, workdir, run_module, monkeypatch):
    result, failed = run_module(ldap_photo_export, export_args(slapd, workdir / 's', bind_password='wrong'))
    assert failed and 'bind to %s as %r failed' % (slapd.uri, ADMIN) in result['msg']
    assert 'invalidCredentials' in result['msg']
    result, failed = run_module(ldap_photo_export, export_args(slapd, workdir / 's', server_uri='http://x'))
    assert failed and 'must start with ldap:// or ldaps://' in result['msg']
    monkeypatch.setattr(photo_ldap, 'HAS_LDAP3', False)
    result, failed = run_module(ldap_photo_export, export_args(slapd, workdir / 's'))
    assert failed and 'ldap3' in result['msg']
    assert not (workdir / 's').exists()


def test_jpegphoto_attribute_and_size_limit(slapd, workdir, run_module):
    conn = slapd.admin()
    conn.modify('uid=alice,' + PEOPLE, {'jpegPhoto': [(ldap3.MODIFY_ADD, [jpeg('alice jpeg', 100)])]})
    result, failed = run_module(ldap_photo_export, export_args(slapd, workdir / 'j', photo_attribute='jpegPhoto'))
    assert not failed and result['written_files'] == ['alice@acme.example.jpg']
    result, failed = run_module(ldap_photo_export, export_args(slapd, workdir / 'k', max_photo_bytes=0))
    assert 'huge@acme.example.jpg' in result['written_files']


# ------------------------------------------------------------------ ldap_photo_url

def url_args(slapd, **extra):
    args = {'server_uri': slapd.uri, 'bind_dn': ADMIN, 'bind_password': PASSWORD, 'search_base': PEOPLE,
            'url_template': 'http://icphotos.acme.example/{mail}.jpg', 'page_size': 4, 'url_attribute': 'photoURL'}
    args.update(extra)
    return args


def photo_urls(slapd):
    conn = slapd.admin()
    conn.search(PEOPLE, '(uid=*)', attributes=['uid', 'photoURL'], paged_size=100)
    return dict((e['attributes']['uid'][0], e['attributes']['photoURL']) for e in conn.response)


def test_photo_url_set_for_all_then_unchanged(slapd, run_module):
    result, failed = run_module(ldap_photo_url, url_args(slapd, _ansible_diff=True))
    assert not failed, result
    urls = photo_urls(slapd)
    assert urls['alice'] == 'http://icphotos.acme.example/alice@acme.example.jpg'
    assert urls['bob'] == 'http://icphotos.acme.example/bob.builder@acme.example.jpg'
    assert urls['nophoto'] == 'http://icphotos.acme.example/nophoto@acme.example.jpg'
    assert urls['png'] == 'http://icphotos.acme.example/png@acme.example.jpg'
    for uid in ('slash', 'dotdot', 'nul', 'dup1', 'dup2', 'notmail', 'nomail'):
        assert urls[uid] in ([], None), uid
    assert result['modified'] == 6 and result['changed']
    assert result['skipped_by_reason'] == {'invalid_mail': 5, 'duplicate_mail': 2}
    assert 'uid=alice,%s: http://icphotos.acme.example/alice@acme.example.jpg' % PEOPLE in result['diff']['after']
    again, failed = run_module(ldap_photo_url, url_args(slapd))
    assert not failed and again['changed'] is False and (again['modified'], again['unchanged']) == (0, 6)


def test_photo_url_check_mode_and_wrong_value(slapd, run_module):
    conn = slapd.admin()
    conn.modify('uid=alice,' + PEOPLE, {'photoURL': [(ldap3.MODIFY_REPLACE, ['http://old/alice.jpg'])]})
    result, failed = run_module(ldap_photo_url, url_args(slapd, _ansible_check_mode=True))
    assert not failed and result['modified'] == 6
    assert photo_urls(slapd)['alice'] == 'http://old/alice.jpg'
    assert photo_urls(slapd)['bob'] in ([], None)
    alice = [m for m in result['modified_entries'] if m['dn'].startswith('uid=alice,')][0]
    assert alice['before'] == ['http://old/alice.jpg']


def test_photo_url_only_for_exported_photos(slapd, workdir, run_module):
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    result, failed = run_module(ldap_photo_url, url_args(slapd, photo_dir=str(dest)))
    assert not failed
    assert result['modified'] == 3 and result['skipped_by_reason']['no_photo_file'] == 3
    urls = photo_urls(slapd)
    assert urls['png'] in ([], None) and urls['carol'] == 'http://icphotos.acme.example/carol@acme.example.jpg'


def test_photo_url_keeps_the_export_state_current(slapd, workdir, run_module):
    """A URL write moves entryCSN/modifyTimestamp: ldap_photo_url records the new tokens in the export's state, so
    the next export reads no photo - except one that really changed in between."""
    dest = workdir / 'staging'
    run_module(ldap_photo_export, export_args(slapd, dest))
    conn = slapd.admin()
    time.sleep(1.1)  # modifyTimestamp has one-second resolution
    assert conn.modify('uid=carol,' + PEOPLE, {'thumbnailPhoto': [(ldap3.MODIFY_REPLACE, [jpeg('carol v2')])]})
    result, failed = run_module(ldap_photo_url, url_args(slapd, photo_dir=str(dest)))
    assert not failed, result.get('msg')
    assert result['modified'] == 3 and result['export_state_refreshed'] == 2  # carol's photo is not the file's
    again, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed
    assert (again['fetched'], again['written'], again['written_files']) == (1, 1, ['carol@acme.example.jpg'])
    unchanged, failed = run_module(ldap_photo_url, url_args(slapd, photo_dir=str(dest)))
    assert not failed and (unchanged['modified'], unchanged['export_state_refreshed']) == (0, 0)
    last, failed = run_module(ldap_photo_export, export_args(slapd, dest))
    assert not failed and (last['fetched'], last['written'], last['state_file_changed']) == (0, 0, False)


def test_photo_url_check_mode_before_the_first_export(slapd, workdir, run_module):
    missing = workdir / 'staging'
    result, failed = run_module(ldap_photo_url, url_args(slapd, photo_dir=str(missing), _ansible_check_mode=True))
    assert not failed and result['changed'] and not result['skipped_by_reason'].get('no_photo_file')
    assert photo_urls(slapd)['carol'] in ([], None) and not missing.exists()
    result, failed = run_module(ldap_photo_url, url_args(slapd, photo_dir=str(missing)))
    assert failed and 'is not a folder' in result['msg']


def test_photo_url_rejects_bad_template_and_read_only_bind(slapd, run_module):
    result, failed = run_module(ldap_photo_url, url_args(slapd, url_template='http://x/{uid}.jpg'))
    assert failed and '{mail}' in result['msg']
    conn = slapd.admin()
    # an account without write access: slapd refuses the modify, the task says where it stopped
    result, failed = run_module(ldap_photo_url, url_args(slapd, bind_dn='', bind_password=''))
    assert failed and 'Setting photoURL failed: setting photoURL on' in result['msg']
    assert 'after 0 modifications' in result['msg']
    conn.unbind()


def test_photo_url_default_attribute_is_in_the_openldap_schema(slapd, run_module):
    """The default (labeledURI) passes the schema preflight on OpenLDAP (inetorgperson.schema) and is written."""
    args = url_args(slapd)
    del args['url_attribute']
    result, failed = run_module(ldap_photo_url, args)
    assert not failed, result
    conn = slapd.admin()
    conn.search('uid=alice,' + PEOPLE, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['labeledURI'])
    assert conn.response[0]['raw_attributes']['labeledURI'] == [b'http://icphotos.acme.example/alice@acme.example.jpg']


@pytest.mark.parametrize('check_mode', [False, True])
def test_photo_url_attribute_missing_from_the_schema_fails_before_any_write(slapd, run_module, check_mode):
    """wWWHomePage is AD's, not OpenLDAP's: the preflight reads cn=Subschema and stops with the fix, nothing written."""
    result, failed = run_module(ldap_photo_url, url_args(slapd, url_attribute='wWWHomePage', _ansible_check_mode=check_mode))
    assert failed
    assert 'the attribute wWWHomePage is not in the directory\'s schema (cn=Subschema); nothing was modified' in result['msg']
    assert 'photo_sync_url_attribute' in result['msg']
    assert all(v in ([], None) for v in photo_urls(slapd).values())
    # preflight off: the server itself refuses the first write (an undefined attribute type)
    result, failed = run_module(ldap_photo_url, url_args(slapd, url_attribute='wWWHomePage', preflight=False))
    assert failed and 'after 0 modifications' in result['msg']


def test_stream_search_hands_over_every_entry_once(slapd):
    """Every entry reaches the callback once, across pages, with its raw (bytes) values."""
    conn = photo_ldap.connect({'server_uri': slapd.uri, 'bind_dn': ADMIN, 'bind_password': PASSWORD})
    seen, progress = [], {}
    photo_ldap.stream_search(conn, PEOPLE, '(objectClass=person)', ['mail', 'thumbnailPhoto'], 2,
                             lambda dn, raw: seen.append((dn.lower(), photo_ldap.first_value(raw, 'mail'),
                                                          photo_ldap.first_value(raw, 'thumbnailPhoto'))), progress)
    reference = slapd.admin()
    reference.search(PEOPLE, '(objectClass=person)', attributes=['mail', 'thumbnailPhoto'])
    expected = sorted((e['dn'].lower(), (e['raw_attributes'].get('mail') or [None])[0],
                       (e['raw_attributes'].get('thumbnailPhoto') or [None])[0]) for e in reference.response)
    assert sorted(seen) == expected and progress['entries'] == len(expected) > 2


@pytest.mark.parametrize('module, extra, message', [
    (ldap_photo_export, {'page_size': 0}, 'page_size must be at least 1 (got 0)'),
    (ldap_photo_export, {'timeout': 0}, 'timeout must be at least 1 (got 0)'),
    (ldap_photo_export, {'report_limit': -3}, 'report_limit must be at least 1 (got -3)'),
    (ldap_photo_export, {'max_photo_bytes': -1},
     'max_photo_bytes must be 0 (no limit) or a positive number of bytes, got -1'),
    (ldap_photo_url, {'page_size': 0}, 'page_size must be at least 1 (got 0)'),
    (ldap_photo_url, {'report_limit': 0}, 'report_limit must be at least 1 (got 0)'),
])
def test_limits_are_checked_before_anything_is_read(tmp_path, run_module, module, extra, message):
    args = {'server_uri': 'ldap://127.0.0.1:%d' % free_port(), 'search_base': PEOPLE}  # nothing listens there
    if module is ldap_photo_export:
        args['dest'] = str(tmp_path / 'staging')
    else:
        args['url_template'] = 'http://photos.example/{mail}.jpg'
    args.update(extra)
    result, failed = run_module(module, args)
    assert failed and result['msg'] == message
    assert not (tmp_path / 'staging').exists()
