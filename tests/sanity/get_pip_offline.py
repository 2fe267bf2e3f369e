# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test runs it as `python <this> --disable-pip-version-check pip==X setuptools==Y ... --no-setuptools --no-wheel`
inside a fresh venv. ensurepip gives the venv its bundled pip; pip then installs the pinned versions from the package
index this machine is configured for. Installed by `make sanity` as ~/.ansible/test/cache/get_pip_<version>.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ensurepip
import os
import runpy
import sys


def main():
    ensurepip.bootstrap()
    # ensurepip points PIP_CONFIG_FILE at os.devnull, which would hide the machine's index and CA settings.
    os.environ.pop('PIP_CONFIG_FILE', None)
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    sys.argv = ['pip', 'install', '--upgrade'] + args
    runpy.run_module('pip', run_name='__main__', alter_sys=True)


if __name__ == '__main__':
    main()
