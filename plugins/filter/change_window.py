# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of preflight.yml and rollback.yml (documented in the .yml file of each filter's name)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.sametime.deploy.plugins.plugin_utils import change_window


def _named_errors(name, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except change_window.ChangeWindowError as exc:
            raise AnsibleFilterError('%s: %s' % (name, exc))
    return wrapper


class FilterModule(object):
    """sametime.deploy change-window filters."""

    def filters(self):
        return {
            'preflight_disk_rows': _named_errors('preflight_disk_rows', change_window.disk_rows),
            'preflight_results': _named_errors('preflight_results', change_window.preflight_results),
            'preflight_table': _named_errors('preflight_table', change_window.preflight_table),
            'rollback_entries': _named_errors('rollback_entries', change_window.rollback_entries),
            'rollback_plan': _named_errors('rollback_plan', change_window.rollback_plan),
        }
