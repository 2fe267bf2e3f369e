# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""db2_alternate_server / db2_hadr / db2_hadr_info main() with a scripted CLP that answers with the documented
samples (tests/unit/plugins/module_utils/fixtures/db2) - no emulator involved."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import db2clp
from ansible_collections.sametime.deploy.plugins.modules import db2_alternate_server, db2_hadr, db2_hadr_info

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'module_utils', 'fixtures', 'db2')

MARKER = '--- output (verbatim) ---\n'


def sample(name):
    with io.open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        text = handle.read()
    # Each corpus file starts with its source (URL/document, DB2 version); the output follows the marker.
    return text.split(MARKER, 1)[1]


DIR_SET = sample('dir_alt_set_97.txt')        # CSSMR -> b20acirdb001st.nankoh.japan.ibm.com:60010
DIR_UNSET = sample('dir_alt_unset_115.txt')   # HADRDB, empty alternate fields
WRAPPED_OK = sample('alt_success_wrapped.txt')
CFG_PRIMARY = sample('dbcfg_hadr_11.txt') + ' First log archive method                 (LOGARCHMETH1) = DISK:/a/\n'
PD_PRIMARY = sample('db2pd_hadr_111.txt')


class FakeRunner(object):
    """Answers CLP commands from a script: {command-prefix: [(rc, stdout), ...]} consumed in order."""

    instance = 'db2inst1'
    reread_attempts = 3
    reread_delay = 0

    def __init__(self, script):
        self.script = dict((k, list(v)) for k, v in script.items())
        self.calls = []

    def clp(self, command):
        self.calls.append(command)
        for prefix, answers in self.script.items():
            if command.startswith(prefix):
                return (answers.pop(0) if len(answers) > 1 else answers[0]) + ('',)
        raise AssertionError('unexpected db2 command %r' % command)

    def db2pd(self, args):
        self.calls.append('db2pd ' + ' '.join(args))
        answers = self.script['db2pd']
        return (answers.pop(0) if len(answers) > 1 else answers[0]) + ('',)

    directory = db2clp.Db2Runner.directory
    db_cfg = db2clp.Db2Runner.db_cfg
    hadr_status = db2clp.Db2Runner.hadr_status
    run_checked = db2clp.Db2Runner.run_checked


def install(monkeypatch, module, runner):
    """Every DB2 module gets its runner from db2clp.run_db2."""
    assert module.run_db2 is db2clp.run_db2
    monkeypatch.setattr(db2clp, 'Db2Runner', lambda *args, **kwargs: runner)


def updates(runner):
    return [c for c in runner.calls if c.startswith('update') or c.startswith('start') or c.startswith('deactivate')]


def test_alternate_server_sets_empty_entry_accepting_rc2_and_rereads(monkeypatch, run_module):
    after = DIR_UNSET.replace('hostname            =\n', 'hostname            = db2b.example.com\n', 1).replace(
        'port number         =\n', 'port number         = 50000\n', 1)
    runner = FakeRunner({'list db directory': [(0, DIR_UNSET), (0, after)],
                         'update alternate server': [(2, WRAPPED_OK)]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'hadrdb', 'hostname': 'db2b.example.com',
                                                       'port': 50000, '_ansible_diff': True})
    assert not failed, result
    assert result['changed'] is True
    assert runner.calls == ['list db directory',
                            'update alternate server for database HADRDB using hostname db2b.example.com port 50000',
                            'list db directory']
    assert result['messages'][0] == 'DB20000I The UPDATE ALTERNATE SERVER FOR DATABASE command completed successfully.'
    assert result['diff']['after'] == 'alternate server: db2b.example.com:50000\n'


def test_alternate_server_unchanged_runs_no_update(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(0, DIR_SET)]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'CSSMR', 'port': 60010,
                                                       'hostname': 'b20acirdb001st.nankoh.japan.ibm.com'})
    assert not failed and result['changed'] is False
    assert runner.calls == ['list db directory']


def test_alternate_server_check_mode_runs_no_update(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(0, DIR_SET)]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'CSSMR', 'state': 'absent', '_ansible_check_mode': True})
    assert not failed and result['changed'] is True
    assert runner.calls == ['list db directory']


