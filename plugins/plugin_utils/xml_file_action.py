# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller half shared by the action plugins stproxy_config and userinfo_config.

Like ansible.builtin.template/copy: read the file from the managed host, compute the edit here
with lxml (plugins/module_utils/xmlconfig.py), then run the module on the host with the new
bytes; the module writes them through fileio (atomic, backup) if the file still holds what was
read. Nothing is sent when there is nothing to change, and nothing is written in check mode.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import shlex

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.sametime.deploy.plugins.module_utils import xmlconfig
from ansible_collections.sametime.deploy.plugins.module_utils.fileio import text_diff

_BEGIN = 'SAMETIME-XML-BEGIN'
_END = 'SAMETIME-XML-END'
_MISSING = 'SAMETIME-XML-MISSING'
_NOT_FILE = 'SAMETIME-XML-NOT-A-FILE'


def checksum(data):
    return hashlib.sha1(data).hexdigest() if data is not None else ''


class XmlFileAction(ActionBase):
    """Read -> edit on the controller -> write through the module. Subclasses set SPEC/edit()."""

    TRANSFERS_FILES = False
    SPEC = None
    MODULE = None
    CREATE_TEMPLATE = None  # text of a new file when create=true, or None (cannot create)

    def edit(self, data, args, name):
        """Return (new_bytes, changes)."""
        raise NotImplementedError

    def validate(self, args):
        """Check the values before anything is read (raise XmlConfigError)."""

    # -- reading -------------------------------------------------------------------------------
    def read_remote(self, path, task_vars):
        """The file's bytes, or None when it does not exist.

        One shell command (od, POSIX) instead of a module run: hex survives a tty and become.
        Falls back to the slurp module where the shell answer is not understood.
        """
        quoted = shlex.quote(path)
        cmd = ('if [ -f {p} ]; then echo {b} && od -An -v -tx1 {p} && echo {e}; '
               'elif [ -e {p} ]; then echo {n}; else echo {m}; fi').format(
                   p=quoted, b=_BEGIN, e=_END, n=_NOT_FILE, m=_MISSING)
        res = self._low_level_execute_command(cmd, sudoable=True)
        lines = [line.strip() for line in to_text(res.get('stdout', '')).splitlines()]
        if _MISSING in lines:
            return None
        if _NOT_FILE in lines:
            raise AnsibleActionFail('%s exists but is not a regular file' % path)
        if _BEGIN in lines and _END in lines:
            body = lines[lines.index(_BEGIN) + 1:lines.index(_END)]
            try:
                return binascii.unhexlify(''.join(''.join(body).split()))
            except (TypeError, ValueError):
                pass
        if _BEGIN in lines and res.get('rc'):
            raise AnsibleActionFail('could not read %s on the host: %s' % (path, to_native(res.get('stderr', '')).strip()))
        return self._slurp(path, task_vars)

    def _slurp(self, path, task_vars):
        res = self._execute_module(module_name='ansible.legacy.slurp', module_args={'src': path},
                                   task_vars=task_vars)
        if res.get('failed'):
            if 'not found' in to_native(res.get('msg', '')):
                return None
            raise AnsibleActionFail('could not read %s on the host: %s' % (path, res.get('msg')))
        return base64.b64decode(res['content'])

    # -- the task ------------------------------------------------------------------------------
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(XmlFileAction, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=self.SPEC)
        if not xmlconfig.HAS_LXML:
            raise AnsibleActionFail('the Python library lxml is required on the controller (pip install lxml): %s'
                                    % xmlconfig.LXML_IMPORT_ERROR)
        path = args['path']
        try:
            self.validate(args)
        except xmlconfig.XmlConfigError as exc:
            raise AnsibleActionFail(to_native(exc))

        current = self.read_remote(path, task_vars)
        source = current
        if current is None:
            if not args.get('create') or self.CREATE_TEMPLATE is None:
                raise AnsibleActionFail('%s does not exist on the host%s' % (
                    path, ' (set create: true to start a new file)' if self.CREATE_TEMPLATE is not None else ''))
            source = self.CREATE_TEMPLATE.encode('utf-8')
        try:
            new, changes = self.edit(source, args, path)
        except xmlconfig.XmlConfigError as exc:
            raise AnsibleActionFail(to_native(exc))

        changed = new != current
        result.update(changed=changed, path=path, changes=changes if current is not None else ['created'] + changes)
        if changed and self._task.diff:
            result['diff'] = text_diff(path, current, new)
        if not changed or self._task.check_mode:
            return result

        module_args = dict(self._task.args)
        module_args.update(_content=to_text(base64.b64encode(new)), _original_checksum=checksum(current))
        res = self._execute_module(module_name=self.MODULE, module_args=module_args, task_vars=task_vars)
        if res.get('failed'):
            res.pop('diff', None)
            return res
        for key in ('backup_file', 'write_method'):
            if res.get(key):
                result[key] = res[key]
        result['changed'] = res.get('changed', changed)
        return result
