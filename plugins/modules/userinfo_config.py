#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: userinfo_config
short_description: Map the business-card photo fields to an LDAP attribute in the Community server's UserInfoConfig.xml
version_added: 0.1.0
description:
  - Manages the business-card photo mapping in C(UserInfoConfig.xml) of the Sametime Community server (Domino program
    directory). Web and mobile clients read the field C(PhotoURL); Connect and Notes embedded clients read C(ImagePath).
    Both can map to the same LDAP attribute that holds each user's full photo URL (use an C(http) URL to serve every
    client type).
  - Makes a C(<Detail Id="..." FieldName="..." Type="text/plain"/>) for each of O(detail_ids) inside the C(<Details>) of
    C(<Storage type="LDAP">), with O(photo_attribute) as C(FieldName); adds the ids to the C(params) list of the
    C(<Set>) elements named in O(set_ids) (C(0) anonymous, C(1) authenticated users); removes C(Photo) from those lists when
    O(remove_photo=true) (the new ids take its place).
  - Keeps every other byte of the file (declaration, comments, attribute order and quoting, indentation, line endings, BOM).
    New C(Detail) elements copy the attribute order of the existing ones and go after the last of them.
  - The XML work runs on the controller (action plugin, lxml); the managed host needs Python only. All values are checked
    before the file is read; malformed XML is an error naming line and column; on every error the file stays
    byte-identical. The file is never created.
  - The Community server reads the file at start; restart it (or the C(staddin) user-info service) after a change. The
    system console can also keep business-card settings in C(stconfig.nsf) and overwrite the XML with them; check that on
    your servers.
author:
  - sametime.deploy contributors (!UNKNOWN)
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.attributes.files
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  safe_file_operations:
    support: full
  action:
    support: full
    description: The edit is computed by the action plugin on the controller.
options:
  path:
    description:
      - Path of C(UserInfoConfig.xml) on the managed host, for example C(/local/notesdata/UserInfoConfig.xml) or the
        Domino program directory's copy.
    type: path
    required: true
  photo_attribute:
    description:
      - The LDAP attribute that holds each user's photo URL, for example C(photoURL). Becomes C(FieldName) of the details.
    type: str
    required: true
  detail_ids:
    description:
      - Business-card field ids to map to O(photo_attribute).
    type: list
    elements: str
    default: [PhotoURL, ImagePath]
  detail_type:
    description:
      - C(Type) of the details.
    type: str
    default: text/plain
  set_ids:
    description:
      - C(SetId) of the C(<Set>) elements whose C(params) must list O(detail_ids). Each must exist exactly once.
    type: list
    elements: str
    default: ['0', '1']
  remove_photo:
    description:
      - Remove C(Photo) (the binary photo field) from the C(params) of those sets. The C(Photo) detail itself is kept.
    type: bool
    default: false
  storage_type:
    description:
      - C(type) of the C(<Storage>) element whose C(<Details>) are edited.
    type: str
    default: LDAP
  backup:
    description:
      - Keep a timestamped copy of the file before changing it (only when something changes, never in check mode).
    type: bool
    default: false
  _content:
    description:
      - Internal, set by the action plugin - the new content of the file, base64-encoded. Do not set it in a task.
    type: str
  _original_checksum:
    description:
      - Internal, set by the action plugin - SHA-1 of the bytes it read (empty - the file did not exist); nothing is
        written when the file no longer holds them. Do not set it in a task.
    type: str
    default: ''
requirements:
  - lxml on the controller
seealso:
  - module: sametime.deploy.stproxy_config
"""

EXAMPLES = r"""
- name: Serve photos by URL to every client type
  sametime.deploy.userinfo_config:
    path: /opt/ibm/domino/notes/latest/linux/UserInfoConfig.xml
    photo_attribute: photoURL
    remove_photo: true
    backup: true
"""

RETURN = r"""
path:
  description: The file.
  returned: always
  type: str
changes:
  description: What differs (element, attribute, old value, new value). Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["Detail[Id=PhotoURL]: added with FieldName='photoURL'", "Set[SetId=0]@params: 'Name,Photo' -> 'Name,PhotoURL,ImagePath'"]
backup_file:
  description: The backup copy.
  returned: when changed and O(backup=true)
  type: str
write_method:
  description: C(atomic), or C(in_place) when the file is a mount point.
  returned: when the file was written
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sametime.deploy.plugins.module_utils.xml_worker import USERINFO_CONFIG_SPEC, WORKER_SPEC, run_worker


def main():
    spec = dict(USERINFO_CONFIG_SPEC)
    spec.update(WORKER_SPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    run_worker(module)


if __name__ == '__main__':
    main()
