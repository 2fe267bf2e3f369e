# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import db2clp

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'db2')

MARKER = '--- output (verbatim) ---\n'


def sample(name):
    """A verbatim output sample from the DB2 reference (fixtures/db2/README.md)."""
    with io.open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        text = handle.read()
    # Each corpus file starts with its source (URL/document, DB2 version); the output follows the marker.
    return text.split(MARKER, 1)[1]


# ------------------------------------------------------------------------------------------ messages

@pytest.mark.parametrize('name, expected', [
    ('alt_success_wrapped.txt', [('DB20000I', 'I', 'The UPDATE ALTERNATE SERVER FOR DATABASE command completed '
                                                   'successfully.'),
                                 ('DB21056W', 'W', 'Directory changes may not be effective until the directory '
                                                   'cache is refreshed.')]),
    ('alt_success_oneline.txt', [('DB20000I', 'I', 'The UPDATE ALTERNATE SERVER FOR DATABASE command completed '
                                                   'successfully.')]),
    ('sql1013n.txt', [('SQL1013N', 'E', 'The database alias name or database name "STMX" could not be found.  '
                                        'SQLSTATE=42705')]),
])
def test_messages_of_verbatim_samples(name, expected):
    got = [(m['id'], m['severity'], m['text']) for m in db2clp.parse_messages(sample(name))]
    assert got == expected


def test_wrapped_message_without_trailing_blank_is_joined_with_a_space():
    text = 'SQL1013N  The database alias name or database name "STMX" could not be\nfound.  SQLSTATE=42705\n'
    assert db2clp.parse_messages(text)[0]['text'].endswith('could not be found.  SQLSTATE=42705')


def test_describe_failure_names_the_db2_message():
    assert db2clp.describe_failure(4, sample('sql1013n.txt')).startswith('rc=4: SQL1013N The database alias')


# ------------------------------------------------------------------------------------------ list db directory

def test_directory_97_alternate_set():
    entries = db2clp.parse_db_directory(sample('dir_alt_set_97.txt'))
    assert len(entries) == 1  # the sample elides entry 1 with "..."
    entry = entries[0]
    assert entry['entry_number'] == 2
    assert entry['alias'] == 'CSSMR'
    assert entry['entry_type'] == 'Indirect'
    assert entry['alternate_hostname'] == 'b20acirdb001st.nankoh.japan.ibm.com'
    assert entry['alternate_port'] == '60010'
    assert entry['release_level'] == 'd.00'
    assert entry['comment'] == ''


def test_directory_115_empty_alternate_fields():
    entries = db2clp.parse_db_directory(sample('dir_alt_unset_115.txt'))
    entry = db2clp.find_entry(entries, 'hadrdb')
    assert entry['alias'] == 'HADRDB'
    assert entry['alternate_hostname'] == ''
    assert entry['alternate_port'] == ''
    assert entry['local_directory'] == '/db2sd_20200603021640/db2inst1/dbpath'
    needed, tail, before, after = db2clp.alternate_server_plan(entry, 'db2b.example.com', 50000, 'present')
    assert (needed, before, after) == (True, '', 'db2b.example.com:50000')
    assert tail == 'using hostname db2b.example.com port 50000'
    assert db2clp.alternate_server_plan(entry, None, None, 'absent')[0] is False


def test_directory_empty_value_with_trailing_blank():
    text = sample('dir_alt_unset_115.txt').replace('port number         =\n', 'port number         = \n')
    assert text != sample('dir_alt_unset_115.txt')
    assert db2clp.parse_db_directory(text)[0]['alternate_port'] == ''


def test_directory_remote_entry_has_node_and_no_local_directory():
    text = ' System Database Directory\n\nDatabase 1 entry:\n\n' + sample('dir_remote_101.txt')
    entry = db2clp.parse_db_directory(text)[0]
    assert entry['node'] == 'HADR01'
    assert entry['entry_type'] == 'Remote'
    assert entry['catalog_partition'] == '-1'
    assert 'local_directory' not in entry


def test_directory_local_kc_sample():
    entry = db2clp.parse_db_directory(sample('dir_local_kc.txt'))[0]
    assert (entry['alias'], entry['database_directory'], entry['entry_type']) == ('SAMPLE', 'SQL00001', 'Home')


