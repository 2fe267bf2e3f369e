# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""LDAP photo export and photoURL maintenance (controller side: needs ldap3).

Pure helpers first (mail -> safe file name, JPEG check, filter and URL building, export
planning), then the LDAP edge (connect, paged search) and the two workflows used by the
modules ``ldap_photo_export`` and ``ldap_photo_url``.

With a state file from the last complete run the export is two-pass: pass 1 reads only mail +
change markers (entryCSN/uSNChanged/modifyTimestamp) of every user, so duplicates are known
before anything is written and an unchanged entry whose file is intact is not fetched again;
pass 2 fetches the photos that are new or changed (a paged search of all photos when many are
needed, base-object reads when few). Without a state every photo is needed: one search reads
everything, and files that would be replaced wait as temporary files until the search is
complete (a duplicate found late leaves them untouched). Files are only written when their
bytes differ, through fileio.DirectoryWriter; prune runs only after every search finished, so
a failed export never removes anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import os
import re
import stat
import tarfile

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

try:
    import ldap3
    from ldap3.core.exceptions import LDAPException
    HAS_LDAP3 = True
    LDAP3_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - exercised by the module's missing_required_lib path
    ldap3 = None
    LDAPException = Exception
    HAS_LDAP3 = False
    LDAP3_IMPORT_ERROR = _exc

from ansible_collections.sametime.deploy.plugins.module_utils import fileio, photo_names

PAGED_RESULTS_OID = '1.2.840.113556.1.4.319'
STATE_FILE_NAME = '.ldap_photo_export.json'
STATE_VERSION = 1
BUNDLE_MARKER = '.complete'
DEFAULT_CHANGE_ATTRIBUTES = ('entryCSN', 'uSNChanged', 'modifyTimestamp')
# Active Directory: rootDSE supportedCapabilities value LDAP_CAP_ACTIVE_DIRECTORY_OID; userAccountControl bit 2
# (ACCOUNTDISABLE) tested with the LDAP_MATCHING_RULE_BIT_AND rule; MaxPageSize of the default query policy
AD_CAPABILITY_OID = '1.2.840.113556.1.4.800'
AD_DISABLED_FILTER = '(userAccountControl:1.2.840.113556.1.4.803:=2)'
AD_MAX_PAGE_SIZE = 1000
# The default photo URL attribute: in AD's schema (user objects may hold it) and in OpenLDAP's inetorgperson.schema
# (RFC 2079), unlike photoURL (in neither); AD's wWWHomePage often holds a real home page already (docs/photos.md).
DEFAULT_URL_ATTRIBUTE = 'labeledURI'
# LDAP result codes of a simple bind refused for lack of transport encryption (AD: strongerAuthRequired)
NEEDS_TLS_RESULTS = (8, 13)  # strongerAuthRequired, confidentialityRequired

JPEG_SOI = b'\xff\xd8\xff'
JPEG_EOI = b'\xff\xd9'

SKIP_REASONS = ('invalid_mail', 'duplicate_mail', 'not_jpeg', 'too_large', 'empty_photo', 'changed_during_export')


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


class PhotoExportError(Exception):
    """A failure that must stop the export; the message says what and where."""


# --------------------------------------------------------------------------- pure helpers

