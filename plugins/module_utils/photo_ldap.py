# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The LDAP side of the photo modules (controller side: needs ldap3): connect and bind, paged search, the kind of
directory (Active Directory or not) and the defaults that follow from it.

Only ldap3's public API: a paged search through connection.extend.standard.paged_search(generator=True), values
read from each entry's raw_attributes (bytes as the server sent them). One page is in memory at a time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import re

from ansible.module_utils.common.text.converters import to_native, to_text

try:
    import ldap3
    from ldap3.core.exceptions import LDAPCommunicationError, LDAPException, LDAPResponseTimeoutError
    HAS_LDAP3 = True
    LDAP3_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - exercised by the module's missing_required_lib path
    ldap3 = None
    LDAPException = LDAPCommunicationError = LDAPResponseTimeoutError = Exception
    HAS_LDAP3 = False
    LDAP3_IMPORT_ERROR = _exc

from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import PhotoError

# Active Directory: rootDSE supportedCapabilities value LDAP_CAP_ACTIVE_DIRECTORY_OID; userAccountControl bit 2
# (ACCOUNTDISABLE) tested with the LDAP_MATCHING_RULE_BIT_AND rule; MaxPageSize of the default query policy
AD_CAPABILITY_OID = '1.2.840.113556.1.4.800'
AD_DISABLED_FILTER = '(userAccountControl:1.2.840.113556.1.4.803:=2)'
AD_MAX_PAGE_SIZE = 1000
# LDAP result codes of a simple bind refused for lack of transport encryption (AD: strongerAuthRequired)
NEEDS_TLS_RESULTS = (8, 13)  # strongerAuthRequired, confidentialityRequired

# The connection and search options that ldap_photo_export and ldap_photo_url share.
CONNECTION_SPEC = dict(
    server_uri=dict(type='str', required=True),
    start_tls=dict(type='bool', default=False),
    validate_certs=dict(type='bool', default=True),
    ca_file=dict(type='path'),
    bind_dn=dict(type='str'),
    bind_password=dict(type='str', no_log=True),
    timeout=dict(type='int', default=30),
    search_base=dict(type='str', required=True),
    search_filter=dict(type='str', default='(objectClass=person)'),
    mail_attribute=dict(type='str', default='mail'),
    skip_disabled=dict(type='str', default='auto', choices=['auto', 'always', 'never']),
    disabled_filter=dict(type='str', default=AD_DISABLED_FILTER),
)


def check_positive(module, params, names=('page_size', 'timeout', 'report_limit')):
    """Fail the module when one of these integer options is below 1 (before anything is read or written)."""
    for name in names:
        if params[name] < 1:
            module.fail_json(msg='%s must be at least 1 (got %d)' % (name, params[name]))


# --------------------------------------------------------------------------- connection

def connect(params):
    """An ldap3 Connection bound as bind_dn (anonymous when empty); raises PhotoError."""
    import ssl
    uri = params['server_uri']
    if not re.match(r'^ldaps?://', uri or ''):
        raise PhotoError('server_uri must start with ldap:// or ldaps:// (got %r)' % uri)
    tls = None
    if uri.startswith('ldaps://') or params.get('start_tls'):
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED if params.get('validate_certs', True) else ssl.CERT_NONE,
                        ca_certs_file=params.get('ca_file') or None)
    timeout = params.get('timeout') or 30
    try:
        server = ldap3.Server(uri, tls=tls, get_info=ldap3.NONE, connect_timeout=timeout)
        conn = ldap3.Connection(server, user=params.get('bind_dn') or None, password=params.get('bind_password') or None,
                                receive_timeout=timeout, check_names=False, raise_exceptions=False,
                                read_only=params.get('read_only', False))
        if not conn.open() and conn.closed:
            raise PhotoError('cannot connect to %s' % uri)
        if params.get('start_tls') and not uri.startswith('ldaps://'):
            if not conn.start_tls():
                raise PhotoError('StartTLS on %s failed: %s' % (uri, describe_result(conn)))
        if not conn.bind():
            raise PhotoError(bind_failure_message(uri, params, conn.result or {}))
    except LDAPException as exc:
        raise PhotoError('cannot connect to %s: %s' % (uri, to_native(exc)))
    return conn


