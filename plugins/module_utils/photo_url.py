# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo URL in the directory (module ldap_photo_url; controller side: needs ldap3): the URL of a photo file,
the schema and write-right preflight, and the workflow that sets the attribute where it differs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.sametime.deploy.plugins.module_utils import photo_names
from ansible_collections.sametime.deploy.plugins.module_utils.photo_ldap import (
    LDAPException, combine_filter, describe_result, first_value, is_active_directory, ldap3, lost_connection_cause,
    raw_values, read_entry, stream_search)
from ansible_collections.sametime.deploy.plugins.module_utils.photo_plan import classify_entries
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import (
    PhotoError, count_by_reason, skip_record, sort_skipped)
from ansible_collections.sametime.deploy.plugins.module_utils.photo_state import list_photo_files

# The default photo URL attribute: in AD's schema (user objects may hold it) and in OpenLDAP's inetorgperson.schema
# (RFC 2079), unlike photoURL (in neither); AD's wWWHomePage often holds a real home page already (docs/photos.md).
DEFAULT_URL_ATTRIBUTE = 'labeledURI'


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


# --------------------------------------------------------------------------- preflight

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
        raise PhotoError('cannot check that %s is in the schema: the rootDSE names no subschemaSubentry'
                         % url_attr)
    raw = read_entry(conn, subschema, ['attributeTypes']) or {}
    types = [to_text(v, errors='surrogate_or_replace') for v in raw_values(raw, 'attributeTypes')]
    if not types:
        raise PhotoError('cannot check that %s is in the schema: %s returned no attributeTypes'
                         % (url_attr, subschema))
    if not schema_has_attribute(types, url_attr):
        hint = ('Active Directory has labeledURI (the default), url and wWWHomePage, not photoURL'
                if is_active_directory(root_dse) else 'labeledURI (the default) is in inetorgperson.schema')
        raise PhotoError('the attribute %s is not in the directory\'s schema (%s); nothing was modified. Set '
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
        raise PhotoError('%s may not write %s on %s (allowedAttributesEffective does not list it); nothing was '
                         'modified. Delegate "Write %s" on the users\' OU to that account (for example '
                         'samba-tool dsacl set --objectdn=<OU> --sddl="(OA;CIIO;WP;<schemaIDGUID of %s>;;<SID>)" '
                         'or dsacls "<OU>" /I:S /G "<DOMAIN>\\<account>:WP;%s;user")'
                         % (bind_dn or 'the anonymous bind', url_attr, dn, url_attr, url_attr, url_attr))


# --------------------------------------------------------------------------- workflow


def update_photo_urls(module, conn, params, root_dse=None):
    """Set url_attribute of every user found to the rendered template; only where it differs. With `root_dse`
    (apply_directory_defaults) and params['preflight'], the schema and (on AD) the bound account's right to write
    the attribute are checked before the first write - in check mode too. Returns (module result, DNs modified)."""
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

    stream_search(conn, params['search_base'], search_filter, [mail_attr, url_attr], params['page_size'], on_entry,
                  what='the search for mail and %s' % url_attr)
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
            raise PhotoError('setting %s on %s failed after %d modifications: %s'
                             % (url_attr, entry['dn'], len(modified) - 1, lost_connection_cause(exc)))
        if not ok:
            raise PhotoError('setting %s on %s failed after %d modifications: %s'
                             % (url_attr, entry['dn'], len(modified) - 1, describe_result(conn)))
    sort_skipped(skipped)
    by_reason = count_by_reason(skipped)
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
    return result, [m['dn'] for m in modified]
