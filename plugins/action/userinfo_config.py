# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller half of sametime.deploy.userinfo_config (the read -> edit -> write path is in plugin_utils)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.sametime.deploy.plugins.module_utils import xml_worker, xmlconfig
from ansible_collections.sametime.deploy.plugins.plugin_utils.xml_file_action import XmlFileAction


class ActionModule(XmlFileAction):
    SPEC = xml_worker.USERINFO_CONFIG_SPEC
    MODULE = 'sametime.deploy.userinfo_config'
    CREATE_TEMPLATE = None

    def validate(self, args):
        xmlconfig.validate_userinfo(args)

    def edit(self, data, args, name):
        return xmlconfig.edit_userinfo(data, args, name=name)
