# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A free TCP port on the loopback, for the servers that tests and benches start themselves (slapd, Apache, the DB2
emulator's listener). Standard library only: the bench scripts import it by path, the tests as
ansible_collections.sametime.deploy.tests.lab.ports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket


def free_port(host='127.0.0.1'):
    """A port nobody listens on now (the kernel's pick; another process could still take it before the caller binds)."""
    sock = socket.socket()
    try:
        sock.bind((host, 0))
        return sock.getsockname()[1]
    finally:
        sock.close()
