# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The profile scripts (CPython 3): startServer, stopServer, serverStatus, startNode, stopNode, syncNode,
startManager, stopManager, and the lab's meeting-configuration store (stmeetings-config).

Each records its effect in the profile's emulator/events.jsonl with begin/end times.
"""

from __future__ import absolute_import, division, print_function

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from wasemu import store

FAIL = 255
KIND_LABEL = {'dmgr': 'Deployment Manager', 'nodeagent': 'Node Agent', 'application': 'Application Server'}
# English as IBM documents it (tests/corpus/was/); German is the emulator's stand-in for a translated JVM: message ids
# stay, the text around them changes.
MESSAGES = {
    'en': {'ADMU0508I': 'ADMU0508I: The %(kind)s "%(server)s" is STARTED',
           'ADMU0509I': 'ADMU0509I: The %(kind)s "%(server)s" cannot be reached. It appears to be stopped.',
           'ADMU3000I': 'ADMU3000I: Server %(server)s open for e-business; process id is %(pid)s',
           'ADMU4000I': 'ADMU4000I: Server %(server)s stop completed.',
           'ADMU0402I': 'ADMU0402I: The configuration for node %(node)s has been synchronized with Deployment '
                        'Manager %(host)s: %(port)s'},
    'de': {'ADMU0508I': 'ADMU0508I: Der %(kind)s "%(server)s" hat den Status STARTED.',
           'ADMU0509I': 'ADMU0509I: Der %(kind)s "%(server)s" kann nicht erreicht werden. Er scheint gestoppt zu '
                        'sein.',
           'ADMU3000I': 'ADMU3000I: Der Server %(server)s ist fuer E-Business geoeffnet. Die Prozess-ID ist %(pid)s.',
           'ADMU4000I': 'ADMU4000I: Der Server %(server)s wurde gestoppt.',
           'ADMU0402I': 'ADMU0402I: Die Konfiguration fuer Knoten %(node)s wurde mit dem Deployment Manager '
                        '%(host)s: %(port)s synchronisiert.'},
}
KIND_LABEL_DE = {'dmgr': 'Deployment Manager', 'nodeagent': 'Knotenagent', 'application': 'Anwendungsserver'}


def say(conf, msg_id, **fields):
    language = store.jvm_language(conf)
    texts = MESSAGES.get(language, MESSAGES['de'])
    if 'kind' in fields:
        fields['kind'] = (KIND_LABEL if texts is MESSAGES['en'] else KIND_LABEL_DE).get(fields['kind'])
    out(texts[msg_id] % fields)


def out(msg):
    sys.stdout.write(msg + '\n')
    sys.stdout.flush()


def parse(argv):
    opts = {'positional': [], 'username': None, 'password': None, 'flags': []}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ('-username', '-user', '-password', '-profileName', '-timeout', '-statusport', '-logfile'):
            key = {'-user': 'username'}.get(arg, arg[1:])
            opts[key] = argv[i + 1] if i + 1 < len(argv) else None
            i += 2
        elif arg.startswith('-'):
            opts['flags'].append(arg)
            i += 1
        else:
            opts['positional'].append(arg)
            i += 1
    return opts


def server_conf(conf, server):
    entry = (conf.get('servers') or {}).get(server)
    if entry is None:
        out('ADMU0116I: Tool information is being logged in file %s/logs/%s/startServer.log' % ('.', server))
        out('ADMU3002E: Exception attempting to process server %s: server %s does not exist in this profile'
            % (server, server))
        sys.exit(FAIL)
    return entry


def port_open(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(0.5)
    try:
        return sock.connect_ex((host, int(port))) == 0
    finally:
        sock.close()


def start(profile_dir, conf, server):
    entry = server_conf(conf, server)
    if store.server_status(profile_dir, server) == 'STARTED':
        out('ADMU3027E: An instance of the server may already be running: %s' % server)
        sys.exit(FAIL)
    begin = time.time()
    out('ADMU3100I: Reading configuration for server: %s' % server)
    time.sleep(float(entry.get('start_delay', 1.0)))
    pid = None
    http = entry.get('http')
    if http:
        log_dir = os.path.join(profile_dir, 'logs', server)
        if not os.path.isdir(log_dir):
            os.makedirs(log_dir)
        log = open(os.path.join(log_dir, 'SystemOut.log'), 'a')
        proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              'server_proc.py'), profile_dir, server],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                close_fds=True)
        pid = proc.pid
        deadline = time.time() + 30
        while not port_open('127.0.0.1', http['port']):
            if proc.poll() is not None or time.time() > deadline:
                out('ADMU3011E: Server launched but failed initialization. See %s/SystemOut.log' % log_dir)
                sys.exit(FAIL)
            time.sleep(0.1)
        with open(os.path.join(log_dir, '%s.pid' % server), 'w') as handle:
            handle.write('%d\n' % pid)
    store.set_server_state(profile_dir, server, 'STARTED', pid)
    end = time.time()
    store.append_event(profile_dir, 'start', server=server, begin=begin, end=end, pid=pid)
    say(conf, 'ADMU3000I', server=server, pid=pid or 0)


def soap_client_props(profile_dir):
    """com.ibm.SOAP.loginUserid/loginPassword of <profile>/properties/soap.client.props (the tools' documented
    source of credentials when none are on the command line); plain values only (no {xor} encoding)."""
    props = {}
    path = os.path.join(profile_dir, 'properties', 'soap.client.props')
    if os.path.exists(path):
        with open(path) as handle:
            for line in handle:
                line = line.strip()
                if line and line[0] not in '#!' and '=' in line:
                    key, value = line.split('=', 1)
                    props[key.strip()] = value.strip()
    return props.get('com.ibm.SOAP.loginUserid'), props.get('com.ibm.SOAP.loginPassword')


def tool_credentials(opts):
    if opts['username'] is None and opts['password'] is None:
        return soap_client_props(opts['profile_dir'])
    return opts['username'], opts['password']


def check_creds(conf, opts, server, action):
    if not store.credentials_ok(conf, *tool_credentials(opts)):
        out('ADMU0111E: Program exiting with error: javax.management.JMRuntimeException: ADMN0022E: Access is '
            'denied for the %s operation on Server MBean because of insufficient or empty credentials.' % action)
        store.append_event(opts['profile_dir'], 'auth_failure', server=server, action=action)
        sys.exit(FAIL)


def stop(profile_dir, conf, server, opts):
    entry = server_conf(conf, server)
    if store.server_status(profile_dir, server) != 'STARTED':
        say(conf, 'ADMU0509I', kind=entry.get('kind', 'application'), server=server)
        return
    check_creds(conf, opts, server, 'stop')
    begin = time.time()
    out('ADMU3201I: Server stop request issued. Waiting for stop status.')
    state = store.read_json(store.profile_file(profile_dir, 'state.json'), {})
    pid = ((state.get('servers') or {}).get(server) or {}).get('pid')
    if pid:
        try:
            os.kill(int(pid), signal.SIGTERM)
        except OSError:
            pass
        for _attempt in range(100):
            if not os.path.exists('/proc/%d' % int(pid)):
                break
            time.sleep(0.05)
    time.sleep(float(entry.get('stop_delay', 0.5)))
    store.set_server_state(profile_dir, server, 'STOPPED')
    store.append_event(profile_dir, 'stop', server=server, begin=begin, end=time.time(), pid=pid)
    say(conf, 'ADMU4000I', server=server)


def status(profile_dir, conf, server, opts):
    entry = server_conf(conf, server)
    kind = entry.get('kind', 'application')
    if store.server_status(profile_dir, server) == 'STARTED':
        check_creds(conf, opts, server, 'getState')
        say(conf, 'ADMU0508I', kind=kind, server=server)
    else:
        say(conf, 'ADMU0509I', kind=kind, server=server)


def copy_if_different(source, target):
    """Copy one file when its bytes differ; True when it was copied."""
    with open(source, 'rb') as handle:
        data = handle.read()
    current = None
    if os.path.exists(target):
        with open(target, 'rb') as handle:
            current = handle.read()
    if current == data:
        return False
    if not os.path.isdir(os.path.dirname(target)):
        os.makedirs(os.path.dirname(target))
    shutil.copyfile(source, target)
    return True


def copy_tree_changes(src, dst):
    changed = []
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        for name in files:
            if copy_if_different(os.path.join(root, name), os.path.normpath(os.path.join(dst, rel, name))):
                changed.append(os.path.normpath(os.path.join(rel, name)))
    return changed


def sync_node(profile_dir, conf, opts):
    if len(opts['positional']) < 2:
        out('ADMU0101E: Usage: syncNode dmgr_host [dmgr_port] [-username uid] [-password pwd] [-restart]')
        sys.exit(FAIL)
    host, port = opts['positional'][0], opts['positional'][1]
    node, cell = conf['node'], conf['cell']
    out('ADMU0116I: Tool information is being logged in file %s/logs/syncNode.log' % profile_dir)
    if store.server_status(profile_dir, 'nodeagent') == 'STARTED':
        out('ADMU0505E: Servers found running: nodeagent. The node agent of node %s must be stopped before '
            'syncNode runs.' % node)
        sys.exit(FAIL)
    dm_dir = store.resolve_dmgr(conf, host, port)
    if not dm_dir or store.server_status(dm_dir, 'dmgr') != 'STARTED':
        out('ADMU0113E: Program exiting with error: com.ibm.websphere.management.exception.ConnectorException: '
            'ADMC0016E: The system cannot create a SOAP connector to connect to host %s at port %s.' % (host, port))
        sys.exit(FAIL)
    dm_conf = store.load_profile(dm_dir)
    if not store.credentials_ok(dm_conf, *tool_credentials(opts)):
        store.append_event(profile_dir, 'auth_failure', action='syncNode')
        out('ADMU0113E: Program exiting with error: com.ibm.websphere.management.exception.ConnectorException: '
            'ADMC0053E: The system cannot create a SOAP connector to connect to host %s at port %s with SOAP '
            'connector security enabled. ADMN0022E: authentication failure.' % (host, port))
        sys.exit(FAIL)
    begin = time.time()
    out('ADMU0401I: Begin syncNode operation for node %s with Deployment Manager %s: %s' % (node, host, port))
    src_cell = os.path.join(dm_dir, 'config', 'cells', cell)
    dst_cell = os.path.join(profile_dir, 'config', 'cells', cell)
    changed = []
    if os.path.isdir(src_cell):
        for name in sorted(os.listdir(src_cell)):
            source = os.path.join(src_cell, name)
            if name == 'nodes':
                node_src = os.path.join(source, node)
                if os.path.isdir(node_src):
                    changed.extend([os.path.join('nodes', node, p) for p in
                                    copy_tree_changes(node_src, os.path.join(dst_cell, 'nodes', node))])
            elif os.path.isdir(source):
                changed.extend([os.path.join(name, p) for p in copy_tree_changes(source, os.path.join(dst_cell, name))])
            else:
                if copy_if_different(source, os.path.join(dst_cell, name)):
                    changed.append(name)
    model = store.read_json(store.profile_file(dm_dir, 'cell.json'), {}) or {}
    store.write_json(store.profile_file(profile_dir, 'sync.json'),
                     {'model_serial': model.get('serial', 0), 't': time.time(), 'mode': 'full'})
    store.append_event(profile_dir, 'sync', mode='full', node=node, files=changed, begin=begin, end=time.time(),
                       model_serial=model.get('serial', 0))
    store.append_event(dm_dir, 'sync', mode='full', node=node, files=changed)
    say(conf, 'ADMU0402I', node=node, host=host, port=port)
    if '-restart' in opts['flags']:
        start(profile_dir, conf, 'nodeagent')


def meeting_config(profile_dir, argv):
    """stmeetings-config get|set|list: the lab's writable store of the meeting server configuration keys."""
    path = store.profile_file(profile_dir, 'meeting-config.json')
    keys = store.read_json(path, {}) or {}
    if argv[:1] == ['list']:
        for key in sorted(keys):
            out('%s=%s' % (key, keys[key]))
    elif argv[:1] == ['get'] and len(argv) == 2:
        if argv[1] not in keys:
            sys.exit(1)
        out(keys[argv[1]])
    elif argv[:1] == ['set'] and len(argv) == 3:
        before = keys.get(argv[1])
        keys[argv[1]] = argv[2]
        store.write_json(path, keys)
        store.append_event(profile_dir, 'meeting_config_set', key=argv[1], before=before, after=argv[2])
    else:
        out('usage: stmeetings-config list | get KEY | set KEY VALUE')
        sys.exit(2)


