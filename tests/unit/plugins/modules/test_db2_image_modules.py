# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""db2_backup / db2_restore main() against the project's DB2 emulator (tests/emulators/db2), one instance per
test directory: the real CLP runner builds the commands, the emulator answers in the documented formats and
keeps the database state the assertions read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os
import re
import shutil
import subprocess

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import db2clp
from ansible_collections.sametime.deploy.plugins.modules import db2_backup, db2_restore
from ansible_collections.sametime.deploy.tests.lab.ports import free_port

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
EMULATOR = os.path.join(REPO, 'tests', 'emulators', 'db2')
FIXTURES = os.path.join(REPO, 'tests', 'unit', 'plugins', 'module_utils', 'fixtures', 'db2')
MARKER = '--- output (verbatim) ---\n'


def documented_image_names():
    with io.open(os.path.join(FIXTURES, 'backup_image_names.txt'), encoding='utf-8') as handle:
        return handle.read().split(MARKER, 1)[1].splitlines()


class EmulatedInstance(db2clp.Db2Runner):
    """The real Db2Runner (directory, db_cfg, hadr_status, run_checked) over an emulated instance: only the
    process call differs (no su, no db2profile: the emulator's state directory is given in the environment)."""

    reread_attempts = 3
    reread_delay = 0

    def __init__(self, root, name, **config):  # pylint: disable=super-init-not-called
        self.instance = 'db2inst1'
        self.sdir = os.path.join(str(root), name, 'sqllib', 'db2emu')
        os.makedirs(self.sdir)
        conf = {'instance': 'db2inst1', 'start_wait_cap': 1}
        conf.update(config)
        with open(os.path.join(self.sdir, 'config.json'), 'w') as handle:
            json.dump(conf, handle)
        self.calls = []

    def _tool(self, tool, args):
        env = dict(os.environ, DB2EMU_STATE_DIR=self.sdir, LANG='C', LC_ALL='C')
        proc = subprocess.run([os.path.join(EMULATOR, tool)] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, env=env, timeout=60, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def clp(self, command):
        self.calls.append(command)
        return self._tool('db2', [command])

    def db2pd(self, args):
        return self._tool('db2pd', args)

    def db2(self, command):
        """A setup command outside the module (not recorded)."""
        return self._tool('db2', [command])[:2]

    def state(self):
        with open(os.path.join(self.sdir, 'state.json'), 'rb') as handle:
            return handle.read()

    def database(self, alias='STMS'):
        return json.loads(self.state().decode('utf-8'))['databases'][alias]


def install(monkeypatch, module, runner):
    """Every DB2 module gets its runner from db2clp.run_db2."""
    assert module.run_db2 is db2clp.run_db2
    monkeypatch.setattr(db2clp, 'Db2Runner', lambda *args, **kwargs: runner)


def clp_writes(runner):
    return [c for c in runner.calls if c.split()[0] in ('deactivate', 'backup', 'restore', 'update', 'start')]


@pytest.fixture
def images(tmp_path):
    path = tmp_path / 'backup'
    path.mkdir()
    return str(path)


def pending_primary(tmp_path, name='a', **config):
    """STMS active with circular logging, then switched to archive logging: BACKUP PENDING while active, as
    db2_hadr role=primary state=configured leaves a fresh database."""
    inst = EmulatedInstance(tmp_path, name, **config)
    assert inst.db2('create db STMS')[0] == 0
    assert inst.db2('activate db STMS')[0] == 0
    arch = tmp_path / ('arch-' + name)
    arch.mkdir()
    assert inst.db2('update db cfg for STMS using LOGARCHMETH1 DISK:%s/' % arch)[0] in (0, 2)
    assert inst.database()['backup_pending'] and inst.database()['active']
    return inst


# ------------------------------------------------------------------------------------------ db2_backup

@pytest.mark.parametrize('version, partition', [('10.1', 'NODE0000.CATN0000'), ('11.5', 'DBPART000')])
def test_backup_deactivates_a_pending_database_and_returns_the_image_by_alias_and_timestamp(
        tmp_path, images, monkeypatch, run_module, version, partition):
    inst = pending_primary(tmp_path, db2_version=version)
    install(monkeypatch, db2_backup, inst)
    result, failed = run_module(db2_backup, {'database': 'stms', 'target_dir': images})
    assert not failed, result
    assert clp_writes(inst) == ['deactivate db STMS', 'backup db STMS to %s' % images]
    assert result['changed'] is True and result['offline'] is True and result['deactivated'] is True
    assert re.match(r'^\d{14}$', result['timestamp'])
    assert os.listdir(images) == [result['image_name']]
    assert result['image_name'] == 'STMS.0.db2inst1.%s.%s.001' % (partition, result['timestamp'])
    assert result['image'] == os.path.join(images, result['image_name'])
    assert inst.database()['backup_pending'] is False


def test_backup_check_mode_reports_the_commands_and_changes_nothing(tmp_path, images, monkeypatch, run_module):
    inst = pending_primary(tmp_path)
    before = inst.state()
    install(monkeypatch, db2_backup, inst)
    result, failed = run_module(db2_backup, {'database': 'STMS', 'target_dir': images, '_ansible_check_mode': True})
    assert not failed, result
    assert result['changed'] is True and result['timestamp'] is None and result['image'] is None
    assert result['commands'] == ['db2 deactivate db STMS', 'db2 backup db STMS to %s' % images]
    assert clp_writes(inst) == [] and os.listdir(images) == [] and inst.state() == before


def test_backup_of_a_recoverable_active_database_is_online(tmp_path, images, monkeypatch, run_module):
    inst = pending_primary(tmp_path)
    inst.db2('deactivate db STMS')
    inst.db2('backup db STMS to %s' % tmp_path)  # clears BACKUP PENDING
    assert inst.db2('activate db STMS')[0] == 0
    install(monkeypatch, db2_backup, inst)
    result, failed = run_module(db2_backup, {'database': 'STMS', 'target_dir': images})
    assert not failed, result
    assert clp_writes(inst) == ['backup db STMS online to %s' % images]
    assert result['offline'] is False and inst.database()['active'] is True
    assert os.listdir(images) == [result['image_name']]


def test_backup_never_deactivates_an_hadr_primary(tmp_path, images, monkeypatch, run_module):
    inst = pending_primary(tmp_path)
    inst.db2('deactivate db STMS')
    inst.db2('backup db STMS to %s' % tmp_path)
    port, remote = free_port(), free_port()
    assert inst.db2('update db cfg for STMS using HADR_LOCAL_HOST 127.0.0.1 HADR_LOCAL_SVC %d HADR_REMOTE_HOST '
                    '127.0.0.1 HADR_REMOTE_SVC %d HADR_REMOTE_INST db2inst1' % (port, remote))[0] in (0, 2)
    assert inst.db2('start hadr on db STMS as primary by force')[0] == 0
    try:
        before = inst.state()
        install(monkeypatch, db2_backup, inst)
        result, failed = run_module(db2_backup, {'database': 'STMS', 'target_dir': images, 'mode': 'offline'})
        assert failed and 'never deactivated' in result['msg'] and 'Nothing was changed' in result['msg']
        assert clp_writes(inst) == [] and inst.state() == before and os.listdir(images) == []
    finally:
        inst.db2('deactivate db STMS')


def test_backup_refuses_a_value_that_would_smuggle_a_clp_parameter(tmp_path, monkeypatch, run_module):
    inst = pending_primary(tmp_path)
    before = inst.state()
    install(monkeypatch, db2_backup, inst)
    result, failed = run_module(db2_backup, {'database': 'STMS', 'target_dir': '%s compress' % tmp_path})
    assert failed and 'target_dir' in result['msg'] and 'nothing was run' in result['msg']
    assert inst.calls == [] and inst.state() == before


def test_backup_fails_closed_on_an_unknown_image_name(tmp_path, images, monkeypatch, run_module):
    # BACKUP printed its timestamp but the file in target_dir has a partition part no release documents.
    inst = pending_primary(tmp_path)

    def clp(command):
        rc, out, err = EmulatedInstance.clp(inst, command)
        if command.startswith('backup'):
            for name in os.listdir(images):
                os.rename(os.path.join(images, name), os.path.join(images, name.replace('DBPART000', 'PART0')))
        return rc, out, err

    inst.clp = clp
    install(monkeypatch, db2_backup, inst)
    result, failed = run_module(db2_backup, {'database': 'STMS', 'target_dir': images})
    assert failed and 'Expected one backup image of STMS' in result['msg'] and 'PART0' in result['msg']


# ------------------------------------------------------------------------------------------ db2_restore

def backup_of(tmp_path, images):
    inst = pending_primary(tmp_path)
    inst.db2('deactivate db STMS')
    out = inst.db2('backup db STMS to %s' % images)[1]
    return db2clp.parse_backup_timestamp(out)


def test_restore_on_an_empty_instance_leaves_rollforward_pending(tmp_path, images, monkeypatch, run_module):
    stamp = backup_of(tmp_path, images)
    standby = EmulatedInstance(tmp_path, 'b')
    install(monkeypatch, db2_restore, standby)
    result, failed = run_module(db2_restore, {'database': 'STMS', 'source_dir': images, 'timestamp': stamp})
    assert not failed, result
    assert clp_writes(standby) == [
        'restore db STMS from %s taken at %s replace history file without prompting' % (images, stamp)]
    assert result['rollforward_pending'] == 'DATABASE' and result['deactivated'] is False
    assert standby.database()['rollforward_pending'] is True


def test_backup_then_restore_chain_through_a_copied_image(tmp_path, images, monkeypatch, run_module):
    # What the role does: db2_backup on the primary, the image copied, db2_restore with the returned timestamp
    # over an active standard database of the same alias (deactivated first).
    primary = pending_primary(tmp_path, db2_version='10.1')
    install(monkeypatch, db2_backup, primary)
    backup, failed = run_module(db2_backup, {'database': 'STMS', 'target_dir': images})
    assert not failed, backup
    standby = EmulatedInstance(tmp_path, 'b')
    standby.db2('create db STMS')
    standby.db2('activate db STMS')
    copied = tmp_path / 'copied'
    copied.mkdir()
    shutil.copy(backup['image'], str(copied))
    install(monkeypatch, db2_restore, standby)
    result, failed = run_module(db2_restore, {'database': 'STMS', 'source_dir': str(copied),
                                              'timestamp': backup['timestamp']})
    assert not failed, result
    assert clp_writes(standby)[0] == 'deactivate db STMS' and result['deactivated'] is True
    assert result['image_name'] == backup['image_name']
    db = standby.database()
    assert db['rollforward_pending'] is True and db['cfg']['LOGARCHMETH1'] == primary.database()['cfg']['LOGARCHMETH1']
    assert standby.db2('start hadr on db STMS as standby')[1].startswith('SQL1768N')  # HADR cfg still empty: the
    # restored database is a standby-to-be, not refused for its state (SQL1768N reason 8 = missing HADR values)


def test_restore_without_the_image_fails_before_deactivating(tmp_path, images, monkeypatch, run_module):
    stamp = backup_of(tmp_path, images)
    standby = EmulatedInstance(tmp_path, 'b')
    standby.db2('create db STMS')
    standby.db2('activate db STMS')
    before = standby.state()
    install(monkeypatch, db2_restore, standby)
    wrong = str(int(stamp) - 1)
    result, failed = run_module(db2_restore, {'database': 'STMS', 'source_dir': images, 'timestamp': wrong})
    assert failed and 'Expected one backup image of STMS taken at %s' % wrong in result['msg']
    assert clp_writes(standby) == [] and standby.state() == before and standby.database()['active'] is True


def test_restore_check_mode_changes_nothing(tmp_path, images, monkeypatch, run_module):
    stamp = backup_of(tmp_path, images)
    standby = EmulatedInstance(tmp_path, 'b')
    standby.db2('create db STMS')
    standby.db2('activate db STMS')
    before = standby.state()
    install(monkeypatch, db2_restore, standby)
    result, failed = run_module(db2_restore, {'database': 'STMS', 'source_dir': images, 'timestamp': stamp,
                                              '_ansible_check_mode': True})
    assert not failed and result['changed'] is True
    assert result['commands'][0] == 'db2 deactivate db STMS' and result['rollforward_pending'] is None
    assert clp_writes(standby) == [] and standby.state() == before


def test_restore_never_overwrites_an_hadr_primary(tmp_path, images, monkeypatch, run_module):
    stamp = backup_of(tmp_path, images)
    standby = EmulatedInstance(tmp_path, 'b')
    standby.db2('create db STMS')
    assert standby.db2('update db cfg for STMS using LOGARCHMETH1 LOGRETAIN HADR_LOCAL_HOST 127.0.0.1 '
                       'HADR_LOCAL_SVC %d HADR_REMOTE_HOST 127.0.0.1 HADR_REMOTE_SVC %d HADR_REMOTE_INST db2inst1'
                       % (free_port(), free_port()))[0] in (0, 2)
    standby.db2('backup db STMS to %s' % tmp_path)
    assert standby.db2('start hadr on db STMS as primary by force')[0] == 0
    try:
        before = standby.state()
        install(monkeypatch, db2_restore, standby)
        result, failed = run_module(db2_restore, {'database': 'STMS', 'source_dir': images, 'timestamp': stamp})
        assert failed and 'runs as the HADR PRIMARY' in result['msg'] and 'restored over' in result['msg']
        assert clp_writes(standby) == [] and standby.state() == before
    finally:
        standby.db2('deactivate db STMS')


def test_restore_refuses_a_timestamp_that_is_not_one(tmp_path, images, monkeypatch, run_module):
    standby = EmulatedInstance(tmp_path, 'b')
    install(monkeypatch, db2_restore, standby)
    result, failed = run_module(db2_restore, {'database': 'STMS', 'source_dir': images,
                                              'timestamp': '20181012140633 without rolling forward'})
    assert failed and 'timestamp' in result['msg'] and 'nothing was run' in result['msg']
    assert standby.calls == []


# ------------------------------------------------------------------------------------------ pure functions

@pytest.mark.parametrize('name', documented_image_names())
def test_documented_image_names_are_found_by_alias_and_timestamp(name):
    alias, _kind, instance = name.split('.')[:3]
    stamp = name.split('.')[-2]
    others = [name.replace(stamp, str(int(stamp) + 1)), 'OTHER' + name[len(alias):]]
    assert db2clp.find_backup_image(others + [name], alias.lower(), stamp, instance) == name
    assert db2clp.find_backup_image([name], alias, stamp) == name
    with pytest.raises(db2clp.Db2Error, match='found 0'):
        db2clp.find_backup_image(others, alias, stamp, instance)


@pytest.mark.parametrize('cfg, status, mode, expected', [
    ({'BACKUP_PENDING': 'YES', 'LOGARCHMETH1': 'DISK:/a/'}, ('STANDARD', True), 'auto', (True, True)),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'OFF'}, ('STANDARD', True), 'auto', (True, True)),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'DISK:/a/'}, ('STANDARD', True), 'auto', (False, False)),
    ({'BACKUP_PENDING': 'YES', 'LOGARCHMETH1': 'DISK:/a/'}, (None, False), 'auto', (True, False)),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'DISK:/a/'}, ('PRIMARY', True), 'auto', (False, False)),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'DISK:/a/', 'HADR_DB_ROLE': 'PRIMARY'}, (None, False), 'offline',
     (True, False)),
    ({'BACKUP_PENDING': 'YES', 'LOGARCHMETH1': 'DISK:/a/'}, ('PRIMARY', True), 'auto', 'never deactivated'),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'DISK:/a/', 'HADR_DB_ROLE': 'PRIMARY'}, ('STANDARD', True), 'offline',
     'never deactivated'),
    ({'BACKUP_PENDING': 'YES', 'LOGARCHMETH1': 'DISK:/a/'}, ('STANDARD', True), 'online', 'SQL2413N'),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'DISK:/a/', 'HADR_DB_ROLE': 'STANDBY'}, (None, False), 'auto',
     'HADR STANDBY'),
    ({'BACKUP_PENDING': 'NO', 'LOGARCHMETH1': 'DISK:/a/'}, ('STANDBY', True), 'online', 'HADR STANDBY'),
])
def test_backup_plan(cfg, status, mode, expected):
    cfg = dict({'HADR_DB_ROLE': status[0] if status[0] in ('PRIMARY', 'STANDBY') else 'STANDARD'}, **cfg)
    live = {'active': status[1], 'role': status[0]}
    if isinstance(expected, tuple):
        assert db2clp.backup_plan('STMS', cfg, live, mode) == expected
    else:
        with pytest.raises(db2clp.Db2Error, match=expected):
            db2clp.backup_plan('STMS', cfg, live, mode)


