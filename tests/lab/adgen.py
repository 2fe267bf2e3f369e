# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's Active Directory (ad1): a Samba AD DC from Debian's packages, seeded with the lab's users.

Run by the hook ``hooks.d/30-ad.sh`` inside ad1's namespaces with Debian's /usr/bin/python3 (python3-samba)::

    adgen.py up --lab-dir .lab --repo . [--users N] [--photo-size BYTES]

Everything lives under the lab state dir, nothing under /etc/samba or /var/lib/samba:
  <lab-dir>/ad-template/  the provisioned, empty domain (provisioning takes half a minute; kept across lab-down,
                          removed by lab-down --purge) with the lab's own CA and server certificate
  <lab-dir>/ad/           a fresh copy per lab-up: etc/smb.conf, private/ (sam.ldb), run/samba.pid, log/,
                          ca.pem (the CA the controller validates LDAPS with), bind.pw, admin.pw,
                          users.json (the manifest the tests read: ldapgen's users plus 'disabled')
The users are ldapgen.plan_users (the same people, photos in thumbnailPhoto, the same hostile entries) under
OU=People, with userAccountControl 544 (enabled, no password needed) or 546 (ACCOUNTDISABLE, bit 2) for every
user the manifest marks disabled.  CN=sametime-bind,OU=Service may read them and write labeledURI only (an ACE on
OU=People, inherited by the users).  Simple binds over plain ldap:// are refused (AD's default); LDAPS on 636 and
StartTLS on 389 present a certificate for ad1.acme.example / 203.0.113.31 signed by the lab CA.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ldapgen  # noqa: E402  pylint: disable=wrong-import-position

REALM = 'ACME.EXAMPLE'
NETBIOS_DOMAIN = 'ACME'
BASE_DN = 'DC=acme,DC=example'
PEOPLE_DN = 'OU=People,' + BASE_DN
SERVICE_DN = 'OU=Service,' + BASE_DN
BIND_NAME = 'sametime-bind'
BIND_DN = 'CN=%s,%s' % (BIND_NAME, SERVICE_DN)
HOST_NAME = 'ad1'
FQDN = 'ad1.acme.example'
ADDRESSES = ('203.0.113.31', '203.0.113.159')
# the attribute the bind account may write: the collection's default photo URL attribute
URL_ATTRIBUTE = 'labeledURI'
# bump when provision() or make_certificates() change: an older template is provisioned anew
TEMPLATE_VERSION = '3'
UAC_ENABLED = 544    # NORMAL_ACCOUNT | PASSWD_NOTREQD: photo-only people need no password
UAC_DISABLED = 546   # + ACCOUNTDISABLE (bit 2)


def is_disabled(number, kind):
    """Leavers: every 20th user, normal ones with a photo (user00011, user00031, ...)."""
    return kind == 'normal' and number % 20 == 11


def plan(users_count, photo_size):
    users = ldapgen.plan_users(users_count, photo_size)
    for user in users:
        number = int(user['uid'][4:])
        user['dn'] = 'CN=%s,%s' % (user['uid'], PEOPLE_DN)
        user['disabled'] = is_disabled(number, user['kind'])
    return users


def passwords(repo):
    text = open(os.path.join(repo, 'inventories', 'lab', 'group_vars', 'all', 'lab.yml')).read()
    out = {}
    for key in ('lab_ad_bind_password', 'lab_ad_admin_password'):
        for line in text.splitlines():
            if line.startswith(key + ':'):
                out[key] = line.split(':', 1)[1].strip().strip('"\'')
        if key not in out:
            raise SystemExit('adgen: %s not found in inventories/lab/group_vars/all/lab.yml' % key)
    return out


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          stdin=subprocess.DEVNULL, check=False, **kw)
    if proc.returncode != 0:
        raise SystemExit('adgen: command failed (rc %d): %s\n%s' % (proc.returncode, ' '.join(cmd), proc.stdout[-3000:]))
    return proc.stdout


