# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers to run a module's main() in-process on ansible-core 2.16 .. 2.21, and to set the umask for one test."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class ModuleExit(Exception):
    """exit_json or fail_json was called; .result holds the kwargs."""

    def __init__(self, result, failed):
        super(ModuleExit, self).__init__(result)
        self.result = result
        self.failed = failed


@contextlib.contextmanager
def _module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    old = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = serialized
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = old


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args) -> (result dict, failed bool); `module` is the imported module object."""

    def _exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ModuleExit(kwargs, False)

    def _fail_json(self, **kwargs):
        raise ModuleExit(kwargs, True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)

    def _run(module, args):
        with _module_args(args):
            with pytest.raises(ModuleExit) as info:
                module.main()
        return info.value.result, info.value.failed

    return _run


@pytest.fixture
def umask():
    """umask(value) sets the process umask for this test; the old one comes back afterwards."""
    previous = []

    def set_umask(value):
        previous.append(os.umask(value))
    yield set_umask
    if previous:
        os.umask(previous[0])