# ------------------------------------------------------------------------------------------ one connection spec

DB2_MODULES = ('db2_alternate_server', 'db2_backup', 'db2_hadr', 'db2_hadr_info', 'db2_restore')


def test_doc_fragment_states_the_connection_spec():
    import yaml
    from ansible_collections.sametime.deploy.plugins.doc_fragments.db2 import ModuleDocFragment
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    spec = db2clp.connection_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        assert documented[name]['type'] == option['type'], name
        assert documented[name].get('default') == option.get('default'), name
        assert bool(documented[name].get('required')) == bool(option.get('required')), name


@pytest.mark.parametrize('name', DB2_MODULES)
def test_every_db2_module_takes_the_connection_options_from_the_fragment(name):
    import ast
    import yaml
    path = os.path.join(REPO, 'plugins', 'modules', name + '.py')
    with io.open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    docs = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and getattr(node.targets[0], 'id', '') == 'DOCUMENTATION'][0]
    doc = yaml.safe_load(docs)
    assert 'sametime.deploy.db2' in doc['extends_documentation_fragment']
    assert not set(doc.get('options') or {}) & set(db2clp.connection_argument_spec())
    keywords = [kw.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for kw in node.keywords]
    assert not set(keywords) & set(db2clp.connection_argument_spec())  # no option restated in main()
    assert 'db2_module' in [getattr(node.func, 'id', '') for node in ast.walk(tree)
                            if isinstance(node, ast.Call)]  # db2clp.db2_module adds connection_argument_spec()