def main(tool, argv):
    profile_dir = os.environ.get('WAS_EMU_PROFILE')
    if not profile_dir:
        out('emulator: WAS_EMU_PROFILE is not set (call the script from a profile bin directory)')
        sys.exit(FAIL)
    conf = store.load_profile(profile_dir)
    if tool == 'stmeetings-config':
        return meeting_config(profile_dir, argv)
    opts = parse(argv)
    opts['profile_dir'] = profile_dir
    if tool in ('startNode', 'stopNode'):
        opts['positional'] = ['nodeagent']
    elif tool in ('startManager', 'stopManager'):
        opts['positional'] = ['dmgr']
    if tool in ('startServer', 'stopServer', 'serverStatus') and not opts['positional']:
        out('ADMU0101E: Usage: %s <server> [-username uid -password pwd]' % tool)
        sys.exit(FAIL)
    store.append_event(profile_dir, 'command', tool=tool, args=opts['positional'])
    if tool in ('startServer', 'startNode', 'startManager'):
        start(profile_dir, conf, opts['positional'][0])
    elif tool in ('stopServer', 'stopNode', 'stopManager'):
        stop(profile_dir, conf, opts['positional'][0], opts)
    elif tool == 'serverStatus':
        status(profile_dir, conf, opts['positional'][0], opts)
    elif tool == 'syncNode':
        sync_node(profile_dir, conf, opts)
    else:
        out('emulator: unknown tool %s' % tool)
        sys.exit(FAIL)
    return 0


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
