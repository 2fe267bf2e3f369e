# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The parsers read IBM's documented outputs (tests/corpus/was, sources in SOURCES.md) and nothing else; the
emulator prints the same lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import sys

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
CORPUS = os.path.join(REPO, 'tests', 'corpus', 'was')
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulators', 'was'))

from wasemu import tools as emu_tools  # noqa: E402  pylint: disable=wrong-import-position


def corpus(name):
    with open(os.path.join(CORPUS, name)) as handle:
        return handle.read()


def test_every_corpus_file_has_a_source():
    sources = corpus('SOURCES.md')
    for name in os.listdir(CORPUS):
        if name != 'SOURCES.md':
            assert '`%s`' % name in sources, name


@pytest.mark.parametrize('name, server, state', [
    ('serverStatus-started.txt', 'STMeetingServer', 'STARTED'),
    ('serverStatus-nodeagent-started.txt', 'nodeagent', 'STARTED'),
    ('serverStatus-stopped.txt', 'STMeetingServer', 'STOPPED'),
    ('serverStatus-started.txt', 'STMeeting', None),
])
def test_server_status_from_the_corpus(name, server, state):
    assert wsadmin.parse_server_status(corpus(name), server) == state


@pytest.mark.parametrize('text, state', [
    # a state other than STARTED in ADMU0508I is not acted on (the old parser returned it as the state)
    ('ADMU0508I: The Application Server "STMeetingServer" is STOPPING', None),
    ('ADMU0508I: The Application Server "STMeetingServer" is STARTING', None),
    # ids and the state constant are language-neutral: a German tool JVM still reads right
    ('ADMU0508I: Der Anwendungsserver "STMeetingServer" hat den Status STARTED.', 'STARTED'),
    ('ADMU0509I: Der Anwendungsserver "STMeetingServer" kann nicht erreicht werden.', 'STOPPED'),
    # contradicting lines are not a state
    ('ADMU0508I: The Application Server "STMeetingServer" is STARTED\n'
     'ADMU0509I: The Application Server "STMeetingServer" cannot be reached. It appears to be stopped.', None),
    ('ADMU0522E: No server by this name in the configuration: STMeetingServer', None),
])
def test_server_status_accepts_exactly_the_documented_messages(text, state):
    assert wsadmin.parse_server_status(text, 'STMeetingServer') == state


@pytest.mark.parametrize('tool, name', [
    ('serverStatus', 'serverStatus-started.txt'), ('serverStatus', 'serverStatus-stopped.txt'),
    ('startServer', 'startServer.txt'), ('stopServer', 'stopServer.txt'), ('syncNode', 'syncNode.txt'),
])
def test_tools_succeed_on_the_corpus(tool, name):
    assert wsadmin.tool_output_failure(tool, 0, corpus(name), '') is None


@pytest.mark.parametrize('tool, rc, out, expected', [
    # exit 0 without the documented success id: the old code took any rc 0 as success
    ('syncNode', 0, 'ADMU0401I: Begin syncNode operation for node n with Deployment Manager d: 8879\n',
     'without the message that reports success (ADMU0402I)'),
    ('startServer', 0, 'ADMU3100I: Reading configuration for server: s\n', 'ADMU3000I'),
    ('stopServer', 0, 'ADMU3201I: Server stop request issued. Waiting for stop status.\n', 'ADMU4000I or ADMU0509I'),
    ('startServer', 0, 'ADMU3000I: Server s open for e-business; process id is 1\nADMU3011E: x\n', 'ADMU3011E'),
    ('serverStatus', 255, 'ADMU0111E: Program exiting with error: ADMN0022E: Access is denied', 'rejected'),
])
def test_tools_fail_quoting_the_raw_text(tool, rc, out, expected):
    failure = wsadmin.tool_output_failure(tool, rc, out, '')
    assert failure is not None and expected in failure and out.strip()[:20] in failure, failure


def test_wsadmin_failures_from_the_corpus():
    assert 'rejected the administrative credentials' in wsadmin.classify_failure(
        105, corpus('wsadmin-WASX7246E.txt'), '', 'ssc', 8879)


@pytest.mark.parametrize('out', [
    'WASX7015E: Error running command: config id "x" not found\nRESULT|saved|changes=1\n',
    'ADMA0085E: A validation error occurred in task Selecting servers.\n',
])
def test_wsadmin_exit_0_with_an_error_id_is_a_failure(out):
    """The old code only looked at WASX7017E/WASX7246E/WASX7023E and the exit code."""
    failure = wsadmin.classify_failure(0, out, '', 'ssc', 8879)
    assert failure is not None and out.split(':')[0] in failure


@pytest.mark.parametrize('msg_id, name, fields', [
    ('ADMU0508I', 'serverStatus-started.txt', dict(kind='application', server='STMeetingServer')),
    ('ADMU0508I', 'serverStatus-nodeagent-started.txt', dict(kind='nodeagent', server='nodeagent')),
    ('ADMU0509I', 'serverStatus-stopped.txt', dict(kind='application', server='STMeetingServer')),
    ('ADMU3000I', 'startServer.txt', dict(server='STMeetingServer', pid=23456)),
    ('ADMU4000I', 'stopServer.txt', dict(server='STMeetingServer')),
    ('ADMU0402I', 'syncNode.txt', dict(node='stproxy1Node01', host='ssc', port='8879')),
])
def test_the_emulator_prints_the_corpus_lines(msg_id, name, fields, capsys, monkeypatch):
    monkeypatch.setenv('LC_ALL', 'C')
    emu_tools.say({}, msg_id, **fields)
    printed = capsys.readouterr().out.strip()
    assert printed in corpus(name).splitlines()


