# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AdminApp.edit -MapModulesToServers as IBM documents it, in the emulator, and the mapping script's use of it.

IBM (WAS ND 8.5.5, rxml_taskoptions and txml_patternmatching): the module and URI columns of a task row are
read-only fields that select the rows to change and are matched as Java regular expressions ('.*', '.*.war,.*');
a row that matches nothing fails the command. The target column replaces the module's targets; a leading '+' adds
a target and a leading '-' removes one. The script uses replace only, with both columns escaped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulators', 'was'))

from wasemu import admin, lab, store  # noqa: E402  pylint: disable=wrong-import-position

APP = 'SametimeMeetings_meeting1Node01'
CELL = 'WebSphere:cell=sscCell01,node=%s,server=%s'
MEETING = CELL % ('meeting1Node01', 'STMeetingServer')
PROXY = CELL % ('stproxy1Node01', 'STProxyServer')
WHITEBOARD = ('Core Whiteboard Services', 'whiteboard.war,WEB-INF/web.xml')


@pytest.fixture
def session(tmp_path):
    dm_dir = str(tmp_path / 'dm')
    os.makedirs(os.path.join(dm_dir, store.EMU_DIR))
    store.write_json(store.profile_file(dm_dir, 'cell.json'), lab.seed_model(str(tmp_path)))
    return admin.Session(dm_dir)


def targets(session, name):
    return [m for m in session.model['applications'][APP]['modules'] if m['name'] == name][0]['targets']


def edit(session, row):
    admin.AdminAppObject(session).edit(APP, ['-MapModulesToServers', [row]])


def test_without_a_sign_the_targets_are_replaced(session):
    edit(session, [wsadmin.java_regex_literal(WHITEBOARD[0]), wsadmin.java_regex_literal(WHITEBOARD[1]),
                   MEETING + '+' + PROXY])
    edit(session, [wsadmin.java_regex_literal(WHITEBOARD[0]), wsadmin.java_regex_literal(WHITEBOARD[1]), PROXY])
    assert targets(session, WHITEBOARD[0]) == [PROXY]


def test_a_leading_plus_adds_and_a_leading_minus_removes(session):
    name, uri = wsadmin.java_regex_literal(WHITEBOARD[0]), wsadmin.java_regex_literal(WHITEBOARD[1])
    edit(session, [name, uri, '+' + MEETING])
    edit(session, [name, uri, '+' + PROXY])
    assert targets(session, WHITEBOARD[0]) == [MEETING, PROXY]
    edit(session, [name, uri, '-' + MEETING])
    assert targets(session, WHITEBOARD[0]) == [PROXY]


def test_the_module_and_uri_columns_are_regular_expressions(session):
    """'.*' selects every module of the application: the reason the script escapes both columns."""
    edit(session, ['.*', '.*', PROXY])
    assert [m['targets'] for m in session.model['applications'][APP]['modules']] == [[PROXY]] * 3


def test_an_escaped_row_selects_exactly_one_module(session):
    before = dict((m['name'], list(m['targets'])) for m in session.model['applications'][APP]['modules'])
    edit(session, [wsadmin.java_regex_literal(WHITEBOARD[0]), wsadmin.java_regex_literal(WHITEBOARD[1]), PROXY])
    for module in session.model['applications'][APP]['modules']:
        expected = [PROXY] if module['name'] == WHITEBOARD[0] else before[module['name']]
        assert module['targets'] == expected


def test_a_row_that_matches_no_module_fails(session):
    with pytest.raises(admin.ScriptingException):
        edit(session, ['Core Whiteboard Service', 'whiteboard.war,WEB-INF/web.xml', PROXY])


def run_script(session, source, app_object=None):
    """The generated script under CPython against the emulator's admin objects; its RESULT records."""
    out = []
    namespace = admin.bind(session, 'ssc', 8879)
    if app_object is not None:
        namespace['AdminApp'] = app_object
    namespace['__name__'] = '__main__'
    import builtins
    real_print = builtins.print
    builtins.print = lambda text: out.append(str(text))
    try:
        exec(compile(source, 'mapping.py', 'exec'), namespace)
    except SystemExit:
        pass
    finally:
        builtins.print = real_print
    return wsadmin.parse_results('\n'.join(out))


def test_the_script_replaces_and_saves(session):
    results = run_script(session, wsadmin.module_mapping_script(WHITEBOARD[0], 'meeting1Node01', 'STMeetingServer'))
    assert [r['kind'] for r in results] == ['module', 'saved']
    assert targets(admin.Session(session.dm_dir), WHITEBOARD[0]) == [MEETING]


