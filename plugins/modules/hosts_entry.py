#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hosts_entry
short_description: Manage one address and its names in a hosts file, keeping every other line as it is
version_added: 0.1.0
description:
  - Makes an address carry a list of host names in a hosts file (C(/etc/hosts) by default), or removes names or addresses.
  - The first of O(hostnames) is the canonical name, the others are aliases. Names compare case-insensitively in ASCII
    only, as the resolver does (C(strcasecmp); the KELVIN SIGN is not C(k)); a name already in the file in another case
    is kept as written. A name with a trailing dot is another name for the resolver, and is left alone.
  - Reads the file as glibc's C(files) backend does, per address family (see the notes), and checks the result against
    glibc itself in its tests.
  - Every line that the change does not concern is kept byte for byte (comments, blank lines, tabs and spaces, trailing
    blanks, bytes that are not UTF-8). A changed entry line keeps its indentation, separators, trailing comment and line
    ending; only its list of names changes. After any change the file ends with a newline.
  - What the module returns (RV(changes), warnings, the C(--diff) text) is valid UTF-8 text; bytes of the file that are
    not UTF-8 are shown there as C(\xNN) and written back unchanged.
  - Validates O(ip) (IPv4 or IPv6, no prefix, no zone, no leading zeros) and every host name (RFC 1123) before it reads or
    writes anything; on bad input the file stays byte-identical.
  - Writes through a temporary file and an atomic rename. When the file is a mount point (the C(/etc/hosts) of a
    container or of a network namespace is a bind mount and cannot be renamed over; C(EBUSY)) it writes the file in
    place instead, and returns RV(write_method=in_place).
  - For Windows hosts use M(ansible.windows.win_hosts); the role C(sametime.deploy.federation_hosts) shows how to feed
    both modules from the same data.
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
options:
  path:
    description:
      - The hosts file. It is created (mode C(0644)) when it does not exist and O(state=present).
    type: path
    default: /etc/hosts
  ip:
    description:
      - The address (IPv4 or IPv6). Lines are matched by address value, so C(::1) matches C(0:0::1).
      - Required with O(state=present).
      - With O(state=absent), the lines of this address are the lines that the resolver answers with it in a lookup of
        its family. For an IPv4 address that includes its C(::ffff:a.b.c.d) lines and, for C(127.0.0.1), the C(::1)
        lines (glibc answers IPv4 lookups from them). Without O(hostnames), every such line is deleted, address-only
        lines (an address without names) included.
    type: str
  hostnames:
    description:
      - Names of O(ip); the first is the canonical name, the rest are aliases, in this order.
      - With O(state=present), names that the address's line already has and that are not listed here are kept after
        the listed ones.
      - With O(state=absent), these names are removed from the lines of O(ip) (see O(ip)), or from every line when O(ip)
        is not given. A line left without names is deleted, with its comment.
    type: list
    elements: str
    aliases: [names]
  state:
    description:
      - V(present) makes the address carry the names; V(absent) removes names or addresses.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), remove the O(hostnames) from every other line (any address, IPv4 or IPv6), so that each name
        resolves to exactly one address. Lines left without names are deleted.
      - Needed when a name may already point elsewhere, for instance a host name that the installer mapped to a management
        NIC.
      - With V(false), the names are added to the line of O(ip) and other lines keep them. When another line still gives
        one of the names another address, the module warns, naming the name and that line (an earlier line of the same
        family wins for the resolver; C(getaddrinfo) may sort a later one first; a line of the other family answers
        lookups of that family).
    type: bool
    default: false
  backup:
    description:
      - Keep a timestamped copy of the file before changing it (only when something changes, never in check mode).
    type: bool
    default: false
  unsafe_writes:
    description:
      - Passed to Ansible's atomic move as a last resort. Not needed for bind-mounted files, which this module detects and
        writes in place by itself.
    type: bool
    default: false
notes:
  - Matching follows glibc's reading of the file (checked with C(getent) on glibc 2.36). C(#) starts a comment anywhere;
    a line whose first field is not an address that glibc accepts (C(fe80::1%eth0), C(010.0.0.1)) is never changed.
  - Lookups are per address family. An IPv4 lookup is answered by IPv4 lines, by C(::ffff:a.b.c.d) lines (as
    C(a.b.c.d)) and by C(::1) lines (as C(127.0.0.1)); an IPv6 lookup by IPv6 lines. O(exclusive) takes the names off
    every other line of either family.
  - glibc misreads a last line that has no final newline and starts with blanks (its last bytes come back repeated, so
    C(meeting1) becomes C(meeting1g1)). After any edit, and whenever such a line carries the O(hostnames) at O(ip), the
    module ends the file with a newline.
  - A file that holds a NUL byte is refused (the resolver stops reading that line at the NUL); the file is not changed.
  - A new entry is appended at the end of the file as C(<ip><TAB><names separated by one space>), with the file's line
    ending.
  - When the address appears on several lines, the line whose canonical name is the first of O(hostnames) is edited
    (else the first line that has that name, else the first line of the address).
