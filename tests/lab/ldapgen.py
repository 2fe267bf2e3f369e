# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab directory (ldap1): schema, slapd.conf, generated users with JPEG photos, slapadd, slapd.

Standard library only.  Run by the hook ``hooks.d/30-ldap.sh`` inside ldap1's namespaces::

    ldapgen.py up   --lab-dir .lab --repo . [--users N] [--photo-size BYTES]
    ldapgen.py ldif --users N [--photo-size BYTES]        # print the LDIF (debugging)

Everything lives in ``<lab-dir>/ldap/``: slapd.conf, schema/, db/, ldapi socket, slapd.pid, bind.pw,
admin.pw, users.json (the manifest the tests read) and params.json (what was loaded).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import quote

BASE_DN = 'dc=acme,dc=example'
PEOPLE_DN = 'ou=people,' + BASE_DN
SERVICE_DN = 'ou=service,' + BASE_DN
BIND_DN = 'cn=sametime-bind,' + SERVICE_DN
ADMIN_DN = 'cn=admin,' + BASE_DN
MAIL_DOMAIN = 'acme.example'
LISTEN_URLS = ('ldap://203.0.113.30:389/', 'ldap://127.0.0.1:389/')
DEFAULT_USERS = 200

# ---------------------------------------------------------------------------------------------
# JPEG: a tiny valid baseline JPEG (8x8, one grey component, one block), built from scratch.
# Huffman tables hold two 2-bit codes each: DC '00' = category 0, '01' = category 1;
# AC '00' = EOB, '01' = (0,1).  The single block is DC category 0/1 then EOB.  The bytes of
# each photo differ through a COM segment (uid/mail/seed) and the grey level; ``size`` pads with
# further COM segments so benchmark photos can be e.g. 8 KB.
# ---------------------------------------------------------------------------------------------


def _segment(marker, payload):
    return b'\xff' + bytes([marker]) + (len(payload) + 2).to_bytes(2, 'big') + payload


def _bits_to_bytes(bits):
    bits += '1' * (-len(bits) % 8)  # pad with 1-bits as the standard says
    out = bytearray()
    for i in range(0, len(bits), 8):
        byte = int(bits[i:i + 8], 2)
        out.append(byte)
        if byte == 0xFF:
            out.append(0x00)  # byte stuffing
    return bytes(out)


def make_jpeg(comment, size=0, shade=0):
    """Return the bytes of a valid baseline JPEG.

    comment: text put in a COM segment (makes every photo's bytes distinct).
    size: minimum total size in bytes (padding COM segments); 0 = as small as possible.
    shade: 0 (mid grey) or 1/2 (slightly lighter/darker) - varies the entropy data too.
    """
    com = comment.encode('utf-8')[:65000]
    parts = [
        b'\xff\xd8',
        _segment(0xE0, b'JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00'),
        _segment(0xFE, com),
        _segment(0xDB, b'\x00' + b'\x01' * 64),
        _segment(0xC0, b'\x08\x00\x08\x00\x08\x01\x01\x11\x00'),
        _segment(0xC4, b'\x00' + b'\x00\x02' + b'\x00' * 14 + b'\x00\x01'),
        _segment(0xC4, b'\x10' + b'\x00\x02' + b'\x00' * 14 + b'\x00\x01'),
    ]
    if shade == 0:
        bits = '00' + '00'            # DC category 0, EOB
    elif shade == 1:
        bits = '01' + '1' + '00'      # DC category 1, value +1, EOB
    else:
        bits = '01' + '0' + '00'      # DC category 1, value -1, EOB
    tail = [_segment(0xDA, b'\x01\x01\x00\x00\x3f\x00'), _bits_to_bytes(bits), b'\xff\xd9']
    current = sum(len(p) for p in parts) + sum(len(p) for p in tail)
    pad = []
    missing = size - current
    while missing > 0:
        chunk = min(max(missing - 4, 0), 65000)
        pad.append(_segment(0xFE, b'P' * chunk))
        missing -= chunk + 4
    return b''.join(parts + pad + tail)


NOT_JPEG = b'\x89PNG\r\n\x1a\n' + b'\x00\x00\x00\rIHDR' + b'lab: this blob is not a JPEG' * 4

# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------


def plan_users(count, photo_size=0):
    """Return the list of users (dicts) the lab loads; deterministic for (count, photo_size).

    kinds: normal, nophoto, uppercase (mail in upper case), slash (mail contains '/'),
    dotdot (mail contains '..'), casedup (two users whose mail differs only in case),
    notjpeg (thumbnailPhoto is a PNG-ish blob), nomail (no mail attribute).
    """
    special = {
        3: ('slash', 'sub/user00003@' + MAIL_DOMAIN),
        4: ('dotdot', '..user00004@' + MAIL_DOMAIN),
        5: ('casedup', 'dup.user@' + MAIL_DOMAIN),
        6: ('casedup', 'Dup.User@' + MAIL_DOMAIN),
        7: ('notjpeg', 'user00007@' + MAIL_DOMAIN),
        8: ('nomail', None),
    }
    users = []
    for i in range(1, count + 1):
        uid = 'user%05d' % i
        if i in special:
            kind, mail = special[i]
        elif i % 10 == 9:
            kind, mail = 'nophoto', '%s@%s' % (uid, MAIL_DOMAIN)
        elif i % 10 == 0:
            kind, mail = 'uppercase', ('%s@%s' % (uid, MAIL_DOMAIN)).upper()
        else:
            kind, mail = 'normal', '%s@%s' % (uid, MAIL_DOMAIN)
        if kind == 'nophoto':
            photo = None
        elif kind == 'notjpeg':
            photo = NOT_JPEG
        else:
            photo = make_jpeg('sametime.deploy lab photo uid=%s mail=%s' % (uid, mail), photo_size, i % 3)
        users.append({
            'dn': 'uid=%s,%s' % (uid, PEOPLE_DN),
            'uid': uid,
            'cn': 'Lab User %05d' % i,
            'mail': mail,
            'kind': kind,
            'has_photo': photo is not None,
            'photo_is_jpeg': photo is not None and kind != 'notjpeg',
            'has_jpegphoto': photo is not None and kind == 'normal' and i % 25 == 1,
            'photo': photo,
        })
    return users


def manifest(users):
    out = []
    for u in users:
        entry = dict((k, v) for k, v in u.items() if k != 'photo')
        photo = u['photo']
        entry['photo_size'] = len(photo) if photo else 0
        entry['photo_sha256'] = hashlib.sha256(photo).hexdigest() if photo else None
        out.append(entry)
    return out


def ssha(password, salt=b'stlab123'):
    digest = hashlib.sha1(password.encode('utf-8') + salt).digest()
    return '{SSHA}' + base64.b64encode(digest + salt).decode('ascii')


def _attr(name, value):
    if isinstance(value, bytes):
        return '%s:: %s\n' % (name, base64.b64encode(value).decode('ascii'))
    raw = value.encode('utf-8')
    if (not value or value[0] in ' :<' or value[-1] == ' ' or any(b > 126 or b < 32 for b in raw)):
        return '%s:: %s\n' % (name, base64.b64encode(raw).decode('ascii'))
    return '%s: %s\n' % (name, value)


def ldif(users, bind_password):
    yield ('dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: acme\no: ACME (sametime.deploy lab)\n\n'
           % BASE_DN)
    for ou in ('people', 'service', 'groups'):
        yield 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' % (ou, BASE_DN, ou)
    yield ('dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: sametime-bind\n'
           'description: bind account used by Sametime and the photo export\n%s\n'
           % (BIND_DN, _attr('userPassword', ssha(bind_password))))
    for u in users:
        num = u['uid'][4:]
        parts = ['dn: %s\n' % u['dn'], 'objectClass: inetOrgPerson\n', 'objectClass: stLabPhotoPerson\n',
                 'uid: %s\n' % u['uid'], 'cn: %s\n' % u['cn'], 'sn: User%s\n' % num, 'givenName: Lab\n']
        if u['mail'] is not None:
            parts.append(_attr('mail', u['mail']))
        if u['photo'] is not None:
            parts.append(_attr('thumbnailPhoto', u['photo']))
        if u['has_jpegphoto']:
            parts.append(_attr('jpegPhoto', u['photo']))
        parts.append('\n')
        yield ''.join(parts)


