# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wsadmin.sh: runs a Jython script under the real Jython with the admin objects bound to the DM's cell model.

Run by /usr/bin/jython (2.7). No __future__ imports here: the script is compiled with dont_inherit anyway.
"""

import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wasemu import admin, store

EXIT_FAILURE = 105


def read_properties(path):
    """The -p file as wsadmin reads it: java.util.Properties.load over a java.io.FileInputStream (one sequential
    read, no seek), so a FIFO works exactly as it would for the real wsadmin's JVM."""
    from java.io import FileInputStream  # pylint: disable=import-error
    from java.util import Properties  # pylint: disable=import-error
    props = Properties()
    stream = FileInputStream(path)
    try:
        props.load(stream)
    finally:
        stream.close()
    out = {}
    for key in props.stringPropertyNames():
        out[str(key)] = props.getProperty(key)
    return out


def fail(msg):
    sys.stdout.write(msg + '\n')
    sys.stdout.flush()
    sys.exit(EXIT_FAILURE)


def parse_args(argv):
    opts = {'lang': 'jacl', 'conntype': 'SOAP', 'host': None, 'port': None, 'user': None, 'password': None,
            'p': None, 'f': None, 'c': [], 'args': [], 'javaoptions': []}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ('-lang', '-conntype', '-host', '-port', '-user', '-username', '-password', '-p', '-f',
                   '-javaoption', '-tracefile', '-wsadmin_classpath', '-profileName', '-appendtrace'):
            if i + 1 >= len(argv):
                fail('WASX7001I: wsadmin: option %s needs a value' % arg)
            key = arg[1:]
            if key == 'username':
                key = 'user'
            if key == 'javaoption':
                opts['javaoptions'].append(argv[i + 1])
            opts[key] = argv[i + 1]
            i += 2
            if key == 'f':
                opts['args'] = argv[i:]
                break
        elif arg == '-c':
            opts['c'].append(argv[i + 1])
            i += 2
        else:
            fail('WASX7001I: wsadmin is the executable for WebSphere scripting. Unknown option: %s' % arg)
    return opts


def main(argv):
    profile_dir = os.environ.get('WAS_EMU_PROFILE')
    if not profile_dir:
        fail('emulator: WAS_EMU_PROFILE is not set (call wsadmin.sh from a profile bin directory)')
    conf = store.load_profile(profile_dir)
    opts = parse_args(argv)
    if opts['lang'] != 'jython':
        fail('WASX7028E: The emulator only runs Jython; pass -lang jython')
    if not opts['f'] and not opts['c']:
        fail('WASX7029I: For help, enter: "print Help.help()" (the emulator needs -f or -c)')
    user, password = opts['user'], opts['password']
    if opts['p']:
        if not os.path.exists(opts['p']):
            fail('WASX7123E: Properties file %s cannot be read' % opts['p'])
        props = read_properties(opts['p'])
        user = user or props.get('com.ibm.SOAP.loginUserid')
        password = password or props.get('com.ibm.SOAP.loginPassword')
    default = conf.get('default_connect') or {}
    host = opts['host'] or default.get('host', 'localhost')
    port = opts['port'] or default.get('port', 8879)
    if opts['conntype'].upper() != 'SOAP':
        fail('WASX7023E: the emulator supports -conntype SOAP only')
    dm_dir = store.resolve_dmgr(conf, host, port)
    if not dm_dir or store.server_status(dm_dir, 'dmgr') != 'STARTED':
        fail('WASX7023E: Error creating "SOAP" connection to host "%s"; exception information: '
             'com.ibm.websphere.management.exception.ConnectorNotAvailableException: '
             'com.ibm.websphere.management.exception.ConnectorNotAvailableException: ADMC0016E: The system cannot '
             'create a SOAP connector to connect to host %s at port %s.' % (host, host, port))
    dm_conf = store.load_profile(dm_dir)
    if not store.credentials_ok(dm_conf, user, password):
        store.append_event(dm_dir, 'auth_failure', user=user, script=opts['f'])
        fail('WASX7246E: Cannot establish "SOAP" connection to host "%s" because of an authentication failure. '
             'Ensure that user and password are correct on the command line or in a properties file.\n'
             'Exception message (if any): "ADMN0022E: Access is denied for the getProcessType operation on '
             'JVM MBean because of insufficient or empty credentials."' % host)
    lock = store.Lock(store.profile_file(dm_dir, 'lock'))
    lock.acquire()
    try:
        session = admin.Session(dm_dir)
        sys.stdout.write('WASX7209I: Connected to process "dmgr" on node %s using SOAP connector;  '
                         'The type of process is: DeploymentManager\n' % session.model['dmgr']['node'])
        namespace = admin.bind(session, host, port, store.jvm_language(conf, opts['javaoptions']))
        namespace['__name__'] = '__main__'
        store.append_event(dm_dir, 'wsadmin', user=user, script=opts['f'] or '-c')
        if opts['f']:
            sys.argv = [opts['f']] + list(opts['args'])
            handle = open(opts['f'], 'r')
            try:
                source = handle.read()
            finally:
                handle.close()
            units = [(opts['f'], source)]
        else:
            units = [('<string>', c) for c in opts['c']]
        for name, source in units:
            try:
                code = compile(source.replace('\r\n', '\n') + '\n', name, 'exec', 0, 1)
                exec(code, namespace)
            except SystemExit:
                raise
            except Exception:
                kind, value = sys.exc_info()[:2]
                sys.stdout.flush()
                sys.stderr.write('WASX7017E: Exception received while running file "%s"; exception information: '
                                 '%s: %s\n' % (name, getattr(kind, '__name__', kind), value))
                if os.environ.get('WAS_EMU_TRACE'):
                    traceback.print_exc()
                sys.exit(EXIT_FAILURE)
        if session.dirty:
            sys.stdout.write('WASX7309W: No "save" was performed before the script "%s" exited; configuration '
                             'changes will not be saved.\n' % (opts['f'] or '-c'))
    finally:
        lock.release()
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    main(sys.argv[1:])