def printable(value):
    """A log-safe text rendering of an attribute value (bytes or text): control characters escaped."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'backslashreplace')
    out = []
    for char in value:
        if ord(char) < 32 or ord(char) == 127:
            out.append('\\x%02x' % ord(char))
        else:
            out.append(char)
    return ''.join(out)


def photo_file_name(mail):
    """(file_name, None) or (None, why_not) for a mail value: the one naming contract, see photo_names.file_name."""
    return photo_names.file_name(mail)


def check_photo(data, max_bytes):
    """(None, None) when `data` is an acceptable JPEG, else (reason, detail)."""
    if not data:
        return 'empty_photo', 'photo attribute is empty'
    if max_bytes and len(data) > max_bytes:
        return 'too_large', 'photo has %d bytes, more than max_photo_bytes=%d' % (len(data), max_bytes)
    if not data.startswith(JPEG_SOI):
        return 'not_jpeg', 'no JPEG start marker (first bytes %s)' % printable(data[:4])
    if not data.rstrip(b'\x00\r\n ').endswith(JPEG_EOI):
        return 'not_jpeg', 'no JPEG end marker (truncated data?)'
    return None, None


def combine_filter(user_filter, required_attributes):
    """AND a user filter with presence filters for the attributes the workflow cannot do without."""
    user_filter = (user_filter or '').strip() or '(objectClass=*)'
    if not user_filter.startswith('('):
        user_filter = '(%s)' % user_filter
    parts = [user_filter] + ['(%s=*)' % attr for attr in required_attributes]
    return '(&%s)' % ''.join(parts)


def render_url(template, file_name):
    """The photo URL for `file_name` ('<mail>.jpg'): {mail} is the name without '.jpg' as an RFC 3986 path segment
    (photo_names.url_path_segment), which Apache decodes back to the file name."""
    mail = file_name[:-4] if file_name.endswith('.jpg') else file_name
    return template.replace('{mail}', photo_names.url_path_segment(mail))


def validate_url_template(template):
    """None when the template is usable, else why not."""
    if not template or '{mail}' not in template:
        return "url_template must contain the placeholder '{mail}'"
    rest = template.replace('{mail}', '')
    if re.search(r'[{}]', rest):
        return "url_template may only contain the placeholder '{mail}'"
    if any(c.isspace() for c in template):
        return 'url_template must not contain white space'
    return None


def first_value(raw_attributes, name):
    """First raw value (bytes) of attribute `name` from an ldap3 raw_attributes mapping, or None."""
    lower = name.lower()
    values = raw_attributes.get(lower)
    if values:
        return values[0]
    for key, values in raw_attributes.items():
        if key.lower() == lower:
            # a search for "attr" may come back as "attr;binary"
            return values[0] if values else None
    for key, values in raw_attributes.items():
        if key.lower().split(';', 1)[0] == lower:
            return values[0] if values else None
    return None


def change_token(raw_attributes, change_attributes):
    """The concatenated change markers of an entry ('' when the server returned none)."""
    parts = []
    for attr in change_attributes:
        value = first_value(raw_attributes, attr)
        if value is not None:
            parts.append('%s=%s' % (attr, value.decode('utf-8', 'surrogateescape') if isinstance(value, bytes) else value))
    return '|'.join(parts)


def classify_entries(entries):
    """Pass-1 decisions. `entries`: list of dicts with dn, mail (raw), token.

    Returns (candidates, skipped, protected): candidates maps file name -> entry for entries that
    may be exported; skipped is a list of report dicts; protected is the set of file names that
    belong to people still found (never pruned).
    """
    by_name = {}
    skipped = []
    for entry in entries:
        name, why = photo_file_name(entry['mail'])
        if name is None:
            skipped.append(skip_record(entry, 'invalid_mail', why))
            continue
        entry['name'] = name
        by_name.setdefault(name, []).append(entry)
    candidates = {}
    for name, holders in by_name.items():
        if len(holders) == 1:
            candidates[name] = holders[0]
            continue
        skipped.extend(duplicate_records(name, holders))
    return candidates, skipped, set(by_name)


def skip_record(entry, reason, detail):
    return {'dn': entry['dn'], 'mail': printable(entry.get('mail')), 'reason': reason, 'detail': detail}


def duplicate_records(name, holders):
    """The 'duplicate_mail' reports of the entries that share the file name `name`, each naming the others."""
    dns = sorted(holder['dn'] for holder in holders)
    return [skip_record(holder, 'duplicate_mail', '%s is also the mail of %s'
                        % (name[:-4], '; '.join(dn for dn in dns if dn != holder['dn']))) for holder in holders]


def needs_fetch(name, entry, state_entry, file_stat):
    """True when the entry's photo must be read from LDAP in pass 2.

    state_entry: what the last complete run recorded for this DN (or None); file_stat: (size,
    mtime_ns) of dest/<name> now (or None when missing).
    """
    if not state_entry or not entry.get('token') or state_entry.get('token') != entry['token']:
        return True
    if state_entry.get('name') != name:
        return True
    if state_entry.get('reason'):
        return False  # content was refused last time and has not changed since
    return file_stat is None or list(file_stat) != state_entry.get('stat')


def settings_key(params):
    """Changing one of these invalidates what the state file remembers."""
    keys = ('server_uri', 'search_base', 'search_filter', 'mail_attribute', 'photo_attribute', 'max_photo_bytes',
            'change_attributes')
    return hashlib.sha256(to_bytes(json.dumps([params.get(k) for k in keys], sort_keys=True))).hexdigest()


def list_photo_files(dest):
    """{name: (size, mtime_ns)} of the '*.jpg' regular files directly in dest."""
    found = {}
    try:
        listing = os.listdir(dest)
    except OSError:
        return found
    for name in listing:
        if not name.endswith('.jpg') or name.startswith('.'):
            continue
        path = os.path.join(dest, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        found[name] = (st.st_size, stat_mtime_ns(st))
    return found


def stat_mtime_ns(st):
    return getattr(st, 'st_mtime_ns', int(st.st_mtime * 1e9))


# --------------------------------------------------------------------------- LDAP edge

def connect(params):
    """An ldap3 Connection bound as bind_dn (anonymous when empty); raises PhotoExportError."""
    import ssl
    uri = params['server_uri']
    if not re.match(r'^ldaps?://', uri or ''):
        raise PhotoExportError('server_uri must start with ldap:// or ldaps:// (got %r)' % uri)
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
            raise PhotoExportError('cannot connect to %s' % uri)
        if params.get('start_tls') and not uri.startswith('ldaps://'):
            if not conn.start_tls():
                raise PhotoExportError('StartTLS on %s failed: %s' % (uri, describe_result(conn)))
        if not conn.bind():
            raise PhotoExportError(bind_failure_message(uri, params, conn.result or {}))
    except LDAPException as exc:
        raise PhotoExportError('cannot connect to %s: %s' % (uri, to_native(exc)))
    return conn


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


def check_positive(module, params, names=('page_size', 'timeout', 'report_limit')):
    """Fail the module when one of these integer options is below 1 (before anything is read or written)."""
    for name in names:
        if params[name] < 1:
            module.fail_json(msg='%s must be at least 1 (got %d)' % (name, params[name]))


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


def describe_result(conn):
    result = conn.result or {}
    return '%s (%s) %s' % (result.get('description'), result.get('result'), result.get('message') or '')


def stream_search(conn, base, search_filter, attributes, page_size, on_entry, progress=None):
    """Paged search with ldap3's standard generator: on_entry(dn, raw_attributes) for every entry, one page in
    memory at a time. Raises PhotoExportError on any failure; `progress` (a dict) gets 'entries' updated, so an error
    message can say how far it got."""
    progress = progress if progress is not None else {}
    progress.setdefault('entries', 0)
    try:
        for item in conn.extend.standard.paged_search(base, search_filter, search_scope=ldap3.SUBTREE,
                                                      attributes=attributes, paged_size=page_size, generator=True):
            if item.get('type') == 'searchResEntry':
                progress['entries'] += 1
                on_entry(item['dn'], item['raw_attributes'])
    except LDAPException as exc:
        raise PhotoExportError('LDAP search under %s failed after %d entries: %s: %s'
                               % (base, progress['entries'], type(exc).__name__, to_native(exc)))
    result = conn.result or {}
    if result.get('result') not in (0, None):  # ldap3 ends the generator quietly on an error result
        raise PhotoExportError('LDAP search under %s with %s failed after %d entries: %s'
                               % (base, search_filter, progress['entries'], describe_result(conn)))


def read_entry(conn, dn, attributes):
    """raw_attributes of one entry (base-object search), or None when it is gone."""
    try:
        conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=attributes)
    except LDAPException as exc:
        raise PhotoExportError('reading %s failed: %s: %s' % (dn, type(exc).__name__, to_native(exc)))
    result = conn.result or {}
    if result.get('result') == 32:  # noSuchObject
        return None
    if result.get('result') not in (0, None):
        raise PhotoExportError('reading %s failed: %s' % (dn, describe_result(conn)))
    for item in conn.response or []:
        if item.get('type') == 'searchResEntry':
            return item['raw_attributes']
    return None


# --------------------------------------------------------------------------- directory kind and preflight

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


_NAME_RE = re.compile(r"\bNAME\s+(?:'([^']*)'|\(((?:\s*'[^']*')+)\s*\))")


def attribute_type_names(description):
    """The NAMEs of one RFC 4512 AttributeTypeDescription (as in a subschema entry's attributeTypes), or [] when it
    has none."""
    found = _NAME_RE.search(description)
    if not found:
        return []
    if found.group(1) is not None:
        return [found.group(1)]
    return re.findall(r"'([^']*)'", found.group(2))


def schema_has_attribute(attribute_types, name):
    """True when one of the attributeTypes descriptions names `name` (case-insensitive)."""
    lower = name.lower()
    return any(lower in (n.lower() for n in attribute_type_names(d)) for d in attribute_types)


def check_url_attribute_in_schema(conn, root_dse, url_attr):
    """Fail unless the directory's schema (the subschema entry named by the rootDSE: AD's CN=Aggregate,CN=Schema,...;
    OpenLDAP's cn=Subschema) defines url_attr."""
    subschema = (root_dse.get('subschemasubentry') or [None])[0]
    if not subschema:
        raise PhotoExportError('cannot check that %s is in the schema: the rootDSE names no subschemaSubentry'
                               % url_attr)
    raw = read_entry(conn, subschema, ['attributeTypes']) or {}
    types = [to_text(v, errors='surrogate_or_replace') for v in raw_values(raw, 'attributeTypes')]
    if not types:
        raise PhotoExportError('cannot check that %s is in the schema: %s returned no attributeTypes'
                               % (url_attr, subschema))
    if not schema_has_attribute(types, url_attr):
        hint = ('Active Directory has labeledURI (the default), url and wWWHomePage, not photoURL'
                if is_active_directory(root_dse) else 'labeledURI (the default) is in inetorgperson.schema')
        raise PhotoExportError('the attribute %s is not in the directory\'s schema (%s); nothing was modified. Set '
                               'url_attribute (role: photo_sync_url_attribute, which the business-card mapping shares) '
                               'to one the schema has: %s' % (url_attr, subschema, hint))


def check_url_attribute_writable(conn, root_dse, url_attr, dn, bind_dn):
    """On AD: fail unless the bound account may write url_attr on `dn` (its constructed allowedAttributesEffective).
    Other directories publish no standard effective-rights attribute: their first refused write stops the run."""
    if not is_active_directory(root_dse):
        return
    raw = read_entry(conn, dn, ['allowedAttributesEffective'])
    if raw is None:
        return  # gone since the search: the write loop reports what it finds
    allowed = [to_text(v, errors='surrogate_or_replace').lower() for v in raw_values(raw, 'allowedAttributesEffective')]
    if url_attr.lower() not in allowed:
        raise PhotoExportError('%s may not write %s on %s (allowedAttributesEffective does not list it); nothing was '
                               'modified. Delegate "Write %s" on the users\' OU to that account (for example '
                               'samba-tool dsacl set --objectdn=<OU> --sddl="(OA;CIIO;WP;<schemaIDGUID of %s>;;<SID>)" '
                               'or dsacls "<OU>" /I:S /G "<DOMAIN>\\<account>:WP;%s;user")'
                               % (bind_dn or 'the anonymous bind', url_attr, dn, url_attr, url_attr, url_attr))


# --------------------------------------------------------------------------- export workflow

def load_state(path, settings):
    try:
        with open(path, 'rb') as handle:
            state = json.loads(to_text(handle.read()))
    except (IOError, OSError, ValueError):
        return {}
    if state.get('version') != STATE_VERSION or state.get('settings') != settings:
        return {}
    return state.get('entries') or {}


def export_photos(module, conn, params):
    """Run the export; returns the module result dict. Raises PhotoExportError on LDAP failures."""
    dest = params['dest']
    mail_attr = params['mail_attribute']
    photo_attr = params['photo_attribute']
    change_attrs = list(params['change_attributes'] or []) if params['incremental'] else []
    check_mode = module.check_mode
    settings = settings_key(params)
    state_path = os.path.join(dest, STATE_FILE_NAME)

    if not os.path.isdir(dest) and not check_mode:
        try:
            os.makedirs(dest, 0o755)
        except OSError as exc:
            raise PhotoExportError('cannot create dest %s: %s' % (dest, to_native(exc)))
    old_state = load_state(state_path, settings) if params['incremental'] else {}
    run = {
        'module': module, 'conn': conn, 'params': params, 'dest': dest, 'mail_attr': mail_attr,
        'photo_attr': photo_attr, 'change_attrs': change_attrs, 'on_disk': list_photo_files(dest),
        'search_filter': combine_filter(params['search_filter'], [mail_attr, photo_attr]),
        'progress': {'entries': 0}, 'writer': fileio.DirectoryWriter(module, dest, params['file_mode']),
        'state': {}, 'skipped': [], 'written': [], 'counts': {'written': 0, 'unchanged': 0, 'removed': 0},
    }
    if old_state:
        entry_count, fetched, protected = _export_two_passes(run, old_state)
    else:
        entry_count, fetched, protected = _export_one_pass(run)
    on_disk, state, skipped, written, counts = run['on_disk'], run['state'], run['skipped'], run['written'], run['counts']
    removed = []

    # every search finished: now (and only now) prune
    if params['prune']:
        for name in sorted(set(on_disk) - protected):
            removed.append(name)
            if not check_mode:
                try:
                    os.unlink(os.path.join(dest, name))
                except OSError as exc:
                    raise PhotoExportError('cannot remove %s: %s' % (os.path.join(dest, name), to_native(exc)))
    counts['removed'] = len(removed)

    state_changed = False
    # an unchanged state (the usual re-run) is known from the dicts; serialising 20000 entries to compare is not needed
    if params['incremental'] and not check_mode and state != old_state:
        content = json.dumps({'version': STATE_VERSION, 'settings': settings, 'entries': state},
                             sort_keys=True, separators=(',', ':'))
        state_changed = fileio.write_if_changed(module, state_path, content, create_mode=0o600)['changed']

    skipped.sort(key=lambda s: (s['reason'], s['dn']))
    by_reason = dict((reason, 0) for reason in SKIP_REASONS)
    for record in skipped:
        by_reason[record['reason']] = by_reason.get(record['reason'], 0) + 1
    limit = params['report_limit']
    result = {
        'changed': bool(written or removed),
        'entries': entry_count,
        'exported': counts['written'] + counts['unchanged'],
        'fetched': fetched,
        'written': counts['written'],
        'unchanged': counts['unchanged'],
        'removed': counts['removed'],
        'skipped_by_reason': by_reason,
        'skipped_entries': skipped[:limit],
        'written_files': sorted(written)[:limit],
        'removed_files': removed[:limit],
        'truncated': len(skipped) > limit or len(written) > limit or len(removed) > limit,
        'state_file_changed': state_changed,
    }
    if module._diff and (written or removed):  # pylint: disable=protected-access
        result['diff'] = {
            'before_header': '%s (photo files)' % dest, 'after_header': '%s (photo files)' % dest,
            'before': ''.join('%s\n' % n for n in sorted(set(on_disk) & (set(written) | set(removed)))),
            'after': ''.join('%s (new content)\n' % n for n in sorted(written)),
        }
    return result


def _write_photo(run, name, raw, defer=False):
    """Check and write one photo; returns the outcome: ('refused', reason, detail), ('unchanged', None),
    ('written', stat) or, with `defer`, ('pending', staged file) to be committed once the search is complete."""
    data = first_value(raw, run['photo_attr'])
    reason, detail = check_photo(data, run['params']['max_photo_bytes'])
    if reason:
        return 'refused', reason, detail
    writer = run['writer']
    if defer:
        staged = writer.stage_if_changed(name, data)
        return ('unchanged', None) if staged is None else ('pending', staged)
    changed, info = writer.write(name, data, missing=name not in run['on_disk'])
    return ('written' if changed else 'unchanged'), info


def _record(run, key, name, entry, token, outcome):
    """Count an outcome and remember it in the state."""
    kind = outcome[0]
    if kind == 'refused':
        run['skipped'].append(skip_record(entry, outcome[1], outcome[2]))
        run['state'][key] = {'token': token, 'name': name, 'reason': outcome[1], 'detail': outcome[2]}
        return
    if kind == 'unchanged':
        run['counts']['unchanged'] += 1
    else:
        run['counts']['written'] += 1
        run['written'].append(name)
    if run['module'].check_mode:
        return
    info = outcome[1] if kind == 'written' and outcome[1] is not None else os.stat(os.path.join(run['dest'], name))
    run['state'][key] = {'token': token, 'name': name, 'stat': [info.st_size, stat_mtime_ns(info)]}


def _export_one_pass(run):
    """No usable state (first run, incremental=false, changed settings): every photo is read anyway, so mail,
    photo and change markers come in one paged search. A photo is written as it arrives when its file is new;
    one that would replace an existing file waits in a temporary file until the search is complete, so that a
    duplicate mail found later leaves the old file as it was (two-pass semantics). Returns (entries, fetched, protected names)."""
    holders = {}  # file name -> [(key, entry, token, outcome)], first holder's outcome kept for undo
    params = run['params']
    writer = run['writer']
    mail_attr, change_attrs, on_disk = run['mail_attr'], run['change_attrs'], run['on_disk']

    def on_entry(dn, raw):
        entry = {'dn': dn, 'mail': first_value(raw, mail_attr)}
        name, why = photo_file_name(entry['mail'])
        if name is None:
            run['skipped'].append(skip_record(entry, 'invalid_mail', why))
            return
        token = change_token(raw, change_attrs)
        if name in holders:
            holders[name].append((dn.lower(), entry, token, None))
            return
        holders[name] = [(dn.lower(), entry, token, _write_photo(run, name, raw, defer=name in on_disk))]

    try:
        stream_search(run['conn'], params['search_base'], run['search_filter'],
                      [mail_attr, run['photo_attr']] + change_attrs, params['page_size'], on_entry, run['progress'])
        # the search is complete: duplicates take back what their first holder wrote, replacements go in
        for name, items in holders.items():
            outcome = items[0][3]
            if len(items) > 1:
                _undo_write(run, name, outcome)
            elif outcome[0] == 'pending':
                items[0] = items[0][:3] + (('written', writer.commit(outcome[1], name)),)
    except BaseException:
        # a failed search leaves dest as it was: files created by this run go, replacements are not committed
        # (a created file could belong to a duplicate that the search did not reach)
        writer.abort()
        raise
    for name in sorted(holders):
        items = holders[name]
        if len(items) == 1:
            key, entry, token, outcome = items[0]
            _record(run, key, name, entry, token, outcome)
            continue
        run['skipped'].extend(duplicate_records(name, [entry for _key, entry, _token, _outcome in items]))
    return run['progress']['entries'], sum(1 for items in holders.values() if len(items) == 1), set(holders)


def _undo_write(run, name, outcome):
    """Take back what _write_photo did for a file name: discard a staged replacement, remove a created file."""
    if outcome[0] == 'pending':
        run['writer'].discard(outcome[1])
    elif outcome[0] == 'written' and name not in run['on_disk']:
        run['writer'].remove(name)


def _export_two_passes(run, old_state):
    """With a state from the last run: pass 1 reads mail + change markers of everybody, pass 2 only the photos
    that are new or changed. Returns (entries, fetched, protected names)."""
    params, conn = run['params'], run['conn']
    entries = []
    mail_attr, change_attrs = run['mail_attr'], run['change_attrs']

    def on_entry(dn, raw):
        entries.append({'dn': dn, 'mail': first_value(raw, mail_attr), 'token': change_token(raw, change_attrs)})

    stream_search(conn, params['search_base'], run['search_filter'], [mail_attr] + change_attrs, params['page_size'],
                  on_entry, run['progress'])
    candidates, skipped, protected = classify_entries(entries)
    run['skipped'].extend(skipped)

    to_fetch = {}
    for name, entry in candidates.items():
        key = entry['dn'].lower()
        previous = old_state.get(key)
        if needs_fetch(name, entry, previous, run['on_disk'].get(name)):
            to_fetch[key] = (name, entry)
            continue
        run['state'][key] = previous
        if previous.get('reason'):
            run['skipped'].append(skip_record(entry, previous['reason'], previous.get('detail')))
        else:
            run['counts']['unchanged'] += 1

    def handle(key, name, entry, raw):
        if raw is None or first_value(raw, mail_attr) != entry['mail']:
            run['skipped'].append(skip_record(entry, 'changed_during_export',
                                              'entry was removed or renamed while exporting'))
            return
        token = change_token(raw, change_attrs) if change_attrs else entry['token']
        _record(run, key, name, entry, token, _write_photo(run, name, raw))

    fetch_attrs = [mail_attr, run['photo_attr']] + change_attrs
    if len(to_fetch) > max(params['fetch_threshold'], 0):
        seen = set()

        def on_photo(dn, raw):
            key = dn.lower()
            if key in to_fetch and key not in seen:
                seen.add(key)
                name, entry = to_fetch[key]
                handle(key, name, entry, raw)

        stream_search(conn, params['search_base'], run['search_filter'], fetch_attrs, params['page_size'], on_photo,
                      run['progress'])
        for key in set(to_fetch) - seen:
            name, entry = to_fetch[key]
            handle(key, name, entry, None)
    else:
        for key in sorted(to_fetch):
            name, entry = to_fetch[key]
            handle(key, name, entry, read_entry(conn, entry['dn'], fetch_attrs))
    return len(entries), len(to_fetch), protected


def build_bundle(module, dest, bundle_path):
    """Write a deterministic tar of dest/*.jpg (+ a last '.complete' member) to bundle_path when it differs.

    A set is too big to hold in memory, so the tar streams through fileio.replace_with_stream, which
    replaces the bundle atomically only when its sha256 differs. Returns (changed, sha256).
    """
    names = sorted(list_photo_files(dest))
    directory = os.path.dirname(os.path.abspath(bundle_path))
    if not os.path.isdir(directory) and not module.check_mode:
        raise PhotoExportError('the folder of bundle %s does not exist' % bundle_path)

    def produce(handle):
        # pax: a ustar header holds at most 100 bytes of a name without '/', a photo name up to 254 (a long mail).
        # Members with short names are written exactly as in ustar format, so existing bundles keep their bytes.
        with tarfile.open(fileobj=handle, mode='w', format=tarfile.PAX_FORMAT) as tar:
            for name in names:
                path = os.path.join(dest, name)
                file_info = os.stat(path)
                info = tarfile.TarInfo(name)
                info.size = file_info.st_size
                info.mtime = int(file_info.st_mtime)
                info.mode = 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = 'root'
                with open(path, 'rb') as photo:
                    tar.addfile(info, photo)
            marker = tarfile.TarInfo(BUNDLE_MARKER)
            marker.size = 0
            marker.mtime = 0
            marker.mode = 0o644
            marker.uname = marker.gname = 'root'
            tar.addfile(marker)

    try:
        result = fileio.replace_with_stream(module, bundle_path, produce)
    except (IOError, OSError, tarfile.TarError) as exc:
        raise PhotoExportError('cannot write bundle %s: %s' % (bundle_path, to_native(exc)))
    return result['changed'], result['sha256']


# --------------------------------------------------------------------------- photoURL workflow

def update_photo_urls(module, conn, params, root_dse=None):
    """Set url_attribute of every user found to the rendered template; only where it differs. With `root_dse`
    (apply_directory_defaults) and params['preflight'], the schema and (on AD) the bound account's right to write
    the attribute are checked before the first write - in check mode too."""
    preflight = root_dse is not None and params.get('preflight', True)
    if preflight:
        check_url_attribute_in_schema(conn, root_dse, params['url_attribute'])
    mail_attr = params['mail_attribute']
    url_attr = params['url_attribute']
    template = params['url_template']
    photo_dir = params.get('photo_dir')
    available = set(list_photo_files(photo_dir)) if photo_dir else None
    search_filter = combine_filter(params['search_filter'], [mail_attr])
    entries = []

    def on_entry(dn, raw):
        entries.append({'dn': dn, 'mail': first_value(raw, mail_attr), 'urls': raw_values(raw, url_attr)})

    stream_search(conn, params['search_base'], search_filter, [mail_attr, url_attr], params['page_size'], on_entry)
    candidates, skipped, _protected = classify_entries(entries)
    if preflight and candidates:
        check_url_attribute_writable(conn, root_dse, url_attr, candidates[sorted(candidates)[0]]['dn'],
                                     params.get('bind_dn'))
    modified, unchanged = [], 0
    for name in sorted(candidates):
        entry = candidates[name]
        if available is not None and name not in available:
            skipped.append(skip_record(entry, 'no_photo_file', '%s is not in %s' % (name, photo_dir)))
            continue
        url = render_url(template, name)
        current = [to_text(v, errors='surrogate_or_replace') for v in entry['urls']]
        if current == [url]:
            unchanged += 1
            continue
        modified.append({'dn': entry['dn'], 'before': current, 'after': url})
        if module.check_mode:
            continue
        try:
            ok = conn.modify(entry['dn'], {url_attr: [(ldap3.MODIFY_REPLACE, [url])]})
        except LDAPException as exc:
            raise PhotoExportError('setting %s on %s failed after %d modifications: %s: %s'
                                   % (url_attr, entry['dn'], len(modified) - 1, type(exc).__name__, to_native(exc)))
        if not ok:
            raise PhotoExportError('setting %s on %s failed after %d modifications: %s'
                                   % (url_attr, entry['dn'], len(modified) - 1, describe_result(conn)))
    skipped.sort(key=lambda s: (s['reason'], s['dn']))
    by_reason = {}
    for record in skipped:
        by_reason[record['reason']] = by_reason.get(record['reason'], 0) + 1
    limit = params['report_limit']
    result = {
        'changed': bool(modified),
        'entries': len(entries),
        'modified': len(modified),
        'unchanged': unchanged,
        'skipped_by_reason': by_reason,
        'skipped_entries': skipped[:limit],
        'modified_entries': modified[:limit],
        'truncated': len(skipped) > limit or len(modified) > limit,
    }
    if module._diff and modified:  # pylint: disable=protected-access
        result['diff'] = {
            'before_header': '%s of changed entries' % url_attr, 'after_header': '%s of changed entries' % url_attr,
            'before': ''.join('%s: %s\n' % (m['dn'], ', '.join(m['before'])) for m in modified[:limit]),
            'after': ''.join('%s: %s\n' % (m['dn'], m['after']) for m in modified[:limit]),
        }
    return result


def raw_values(raw_attributes, name):
    values = raw_attributes.get(name.lower())
    if values is not None:
        return list(values)
    for key, values in raw_attributes.items():
        if key.lower().split(';', 1)[0] == name.lower():
            return list(values)
    return []
