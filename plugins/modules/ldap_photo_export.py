#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ldap_photo_export
short_description: Export user photos from LDAP as C(<lower-cased mail>.jpg) files
version_added: 0.1.0
description:
  - Reads every user below O(search_base) that has a mail and a photo (paged search) and writes the photo to
    O(dest)/C(<lower-cased mail>.jpg), replacing the TDI assembly line C(dump_photos_to_files).
  - Writes a file only when its bytes differ, atomically (temporary file + rename). Never writes outside O(dest) - a mail
    containing C(/), C(\), C(..), NUL or control characters, non-ASCII, or not shaped like an address is skipped and
    reported; two users with the same lower-cased mail are both skipped and reported; data that is not a JPEG, is empty,
    or is bigger than O(max_photo_bytes) is skipped and reported - unless O(resize=true), which re-encodes such a photo
    into a JPEG within O(max_photo_bytes) and O(max_edge) (and reports it in RV(resized_entries)).
  - With O(incremental=true) the module remembers per entry the server's change markers (O(change_attributes)) in
    O(dest)/C(.ldap_photo_export.json) and fetches only photos of new or changed entries, or whose file was touched
    since; a re-export with nothing changed reads no photo at all.
  - O(prune) removes C(*.jpg) files of people no longer found (by the filter, which requires mail and photo). Pruning only
    happens after every search finished; a failing export (server gone mid-way) removes nothing and fails.
  - Needs the C(ldap3) Python library, so run it on the controller (C(delegate_to=localhost) and C(run_once=true) on the task) or on a
    host that has ldap3 installed.
author:
  - sametime.deploy contributors (!UNKNOWN)
requirements:
  - ldap3 >= 2.9 (on the host that runs the module, normally the controller)
  - Pillow (only with O(resize=true); on the host that runs the module)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.attributes.files
  - sametime.deploy.ldap
attributes:
  check_mode:
    support: full
    details: Searches LDAP and compares, but writes and removes nothing.
  diff_mode:
    support: full
    details: Lists the photo files that would be written or removed.
  safe_file_operations:
    support: full
options:
  search_filter:
    description:
      - LDAP filter selecting the users. The module ANDs it with presence filters for O(mail_attribute) and
        O(photo_attribute).
    type: str
    default: (objectClass=person)
  photo_attribute:
    description:
      - Attribute holding the JPEG (its first value is used). C(thumbnailPhoto) for Active Directory, C(jpegPhoto) for
        OpenLDAP and Domino.
    type: str
    default: thumbnailPhoto
  dest:
    description: Folder the photos are written to (created when missing). Files other than C(*.jpg) are left alone.
    type: path
    required: true
  prune:
    description: Remove C(*.jpg) files in O(dest) that belong to nobody found by the search.
    type: bool
    default: false
  max_photo_bytes:
    description:
      - Photos larger than this are skipped and reported (Sametime recommends 10 KB or less and documents a 45 KB
        limit), or re-encoded to fit with O(resize=true). C(0) disables the check.
    type: int
    default: 46080
  resize:
    description:
      - Re-encode a photo that is larger than O(max_photo_bytes) or not a JPEG (PNG, GIF, BMP, TIFF, WebP) into a
        baseline JPEG within O(max_photo_bytes), longest edge at most O(max_edge) pixels, aspect ratio kept, EXIF
        orientation applied, no metadata. A JPEG within the limit is written as it is.
      - The output is deterministic (the same photo and Pillow version give the same bytes), so an unchanged photo is
        not rewritten. A photo that cannot be decoded, that claims more than 24 megapixels, or that does not fit even
        at 32 pixels is skipped and reported as C(resize_refused).
      - Needs the Python library Pillow where the module runs (C(pip install Pillow)); the module fails before
        anything is read or written when it is missing. Turning O(resize) on or off reads every photo once more.
    type: bool
    default: false
  max_edge:
    description:
      - With O(resize=true), the longest edge in pixels of a re-encoded photo (never enlarged); at least 32. Changing
        it with O(resize=true) reads every photo once more.
    type: int
    default: 150
  page_size:
    description: Entries per page of the paged search (simple paged results control).
    type: int
    default: 1000
  incremental:
    description:
      - Remember change markers and file states in O(dest)/C(.ldap_photo_export.json) and read only photos that may have
        changed. With V(false) every photo is read and compared byte by byte.
    type: bool
    default: true
  change_attributes:
    description:
      - Operational attributes whose values change whenever an entry changes; those the server returns are combined.
        C(entryCSN) (OpenLDAP) and C(uSNChanged) (AD) are precise, C(modifyTimestamp) has one-second resolution.
      - Entries for which the server returns none of them are always read.
    type: list
    elements: str
    default: [entryCSN, uSNChanged, modifyTimestamp]
  fetch_threshold:
    description:
      - When more than this many photos must be read, pass 2 is one paged search of all photos; otherwise each needed
        entry is read by its DN.
    type: int
    default: 200
  report_limit:
    description:
    - At most this many items are returned in each of the lists RV(skipped_entries), RV(resized_entries),
      RV(written_files), RV(removed_files).
    type: int
    default: 1000
  bundle:
    description:
      - Also write a deterministic tar of the exported set (sorted names, file mtimes, a last empty member C(.complete))
        to this path, replaced only when its sha256 changes. The role C(sametime.deploy.photo_sync) ships it to IHS.
    type: path