def test_alternate_server_unknown_alias_fails_before_any_update(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(0, DIR_UNSET)]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'STMX', 'hostname': 'h', 'port': 1})
    assert failed
    assert "Database alias 'STMX' is not in the system database directory" in result['msg']
    assert 'HADRDB' in result['msg'] and 'Nothing was changed' in result['msg']
    assert updates(runner) == []


def test_alternate_server_update_that_did_not_take_effect_fails(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(0, DIR_UNSET)], 'update alternate server': [(2, WRAPPED_OK)]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'HADRDB', 'hostname': 'h', 'port': 1})
    assert failed and 'reported success but `list db directory` shows' in result['msg']


def test_alternate_server_sql1013n_is_reported(monkeypatch, run_module):
    # The alias vanished between the read and the update: the CLP's own SQL1013N (rc 4) surfaces.
    runner = FakeRunner({'list db directory': [(0, DIR_UNSET)], 'update alternate server': [(4, sample('sql1013n.txt'))]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'HADRDB', 'hostname': 'h', 'port': 1})
    assert failed and 'rc=4: SQL1013N' in result['msg']


def test_alternate_server_localized_output_fails_clearly(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(2, u'SQL1057W 系统数据库目录为空。\n')]})
    install(monkeypatch, db2_alternate_server, runner)
    result, failed = run_module(db2_alternate_server, {'database': 'STMS', 'hostname': 'h', 'port': 1})
    assert failed and 'not in English' in result['msg']


def test_hadr_info_from_db2pd(monkeypatch, run_module):
    text = DIR_UNSET.replace('HADRDB', 'HATEST')
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, CFG_PRIMARY)], 'db2pd': [(0, PD_PRIMARY)]})
    install(monkeypatch, db2_hadr_info, runner)
    result, failed = run_module(db2_hadr_info, {'database': 'HATEST'})
    assert not failed
    assert (result['role'], result['state'], result['connect_status'], result['source']) == (
        'PRIMARY', 'PEER', 'CONNECTED', 'db2pd')
    assert result['cfg']['HADR_REMOTE_HOST'] == 'db2-ec2'


def test_hadr_info_inactive_falls_back_to_db_cfg(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(0, DIR_UNSET)], 'get db cfg': [(0, CFG_PRIMARY)],
                         'db2pd': [(0, sample('db2pd_not_active.txt'))]})
    install(monkeypatch, db2_hadr_info, runner)
    result, failed = run_module(db2_hadr_info, {'database': 'HADRDB'})
    assert not failed
    assert (result['active'], result['role'], result['state'], result['source']) == (False, 'PRIMARY', None, 'db cfg')


def test_hadr_info_missing_alias_is_not_an_error(monkeypatch, run_module):
    runner = FakeRunner({'list db directory': [(2, 'SQL1057W  The system database directory is empty.  SQLSTATE=01606\n')]})
    install(monkeypatch, db2_hadr_info, runner)
    result, failed = run_module(db2_hadr_info, {'database': 'STMS'})
    assert not failed and result['exists'] is False


HADR_ARGS = {'database': 'HATEST', 'role': 'primary', 'local_host': 'db2-server1', 'local_svc': '50010',
             'remote_host': 'db2-ec2', 'remote_svc': '50012', 'remote_instance': 'db2inst1', 'syncmode': 'NEARSYNC',
             'peer_window': 0, 'timeout': 120}


def test_hadr_primary_in_peer_with_wanted_settings_changes_nothing(monkeypatch, run_module):
    text = DIR_UNSET.replace('HADRDB', 'HATEST')
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, CFG_PRIMARY)], 'db2pd': [(0, PD_PRIMARY)]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS))
    assert not failed, result
    assert result['changed'] is False and result['commands'] == [] and updates(runner) == []
    assert (result['role'], result['state']) == ('PRIMARY', 'PEER')


def test_hadr_changed_parameter_on_running_pair_is_not_restarted(monkeypatch, run_module):
    text = DIR_UNSET.replace('HADRDB', 'HATEST')
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, CFG_PRIMARY)], 'db2pd': [(0, PD_PRIMARY)],
                         'update db cfg': [(0, 'DB20000I  The UPDATE DATABASE CONFIGURATION command completed '
                                               'successfully.\n')]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, peer_window=120))
    assert not failed, result
    assert updates(runner) == ['update db cfg for HATEST using HADR_PEER_WINDOW 120']
    assert result['restart_required'] is True