def test_directory_plan_is_idempotent_for_the_set_value():
    entry = db2clp.parse_db_directory(sample('dir_alt_set_97.txt'))[0]
    assert db2clp.alternate_server_plan(entry, 'b20acirdb001st.nankoh.japan.ibm.com', 60010, 'present')[0] is False
    assert db2clp.alternate_server_plan(entry, 'b20acirdb001st.nankoh.japan.ibm.com', 60011, 'present')[0] is True
    needed, tail, before, after = db2clp.alternate_server_plan(entry, None, None, 'absent')
    assert (needed, tail, after) == (True, 'using hostname NULL port NULL', '')
    assert before == 'b20acirdb001st.nankoh.japan.ibm.com:60010'


@pytest.mark.parametrize('text', [
    '\nSQL1057W  The system database directory is empty.  SQLSTATE=01606\n\n',
    'SQL1031N  The database directory cannot be found on the indicated file system.  SQLSTATE=58031\n',
])
def test_directory_empty(text):
    assert db2clp.parse_db_directory(text) == []


def test_directory_localized_output_is_rejected_clearly():
    with pytest.raises(db2clp.Db2LocaleError) as info:
        db2clp.parse_db_directory(u'SQL1057W 系统数据库目录为空。\n')
    assert 'not in English' in str(info.value) and 'LANG=C' in str(info.value)


def test_directory_unknown_ascii_output_is_rejected():
    german_like = ' Systemdatenbankverzeichnis\n\nEintrag 1:\n\n Aliasname der Datenbank = STMS\n'
    with pytest.raises(db2clp.Db2Error) as info:
        db2clp.parse_db_directory(german_like)
    assert 'Unrecognised' in str(info.value)


def test_directory_error_message_is_raised():
    with pytest.raises(db2clp.Db2Error) as info:
        db2clp.parse_db_directory(sample('sql1013n.txt'))
    assert 'SQL1013N' in str(info.value)


# ------------------------------------------------------------------------------------------ get db cfg

def test_db_cfg_hadr_block():
    cfg = db2clp.parse_db_cfg(sample('dbcfg_hadr_11.txt'))
    assert cfg['HADR_DB_ROLE'] == 'PRIMARY'
    assert cfg['HADR_LOCAL_HOST'] == 'db2-server1'
    assert cfg['HADR_LOCAL_SVC'] == '50010'
    assert cfg['HADR_REMOTE_INST'] == 'db2inst1'
    assert cfg['HADR_TARGET_LIST'] == ''
    assert cfg['HADR_SPOOL_LIMIT'] == 'AUTOMATIC(52000)'
    assert cfg['HADR_PEER_WINDOW'] == '0'
    assert cfg['HADR_SSL_HOST_VAL'] == 'OFF'
    changes = db2clp.cfg_changes(cfg, {'HADR_LOCAL_HOST': 'DB2-SERVER1', 'HADR_SYNCMODE': 'nearsync',
                                       'HADR_PEER_WINDOW': 120, 'HADR_TIMEOUT': '120', 'HADR_REMOTE_INST': None})
    assert changes == {'HADR_PEER_WINDOW': ('0', '120')}
    assert db2clp.update_cfg_command('STMS', changes) == 'update db cfg for STMS using HADR_PEER_WINDOW 120'


def test_db_cfg_logarchmeth_line():
    line = ' First log archive method                 (LOGARCHMETH1) = DISK:/db2/arch/mysample/\n'
    cfg = db2clp.parse_db_cfg(sample('dbcfg_hadr_11.txt') + line)
    assert cfg['LOGARCHMETH1'] == 'DISK:/db2/arch/mysample/'
    assert db2clp.archive_logging_on(cfg)
    assert not db2clp.archive_logging_on({'LOGARCHMETH1': 'OFF'})


def test_db_cfg_localized_rejected():
    with pytest.raises(db2clp.Db2LocaleError):
        db2clp.parse_db_cfg(sample('dbcfg_hadr_11.txt').replace('HADR database role', u'Rôle HADR'))


# ------------------------------------------------------------------------------------------ db2pd

def test_db2pd_101_format():
    status = db2clp.parse_db2pd_hadr(sample('db2pd_hadr_111.txt'))
    assert status['format'] == '10.1'
    assert status['active'] is True
    assert status['database'] == 'HATEST'
    assert (status['role'], status['state'], status['connect_status']) == ('PRIMARY', 'PEER', 'CONNECTED')
    assert (status['syncmode'], status['log_gap'], status['timeout'], status['peer_window']) == (
        'NEARSYNC', 0, 120, 7200)
    assert (status['primary_host'], status['standby_host']) == ('alpha', 'beta')


