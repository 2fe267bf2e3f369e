#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ldap_photo_url
short_description: Point every user's photo URL attribute (C(labeledURI) by default) at their exported photo
version_added: 0.1.0
description:
  - Sets O(url_attribute) of every user found below O(search_base) to O(url_template) with C({mail}) replaced by the
    user's lower-cased, URL-encoded mail - the name M(sametime.deploy.ldap_photo_export) gives the photo file.
  - Sametime web and mobile clients (through STProxy) read C(PhotoURL); map C(ImagePath) to the same attribute in
    C(UserInfoConfig.xml) to serve Connect/Notes embedded clients too, which needs an C(http://) URL.
  - Modifies (C(MODIFY_REPLACE)) only entries whose value differs; users whose mail cannot be a file name, or that share
    a mail, are skipped and reported, exactly as the export skips them.
  - Before the first write (and in check mode) it checks that O(url_attribute) is in the directory's schema (the
    subschema entry the rootDSE names) and, on Active Directory, that the bound account may write it on the first
    user (the constructed attribute C(allowedAttributesEffective)); either failure stops the task with nothing
    modified. Other directories publish no standard effective-rights attribute, so there the first refused write stops
    the task. O(preflight=false) skips both checks.
  - Needs the C(ldap3) Python library, so run it on the controller (C(delegate_to=localhost) and C(run_once=true) on the task).
author:
  - sametime.deploy contributors (!UNKNOWN)
requirements:
  - ldap3 >= 2.9 (on the host that runs the module, normally the controller)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.ldap
attributes:
  check_mode:
    support: full
    details: Searches and compares; modifies nothing.
  diff_mode:
    support: full
    details: Shows old and new values of the entries that change.
