# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of the modules that talk to the LDAP directory (photo_ldap.CONNECTION_SPEC)."""

    DOCUMENTATION = r"""
options:
  server_uri:
    description:
      - LDAP server, C(ldaps://host[:port]) (recommended) or C(ldap://host[:port]) with O(start_tls).
      - Active Directory refuses a simple bind over plain C(ldap://) by default (C(strongerAuthRequired)); the task
        then fails naming the fix (C(ldaps://) or O(start_tls)).
    type: str
    required: true
  start_tls:
    description: Upgrade an C(ldap://) connection with StartTLS before binding.
    type: bool
    default: false
  validate_certs:
    description: Verify the server certificate (ldaps or StartTLS).
    type: bool
    default: true
  ca_file:
    description:
      - PEM file of the CA(s) that signed the server certificate; the system store when omitted. For AD, export the
        CA of the domain controllers' LDAPS certificate (an enterprise CA or the DC's own) to the controller.
    type: path
  bind_dn:
    description:
      - DN to bind as; anonymous bind when omitted (Domino may then hide attributes).
      - M(sametime.deploy.ldap_photo_export) needs read access to the mail, photo and change attributes,
        M(sametime.deploy.ldap_photo_url) write access to its O(sametime.deploy.ldap_photo_url#module:url_attribute).
    type: str
  bind_password:
    description: Password of O(bind_dn).
    type: str
  timeout:
    description: Seconds to wait for connecting and for each server answer; a stalled server fails the task after this.
    type: int
    default: 30
  search_base:
    description: Base DN of the users, for example C(ou=people,dc=acme,dc=example).
    type: str
    required: true
  mail_attribute:
    description: Attribute holding the mail address (its first value is used); the photo file is named after it.
    type: str
    default: mail
  skip_disabled:
    description:
      - Leave disabled accounts out (their photos are not exported, so O(sametime.deploy.ldap_photo_export#module:prune)
        removes them, and they get no URL) by ANDing C((!<disabled_filter>)) to O(search_filter).
      - C(auto) does so on Active Directory (rootDSE capability 1.2.840.113556.1.4.800) only, since elsewhere
        C(userAccountControl) does not exist and the filter would match nobody. C(always) applies O(disabled_filter) on
        any directory (give one that fits it, for example C((pwdAccountLockedTime=000001010000Z)) on OpenLDAP);
        C(never) exports disabled accounts too.
    type: str
    choices: [auto, always, never]
    default: auto
  disabled_filter:
    description:
      - Filter matching disabled accounts. The default is AD's C(userAccountControl) bit 2 (ACCOUNTDISABLE).
    type: str
    default: (userAccountControl:1.2.840.113556.1.4.803:=2)
"""