@contextlib.contextmanager
def bound_connection(params):
    """connect(params), unbound again whatever happens in the block (an unbind error is ignored)."""
    conn = connect(params)
    try:
        yield conn
    finally:
        try:
            conn.unbind()
        except Exception:  # pylint: disable=broad-except
            pass


def bind_failure_message(uri, params, result):
    """What a refused bind means; a refusal for lack of TLS names the settings that fix it."""
    who = params.get('bind_dn') or 'anonymous'
    text = '%s (%s) %s' % (result.get('description'), result.get('result'), result.get('message') or '')
    if result.get('result') in NEEDS_TLS_RESULTS:
        return ('bind to %s as %r refused: the server requires transport encryption for a simple bind (%s). '
                'Use server_uri ldaps://<host>:636 or keep ldap:// and set start_tls: true (role photo_sync: '
                'photo_sync_ldap_uri / photo_sync_ldap_start_tls), with ca_file naming the CA of the directory\'s '
                'certificate (photo_sync_ldap_ca_file)' % (uri, who, text.strip()))
    return 'bind to %s as %r failed: %s' % (uri, who, text)


def describe_result(conn):
    result = conn.result or {}
    return '%s (%s) %s' % (result.get('description'), result.get('result'), result.get('message') or '')


def lost_connection_cause(exc):
    """How an ldap3 exception during a search reads in a message: a lost connection or timeout says so."""
    if isinstance(exc, LDAPResponseTimeoutError):
        what = 'the LDAP server stopped answering'
    elif isinstance(exc, LDAPCommunicationError):
        what = 'the connection to the LDAP server was lost'
    else:
        what = 'ldap3 failed'
    return '%s (%s: %s)' % (what, type(exc).__name__, to_native(exc))


# --------------------------------------------------------------------------- search

def combine_filter(user_filter, required_attributes):
    """AND a user filter with presence filters for the attributes the workflow cannot do without."""
    user_filter = (user_filter or '').strip() or '(objectClass=*)'
    if not user_filter.startswith('('):
        user_filter = '(%s)' % user_filter
    parts = [user_filter] + ['(%s=*)' % attr for attr in required_attributes]
    return '(&%s)' % ''.join(parts)


def stream_search(conn, base, search_filter, attributes, page_size, on_entry, progress=None, what='the search'):
    """Paged search with ldap3's standard generator: on_entry(dn, raw_attributes) for every entry, one page in
    memory at a time. Raises PhotoError on any LDAP failure, naming `what` (e.g. 'pass 1 (mail and change markers)')
    and how many entries it had read; `progress` (a dict) gets 'entries' updated."""
    progress = progress if progress is not None else {}
    progress.setdefault('entries', 0)
    try:
        for item in conn.extend.standard.paged_search(base, search_filter, search_scope=ldap3.SUBTREE,
                                                      attributes=attributes, paged_size=page_size, generator=True):
            if item.get('type') == 'searchResEntry':
                progress['entries'] += 1
                on_entry(item['dn'], item['raw_attributes'])
    except LDAPException as exc:
        raise PhotoError('LDAP search under %s failed after %d entries of %s: %s'
                         % (base, progress['entries'], what, lost_connection_cause(exc)))
    result = conn.result or {}
    if result.get('result') not in (0, None):  # ldap3 ends the generator quietly on an error result
        raise PhotoError('LDAP search under %s with %s failed after %d entries of %s: %s'
                         % (base, search_filter, progress['entries'], what, describe_result(conn)))