seealso:
  - module: ansible.windows.win_hosts
  - module: ansible.builtin.lineinfile
"""

EXAMPLES = r"""
- name: Map the Meeting server's name to its production address, and nowhere else
  sametime.deploy.hosts_entry:
    ip: 203.0.113.12
    hostnames: [meeting1.acme.example, meeting1]
    exclusive: true
    backup: true

- name: Remove a name wherever it is
  sametime.deploy.hosts_entry:
    hostnames: [oldserver.acme.example]
    state: absent

- name: Remove every line of an address from a scratch copy
  sametime.deploy.hosts_entry:
    path: /tmp/hosts.test
    ip: 192.0.2.5
    state: absent
"""

RETURN = r"""
changes:
  description: One line per edit, in order (added, changed, removed names, deleted lines).
  returned: always
  type: list
  elements: str
  sample:
    - "added line '203.0.113.12\tmeeting1.acme.example meeting1'"
    - "deleted line '203.0.113.140 meeting1 # Gr\\xfc\\xdfe' (exclusive)"
backup_file:
  description: The copy made before the change.
  returned: when O(backup=true) and something changed
  type: str
  sample: /etc/hosts.12345.2026-11-29@03:14:15~
write_method:
  description: V(atomic) (temporary file and rename), V(in_place) (the file is a mount point), or V(null) (no write).
  returned: always
  type: str
  sample: in_place
path:
  description: The file that was checked.
  returned: always
  type: str
  sample: /etc/hosts
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.sametime.deploy.plugins.module_utils import fileio, hostsfile
from ansible_collections.sametime.deploy.plugins.module_utils.hostsfile import HostsFileError, apply, display


def _check_path(path, must_exist):
    """A reason why `path` cannot be the hosts file, or None."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return 'it is a directory'
    if not os.path.exists(path):
        if must_exist:
            return None
        if not os.path.isdir(directory):
            return 'its directory %s does not exist' % directory
        if not os.access(directory, os.W_OK | os.X_OK):
            return 'its directory %s is not writable' % directory
        return None
    if not os.access(path, os.R_OK):
        return 'it is not readable'
    if not os.access(path, os.W_OK):
        return 'it is not writable'
    return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', default=hostsfile.DEFAULT_PATH),
            ip=dict(type='str'),
            hostnames=dict(type='list', elements='str', aliases=['names']),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            exclusive=dict(type='bool', default=False),
            backup=dict(type='bool', default=False),
            unsafe_writes=dict(type='bool', default=False),
        ),
        required_if=[('state', 'present', ('ip', 'hostnames'))],
        required_one_of=[('ip', 'hostnames')],
        supports_check_mode=True,
    )
    params = module.params
    path = params['path']
    result = dict(changed=False, path=path, changes=[], write_method=None)

    try:  # validate the input on an empty file first, so bad input fails the same way whatever the file holds
        apply('', params['state'], ip=params['ip'], hostnames=params['hostnames'], exclusive=params['exclusive'])
    except HostsFileError as exc:
        module.fail_json(msg='%s; %s was not changed' % (to_native(exc), path), **result)

    try:
        before = fileio.read_bytes(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot read %s: %s' % (path, to_native(exc)), **result)
    if before is None and params['state'] == 'absent':
        module.exit_json(**result)

    try:
        hosts = apply(before, params['state'], ip=params['ip'], hostnames=params['hostnames'],
                      exclusive=params['exclusive'])
    except HostsFileError as exc:
        module.fail_json(msg='%s; %s was not changed' % (to_native(exc), path), **result)
    result['changes'] = hosts.changes
    for warning in hosts.warnings:
        module.warn(warning)
    after = hosts.render().encode('utf-8', 'surrogateescape')  # the file's own bytes, undecodable ones included

    reason = _check_path(path, must_exist=False) if hosts.changes and not module.check_mode else None
    if reason:
        module.fail_json(msg='Cannot write %s: %s; nothing was changed' % (path, reason), **result)

    try:
        written = fileio.write_if_changed(module, path, after, backup=params['backup'], create_mode=0o644)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot write %s: %s' % (path, to_native(exc)), **result)
    if 'diff' in written:  # shown as text: bytes that are not UTF-8 appear as \xNN (the file keeps them)
        written['diff']['before'] = display(before or b'')
        written['diff']['after'] = display(after)
    result.update(written)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
