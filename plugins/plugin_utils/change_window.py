# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of playbooks/preflight.yml and playbooks/rollback.yml, as pure functions (controller side).

The filter plugins of the same names are thin wrappers; the playbooks only gather facts and call them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.parsing.convert_bool import boolean


class ChangeWindowError(Exception):
    """Input the playbooks should never pass (a bug guard), named."""


# ---------------------------------------------------------------------------------------------
# preflight
# ---------------------------------------------------------------------------------------------

def disk_rows(df_results, min_free_mb):
    """Preflight rows from the registered loop of `df -Pk PATH | tail -n 1` (one result per path).

    A result whose command failed or whose line is not the six columns of POSIX df is a failed check that quotes
    what came back, never a number.
    """
    need = int(min_free_mb)
    rows = []
    for result in df_results:
        path = result.get('item')
        cols = (result.get('stdout') or '').split()
        if result.get('rc') == 0 and len(cols) >= 6 and cols[3].isdigit():
            free_mb = int(cols[3]) // 1024
            rows.append(dict(check='free disk %s' % path, kind='ready', ok=free_mb >= need,
                             detail='%d MB free on %s (need %d)' % (free_mb, cols[5], need)))
        else:
            said = (result.get('stderr') or result.get('stdout') or result.get('msg') or '').strip()
            rows.append(dict(check='free disk %s' % path, kind='ready', ok=False,
                             detail='df failed: %s' % (said[:77] + '...' if len(said) > 80 else said)))
    return rows


def preflight_results(hostvars, hosts, strict):
    """Every host's preflight rows as table rows (host, check, result, detail), hosts sorted, duplicates once.

    A row that is not ok is FAIL when it is a readiness check (kind ready) or when strict; otherwise PENDING:
    a state this run is about to set.
    """
    strict = boolean(strict, strict=True)
    rows = []
    for host in sorted(hosts):
        for row in (hostvars[host].get('preflight_rows') or []) if host in hostvars else []:
            if row['ok']:
                result = 'PASS'
            elif row.get('kind') == 'ready' or strict:
                result = 'FAIL'
            else:
                result = 'PENDING'
            entry = dict(host=host, check=row['check'], result=result, detail=row['detail'])
            if entry not in rows:
                rows.append(entry)
    return rows


def preflight_table(rows):
    """The lines of the preflight table, with a closing count."""
    line = '%-9s %-14s %-34s %s'
    lines = [line % ('result', 'host', 'check', 'detail')]
    lines.extend(line % (row['result'], row['host'], row['check'], row['detail']) for row in rows)
    counts = dict((result, sum(1 for row in rows if row['result'] == result)) for result in ('PASS', 'FAIL', 'PENDING'))
    lines.append('%d checks: %d passed, %d failed, %d pending (set by this run)'
                 % (len(rows), counts['PASS'], counts['FAIL'], counts['PENDING']))
    return lines


# ---------------------------------------------------------------------------------------------
# rollback
# ---------------------------------------------------------------------------------------------

def rollback_entries(backups, exclude_paths=None):
    """The manifest's backups minus the excluded paths (regular expressions matching the whole path).

    An empty `delegated_to` is dropped, so that "delegated" means exactly "the key is there".
    """
    patterns = []
    for pattern in exclude_paths or []:
        try:
            patterns.append(re.compile(r'(?:%s)\Z' % pattern))
        except re.error as exc:
            raise ChangeWindowError('rollback_exclude_paths: %r is not a regular expression (%s)' % (pattern, exc))
    entries = []
    for item in backups or []:
        if any(p.match(item['path']) for p in patterns):
            continue
        entry = dict(item)
        if not entry.get('delegated_to'):
            entry.pop('delegated_to', None)
        entries.append(entry)
    return entries


def rollback_plan(entries, hostvars, candidates):
    """Each entry with the `target` host that holds its backup file ('' when none does).

    A delegated entry's backup is looked for on the delegate only; any other on its own host first, then on the
    candidate hosts in order. Two entries restoring the same path on the same host are done once (the first).
    """
    def holds(host, backup_file):
        return host in hostvars and backup_file in (hostvars[host].get('rollback_here') or [])

    plan = []
    seen = set()
    for item in entries:
        if 'delegated_to' in item:
            holders = [item['delegated_to']] if holds(item['delegated_to'], item['backup_file']) else []
        else:
            order = [item['host']] + [c for c in candidates if c != item['host']]
            holders = [host for host in order if host in candidates and holds(host, item['backup_file'])]
        target = holders[0] if holders else ''
        key = (target, item['path'])
        if target and key in seen:
            continue
        seen.add(key)
        plan.append(dict(item, target=target))
    return plan
