# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lay down the emulated WAS cell of the lab (CPython 3; run by tests/lab/hooks.d/20-was.sh and by tests).

    python3 -m wasemu.lab install --host meeting1 --host-root .lab/hosts/meeting1 --lab-dir .lab
    python3 -m wasemu.lab boot --host meeting1 --lab-dir .lab   (start STMeetingServer when it is not running)
    python3 -m wasemu.lab reset-model --lab-dir .lab     (re-seed the DM's cell.json; config files are kept)

Idempotent: files that exist (cell model, state, config documents such as stproxyconfig.xml) are kept; only the
emulator code and the profile scripts are refreshed.
Every profile is referenced as <lab-dir>/hosts/<host>/opt/..., a path that is the same inside every lab namespace,
so the DM reaches the node profiles (active sync) and a node reaches the DM repository (syncNode.sh).
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from wasemu import store

WAS_ROOT = '/opt/IBM/WebSphere/AppServer'
CELL = 'sscCell01'
ADMIN_USER = 'wasadmin'
ADMIN_PASSWORD = 'Lab-WAS-passw0rd'
DM = {'host': 'ssc', 'profile': 'STSCDMgrProfile', 'node': 'sscCellManager01', 'port': 8879,
      'names': ['ssc', 'ssc.acme.example', '203.0.113.10', '203.0.113.138']}
NODES = [
    {'host': 'ssc', 'profile': 'STSCAppProfile', 'node': 'sscNode01', 'servers': {'STConsoleServer': {}}},
    {'host': 'stproxy1', 'profile': 'STPAppProfile', 'node': 'stproxy1Node01', 'servers': {'STProxyServer': {}}},
    {'host': 'stproxy2', 'profile': 'STPAppProfile', 'node': 'stproxy2Node01', 'servers': {'STProxyServer': {}}},
    # meeting1's JVMs run German (user.language=de): AdminApp.view and the profile tools answer in German there
    # unless a JVM is told otherwise (wsadmin -javaoption -Duser.language=en).
    {'host': 'meeting1', 'profile': 'STMAppProfile', 'node': 'meeting1Node01', 'jvm_language': 'de',
     'servers': {'STMeetingServer': {'http': {'port': 9080, 'require_login': True}}}},
    {'host': 'meeting2', 'profile': 'STMAppProfile', 'node': 'meeting2Node01', 'patched': True,
     'servers': {'STMeetingServer': {'http': {'port': 9080, 'require_login': True}}}},
]
PROFILE_SCRIPTS = {
    'dmgr': ['wsadmin', 'startManager', 'stopManager', 'serverStatus'],
    'managed': ['wsadmin', 'startServer', 'stopServer', 'serverStatus', 'startNode', 'stopNode', 'syncNode'],
}


def profile_path(lab_dir, host, profile):
    return os.path.join(lab_dir, 'hosts', host, WAS_ROOT.lstrip('/'), 'profiles', profile)


def write_if_absent(path, text):
    if os.path.exists(path):
        return
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, 'w') as handle:
        handle.write(text)


def write_always(path, text, mode=0o644):
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    current = None
    if os.path.exists(path):
        with open(path) as handle:
            current = handle.read()
    if current != text:
        with open(path, 'w') as handle:
            handle.write(text)
    os.chmod(path, mode)


def install_code(host_root, ns):
    """Copy the emulator (package + launchers) into the host's /opt."""
    emu = os.path.join(host_root, WAS_ROOT.lstrip('/'), 'emulator')
    for name in sorted(os.listdir(HERE)):
        if name.endswith('.py'):
            with open(os.path.join(HERE, name)) as handle:
                write_always(os.path.join(emu, 'wasemu', name), handle.read())
    emu_in_ns = ns(WAS_ROOT + '/emulator')
    write_always(os.path.join(emu, 'bin', 'wsadmin'),
                 '#!/bin/sh\n# WAS emulator: wsadmin under the real Jython (Debian jython, 2.7)\n'
                 'exec /usr/bin/jython -Dpython.cachedir.skip=true %s/wasemu/wsadmin_main.py "$@"\n' % emu_in_ns,
                 0o755)
    write_always(os.path.join(emu, 'bin', 'wastool'),
                 '#!/bin/sh\n# WAS emulator: profile scripts\n'
                 'PYTHONPATH=%s exec /usr/bin/python3 -m wasemu.tools "$@"\n' % emu_in_ns, 0o755)
    write_always(os.path.join(emu, 'bin', 'stmeetings-config'),
                 '#!/bin/sh\n# WAS emulator: the lab\'s writable store of meeting server configuration keys\n'
                 '# usage: stmeetings-config <profile> list | get KEY | set KEY VALUE\n'
                 'WAS_EMU_PROFILE=%s/profiles/$1\nexport WAS_EMU_PROFILE\nshift\n'
                 'PYTHONPATH=%s exec /usr/bin/python3 -m wasemu.tools stmeetings-config "$@"\n'
                 % (ns(WAS_ROOT), emu_in_ns), 0o755)