notes:
  - With a state file from an earlier complete run the export is two-pass - pass 1 reads mail and change markers of all
    users (so duplicates are known before any write), pass 2 reads the photos needed. Without one (first run,
    O(incremental=false), changed search settings) every photo has to be read anyway, so one paged search reads mail,
    photo and change markers together; a photo that would replace an existing file waits in a temporary file until the
    search is complete, so a duplicate mail found later leaves that file as it was.
  - Photo files are written through a temporary file in O(dest) and a rename (readers never see half a file), with
    the per-file attribute work of C(atomic_move) done once per run; with SELinux enabled each file goes through
    C(atomic_move).
  - The state file is never read or written through a symbolic link; a link in its place is replaced by a regular
    file (its target is left alone) and a warning is given.
  - Failures name their cause - a full disk (ENOSPC), a refused permission (EACCES), a read-only file system with the
    file concerned; a lost or silent LDAP server with the number of entries read and the pass (the one search, pass 1,
    pass 2) - and leave nothing pruned.
  - Reads with C(ldap3)'s public API only (paged search generator, raw attribute values); one page of O(page_size)
    entries is in memory at a time.
seealso:
  - module: sametime.deploy.ldap_photo_url
  - name: Photo pipeline documentation
    description: docs/photos.md in the collection.
    link: https://example.invalid/sametime/deploy/docs/photos.md
"""

EXAMPLES = r"""
- name: Export photos into the staging folder on the controller
  sametime.deploy.ldap_photo_export:
    server_uri: ldap://ldap1.acme.example:389
    bind_dn: cn=sametime-bind,ou=service,dc=acme,dc=example
    bind_password: "{{ vault_ldap_bind_password }}"
    search_base: ou=people,dc=acme,dc=example
    photo_attribute: jpegPhoto
    dest: /var/lib/sametime-photos/staging
    prune: true
    bundle: /var/lib/sametime-photos/photos.tar
  delegate_to: localhost
  run_once: true
  register: photo_export

- name: Export with photos re-encoded to fit the business card (needs Pillow on the controller)
  sametime.deploy.ldap_photo_export:
    server_uri: ldaps://ldap1.acme.example:636
    search_base: ou=people,dc=acme,dc=example
    dest: /var/lib/sametime-photos/staging
    resize: true
    max_photo_bytes: 10240
    max_edge: 150
  delegate_to: localhost
  run_once: true

- name: Show what was skipped and why
  ansible.builtin.debug:
    var: photo_export.skipped_entries
"""

RETURN = r"""
entries:
  description: Entries found by the search (with mail and photo).
  returned: success
  type: int
exported:
  description: Users whose photo file is now current (RV(written) + RV(unchanged)).
  returned: success
  type: int
fetched:
  description: Photos read from LDAP and checked (pass 2, or the single search of a run without state).
  returned: success
  type: int
written:
  description: Files written (new or different bytes); in check mode, files that would be written.
  returned: success
  type: int
unchanged:
  description: Files already current.
  returned: success
  type: int
removed:
  description: Files removed by O(prune).
  returned: success
  type: int