@pytest.mark.parametrize('args, message', [
    (dict(HADR_ARGS, role='standby'), 'runs as the HADR PRIMARY on this host'),
    (dict(HADR_ARGS, role='standby', reintegrate=True), 'runs as the HADR PRIMARY on this host'),
])
def test_hadr_refuses_role_switch_before_any_change(monkeypatch, run_module, args, message):
    text = DIR_UNSET.replace('HADRDB', 'HATEST')
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, CFG_PRIMARY)], 'db2pd': [(0, PD_PRIMARY)]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(args, peer_window=999))
    assert failed and message in result['msg'] and updates(runner) == []


def test_hadr_circular_logging_refused_before_any_change(monkeypatch, run_module):
    text = DIR_UNSET.replace('HADRDB', 'HATEST')
    cfg = sample('dbcfg_hadr_11.txt').replace('= PRIMARY', '= STANDARD') + \
        ' First log archive method                 (LOGARCHMETH1) = OFF\n'
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, cfg)],
                         'db2pd': [(0, sample('db2pd_not_active.txt'))]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, peer_window=60))
    assert failed and 'circular logging (LOGARCHMETH1=OFF)' in result['msg'] and updates(runner) == []


def test_hadr_standby_started_after_deactivate(monkeypatch, run_module):
    text = DIR_UNSET.replace('HADRDB', 'HATEST')
    cfg = CFG_PRIMARY.replace('= PRIMARY', '= STANDARD')
    ok = (0, 'DB20000I  The START HADR ON DATABASE command completed successfully.\n')
    standby = PD_PRIMARY.replace('-- Active --', '-- Standby --').replace('HADR_ROLE = PRIMARY', 'HADR_ROLE = STANDBY')
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, cfg)],
                         'db2pd': [(0, sample('db2pd_not_active.txt')), (0, standby)], 'start hadr': [ok]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, role='standby'))
    assert not failed, result
    assert updates(runner) == ['start hadr on db HATEST as standby']
    assert result['changed'] is True and result['role'] == 'STANDBY'


# ------------------------------------------------------------------------------------------ issue 17

HATEST_DIR = DIR_UNSET.replace('HADRDB', 'HATEST')
NOT_ACTIVE_STANDARD = sample('db2pd_hadr_not_active_standard.txt').replace('STMS', 'HATEST')
TRANSIENT = sample('db2pd_transient.txt').replace('STMS', 'HATEST')


@pytest.mark.parametrize('db2pd_output', [TRANSIENT, TRANSIENT.replace('Changing data structure forced command '
                                                                       'termination.', '')])
def test_primary_with_incomplete_db2pd_output_is_never_made_a_standby(monkeypatch, run_module, db2pd_output):
    # Point 1: old code read the header-only output as STANDARD and planned deactivate + start as standby.
    runner = FakeRunner({'list db directory': [(0, HATEST_DIR)], 'get db cfg': [(0, CFG_PRIMARY)],
                         'db2pd': [(0, db2pd_output)]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, role='standby', _ansible_check_mode=True))
    assert failed, result
    assert 'did not show the HADR role' in result['msg'] and 'Database Member 0 -- Database HATEST' in result['msg']
    assert updates(runner) == [] and runner.calls.count('db2pd -db HATEST -hadr') == 3


def test_configured_primary_running_without_hadr_is_not_demoted(monkeypatch, run_module):
    # Point 1: configured role PRIMARY wins over a live STANDARD ("HADR is not active.") unless reintegrate.
    runner = FakeRunner({'list db directory': [(0, HATEST_DIR)], 'get db cfg': [(0, CFG_PRIMARY)],
                         'db2pd': [(0, NOT_ACTIVE_STANDARD)]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, role='standby'))
    assert failed and 'configured as the HADR PRIMARY' in result['msg'] and updates(runner) == []