def make_certificates(tls_dir):
    """The lab CA and a server certificate naming ad1 by name and address (Samba's own has no subjectAltName)."""
    os.makedirs(tls_dir, exist_ok=True)
    ca_key, ca_pem = os.path.join(tls_dir, 'ca.key'), os.path.join(tls_dir, 'ca.pem')
    key, csr, pem = (os.path.join(tls_dir, n) for n in ('server.key', 'server.csr', 'server.pem'))
    run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca_key, '-out', ca_pem, '-days', '3650',
         '-subj', '/O=sametime.deploy lab/CN=sametime.deploy lab AD CA',
         # Python 3.13 verifies strictly (VERIFY_X509_STRICT): a CA needs keyUsage, a leaf the authority key id
         '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
    run(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=' + FQDN])
    ext = os.path.join(tls_dir, 'server.ext')
    with open(ext, 'w') as handle:
        # the addresses also as DNS names: ldap3 on Python >= 3.12 matches names with its own backport of
        # match_hostname, which ignores IP SANs (the lab's controller has no DNS name for ad1)
        handle.write('subjectAltName=DNS:%s,DNS:%s,%s,%s\nextendedKeyUsage=serverAuth\n'
                     'keyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n'
                     'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n'
                     % (FQDN, HOST_NAME, ','.join('IP:' + a for a in ADDRESSES + ('127.0.0.1',)),
                        ','.join('DNS:' + a for a in ADDRESSES)))
    run(['openssl', 'x509', '-req', '-in', csr, '-CA', ca_pem, '-CAkey', ca_key, '-CAcreateserial', '-out', pem,
         '-days', '3650', '-extfile', ext])
    for name in ('ca.key', 'server.key'):
        os.chmod(os.path.join(tls_dir, name), 0o600)


def provision(template, admin_password):
    """An empty domain in `template` (about 5 s on an idle machine, 30 s on a busy one)."""
    shutil.rmtree(template, ignore_errors=True)
    work = template + '.new'
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    run(['samba-tool', 'domain', 'provision', '--use-rfc2307', '--targetdir=' + work, '--realm=' + REALM,
         '--domain=' + NETBIOS_DOMAIN, '--server-role=dc', '--dns-backend=NONE', '--adminpass=' + admin_password,
         '--host-name=' + HOST_NAME, '--host-ip=' + ADDRESSES[0]])
    make_certificates(os.path.join(work, 'tls'))
    write(os.path.join(work, 'template.version'), TEMPLATE_VERSION)
    os.rename(work, template)


def smb_conf(ad_dir):
    paths = dict((k, os.path.join(ad_dir, v)) for k, v in (
        ('private', 'private'), ('state', 'state'), ('cache', 'cache'), ('lock', 'lock'), ('pid', 'run'),
        ('log', 'log'), ('binddns', 'bind-dns'), ('tls', 'tls'), ('ncalrpc', 'run/ncalrpc')))
    return """\
# smb.conf of the lab's AD DC (generated by tests/lab/adgen.py; do not edit)
[global]
\tnetbios name = AD1
\tworkgroup = {domain}
\trealm = {realm}
\tserver role = active directory domain controller
\tidmap_ldb:use rfc2307 = yes
\t# LDAP only: no SMB, no Kerberos, no DNS, no winbind on the lab host
\tserver services = ldap
\tinterfaces = lo {addresses}
\tbind interfaces only = yes
\tprivate dir = {private}
\tstate directory = {state}
\tcache directory = {cache}
\tlock directory = {lock}
\tpid directory = {pid}
\tncalrpc dir = {ncalrpc}
\tbinddns dir = {binddns}
\tlog file = {log}/samba.log
\tlogging = file
\tpanic action =
\ttls enabled = yes
\ttls keyfile = {tls}/server.key
\ttls certfile = {tls}/server.pem
\ttls cafile = {tls}/ca.pem
""".format(domain=NETBIOS_DOMAIN, realm=REALM, addresses=' '.join(ADDRESSES), **paths)


def samdb(ad_dir):
    from samba.auth import system_session  # pylint: disable=import-error
    from samba.param import LoadParm  # pylint: disable=import-error
    from samba.samdb import SamDB  # pylint: disable=import-error
    lp = LoadParm()
    lp.load(os.path.join(ad_dir, 'etc', 'smb.conf'))
    return SamDB(url=os.path.join(ad_dir, 'private', 'sam.ldb'), session_info=system_session(), lp=lp)


def seed(ad_dir, users, bind_password):
    """Offline (samba not running): OUs, the users, the bind account and its one write right."""
    import ldb  # pylint: disable=import-error
    import uuid
    db = samdb(ad_dir)
    db.transaction_start()
    try:
        db.add({'dn': PEOPLE_DN, 'objectClass': 'organizationalUnit'})
        db.add({'dn': SERVICE_DN, 'objectClass': 'organizationalUnit'})
        for user in users:
            entry = {'dn': user['dn'], 'objectClass': 'user', 'sAMAccountName': user['uid'],
                     'displayName': user['cn'], 'givenName': 'Lab', 'sn': 'User' + user['uid'][4:],
                     'userAccountControl': str(UAC_DISABLED if user['disabled'] else UAC_ENABLED)}
            if user['mail'] is not None:
                entry['mail'] = user['mail']
            if user['photo'] is not None:
                entry['thumbnailPhoto'] = user['photo']
            db.add(entry)
        db.transaction_commit()
    except Exception:
        db.transaction_cancel()
        raise
    db.newuser(BIND_NAME, bind_password, userou='OU=Service', description='Sametime and photo sync (lab)')
    from samba.dcerpc import security  # pylint: disable=import-error
    from samba.ndr import ndr_unpack  # pylint: disable=import-error
    found = db.search(BIND_DN, scope=ldb.SCOPE_BASE, attrs=['objectSid'])
    sid = str(ndr_unpack(security.dom_sid, found[0]['objectSid'][0]))
    schema = str(db.get_schema_basedn())
    guid = db.search(schema, scope=ldb.SCOPE_ONELEVEL, expression='(lDAPDisplayName=%s)' % URL_ATTRIBUTE,
                     attrs=['schemaIDGUID'])
    attr_guid = str(uuid.UUID(bytes_le=guid[0]['schemaIDGUID'][0]))
    # WP (write property) on that one attribute, inherited by the objects below OU=People (CI), not on the OU itself
    from samba.sd_utils import SDUtils  # pylint: disable=import-error
    SDUtils(db).dacl_add_ace(PEOPLE_DN, '(OA;CIIO;WP;%s;;%s)' % (attr_guid, sid))
    return sid


def pid_alive(pidfile):
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().split()[0])
        with open('/proc/%d/stat' % pid) as handle:
            state = handle.read().rsplit(')', 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    return pid if state not in ('Z', 'X') else None


def stop(ad_dir):
    pid = pid_alive(os.path.join(ad_dir, 'run', 'samba.pid'))
    if not pid:
        return
    os.kill(pid, signal.SIGTERM)
    for _attempt in range(200):
        if not pid_alive(os.path.join(ad_dir, 'run', 'samba.pid')):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def listening(port):
    try:
        socket.create_connection((ADDRESSES[0], port), timeout=1).close()
        return True
    except OSError:
        return False


def start(ad_dir):
    run(['samba', '-s', os.path.join(ad_dir, 'etc', 'smb.conf')])
    deadline = time.time() + 60
    while not (listening(636) and listening(389)):
        if time.time() > deadline:
            log = os.path.join(ad_dir, 'log', 'samba.log')
            raise SystemExit('adgen: samba does not listen on 389/636 after 60 s; see %s' % log)
        time.sleep(0.1)


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def write(path, data, mode=0o644):
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        handle.write(data)
    os.chmod(tmp, mode)
    os.rename(tmp, path)


def up(lab_dir, repo, users_count, photo_size):
    ad_dir = os.path.join(lab_dir, 'ad')
    template = os.path.join(lab_dir, 'ad-template')
    params_path = os.path.join(ad_dir, 'params.json')
    loaded = None
    if os.path.exists(params_path):
        with open(params_path) as handle:
            loaded = json.load(handle)
    wanted = {'users': users_count or (loaded or {}).get('users') or ldapgen.DEFAULT_USERS,
              'photo_size': photo_size if photo_size is not None else (loaded or {}).get('photo_size', 0)}
    if loaded == wanted and pid_alive(os.path.join(ad_dir, 'run', 'samba.pid')):
        return
    pw = passwords(repo)
    stop(ad_dir)
    if read(os.path.join(template, 'template.version')) != TEMPLATE_VERSION:
        provision(template, pw['lab_ad_admin_password'])
        print('ad1: domain %s provisioned' % REALM)
    shutil.rmtree(ad_dir, ignore_errors=True)
    shutil.copytree(template, ad_dir, symlinks=True)
    for sub in ('run', 'run/ncalrpc', 'log', 'lock', 'cache'):
        os.makedirs(os.path.join(ad_dir, sub), exist_ok=True)
    write(os.path.join(ad_dir, 'etc', 'smb.conf'), smb_conf(ad_dir))
    users = plan(wanted['users'], wanted['photo_size'])
    seed(ad_dir, users, pw['lab_ad_bind_password'])
    shutil.copy(os.path.join(ad_dir, 'tls', 'ca.pem'), os.path.join(ad_dir, 'ca.pem'))
    write(os.path.join(ad_dir, 'bind.pw'), pw['lab_ad_bind_password'], 0o600)
    write(os.path.join(ad_dir, 'admin.pw'), pw['lab_ad_admin_password'], 0o600)
    write(os.path.join(ad_dir, 'users.json'), json.dumps(ldapgen.manifest(users), indent=1) + '\n')
    start(ad_dir)
    write(params_path, json.dumps(wanted) + '\n')
    print('ad1: samba AD DC started with %d users' % len(users))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='cmd', required=True)
    p_up = sub.add_parser('up')
    p_up.add_argument('--lab-dir', required=True)
    p_up.add_argument('--repo', required=True)
    p_up.add_argument('--users', type=int)
    p_up.add_argument('--photo-size', type=int)
    args = parser.parse_args(argv)
    up(os.path.abspath(args.lab_dir), os.path.abspath(args.repo), args.users, args.photo_size)
    return 0


if __name__ == '__main__':
    sys.exit(main())
