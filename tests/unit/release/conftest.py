# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the release/EE tests: they run the real scripts (tests/tools/ee_context.sh, release.sh)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV = os.environ.get('VENV') or os.path.join(REPO, '.venv')
TOOLS = os.path.join(REPO, 'tests', 'tools')


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: takes more than 30 s (runs the release twice)')


def load_release_checks():
    spec = importlib.util.spec_from_file_location('release_checks', os.path.join(TOOLS, 'release_checks.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def release_checks():
    return load_release_checks()


def tool_env(**extra):
    env = dict(os.environ)
    env['VENV'] = VENV
    env['PATH'] = os.path.join(VENV, 'bin') + os.pathsep + env.get('PATH', '')
    env.pop('REAL_RELEASE', None)
    env.update(extra)
    return env


def _run_tool(args, cwd=REPO, **extra):
    return subprocess.run(args, cwd=cwd, env=tool_env(**extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)


@pytest.fixture(scope='session')
def run_tool():
    """run_tool(argv, cwd=REPO, **env) -> CompletedProcess (stdout+stderr merged), with the venv on PATH."""
    return _run_tool