def test_db2pd_97_table_format():
    status = db2clp.parse_db2pd_hadr(sample('db2pd_hadr_97.txt'))
    assert status['format'] == '9.7'
    assert (status['role'], status['state'], status['syncmode']) == ('PRIMARY', 'PEER', 'SYNC')
    assert status['connect_status'] == 'CONNECTED'
    assert status['log_gap'] == 1412
    assert status['timeout'] == 8
    assert status['fields']['ConnectTime'] == 'Mon Sep 05 14:05:09 2006 (1158008709)'


@pytest.mark.parametrize('camel, upper', [
    ('RemoteCatchupPending', 'REMOTE_CATCHUP_PENDING'), ('DisconnectedPeer', 'DISCONNECTED_PEER'),
    ('Peer', 'PEER'), ('LocalCatchup', 'LOCAL_CATCHUP')])
def test_db2pd_97_state_names(camel, upper):
    text = sample('db2pd_hadr_97.txt').replace('Primary Peer                ', 'Standby ' + camel.ljust(20))
    status = db2clp.parse_db2pd_hadr(text)
    assert (status['role'], status['state']) == ('STANDBY', upper)


def test_db2pd_not_active():
    status = db2clp.parse_db2pd_hadr(sample('db2pd_not_active.txt'))
    assert status['active'] is False and status['role'] is None


def test_db2pd_standby_header():
    text = sample('db2pd_hadr_111.txt').replace('-- Active --', '-- Standby --').replace(
        'HADR_ROLE = PRIMARY', 'HADR_ROLE = STANDBY')
    status = db2clp.parse_db2pd_hadr(text)
    assert status['role'] == 'STANDBY'


def test_db2pd_non_ascii_value_is_data_not_a_locale():
    # Point 4: a localized date in a value (ru_RU prints `12.10.2018 г.`) does not hide an English label.
    status = db2clp.parse_db2pd_hadr(sample('db2pd_hadr_111.txt').replace('12.10.2018', u'12.10.2018 г.'))
    assert (status['role'], status['state']) == ('PRIMARY', 'PEER')


def test_db2pd_translated_header_rejected_as_localized():
    with pytest.raises(db2clp.Db2LocaleError) as info:
        db2clp.parse_db2pd_hadr(u'Datenbank-Member 0 -- Datenbank STMS -- Aktiv\nHADR ist nicht aktiv. Rolle: primär\n')
    assert 'not in English' in str(info.value) and 'primär' in str(info.value)


def test_db2pd_garbage_rejected():
    with pytest.raises(db2clp.Db2Error):
        db2clp.parse_db2pd_hadr('Datenbank STMS -- Aktiv\nHADR-Rolle = Primär'.replace(u'ä', 'a'))


def test_backup_timestamp():
    text = '\nBackup successful. The timestamp for this backup image is : 20181012140633\n\n'
    assert db2clp.parse_backup_timestamp(text) == '20181012140633'
    assert db2clp.parse_backup_timestamp('SQL2036N  The path ...') is None


# ------------------------------------------------------------------------------------------ validation

@pytest.mark.parametrize('hostname, port, state, ok', [
    ('db2b.acme.example', 50000, 'present', True),
    ('203.0.113.41', 50000, 'present', True),
    ('', 50000, 'present', False),
    ('db2b', None, 'present', False),
    ('db2b', 0, 'present', False),
    ('db2b', 70000, 'present', False),
    ('db2 b', 50000, 'present', False),
    (None, None, 'absent', True),
])
def test_validate_alternate(hostname, port, state, ok):
    assert (db2clp.validate_alternate(hostname, port, state) == []) is ok


# ------------------------------------------------------------------------------------------ corpus: IBM's own samples

def test_db2pd_101_ibm_wiki_sample():
    status = db2clp.parse_db2pd_hadr(sample('db2pd_hadr_101_wiki.txt'))
    got = (status['format'], status['database'], status['role'], status['state'])
    assert got == ('10.1', 'HADRDB', 'PRIMARY', 'PEER')
    assert (status['syncmode'], status['timeout'], status['peer_window'], status['log_gap']) == ('SYNC', 100, 0, 0)
    assert (status['primary_host'], status['standby_host']) == ('hostP.ibm.com', 'hostS1.ibm.com')


def test_db2pd_97_ibm_wiki_full_sample():
    status = db2clp.parse_db2pd_hadr(sample('db2pd_hadr_97_wiki_full.txt'))
    assert (status['format'], status['database'], status['role'], status['state']) == ('9.7', 'HADRDB', 'PRIMARY',
                                                                                       'PEER')
    assert (status['fields']['LocalHost'], status['fields']['RemoteService'], status['fields']['RemoteInstance']) == (
        'server1.ibm.com', 'hdr_svc2', 'accounting')
    assert (status['primary_host'], status['standby_host']) == ('server1.ibm.com', 'server2.ibm.com')