class AddingAdminApp(admin.AdminAppObject):
    """A WAS that added instead of replacing (the reading the issue asked to rule out)."""

    def edit(self, app, options):
        if options[0] != '-MapModulesToServers':
            return admin.AdminAppObject.edit(self, app, options)
        rows = admin._as_list(options[1])  # pylint: disable=protected-access
        return admin.AdminAppObject.edit(self, app, [options[0], [[r[0], r[1], '+' + r[2]] for r in rows]])


def test_the_script_reads_the_edit_back_and_saves_nothing_when_it_differs(session):
    """The old script trusted AdminApp.edit and saved whatever it did."""
    name, uri = wsadmin.java_regex_literal(WHITEBOARD[0]), wsadmin.java_regex_literal(WHITEBOARD[1])
    edit(session, [name, uri, PROXY])
    session.save()
    saved_serial = store.read_json(session.path)['serial']
    results = run_script(session, wsadmin.module_mapping_script(WHITEBOARD[0], 'meeting1Node01', 'STMeetingServer'),
                         app_object=AddingAdminApp(session))
    errors = [r for r in results if r['kind'] == 'error']
    assert errors and 'instead of ' + MEETING in errors[0]['message'], results
    assert not [r for r in results if r['kind'] == 'saved']
    assert store.read_json(session.path)['serial'] == saved_serial


def stms_properties(session):
    objs = session.model['objects']
    for obj in objs.values():
        if obj['type'] == 'DataSource' and obj['attrs']['name'] == 'STMS':
            ps = objs[obj['attrs']['propertySet']['ref']]
            return ps, [objs[r]['attrs'] for r in ps['attrs']['resourceProperties']['refs']]


def add_property(session, name, ptype, value):
    ps, _props = stms_properties(session)
    ps_xmi = [k for k, v in session.model['objects'].items() if v is ps][0]
    admin.AdminConfigObject(session).create('J2EEResourceProperty', session.config_id(ps_xmi),
                                            [['name', name], ['type', ptype], ['value', value]])


REROUTE = [('clientRerouteAlternateServerName', 'java.lang.String', 'db2b', 'list'),
           ('clientRerouteAlternatePortNumber', 'java.lang.String', '50000', 'list'),
           ('maxRetriesForClientReroute', 'java.lang.Integer', '10', 'plain'),
           ('enableSeamlessFailover', 'java.lang.Integer', '1', 'plain')]


def test_reroute_modifies_template_properties_and_never_duplicates(session):
    """Properties a DB2 template created (empty values, its own types) are modified in place, type kept."""
    add_property(session, 'clientRerouteAlternateServerName', 'java.lang.String', '')
    add_property(session, 'maxRetriesForClientReroute', 'java.lang.Integer', '')
    add_property(session, 'enableSeamlessFailover', 'java.lang.Integer', '2')
    results = run_script(session, wsadmin.datasource_reroute_script(['STMS'], REROUTE, True))
    assert [r for r in results if r['kind'] == 'saved'], results
    _ps, props = stms_properties(admin.Session(session.dm_dir))
    names = [p['name'] for p in props]
    for name, ptype, value, _kind in REROUTE:
        assert names.count(name) == 1
        assert [(p['type'], p['value']) for p in props if p['name'] == name] == [(ptype, value)]


def test_reroute_refuses_a_data_source_with_a_duplicate_property(session):
    """The old script modified one of the two silently."""
    add_property(session, 'maxRetriesForClientReroute', 'java.lang.Integer', '3')
    add_property(session, 'maxRetriesForClientReroute', 'java.lang.Integer', '5')
    results = run_script(session, wsadmin.datasource_reroute_script(['STMS'], REROUTE, True))
    errors = [r for r in results if r['kind'] == 'error']
    assert errors and 'more than one custom property named maxRetriesForClientReroute' in errors[0]['message']
    assert not [r for r in results if r['kind'] in ('selected', 'changed', 'saved')]


def test_reroute_keeps_the_type_a_template_gave(session):
    add_property(session, 'clientRerouteAlternatePortNumber', 'java.lang.Integer', '')
    run_script(session, wsadmin.datasource_reroute_script(['STMS'], REROUTE, True))
    _ps, props = stms_properties(admin.Session(session.dm_dir))
    assert [(p['type'], p['value']) for p in props if p['name'] == 'clientRerouteAlternatePortNumber'] == [
        ('java.lang.Integer', '50000')]
