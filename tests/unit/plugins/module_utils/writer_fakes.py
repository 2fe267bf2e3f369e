# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What fileio's writers use of AnsibleModule, for the tests of fileio and the photo export."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule


class Failed(Exception):
    """fail_json was called; the message is the exception's text."""


class FakeModule(object):
    params = {}
    _diff = False

    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.cleanup_files = []

    def add_cleanup_file(self, path):
        self.cleanup_files.append(path)

    def atomic_move(self, src, dest, unsafe_writes=False):
        os.rename(src, dest)


class RealMoveModule(FakeModule):
    """ansible-core's own atomic_move (it sets the mode of a file it creates from the umask)."""
    atomic_move = AnsibleModule.atomic_move

    def __init__(self, check_mode=False, selinux=False):
        super(RealMoveModule, self).__init__(check_mode)
        self.selinux = selinux

    def selinux_enabled(self):
        return self.selinux

    def fail_json(self, **kwargs):
        raise Failed(kwargs['msg'])