skipped_by_reason:
  description:
    - Skipped entries counted by reason (invalid_mail, duplicate_mail, not_jpeg, too_large, empty_photo,
      resize_refused, changed_during_export); every reason is present.
    - C(not_jpeg) and C(too_large) occur only without O(resize), C(resize_refused) only with it.
  returned: success
  type: dict
  sample: {invalid_mail: 2, duplicate_mail: 2, not_jpeg: 1, too_large: 0, empty_photo: 0, resize_refused: 0,
           changed_during_export: 0}
resized:
  description:
    - Exported users whose file is a re-encoded copy of their photo (O(resize=true)), whether written in this run or
      already current; always 0 without O(resize).
  returned: success
  type: int
resized_entries:
  description: The users counted in RV(resized) with DN, mail, file name and what the re-encoding did.
  returned: success
  type: list
  elements: dict
  sample: [{dn: uid=jdoe,ou=people,dc=acme,dc=example, mail: jdoe@acme.example, file: jdoe@acme.example.jpg,
            detail: "PNG, clients show JPEG: re-encoded as JPEG 150x113, quality 85, 5.1 KB (was 81.3 KB)"}]
skipped_entries:
  description: The skipped entries with DN, mail (control characters escaped), reason and detail.
  returned: success
  type: list
  elements: dict
  sample: [{dn: uid=evil,ou=people,dc=acme,dc=example, mail: ../../etc/passwd, reason: invalid_mail, detail: mail contains a path separator}]
written_files:
  description: Names of the files written.
  returned: success
  type: list
  elements: str
removed_files:
  description: Names of the files removed.
  returned: success
  type: list
  elements: str
truncated:
  description: True when a list was cut at O(report_limit).
  returned: success
  type: bool
state_file_changed:
  description: Whether the incremental state file was rewritten (not counted as a change).
  returned: success
  type: bool
bundle_sha256:
  description: sha256 of the bundle.
  returned: when O(bundle) is set
  type: str
bundle_changed:
  description: Whether the bundle was (or in check mode would be) replaced.
  returned: when O(bundle) is set
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.sametime.deploy.plugins.module_utils import photo_ldap, photo_resize
from ansible_collections.sametime.deploy.plugins.module_utils.photo_bundle import build_bundle
from ansible_collections.sametime.deploy.plugins.module_utils.photo_export import export_photos
from ansible_collections.sametime.deploy.plugins.module_utils.photo_plan import DEFAULT_CHANGE_ATTRIBUTES
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import PhotoError


def main():
    argument_spec = dict(photo_ldap.CONNECTION_SPEC)
    argument_spec.update(
        photo_attribute=dict(type='str', default='thumbnailPhoto'),
        dest=dict(type='path', required=True),
        prune=dict(type='bool', default=False),
        max_photo_bytes=dict(type='int', default=photo_resize.MAX_PHOTO_BYTES),
        resize=dict(type='bool', default=False),
        max_edge=dict(type='int', default=photo_resize.MAX_EDGE),
        page_size=dict(type='int', default=1000),
        incremental=dict(type='bool', default=True),
        change_attributes=dict(type='list', elements='str', default=list(DEFAULT_CHANGE_ATTRIBUTES)),
        fetch_threshold=dict(type='int', default=200),
        report_limit=dict(type='int', default=1000),
        bundle=dict(type='path'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not photo_ldap.HAS_LDAP3:
        module.fail_json(msg=missing_required_lib('ldap3'), exception=str(photo_ldap.LDAP3_IMPORT_ERROR))
    params = dict(module.params)
    params['file_mode'] = 0o644
    params['read_only'] = True
    photo_ldap.check_positive(module, params)
    problem = photo_resize.check_options(params['max_photo_bytes'], params['max_edge'])
    if problem:
        module.fail_json(msg=problem)
    if params['resize']:
        try:
            photo_resize.import_pillow()
        except photo_resize.PillowMissing as exc:
            module.fail_json(msg=str(exc))

    try:
        with photo_ldap.bound_connection(params) as conn:
            photo_ldap.apply_directory_defaults(module, conn, params)
            result = export_photos(module, conn, params)
        if params['bundle']:
            result['bundle_changed'], result['bundle_sha256'] = build_bundle(module, params['dest'], params['bundle'])
            result['changed'] = result['changed'] or result['bundle_changed']
    except PhotoError as exc:
        module.fail_json(msg='Photo export to %s failed: %s. Nothing was pruned, and the next run completes the '
                             'export.' % (params['dest'], exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