# ------------------------------------------------------------------------------------------ point 1: never guess a role

def test_db2pd_hadr_not_active_is_standard():
    status = db2clp.parse_db2pd_hadr(sample('db2pd_hadr_not_active_standard.txt'))
    assert (status['active'], status['role'], status['database']) == (True, 'STANDARD', 'STMS')


@pytest.mark.parametrize('text', [
    sample('db2pd_transient.txt'),
    # the header alone (old code: role STANDARD)
    sample('db2pd_hadr_not_active_standard.txt').replace('HADR is not active.', ''),
    # a 10.1 block cut off after the role
    '\n'.join(sample('db2pd_hadr_101_wiki.txt').splitlines()[:5]) + '\n',
])
def test_db2pd_incomplete_output_is_never_a_role(text):
    with pytest.raises(db2clp.Db2IncompleteOutput) as info:
        db2clp.parse_db2pd_hadr(text)
    assert 'Database Member 0' in str(info.value)  # quotes the raw text


@pytest.mark.parametrize('role_line', ['HADR_ROLE = PRIMARYX', 'HADR_ROLE = '])
def test_db2pd_unknown_role_value_refused(role_line):
    with pytest.raises(db2clp.Db2Error):
        db2clp.parse_db2pd_hadr(sample('db2pd_hadr_101_wiki.txt').replace('HADR_ROLE = PRIMARY', role_line))


def test_db2pd_requires_message_alone_is_unrecognised():
    with pytest.raises(db2clp.Db2Error):
        db2clp.parse_db2pd_hadr('Option -hadr requires -db <database> or -alldbs option and active database.\n')


def test_db_cfg_without_role_line_is_refused():
    text = ''.join(line for line in sample('dbcfg_hadr_11.txt').splitlines(True) if 'database role' not in line)
    with pytest.raises(db2clp.Db2Error) as info:
        db2clp.parse_db_cfg(text)
    assert 'HADR database role' in str(info.value)


class ScriptedDb2pd(object):
    reread_attempts = 3
    reread_delay = 0

    def __init__(self, outputs):
        self.outputs = list(outputs)
        self.calls = 0

    def db2pd(self, args):
        self.calls += 1
        return 0, self.outputs.pop(0), ''

    hadr_status = db2clp.Db2Runner.hadr_status


def test_runner_rereads_transient_output_then_uses_the_complete_one():
    runner = ScriptedDb2pd([sample('db2pd_transient.txt'), sample('db2pd_hadr_101_wiki.txt')])
    assert runner.hadr_status('HADRDB')['role'] == 'PRIMARY'
    assert runner.calls == 2


def test_runner_fails_quoting_raw_text_after_bounded_rereads():
    runner = ScriptedDb2pd([sample('db2pd_transient.txt')] * 5)
    with pytest.raises(db2clp.Db2Error) as info:
        runner.hadr_status('STMS')
    assert runner.calls == 3
    assert 'Changing data structure forced command termination.' in str(info.value)
    assert 'nothing was changed' in str(info.value)


@pytest.mark.parametrize('cfg_role, live_role, reintegrate, refused', [
    ('PRIMARY', 'PRIMARY', False, True), ('PRIMARY', 'PRIMARY', True, True),
    ('PRIMARY', 'STANDARD', False, True), ('PRIMARY', None, False, True), ('STANDARD', 'PRIMARY', True, True),
    ('PRIMARY', None, True, False), ('STANDARD', 'STANDARD', False, False), ('STANDBY', None, False, False),
])
def test_demotion_refusal_table(cfg_role, live_role, reintegrate, refused):
    assert (db2clp.demotion_refusal('STMS', cfg_role, live_role, reintegrate) is not None) is refused


# ------------------------------------------------------------------------------------------ point 6: input syntax

GOOD_HADR = {'database': 'STMS', 'local_host': 'db2a.example.com', 'remote_host': '203.0.113.41',
             'local_svc': '55001', 'remote_svc': 'DB2_HADR_2', 'remote_instance': 'db2inst1', 'syncmode': 'nearsync',
             'peer_window': 120, 'timeout': 120, 'logarchmeth1': 'DISK:/db2/arch'}


def test_valid_hadr_options_pass():
    assert db2clp.validate_hadr_params(GOOD_HADR) == []