def profile_scripts(root, profile, kind, cell, node, ns):
    bindir = os.path.join(root, 'bin')
    in_ns = ns('%s/profiles/%s' % (WAS_ROOT, profile))
    for tool in PROFILE_SCRIPTS[kind]:
        launcher = 'wsadmin' if tool == 'wsadmin' else 'wastool %s' % tool
        write_always(os.path.join(bindir, '%s.sh' % tool),
                     '#!/bin/sh\n# WAS emulator (sametime.deploy lab), profile %s\n'
                     'WAS_EMU_PROFILE=%s\nexport WAS_EMU_PROFILE\nexec %s/emulator/bin/%s "$@"\n'
                     % (profile, in_ns, ns(WAS_ROOT), launcher), 0o755)
    write_always(os.path.join(bindir, 'setupCmdLine.sh'),
                 '#!/bin/sh\n# WAS emulator: what a real profile setupCmdLine.sh sets\nWAS_HOME=%s\n'
                 'USER_INSTALL_ROOT=%s\nWAS_CELL=%s\nWAS_NODE=%s\nexport WAS_HOME USER_INSTALL_ROOT WAS_CELL '
                 'WAS_NODE\n' % (WAS_ROOT, in_ns, cell, node), 0o755)


def connect_entries(lab_dir, local):
    names = list(DM['names'])
    if local:
        names += ['localhost', '127.0.0.1']
    return [{'hosts': names, 'port': DM['port'], 'profile_dir': profile_path(lab_dir, DM['host'], DM['profile'])}]


def security():
    return {'enabled': True, 'user': ADMIN_USER, 'password_sha256': store.sha256(ADMIN_PASSWORD)}


