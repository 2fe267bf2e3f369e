# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""WebSphere profiles on a host: which profile is a deployment manager, which node's copy of a file is where.

A profile's own cell and node are what its `bin/setupCmdLine.sh` (`setupCmdLine.bat` on Windows) sets: WAS_CELL and
WAS_NODE, as the profile template writes them (`WAS_CELL=name` + `export WAS_CELL`, or `SET WAS_CELL=name`). Its
configuration repository is `config/cells/<cell>/nodes/<node>/servers/<server>/`; a deployment manager's repository
holds the master copy of every node's files, a node's repository a copy that node synchronisation replaces.

`scan_profiles` reads the file system (standard library only; runs on the managed host, Python 3.6+); everything
else is a pure function over what it returns, so the choices are tested by tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re


class WasProfileError(Exception):
    """What was looked for, where, and what was found instead."""


SETUP_FILES = ('setupCmdLine.sh', 'setupCmdLine.bat')
# `NAME=value`, `export NAME=value`, `SET NAME=value` (cmd.exe); the rest of a line after `;` or `&&` is another command
_ASSIGNMENT = re.compile(r'^\s*(?:export\s+|set\s+)?(WAS_CELL|WAS_NODE|USER_INSTALL_ROOT|WAS_HOME)=(.*)$',
                         re.IGNORECASE)
# a value the shell or cmd.exe would expand, or a placeholder of the profile template, is not a name
_LITERAL = re.compile(r'^[^\s$%`"\'(){}]+\Z')
_CONFIG_PATH = re.compile(r'(?:^|[/\\])config[/\\]cells[/\\]([^/\\]+)[/\\]nodes[/\\]([^/\\]+)[/\\]servers[/\\]'
                          r'([^/\\]+)[/\\][^/\\]+\Z')


def _unquote(raw):
    value = raw.strip()
    for separator in (';', '&&'):
        if separator in value and not value.startswith(('"', "'")):
            value = value.split(separator, 1)[0].rstrip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
        value = value[1:-1]
    elif value.startswith('"') and '"' in value[1:]:  # "name"; export NAME
        value = value[1:value.index('"', 1)]
    return value


def parse_setup(text, source='setupCmdLine'):
    """{'WAS_CELL': .., 'WAS_NODE': .., ...} as the profile sets them; the last assignment wins, as in the shell.

    A cell or node value that is not a literal name (a variable, a template placeholder such as $(cell.name))
    is an error quoting the line: the profile cannot be told apart by it.
    """
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(('#', 'REM ', 'rem ', '::')):
            continue
        match = _ASSIGNMENT.match(line)
        if not match:
            continue
        name = match.group(1).upper()
        value = _unquote(match.group(2))
        if name in ('WAS_CELL', 'WAS_NODE') and not _LITERAL.match(value):
            raise WasProfileError('%s line %d sets %s to %r, which is not a literal cell or node name: %r'
                                  % (source, number, name, value, line.strip()))
        found[name] = value
    return found


def config_path_parts(path):
    """(cell, node, server) of a file under config/cells/<cell>/nodes/<node>/servers/<server>/; None elsewhere."""
    match = _CONFIG_PATH.search(path or '')
    return match.groups() if match else None


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def scan_profiles(profiles_dir, file_name):
    """Every profile under profiles_dir: its setup values, its servers, and where it holds `file_name`.

    Returns a list of dicts: name, path, setup_file, cell, node, setup_error, dmgr (its own node runs a server
    named dmgr), servers [{cell, node, server, file}] with file the path of file_name or None.
    """
    profiles = []
    for name in _listdir(profiles_dir):
        path = os.path.join(profiles_dir, name)
        if not os.path.isdir(os.path.join(path, 'config', 'cells')):
            continue
        profile = dict(name=name, path=path, setup_file=None, cell=None, node=None, setup_error=None, servers=[])
        for setup in SETUP_FILES:
            setup_path = os.path.join(path, 'bin', setup)
            if os.path.isfile(setup_path):
                profile['setup_file'] = setup_path
                try:
                    with open(setup_path, 'rb') as handle:
                        values = parse_setup(handle.read().decode('utf-8', 'replace'), setup_path)
                except (IOError, OSError) as exc:
                    profile['setup_error'] = 'cannot read %s: %s' % (setup_path, exc)
                except WasProfileError as exc:
                    profile['setup_error'] = str(exc)
                else:
                    profile['cell'], profile['node'] = values.get('WAS_CELL'), values.get('WAS_NODE')
                    if not (profile['cell'] and profile['node']):
                        profile['setup_error'] = '%s sets no %s' % (
                            setup_path, ' and no '.join(k for k in ('WAS_CELL', 'WAS_NODE') if not values.get(k)))
                break
        cells = os.path.join(path, 'config', 'cells')
        for cell in _listdir(cells):
            nodes = os.path.join(cells, cell, 'nodes')
            for node in _listdir(nodes):
                for server in _listdir(os.path.join(nodes, node, 'servers')):
                    server_dir = os.path.join(nodes, node, 'servers', server)
                    if not os.path.isdir(server_dir):
                        continue
                    candidate = os.path.join(server_dir, file_name) if file_name else None
                    profile['servers'].append(dict(cell=cell, node=node, server=server,
                                                   file=candidate if candidate and os.path.isfile(candidate)
                                                   else None))
        profile['dmgr'] = any(s['server'] == 'dmgr' and (profile['node'] is None or s['node'] == profile['node'])
                              for s in profile['servers'])
        profiles.append(profile)
    return profiles


def _copies(profiles, server, node):
    return [(profile, entry) for profile in profiles for entry in profile['servers']
            if entry['file'] and entry['server'] == server and (not node or entry['node'] == node)]


def _listing(pairs):
    return ', '.join(entry['file'] for _profile, entry in pairs) or 'none'


def choose_dmgr_copy(profiles, server, node, file_name, where):
    """The deployment manager's master copy of the server's file: exactly one, or an error that says what to set."""
    pairs = [(p, e) for p, e in _copies(profiles, server, node) if p['dmgr']]
    if len(pairs) != 1:
        raise WasProfileError(
            'Expected one %s of server %s%s under a deployment manager profile in %s, found %d: %s. Set the node '
            '(several proxy nodes), the deployment manager host or the path of the file.'
            % (file_name, server, ' on node %s' % node if node else '', where, len(pairs), _listing(pairs)))
    profile, entry = pairs[0]
    return dict(config_file=entry['file'], cell=entry['cell'], node=entry['node'], server=entry['server'],
                profile_root=profile['path'])


def choose_node_profile(profiles, server, node, file_name, exclude, where):
    """The profile of the node itself: it holds the node's copy of the file (not the excluded master copy);
    when several do, the one whose setupCmdLine names that node."""
    pairs = [(p, e) for p, e in _copies(profiles, server, node) if e['file'] != exclude]
    roots = []
    for profile, _entry in pairs:
        if profile['path'] not in [r['path'] for r in roots]:
            roots.append(profile)
    if len(roots) > 1:
        own = [profile for profile in roots if profile['node'] == node]
        if len(own) == 1:
            roots = own
    if len(roots) != 1:
        raise WasProfileError(
            'Expected one profile in %s holding node %s\'s copy of %s (server %s), found %d: %s. Set the profile '
            'of the proxy node.' % (where, node, file_name, server, len(roots),
                                    ', '.join(p['path'] for p in roots) or 'none'))
    profile = roots[0]
    return dict(profile_root=profile['path'], cell=profile['cell'], node=node, server=server)