options:
  search_filter:
    description:
      - LDAP filter selecting the users; ANDed with a presence filter for O(mail_attribute). Add for example
        C((jpegPhoto=*)) to give a URL only to users that have a photo, or use O(photo_dir).
    type: str
    default: (objectClass=person)
  url_attribute:
    description:
      - Attribute to set (to a single value). Must be the attribute the business card reads (C(FieldName) of the
        C(PhotoURL) detail in C(UserInfoConfig.xml), see M(sametime.deploy.userinfo_config)).
      - The default C(labeledURI) (RFC 2079) exists in Active Directory's schema for user objects and in OpenLDAP's
        C(inetorgperson.schema). C(photoURL) is B(not) in any Active Directory schema version (writing it fails with
        C(noSuchAttribute)); AD also has C(wWWHomePage) (single-valued, often a real home page) and C(url).
      - Which attribute your Sametime/Domino directory mapping expects is a site decision, hence configurable.
    type: str
    default: labeledURI
  preflight:
    description:
      - Check the schema and (on AD) the bound account's write right on O(url_attribute) before any write.
    type: bool
    default: true
  url_template:
    description:
      - URL with the placeholder C({mail}), for example C(http://icphotos.example.com/{mail}.jpg). No other placeholders.
      - An C(https://) template is written, with a warning - HCL documents that C(PhotoURL) must be C(http) to serve
        every client type (Connect and Notes embedded clients fetch it through C(ImagePath)); clients that cannot fetch
        it show no photo.
    type: str
    required: true
  photo_dir:
    description:
      - When set, only users whose C(<mail>.jpg) exists in this folder (the export's O(sametime.deploy.ldap_photo_export#module:dest))
        get a URL; others are reported as C(no_photo_file) and left alone.
      - In check mode a folder that does not exist yet (a preview before the first export) is ignored with a warning,
        and every user found is previewed as having a photo.
      - When the folder holds the state file of M(sametime.deploy.ldap_photo_export) (C(.ldap_photo_export.json)), the
        entries modified here are read again (mail, photo, change markers) and their new change markers recorded
        there when the photo still gives the exported file, so that the next export does not read those photos
        again (a URL write changes C(entryCSN), C(uSNChanged) and C(modifyTimestamp)). Nothing else in the folder is
        touched.
    type: path
  page_size:
    description: Entries per page of the paged search.
    type: int
    default: 1000
  report_limit:
    description: At most this many items in RV(skipped_entries) and RV(modified_entries).
    type: int
    default: 1000
seealso:
  - module: sametime.deploy.ldap_photo_export
"""

EXAMPLES = r"""
- name: Point labeledURI at the IHS photo server (Active Directory over LDAPS)
  sametime.deploy.ldap_photo_url:
    server_uri: ldaps://dc1.acme.example:636
    ca_file: /etc/sametime/acme-ad-ca.pem
    bind_dn: CN=sametime-photourl,OU=Service,DC=acme,DC=example
    bind_password: "{{ vault_photourl_password }}"
    search_base: OU=People,DC=acme,DC=example
    url_template: http://icphotos.acme.example/{mail}.jpg
    photo_dir: /var/lib/sametime-photos/staging
  delegate_to: localhost
  run_once: true

- name: The same on OpenLDAP/Domino-like directories, writing photoURL (added to the schema there)
  sametime.deploy.ldap_photo_url:
    server_uri: ldap://ldap1.acme.example:389
    start_tls: true
    url_attribute: photoURL
    bind_dn: cn=sametime-bind,ou=service,dc=acme,dc=example
    bind_password: "{{ vault_ldap_bind_password }}"
    search_base: ou=people,dc=acme,dc=example
    url_template: http://icphotos.acme.example/{mail}.jpg
    photo_dir: /var/lib/sametime-photos/staging
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
entries:
  description: Entries found (with a mail).
  returned: success
  type: int
modified:
  description: Entries whose attribute was (or in check mode would be) replaced.
  returned: success
  type: int
unchanged:
  description: Entries that already had the right single value.
  returned: success
  type: int
skipped_by_reason:
  description: Skipped entries counted by reason (invalid_mail, duplicate_mail, no_photo_file).
  returned: success
  type: dict
skipped_entries:
  description: Skipped entries with DN, mail, reason and detail.
  returned: success
  type: list
  elements: dict
modified_entries:
  description: DN, old values and new value of each modified entry.
  returned: success
  type: list
  elements: dict
truncated:
  description: True when a list was cut at O(report_limit).
  returned: success
  type: bool
export_state_refreshed:
  description:
    - Entries modified here whose change markers were brought up to date in the state file of the export in
      O(photo_dir) (their photo was read again and still gives the exported file). V(0) without O(photo_dir), in
      check mode, or when nothing was modified.
  returned: success
  type: int
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.sametime.deploy.plugins.module_utils import photo_ldap
from ansible_collections.sametime.deploy.plugins.module_utils.photo_resize import https_template_warning
from ansible_collections.sametime.deploy.plugins.module_utils.photo_export import refresh_tokens
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import PhotoError
from ansible_collections.sametime.deploy.plugins.module_utils.photo_url import (
    DEFAULT_URL_ATTRIBUTE, update_photo_urls, validate_url_template)


def main():
    argument_spec = dict(photo_ldap.CONNECTION_SPEC)
    argument_spec.update(
        url_attribute=dict(type='str', default=DEFAULT_URL_ATTRIBUTE),
        preflight=dict(type='bool', default=True),
        url_template=dict(type='str', required=True),
        photo_dir=dict(type='path'),
        page_size=dict(type='int', default=1000),
        report_limit=dict(type='int', default=1000),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )
    if not photo_ldap.HAS_LDAP3:
        module.fail_json(msg=missing_required_lib('ldap3'), exception=str(photo_ldap.LDAP3_IMPORT_ERROR))
    params = dict(module.params)
    why = validate_url_template(params['url_template'])
    if why:
        module.fail_json(msg=why)
    warning = https_template_warning(params['url_template'])
    if warning:
        module.warn(warning)
    if params['photo_dir'] and not os.path.isdir(params['photo_dir']):
        if not (module.check_mode and not os.path.exists(params['photo_dir'])):
            module.fail_json(msg='photo_dir %s is not a folder' % params['photo_dir'])
        # --check before the first export: the folder comes with that export, which is previewed too
        module.warn('photo_dir %s does not exist yet (check mode): every user found is previewed as having a photo'
                    % params['photo_dir'])
        params['photo_dir'] = None
    photo_ldap.check_positive(module, params)

    try:
        with photo_ldap.bound_connection(params) as conn:
            root_dse = photo_ldap.apply_directory_defaults(module, conn, params)
            result, modified = update_photo_urls(module, conn, params, root_dse)
            result['export_state_refreshed'] = 0
            if params['photo_dir'] and modified:
                result['export_state_refreshed'] = refresh_tokens(
                    module, conn, params['photo_dir'], modified, params['search_base'], params['search_filter'],
                    params['page_size'])
    except PhotoError as exc:
        module.fail_json(msg='Setting %s failed: %s' % (params['url_attribute'], exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
