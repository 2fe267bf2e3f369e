# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""WebSphere ND emulator for the sametime.deploy lab (test code, never imported by plugins/).

The package runs under Jython 2.7 (wsadmin) and CPython 3 (the profile scripts, the meeting HTTP endpoint).
"""