def config_docs(root, nodes, servers_of):
    cell_dir = os.path.join(root, 'config', 'cells', CELL)
    write_if_absent(os.path.join(cell_dir, 'cell.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<topology.cell:Cell xmlns:topology.cell="http://www.ibm.com/websphere/appserver/schemas/5.0/'
                    'topology.cell.xmi" name="%s"/>\n' % CELL)
    write_if_absent(os.path.join(cell_dir, 'security.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<security:Security enabled="true"/>\n')
    for node in nodes:
        node_dir = os.path.join(cell_dir, 'nodes', node)
        write_if_absent(os.path.join(node_dir, 'node.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<topology.node:Node name="%s"/>\n' % node)
        write_if_absent(os.path.join(node_dir, 'serverindex.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<serverindex:ServerIndex hostName="%s"/>\n' % node)
        for server in servers_of(node):
            write_if_absent(os.path.join(node_dir, 'servers', server, 'server.xml'),
                            '<?xml version="1.0" encoding="UTF-8"?>\n<process:Server name="%s"/>\n' % server)


def seed_model(lab_dir):
    """The DM's cell model: nodes, servers, virtual hosts, STMS/STSC data sources, applications."""
    objs = {}
    counter = [1000]

    def add(type_name, parent, path, attrs, file_name='resources.xml'):
        counter[0] += 1
        xmi = '%s_%d' % (type_name, counter[0])
        objs[xmi] = {'type': type_name, 'parent': parent, 'path': path, 'file': file_name, 'attrs': attrs}
        return xmi

    cell_path = 'cells/%s' % CELL
    cell = add('Cell', None, cell_path, {'name': CELL, 'cellType': 'DISTRIBUTED'}, 'cell.xml')
    for vh in ('default_host', 'admin_host', 'proxy_host'):
        add('VirtualHost', cell, cell_path, {'name': vh}, 'virtualhosts.xml')
    nodes = {DM['node']: {'host': DM['host'], 'profile': DM['profile'], 'servers': ['dmgr'],
                          'profile_dir': profile_path(lab_dir, DM['host'], DM['profile'])}}
    dm_node = add('Node', cell, '%s/nodes/%s' % (cell_path, DM['node']), {'name': DM['node'], 'hostName': 'ssc'},
                  'node.xml')
    add('Server', dm_node, '%s/nodes/%s/servers/dmgr' % (cell_path, DM['node']), {'name': 'dmgr'}, 'server.xml')

    def datasource(server_xmi, path, name, jndi, database, host):
        provider = add('JDBCProvider', server_xmi, path, {'name': 'DB2 Universal JDBC Driver Provider (%s)' % name,
                                                          'providerType': 'DB2 Universal JDBC Driver Provider'})
        ds = add('DataSource', provider, path, {'name': name, 'jndiName': jndi})
        ps = add('J2EEResourcePropertySet', ds, path, {})
        props = []
        for pname, ptype, value in (('databaseName', 'java.lang.String', database),
                                    ('serverName', 'java.lang.String', host),
                                    ('portNumber', 'java.lang.Integer', '50000'),
                                    ('driverType', 'java.lang.Integer', '4')):
            props.append(add('J2EEResourceProperty', ps, path, {'name': pname, 'type': ptype, 'value': value}))
        objs[ps]['attrs']['resourceProperties'] = {'refs': props}
        objs[ds]['attrs']['propertySet'] = {'ref': ps}

    applications = {}
    for spec in NODES:
        node_path = '%s/nodes/%s' % (cell_path, spec['node'])
        node_xmi = add('Node', cell, node_path, {'name': spec['node'], 'hostName': spec['host']}, 'node.xml')
        servers = ['nodeagent'] + sorted(spec['servers'])
        nodes[spec['node']] = {'host': spec['host'], 'profile': spec['profile'], 'servers': servers,
                               'profile_dir': profile_path(lab_dir, spec['host'], spec['profile'])}
        for server in servers:
            spath = '%s/servers/%s' % (node_path, server)
            sx = add('Server', node_xmi, spath, {'name': server}, 'server.xml')
            target = 'WebSphere:cell=%s,node=%s,server=%s' % (CELL, spec['node'], server)
            if server == 'STConsoleServer':
                datasource(sx, spath, 'STSC', 'jdbc/stsc', 'STSC', 'db2a.acme.example')
                datasource(sx, spath, 'STSCPolicy', 'jdbc/stpolicy', 'STSC', 'db2a.acme.example')
                applications['SametimeSystemConsole'] = {'modules': [
                    {'name': 'Sametime System Console', 'uri': 'console.war,WEB-INF/web.xml', 'targets': [target],
                     'vhost': 'admin_host'}]}
            elif server == 'STProxyServer':
                applications['STProxy_%s' % spec['node']] = {'modules': [
                    {'name': 'Sametime Proxy', 'uri': 'stproxy.war,WEB-INF/web.xml', 'targets': [target],
                     'vhost': 'proxy_host'}]}
            elif server == 'STMeetingServer':
                datasource(sx, spath, 'STMS', 'jdbc/stms', 'STMS', 'db2a.acme.example')
                datasource(sx, spath, 'STMeetingPolicy', 'jdbc/stpolicy', 'STSC', 'db2a.acme.example')
                modules = [{'name': 'Sametime Meeting Room Center', 'uri': 'stmeetings.war,WEB-INF/web.xml',
                            'targets': [target], 'vhost': 'default_host'},
                           {'name': 'Sametime Meeting Services', 'uri': 'stmeetingsvc.war,WEB-INF/web.xml',
                            'targets': [target], 'vhost': 'default_host'}]
                if not spec.get('patched'):
                    modules.append({'name': 'Core Whiteboard Services', 'uri': 'whiteboard.war,WEB-INF/web.xml',
                                    'targets': [], 'vhost': ''})
                applications['SametimeMeetings_%s' % spec['node']] = {'modules': modules}
    return {'serial': 0, 'cell': CELL, 'next_id': counter[0] + 1000,
            'dmgr': {'node': DM['node'], 'host': DM['host'], 'soap_port': DM['port']},
            'nodes': nodes, 'objects': objs, 'applications': applications}


def meeting_keys(host):
    return {
        'anonymousEnabled': 'true', 'calinteg.enabled': 'false', 'communityRef': 'ssc',
        'docshare.fileio.codebase': 'http://%s:9080/stmeetings/docshare' % host,
        'meetingroomcenter.allowGuestAccess': '1', 'meetingroomcenter.passwords': '0',
        'meetingroomcenter.stProxyAddress': 'http://stproxy1:9081', 'userInfoRedirect': 'true',
        'userInfoUrlTemplate': '',
    }


def install(host, host_root, lab_dir, flat=False):
    """flat: no namespaces (the emulator's own tests): scripts use host_root-prefixed paths."""
    lab_dir = os.path.abspath(lab_dir)
    host_root = os.path.abspath(host_root)

    def ns(path):
        return os.path.join(host_root, path.lstrip('/')) if flat else path

    mine = [spec for spec in NODES if spec['host'] == host]
    if host != DM['host'] and not mine:
        return 0
    install_code(host_root, ns)
    profiles = []
    if host == DM['host']:
        profiles.append(('dmgr', DM['profile'], DM['node'], {'dmgr': {'kind': 'dmgr'}}))
    for spec in mine:
        servers = {'nodeagent': {'kind': 'nodeagent'}}
        for name, extra in spec['servers'].items():
            entry = {'kind': 'application'}
            entry.update(extra)
            servers[name] = entry
        profiles.append(('managed', spec['profile'], spec['node'], servers))
    language_of = dict((spec['profile'], spec.get('jvm_language')) for spec in mine)
    for kind, profile, node, servers in profiles:
        root = profile_path(lab_dir, host, profile)
        os.makedirs(os.path.join(root, store.EMU_DIR), exist_ok=True)
        os.makedirs(os.path.join(root, 'logs'), exist_ok=True)
        conf = {'type': kind, 'profile': profile, 'cell': CELL, 'node': node, 'host': host, 'security': security(),
                'jvm_language': language_of.get(profile),
                'servers': servers, 'connect': connect_entries(lab_dir, host == DM['host']),
                'default_connect': {'host': DM['host'], 'port': DM['port']}}
        store.write_json(store.profile_file(root, 'profile.json'), conf)
        profile_scripts(root, profile, kind, CELL, node, ns)
        state_path = store.profile_file(root, 'state.json')
        if not os.path.exists(state_path):
            store.write_json(state_path, {'servers': dict(
                (name, {'status': 'STOPPED' if entry.get('http') else 'STARTED', 'pid': None})
                for name, entry in servers.items())})
        if kind == 'dmgr':
            if not os.path.exists(store.profile_file(root, 'cell.json')):
                store.write_json(store.profile_file(root, 'cell.json'), seed_model(lab_dir))
            all_nodes = dict((s['node'], ['nodeagent'] + sorted(s['servers'])) for s in NODES)
            all_nodes[DM['node']] = ['dmgr']
            config_docs(root, sorted(all_nodes), lambda n, a=all_nodes: a[n])
        else:
            config_docs(root, [node], lambda n, s=servers: sorted(s))
        if 'STMeetingServer' in servers and not os.path.exists(store.profile_file(root, 'meeting-config.json')):
            store.write_json(store.profile_file(root, 'meeting-config.json'), meeting_keys(host))
    return 0


def reset_model(lab_dir):
    lab_dir = os.path.abspath(lab_dir)
    root = profile_path(lab_dir, DM['host'], DM['profile'])
    store.write_json(store.profile_file(root, 'cell.json'), seed_model(lab_dir))
    store.append_event(root, 'reset_model')
    return 0


def boot(host, lab_dir, flat=False, host_root=None):
    """Start the servers of this host that need a process (STMeetingServer) when they are not running."""
    import subprocess
    lab_dir = os.path.abspath(lab_dir)
    for spec in NODES:
        if spec['host'] != host:
            continue
        root = profile_path(lab_dir, host, spec['profile'])
        for server, extra in sorted(spec['servers'].items()):
            if extra.get('http') and store.server_status(root, server) != 'STARTED':
                script = '%s/profiles/%s/bin/startServer.sh' % (WAS_ROOT, spec['profile'])
                if flat:
                    script = os.path.join(os.path.abspath(host_root), script.lstrip('/'))
                subprocess.check_call([script, server])
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='wasemu.lab')
    parser.add_argument('action', choices=['install', 'boot', 'reset-model'])
    parser.add_argument('--host')
    parser.add_argument('--host-root')
    parser.add_argument('--lab-dir', required=True)
    parser.add_argument('--flat', action='store_true', help='no namespaces: scripts use host-root paths')
    args = parser.parse_args(argv)
    if args.action == 'install':
        return install(args.host, args.host_root, args.lab_dir, args.flat)
    if args.action == 'boot':
        return boot(args.host, args.lab_dir, args.flat, args.host_root)
    return reset_model(args.lab_dir)


if __name__ == '__main__':
    sys.exit(main())