def test_reintegrate_allows_the_inactive_former_primary(monkeypatch, run_module):
    ok = (0, 'DB20000I  The START HADR ON DATABASE command completed successfully.\n')
    standby = PD_PRIMARY.replace('-- Active --', '-- Standby --').replace('HADR_ROLE = PRIMARY', 'HADR_ROLE = STANDBY')
    runner = FakeRunner({'list db directory': [(0, HATEST_DIR)], 'get db cfg': [(0, CFG_PRIMARY)],
                         'db2pd': [(0, sample('db2pd_not_active.txt')), (0, standby)], 'start hadr': [ok]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, role='standby', reintegrate=True))
    assert not failed, result
    assert updates(runner) == ['start hadr on db HATEST as standby']


@pytest.mark.parametrize('option, value', [
    ('local_host', 'db2a HADR_SYNCMODE ASYNC'), ('remote_svc', '55002 HADR_TIMEOUT 5'),
    ('remote_instance', 'db2inst1 HADR_PEER_WINDOW 0'), ('logarchmeth1', 'DISK:/arch HADR_SYNCMODE ASYNC'),
])
def test_hadr_value_smuggling_a_parameter_fails_before_any_db2_call(monkeypatch, run_module, option, value):
    # Point 6: old code ran `update db cfg ... using HADR_LOCAL_HOST db2a HADR_SYNCMODE ASYNC`.
    runner = FakeRunner({'list db directory': [(0, HATEST_DIR)], 'get db cfg': [(0, CFG_PRIMARY)],
                         'db2pd': [(0, PD_PRIMARY)]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, **{option: value}))
    assert failed and (option + ' ') in result['msg'] and runner.calls == []


def test_logarchmeth1_as_db2_prints_it_is_idempotent(monkeypatch, run_module):
    # Point 3: CFG_PRIMARY shows `DISK:/a/`; asking for `disk:/a` must not re-issue update db cfg.
    runner = FakeRunner({'list db directory': [(0, HATEST_DIR)], 'get db cfg': [(0, CFG_PRIMARY)],
                         'db2pd': [(0, PD_PRIMARY)]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, logarchmeth1='disk:/a'))
    assert not failed, result
    assert result['changed'] is False and updates(runner) == []


def test_hadr_commands_refused_on_a_cataloged_remote_alias(monkeypatch, run_module):
    # Point 5: a Remote entry can lead to another server (and to its alternate); HADR commands need the local one.
    remote = ' System Database Directory\n\nDatabase 1 entry:\n\n' + sample('dir_remote_101.txt').replace(
        'TESTDB', 'HATEST')
    cfg = CFG_PRIMARY.replace('= PRIMARY', '= STANDARD')
    runner = FakeRunner({'list db directory': [(0, remote)], 'get db cfg': [(0, cfg)],
                         'db2pd': [(0, sample('db2pd_not_active.txt'))]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, role='standby'))
    assert failed and "of type 'Remote', not Indirect" in result['msg'] and updates(runner) == []


def test_start_that_did_not_take_effect_on_this_host_fails(monkeypatch, run_module):
    # Point 5: DB20000I alone does not prove the command ran here; db2pd on this host must show the new role.
    cfg = CFG_PRIMARY.replace('= PRIMARY', '= STANDARD')
    ok = (0, 'DB20000I  The START HADR ON DATABASE command completed successfully.\n')
    runner = FakeRunner({'list db directory': [(0, HATEST_DIR)], 'get db cfg': [(0, cfg)],
                         'db2pd': [(0, sample('db2pd_not_active.txt'))], 'start hadr': [ok]})
    install(monkeypatch, db2_hadr, runner)
    result, failed = run_module(db2_hadr, dict(HADR_ARGS, role='standby'))
    assert failed and 'may have reached another server' in result['msg']


def test_hadr_info_reports_entry_type_and_accepts_accented_comment(monkeypatch, run_module):
    text = HATEST_DIR.replace('Comment                              =', u'Comment                              = réplica', 1)
    runner = FakeRunner({'list db directory': [(0, text)], 'get db cfg': [(0, CFG_PRIMARY)], 'db2pd': [(0, PD_PRIMARY)]})
    install(monkeypatch, db2_hadr_info, runner)
    result, failed = run_module(db2_hadr_info, {'database': 'HATEST'})
    assert not failed, result
    assert (result['entry_type'], result['role']) == ('Indirect', 'PRIMARY')