def read_entries(conn, dns, attributes, base, search_filter, page_size, threshold, on_entry, progress=None,
                 what='the search'):
    """on_entry(key, raw_attributes or None) for each entry of `dns` ({lower-cased DN: DN}); None for one that is
    gone. More than `threshold` entries are read by one paged search of base/search_filter (entries outside `dns`
    are passed over), fewer by a base-object read each. Raises PhotoError as stream_search and read_entry do."""
    if len(dns) <= max(threshold, 0):
        for key in sorted(dns):
            on_entry(key, read_entry(conn, dns[key], attributes))
        return
    seen = set()

    def on_found(dn, raw):
        key = dn.lower()
        if key in dns and key not in seen:
            seen.add(key)
            on_entry(key, raw)

    stream_search(conn, base, search_filter, attributes, page_size, on_found, progress, what)
    for key in sorted(set(dns) - seen):
        on_entry(key, None)


def read_entry(conn, dn, attributes):
    """raw_attributes of one entry (base-object search), or None when it is gone."""
    try:
        conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=attributes)
    except LDAPException as exc:
        raise PhotoError('reading %s failed: %s' % (dn, lost_connection_cause(exc)))
    result = conn.result or {}
    if result.get('result') == 32:  # noSuchObject
        return None
    if result.get('result') not in (0, None):
        raise PhotoError('reading %s failed: %s' % (dn, describe_result(conn)))
    for item in conn.response or []:
        if item.get('type') == 'searchResEntry':
            return item['raw_attributes']
    return None


def first_value(raw_attributes, name):
    """First raw value (bytes) of attribute `name` from an ldap3 raw_attributes mapping, or None."""
    values = raw_values(raw_attributes, name)
    return values[0] if values else None


def raw_values(raw_attributes, name):
    """The raw values of attribute `name` (case-insensitive; a search for "attr" may come back as "attr;binary")."""
    lower = name.lower()
    values = raw_attributes.get(lower)
    if values:
        return list(values)
    for key, values in raw_attributes.items():
        if key.lower() == lower and values:
            return list(values)
    for key, values in raw_attributes.items():
        if key.lower().split(';', 1)[0] == lower and values:
            return list(values)
    return []


# --------------------------------------------------------------------------- directory kind

def read_root_dse(conn):
    """{lower-cased attribute: [text values]} of the rootDSE (capabilities, subschema entry)."""
    raw = read_entry(conn, '', ['supportedCapabilities', 'subschemaSubentry']) or {}
    out = {}
    for key, values in raw.items():  # ldap3 may add an empty spelling of a requested name beside the real one
        out.setdefault(key.lower().split(';', 1)[0], []).extend(
            to_text(v, errors='surrogate_or_replace') for v in values)
    return out


def is_active_directory(root_dse):
    return AD_CAPABILITY_OID in (root_dse or {}).get('supportedcapabilities', [])


def effective_filter(user_filter, skip_disabled, disabled_filter, active_directory):
    """The user filter, ANDed with NOT disabled_filter when disabled accounts are left out: skip_disabled 'always',
    or 'auto' on Active Directory (elsewhere userAccountControl is unknown, and a filter on it would match nobody)."""
    if skip_disabled == 'never' or (skip_disabled == 'auto' and not active_directory):
        return user_filter
    user_filter = (user_filter or '').strip() or '(objectClass=*)'
    if not user_filter.startswith('('):
        user_filter = '(%s)' % user_filter
    disabled_filter = (disabled_filter or '').strip()
    if not disabled_filter.startswith('('):
        disabled_filter = '(%s)' % disabled_filter
    return '(&%s(!%s))' % (user_filter, disabled_filter)


def apply_directory_defaults(module, conn, params):
    """Read the rootDSE; on AD leave disabled accounts out (skip_disabled=auto) and keep page_size within AD's
    MaxPageSize. Updates params['search_filter'] and params['page_size']; returns the rootDSE."""
    root_dse = read_root_dse(conn)
    active_directory = is_active_directory(root_dse)
    params['search_filter'] = effective_filter(params['search_filter'], params.get('skip_disabled', 'auto'),
                                               params.get('disabled_filter') or AD_DISABLED_FILTER, active_directory)
    if active_directory and params.get('page_size', 0) > AD_MAX_PAGE_SIZE:
        module.warn('page_size %d is above Active Directory\'s MaxPageSize: %d is used'
                    % (params['page_size'], AD_MAX_PAGE_SIZE))
        params['page_size'] = AD_MAX_PAGE_SIZE
    return root_dse
