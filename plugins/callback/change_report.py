# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: change_report
type: aggregate
short_description: Write a Markdown change report and a backup manifest at the end of a run
description:
  - Collects, per host, every task that changed something, with the module's own summary (its C(summary), C(msg)
    or the names of what it changed), and every C(backup_file) that a module returned.
  - At the end of the playbook it writes C(<dir>/<run id>.md) (the report), C(<dir>/<run id>.backups.json) (what
    C(playbooks/rollback.yml) restores) and points C(<dir>/last.md) and C(<dir>/last.backups.json) at them.
  - Check mode runs are reported too (marked as a preview) but never become the backup manifest that rollback reads.
  - Enable it in C(ansible.cfg) with C(callbacks_enabled = sametime.deploy.change_report).
version_added: 0.1.0
requirements:
  - enabled in C(callbacks_enabled)
options:
  report_dir:
    description: Folder for the reports; created when missing. No report is written when it is not set.
    type: path
    env:
      - name: SAMETIME_REPORT_DIR
    ini:
      - section: sametime_change_report
        key: report_dir
"""

import datetime
import json
import os

from ansible.plugins.callback import CallbackBase

SUMMARY_KEYS = ('summary', 'msg')
PATH_KEYS = ('path', 'dest', 'file')


def _summary(result):
    """The module's own words for what it did, else the names of the keys it reports as changed."""
    for key in SUMMARY_KEYS:
        value = result.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value:
            return '; '.join(str(item) for item in value)
    changes = result.get('changes')
    if isinstance(changes, dict) and changes:
        return 'changed: %s' % ', '.join(sorted(str(k) for k in changes))
    if isinstance(changes, list) and changes:
        return '; '.join(str(item) for item in changes)
    return ''


def _path(result, task_args=None):
    """The file a result is about: from the result, else its invocation, else the task's own arguments
    (lineinfile and friends return neither the path nor, to callbacks, their invocation)."""
    for key in PATH_KEYS:
        if isinstance(result.get(key), str):
            return result[key]
    for args in ((result.get('invocation') or {}).get('module_args') or {}, task_args or {}):
        for key in PATH_KEYS:
            if isinstance(args.get(key), str):
                return args[key]
    return None


def _backup(result):
    """The backup a module made: C(backup_file) (copy, template, this collection) or C(backup) (lineinfile,
    blockinfile, replace), which is a path there, not the option's boolean."""
    for key in ('backup_file', 'backup'):
        if isinstance(result.get(key), str) and result[key]:
            return result[key]
    return None


def render_markdown(run_id, playbook, check_mode, changes, stats):
    """Pure: the report text. changes: host -> [ {task, action, summary, path, backup_file} ]."""
    lines = ['# Change report %s' % run_id, '']
    lines.append('Playbook: `%s`%s' % (playbook, ' (check mode: a preview, nothing was changed)' if check_mode else ''))
    lines.append('')
    lines.append('| host | ok | changed | failed | unreachable |')
    lines.append('|---|---|---|---|---|')
    for host in sorted(stats):
        s = stats[host]
        lines.append('| %s | %d | %d | %d | %d |' % (host, s.get('ok', 0), s.get('changed', 0), s.get('failures', 0),
                                                     s.get('unreachable', 0)))
    lines.append('')
    for host in sorted(changes):
        lines.append('## %s' % host)
        lines.append('')
        for item in changes[host]:
            text = '- **%s** (`%s`)' % (item['task'], item['action'])
            if item.get('path'):
                text += ' `%s`' % item['path']
            if item.get('summary'):
                text += ': %s' % item['summary'].replace('\n', ' ')
            if item.get('backup_file'):
                text += ' — backup `%s`' % item['backup_file']
            lines.append(text)
        lines.append('')
    if not changes:
        lines.append('No host changed anything.')
        lines.append('')
    return '\n'.join(lines)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'sametime.deploy.change_report'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._changes = {}
        self._playbook = ''
        self._check_mode = False
        self._started = datetime.datetime.now()

    def v2_playbook_on_start(self, playbook):
        self._playbook = os.path.basename(playbook._file_name)  # pylint: disable=protected-access

    def v2_playbook_on_play_start(self, play):
        # --check shows on every task result (v2_runner_on_ok); a play may also set check_mode itself
        if play.check_mode:
            self._check_mode = True

    def _record(self, result):
        res = result._result  # pylint: disable=protected-access
        items = res.get('results') if isinstance(res.get('results'), list) else [res]
        for item in items:
            if not isinstance(item, dict) or not item.get('changed'):
                continue
            self._changes.setdefault(result._host.get_name(), []).append({  # pylint: disable=protected-access
                'task': result._task.get_name(),  # pylint: disable=protected-access
                'action': result._task.action,  # pylint: disable=protected-access
                'summary': _summary(item),
                'path': _path(item, result._task.args),  # pylint: disable=protected-access
                'backup_file': _backup(item),
                # a delegated task's file (and its backup) lives on the delegate, not on the task's host
                'delegated_to': (res.get('_ansible_delegated_vars') or {}).get('ansible_delegated_host')
                or result._task.delegate_to,  # pylint: disable=protected-access
            })

    def v2_runner_on_ok(self, result):
        if result._task.check_mode:  # pylint: disable=protected-access
            self._check_mode = True
        self._record(result)

    def v2_playbook_on_stats(self, stats):
        report_dir = self.get_option('report_dir')
        if not report_dir:
            return
        run_id = self._started.strftime('%Y%m%dT%H%M%S')
        per_host = {}
        for host in sorted(stats.processed):
            per_host[host] = stats.summarize(host)
        os.makedirs(report_dir, exist_ok=True)
        report = os.path.join(report_dir, '%s-%s.md' % (run_id, os.path.splitext(self._playbook)[0]))
        with open(report, 'w') as handle:
            handle.write(render_markdown(run_id, self._playbook, self._check_mode, self._changes, per_host))
        self._link(report, os.path.join(report_dir, 'last.md'))
        if not self._check_mode:
            backups = []
            for host, items in sorted(self._changes.items()):
                for item in items:
                    if item.get('backup_file') and item.get('path'):
                        entry = {'host': host, 'path': item['path'], 'backup_file': item['backup_file'],
                                 'task': item['task']}
                        if item.get('delegated_to') and item['delegated_to'] != host:
                            entry['delegated_to'] = item['delegated_to']
                        backups.append(entry)
            manifest = os.path.join(report_dir, '%s.backups.json' % run_id)
            with open(manifest, 'w') as handle:
                json.dump({'run_id': run_id, 'playbook': self._playbook, 'backups': backups}, handle, indent=1)
            if backups:
                self._link(manifest, os.path.join(report_dir, 'last.backups.json'))
        self._display.display('Change report: %s' % report)

    @staticmethod
    def _link(target, link):
        tmp = link + '.tmp'
        if os.path.lexists(tmp):
            os.remove(tmp)
        os.symlink(os.path.basename(target), tmp)
        os.replace(tmp, link)