SCHEMA = """\
# sametime.deploy lab: photo attributes for the OpenLDAP/Domino-like directory (ad1 is the real AD).
# thumbnailPhoto carries AD's OID; photoURL (in no AD schema: a Domino-like extension) and the
# auxiliary class use the documentation enterprise arc 1.3.6.1.4.1.32473 (RFC 5612).
attributetype ( 2.16.840.1.113730.3.1.35 NAME 'thumbnailPhoto'
    DESC 'AD: small picture of the user (octet string)'
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.32473.1.1.1 NAME 'photoURL'
    DESC 'URL of the user photo (as written for Sametime business cards)'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{1024} SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.32473.1.2.1 NAME 'stLabPhotoPerson'
    DESC 'auxiliary class adding the AD photo attributes'
    SUP top AUXILIARY MAY ( thumbnailPhoto $ photoURL ) )
"""


def slapd_conf(ldap_dir, admin_password):
    schema = '/etc/ldap/schema'
    return """\
# slapd.conf of the sametime.deploy lab (generated by tests/lab/ldapgen.py; do not edit)
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/nis.schema
include {schema}/inetorgperson.schema
include {ldap}/schema/stlab.schema

pidfile  {ldap}/slapd.pid
argsfile {ldap}/slapd.args
loglevel none
modulepath /usr/lib/ldap
moduleload back_mdb
# AD-like: unpaged searches stop at 1000 entries; paged searches may walk everything.
sizelimit size.soft=1000 size.hard=1000 size.prtotal=unlimited

database mdb
maxsize 2147483648
suffix "{base}"
rootdn "{admin}"
rootpw {rootpw}
directory {ldap}/db
index objectClass eq
index uid,mail,cn eq
access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
access to attrs=photoURL
    by dn.exact="{bind}" write
    by * read
access to *
    by * read
""".format(schema=schema, ldap=ldap_dir, base=BASE_DN, admin=ADMIN_DN, rootpw=ssha(admin_password),
           bind=BIND_DN)


def read_inventory_passwords(repo):
    """The passwords live in the lab inventory (single source): inventories/lab/group_vars/all/lab.yml."""
    path = os.path.join(repo, 'inventories', 'lab', 'group_vars', 'all', 'lab.yml')
    with open(path) as f:
        text = f.read()
    out = {}
    for key in ('lab_ldap_bind_password', 'lab_ldap_admin_password'):
        m = re.search(r'^%s:\s*["\']?([^"\'\n]+)["\']?\s*$' % key, text, re.M)
        if not m:
            raise SystemExit('ldapgen: %s not found in %s' % (key, path))
        out[key] = m.group(1)
    return out