@pytest.mark.parametrize('option, value', [
    ('local_host', 'db2a HADR_SYNCMODE ASYNC'), ('remote_host', 'db2b;reboot'), ('local_host', '999.1.1.1'),
    ('local_host', '-db2a'), ('local_host', 'a' * 256),
    ('local_svc', '55001 HADR_TIMEOUT 1'), ('remote_svc', '70000'), ('remote_svc', '0'), ('local_svc', 'svc name'),
    ('remote_instance', 'db2inst1 X'), ('remote_instance', 'db2instance1'), ('remote_instance', '1inst'),
    ('logarchmeth1', 'DISK:relative/path'), ('logarchmeth1', 'DISK:/a b'), ('logarchmeth1', 'TAPE:/x'),
    ('logarchmeth1', 'OFF HADR_SYNCMODE ASYNC'), ('logarchmeth1', 'VENDOR:libx.so'),
    ('database', 'STMS X'), ('database', 'TOOLONGNAME'), ('syncmode', 'FAST'), ('timeout', 0), ('peer_window', -1),
])
def test_invalid_hadr_option_is_named(option, value):
    problems = db2clp.validate_hadr_params(dict(GOOD_HADR, **{option: value}))
    assert len(problems) == 1 and problems[0].startswith(option + ' ')


@pytest.mark.parametrize('value', ['OFF', 'logretain', 'USEREXIT', 'TSM', 'TSM:MGMT_CLASS1', 'disk:/db2/arch/',
                                   'VENDOR:/opt/vendor/lib/libvend.so'])
def test_documented_logarchmeth_values_pass(value):
    assert db2clp.logarchmeth_problem(value) is None


# ------------------------------------------------------------------------------------------ point 3: logarchmeth1

@pytest.mark.parametrize('wanted', ['DISK:/db2/arch/mysample', 'disk:/db2/arch/mysample/', 'DISK:/db2/arch/mysample/'])
def test_logarchmeth1_as_printed_is_no_change(wanted):
    cfg = db2clp.parse_db_cfg(sample('dbcfg_hadr_11.txt') + sample('dbcfg_logarchmeth1_disk.txt'))
    assert cfg['LOGARCHMETH1'] == 'DISK:/db2/arch/mysample/'
    assert db2clp.cfg_changes(cfg, {'LOGARCHMETH1': wanted}) == {}


def test_logarchmeth1_other_path_is_a_change():
    cfg = db2clp.parse_db_cfg(sample('dbcfg_hadr_11.txt') + sample('dbcfg_logarchmeth1_disk.txt'))
    assert db2clp.cfg_changes(cfg, {'LOGARCHMETH1': 'DISK:/db2/arch/other'}) == {
        'LOGARCHMETH1': ('DISK:/db2/arch/mysample/', 'DISK:/db2/arch/other/')}


# ------------------------------------------------------------------------------------------ point 4: locale by labels

def test_directory_with_accented_comment_and_path_is_english():
    text = sample('dir_alt_unset_115.txt').replace(
        'Comment                              =', u'Comment                              = Base de données réplica', 1
    ).replace('/db2sd_20200603021640/db2inst1/dbpath', u'/données/db2inst1')
    entry = db2clp.parse_db_directory(text)[0]
    assert entry['comment'] == u'Base de données réplica'
    assert entry['local_directory'] == u'/données/db2inst1'


def test_db_cfg_with_accented_path_value_is_english():
    cfg = db2clp.parse_db_cfg(sample('dbcfg_hadr_11.txt') + sample('dbcfg_logarchmeth1_disk.txt').replace(
        'mysample', u'séquence'))
    assert cfg['LOGARCHMETH1'] == u'DISK:/db2/arch/séquence/'


def test_localized_sql1057w_is_still_refused():
    with pytest.raises(db2clp.Db2LocaleError):
        db2clp.parse_db_directory(u'SQL1057W 系统数据库目录为空。\n')


# ------------------------------------------------------------------------------------------ backup

def test_backup_timestamp_of_the_corpus_sample():
    assert db2clp.parse_backup_timestamp(sample('backup_success.txt')) == '20181012140633'


@pytest.mark.parametrize('name, command', [
    ('restore_success.txt', 'RESTORE DATABASE'), ('start_hadr_success.txt', 'START HADR ON DATABASE'),
    ('takeover_success.txt', 'TAKEOVER HADR ON DATABASE'), ('update_db_cfg_success.txt', 'UPDATE DATABASE CONFIGURATION'),
])
def test_success_messages_the_modules_rely_on(name, command):
    text = sample(name)
    assert [(m['id'], m['text']) for m in db2clp.parse_messages(text)] == [
        ('DB20000I', 'The %s command completed successfully.' % command)]
    assert db2clp.errors_in(text) == []