def test_the_emulator_view_labels_are_the_corpus_labels():
    from wasemu import admin
    labels = admin.VIEW_LABELS['en']
    servers = corpus('AdminApp.view-MapModulesToServers.txt').splitlines()
    vhosts = corpus('AdminApp.view-MapWebModToVH.txt').splitlines()
    assert servers[0] == labels['servers_title'] and servers[2] == labels['servers_intro']
    assert vhosts[0] == labels['vh_title'] and vhosts[2] == labels['vh_intro']
    for key in ('module', 'uri', 'server'):
        assert [line for line in servers if re.match(re.escape(labels[key]) + '  ', line)]
    for key in ('web_module', 'uri', 'vhost'):
        assert [line for line in vhosts if re.match(re.escape(labels[key]) + '  ', line)]


class FakeAdminApp(object):
    """AdminApp whose view prints the corpus (or a given text); records edits."""

    def __init__(self, views):
        self.views = views
        self.edits = []

    def list(self):
        return 'SametimeMeetings'

    def view(self, app, options):
        return self.views[options[0]]

    def edit(self, app, options):
        self.edits.append(options)


def run_mapping_script(views, **kwargs):
    source = wsadmin.module_mapping_script('Core Whiteboard Services', 'meeting1Node01', 'STMeetingServer',
                                           cell='sscCell01', **kwargs)
    app = FakeAdminApp(views)
    out = []

    class Config(object):
        def save(self):
            out.append('RESULT|saved|changes=1')

    namespace = {'AdminApp': app, 'AdminConfig': Config(), 'AdminControl': None, '__name__': '__main__'}
    import builtins
    real_print = builtins.print
    builtins.print = out.append
    try:
        exec(compile(source, 'mapping.py', 'exec'), namespace)
    except SystemExit:
        pass
    finally:
        builtins.print = real_print
    return wsadmin.parse_results('\n'.join(out)), app.edits


CORPUS_VIEWS = {'-MapModulesToServers': corpus('AdminApp.view-MapModulesToServers.txt'),
                '-MapWebModToVH': corpus('AdminApp.view-MapWebModToVH.txt')}


def test_mapping_script_reads_the_corpus_view():
    web = 'WebSphere:cell=sscCell01,node=webNode,server=webserver1'
    results, edits = run_mapping_script(CORPUS_VIEWS, extra_targets=[web])
    rec = [r for r in results if r['kind'] == 'module'][0]
    assert rec['targets_before'] == 'WebSphere:cell=sscCell01,node=meeting1Node01,server=STMeetingServer+' + web
    assert rec['vhost_before'] == 'default_host' and rec['changes'] == '0' and edits == []


GERMAN_SERVERS = CORPUS_VIEWS['-MapModulesToServers'].replace('Module:', 'Modul:')
FRENCH_VHOSTS = CORPUS_VIEWS['-MapWebModToVH'].replace('Web module:', 'Module Web :').replace('Virtual host:',
                                                                                              'Hote virtuel :')


@pytest.mark.parametrize('views, option', [
    (dict(CORPUS_VIEWS, **{'-MapModulesToServers': GERMAN_SERVERS}), '-MapModulesToServers'),
    (dict(CORPUS_VIEWS, **{'-MapWebModToVH': FRENCH_VHOSTS}), '-MapWebModToVH'),
    (dict(CORPUS_VIEWS, **{'-MapModulesToServers': 'MapModulesToServers: x\n\nModule:  a\nServer:  b\n'}),
     '-MapModulesToServers'),
])
def test_mapping_script_fails_loudly_on_labels_it_does_not_know(views, option):
    """The old script reported module_absent for a translated view, and the role skipped the whiteboard."""
    results, edits = run_mapping_script(views)
    kinds = [r['kind'] for r in results]
    assert kinds == ['unreadable'], results
    assert results[0]['option'] == option and results[0]['text'] == views[option]
    assert edits == []


class ToolModule(object):
    """A module whose run_command answers like serverStatus.sh with a given exit code and output."""

    def __init__(self, rc, out):
        self.answer = (rc, out, '')
        self.environ = None

    def run_command(self, cmd, environ_update=None):
        self.environ = environ_update
        return self.answer

    def fail_json(self, **kwargs):
        raise RuntimeError(kwargs['msg'])


@pytest.fixture
def profile(tmp_path):
    tool = tmp_path / 'bin' / 'serverStatus.sh'
    tool.parent.mkdir()
    tool.write_text('#!/bin/sh\n')
    return str(tmp_path)


@pytest.mark.parametrize('rc, name, stopped_rcs, expected', [
    (0, 'serverStatus-stopped.txt', (0,), 'STOPPED'),
    (0, 'serverStatus-started.txt', (0,), 'STARTED'),
    (1, 'serverStatus-stopped.txt', (0,), 'failed (rc 1)'),
    (1, 'serverStatus-stopped.txt', (0, 1), 'STOPPED'),
    (1, 'serverStatus-started.txt', (0, 1), 'failed (rc 1)'),
])
def test_server_state_exit_codes(profile, rc, name, stopped_rcs, expected):
    module = ToolModule(rc, corpus(name))
    try:
        state = wsadmin.server_state(module, profile, 'STMeetingServer', stopped_rcs=stopped_rcs)
    except RuntimeError as exc:
        state = str(exc)
    assert expected in state
    assert module.environ['LC_ALL'] == 'C'