def _pid_alive(pidfile):
    """The pid in pidfile if that process runs (a zombie, e.g. a SIGKILLed slapd not yet reaped, does not)."""
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
        with open('/proc/%d/stat' % pid) as f:
            state = f.read().rsplit(')', 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    return pid if state not in ('Z', 'X') else None


def _write(path, data, mode=0o644):
    tmp = path + '.tmp'
    with open(tmp, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.rename(tmp, path)


def stop_slapd(ldap_dir):
    pid = _pid_alive(os.path.join(ldap_dir, 'slapd.pid'))
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(100):
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)


def up(lab_dir, repo, users_count, photo_size):
    """Make the directory exist and run; reload data only when asked for a different user set."""
    ldap_dir = os.path.join(lab_dir, 'ldap')
    params_path = os.path.join(ldap_dir, 'params.json')
    loaded = None
    if os.path.exists(params_path) and os.path.exists(os.path.join(ldap_dir, 'db', 'data.mdb')):
        with open(params_path) as f:
            loaded = json.load(f)
    if users_count is None:
        users_count = loaded['users'] if loaded else DEFAULT_USERS
    if photo_size is None:
        photo_size = loaded['photo_size'] if loaded else 0
    wanted = {'users': users_count, 'photo_size': photo_size}
    config_changed = write_config(ldap_dir, repo)
    if loaded != wanted:
        stop_slapd(ldap_dir)
        load(ldap_dir, repo, users_count, photo_size)
        _write(params_path, json.dumps(wanted) + '\n')
        print('ldap1: loaded %d users (photo size %s)' % (users_count, photo_size or 'minimal'))
    elif config_changed:
        stop_slapd(ldap_dir)
        print('ldap1: configuration changed, restarting slapd')
    if not _pid_alive(os.path.join(ldap_dir, 'slapd.pid')):
        start_slapd(ldap_dir)
        print('ldap1: slapd started')


def _write_if_changed(path, data, mode=0o644):
    try:
        with open(path) as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    _write(path, data, mode)
    return True


def write_config(ldap_dir, repo):
    """slapd.conf, schema and password files; True when slapd.conf or the schema changed."""
    pw = read_inventory_passwords(repo)
    os.makedirs(os.path.join(ldap_dir, 'schema'), exist_ok=True)
    _write_if_changed(os.path.join(ldap_dir, 'bind.pw'), pw['lab_ldap_bind_password'], 0o600)
    _write_if_changed(os.path.join(ldap_dir, 'admin.pw'), pw['lab_ldap_admin_password'], 0o600)
    changed = _write_if_changed(os.path.join(ldap_dir, 'schema', 'stlab.schema'), SCHEMA)
    conf = slapd_conf(ldap_dir, pw['lab_ldap_admin_password'])
    return _write_if_changed(os.path.join(ldap_dir, 'slapd.conf'), conf) or changed


def load(ldap_dir, repo, users_count, photo_size):
    pw = read_inventory_passwords(repo)
    write_config(ldap_dir, repo)
    conf = os.path.join(ldap_dir, 'slapd.conf')
    db = os.path.join(ldap_dir, 'db')
    shutil.rmtree(db, ignore_errors=True)
    os.makedirs(db, mode=0o700)
    users = plan_users(users_count, photo_size)
    ldif_path = os.path.join(ldap_dir, 'users.ldif')
    with open(ldif_path, 'w') as f:
        for chunk in ldif(users, pw['lab_ldap_bind_password']):
            f.write(chunk)
    proc = subprocess.run(['slapadd', '-q', '-f', conf, '-l', ldif_path], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise SystemExit('ldapgen: slapadd failed (rc %d):\n%s' % (proc.returncode, proc.stdout[-3000:]))
    os.unlink(ldif_path)
    _write(os.path.join(ldap_dir, 'users.json'), json.dumps(manifest(users), indent=1) + '\n')


def ldapi_url(ldap_dir):
    return 'ldapi://' + quote(os.path.join(ldap_dir, 'ldapi'), safe='')


def start_slapd(ldap_dir):
    urls = ' '.join(LISTEN_URLS + (ldapi_url(ldap_dir),))
    proc = subprocess.run(['slapd', '-f', os.path.join(ldap_dir, 'slapd.conf'), '-h', urls, '-n', 'stlab-slapd'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        raise SystemExit('ldapgen: slapd failed to start (rc %d): %s' % (proc.returncode, proc.stdout))
    for _attempt in range(100):
        if _pid_alive(os.path.join(ldap_dir, 'slapd.pid')):
            return
        time.sleep(0.05)
    raise SystemExit('ldapgen: slapd did not write its pid file')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='cmd', required=True)
    p_up = sub.add_parser('up')
    p_up.add_argument('--lab-dir', required=True)
    p_up.add_argument('--repo', required=True)
    p_up.add_argument('--users', type=int)
    p_up.add_argument('--photo-size', type=int)
    p_ldif = sub.add_parser('ldif')
    p_ldif.add_argument('--users', type=int, default=DEFAULT_USERS)
    p_ldif.add_argument('--photo-size', type=int, default=0)
    p_jpeg = sub.add_parser('jpeg', help='write one sample JPEG to stdout')
    p_jpeg.add_argument('--size', type=int, default=0)
    args = parser.parse_args(argv)
    if args.cmd == 'up':
        up(os.path.abspath(args.lab_dir), os.path.abspath(args.repo), args.users, args.photo_size)
    elif args.cmd == 'ldif':
        for chunk in ldif(plan_users(args.users, args.photo_size), 'secret'):
            sys.stdout.write(chunk)
    else:
        sys.stdout.buffer.write(make_jpeg('sample', args.size))
    return 0


if __name__ == '__main__':
    sys.exit(main())
