# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The DB2 emulator against the documented output formats (reference samples in
tests/unit/plugins/module_utils/fixtures/db2), and its HADR pair over loopback (two instances, two ports)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os
import re
import subprocess
import time

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import db2clp
from ansible_collections.sametime.deploy.tests.lab.ports import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
EMU = os.path.join(HERE, 'db2emu.py')
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FIXTURES = os.path.join(REPO, 'tests', 'unit', 'plugins', 'module_utils', 'fixtures', 'db2')

MARKER = '--- output (verbatim) ---\n'


def sample(name):
    with io.open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        text = handle.read()
    # Each corpus file starts with its source (URL/document, DB2 version); the output follows the marker.
    return text.split(MARKER, 1)[1]


class Instance(object):
    def __init__(self, root, name, **config):
        self.sdir = os.path.join(str(root), name, 'sqllib', 'db2emu')
        os.makedirs(self.sdir)
        conf = {'instance': 'db2inst1', 'start_wait_cap': 2}
        conf.update(config)
        with open(os.path.join(self.sdir, 'config.json'), 'w') as handle:
            json.dump(conf, handle)

    def db2(self, command, **env):
        # argv[0] picks the tool: run db2emu.py under the name "db2" through a symlink.
        return self._tool('db2', command, **env)

    def db2pd(self, *args):
        return self._tool('db2pd', *args)

    def _tool(self, name, *args, **env):
        environ = dict(os.environ, DB2EMU_STATE_DIR=self.sdir, LANG='C', LC_ALL='C')
        environ.update(env)
        proc = subprocess.run([os.path.join(HERE, name)] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, env=environ, timeout=60, check=False)
        return proc.returncode, proc.stdout


@pytest.fixture
def inst(tmp_path):
    return Instance(tmp_path, 'a')


@pytest.fixture
def pair(tmp_path):
    a = Instance(tmp_path, 'a')
    b = Instance(tmp_path, 'b', db2pd_format='9.7')
    pa, pb = free_port(), free_port()
    yield a, b, pa, pb
    for side in (a, b):
        side.db2('deactivate db STMS')


def test_update_alternate_output_is_the_documented_wrapped_sample(inst):
    assert inst.db2('create db STMS')[0] == 0
    rc, out = inst.db2('update alternate server for database STMS using hostname db2b.example.com port 50000')
    assert out == sample('alt_success_wrapped.txt')
    assert rc == 2  # DB21056W is a warning (reference: rc 0 or 2, uncertain; emulator default 2)


def test_unknown_alias_is_sql1013n_rc4(inst):
    rc, out = inst.db2('update alternate server for database STMX using hostname h port 1')
    assert rc == 4
    assert out.replace('  \n', '  ') == sample('sql1013n.txt')


def test_directory_layout_matches_the_documented_samples(inst):
    inst.db2('create db STMS')
    rc, out = inst.db2('list db directory')
    assert rc == 0
    reference = sample('dir_alt_unset_115.txt')
    ref_labels = [line.split('=')[0] for line in reference.splitlines() if '=' in line and line.startswith(' ')]
    got_labels = [line.split('=')[0] for line in out.splitlines() if '=' in line and line.startswith(' ')]
    assert got_labels == ref_labels
    assert ' Alternate server hostname            = \n' in out   # empty value with the trailing blank
    inst.db2('update alternate server for db STMS using hostname gauss port 1000')
    assert ' Alternate server hostname            = gauss\n' in inst.db2('list db directory')[1]
    inst.db2('update alternate server for db STMS using hostname NULL port NULL')
    assert ' Alternate server port number         = \n' in inst.db2('list db directory')[1]


def test_empty_directory(inst):
    rc, out = inst.db2('list db directory')
    assert 'SQL1057W  The system database directory is empty.  SQLSTATE=01606' in out and rc == 2
    rc, out = inst.db2('list db directory', LANG='zh_CN.UTF-8', LC_ALL='zh_CN.UTF-8')
    assert u'SQL1057W 系统数据库目录为空。' in out


def test_db_cfg_layout(inst):
    inst.db2('create db STMS')
    out = inst.db2('get db cfg for STMS')[1]
    reference = sample('dbcfg_hadr_11.txt')
    for line in reference.splitlines():
        label = line.split('=')[0]
        if 'SSL' in label:
            continue  # 11.5 lines; the emulator's default cfg_level is 10.5
        assert label in out
    assert ' First log archive method                 (LOGARCHMETH1) = OFF\n' in out


def test_hadr_prerequisites_and_backup_restore(pair, tmp_path):
    a, b, pa, pb = pair
    a.db2('create db STMS')
    assert a.db2('start hadr on db STMS as primary')[1].startswith('SQL1768N  Unable to start HADR. Reason code = "1".')
    rc, out = a.db2('update db cfg for STMS using LOGARCHMETH1 DISK:/tmp/arch')
    assert rc == 0 and 'DB20000I' in out
    assert 'Backup pending                                          = YES' in a.db2('get db cfg for STMS')[1]
    assert 'Reason code = "8"' in a.db2('start hadr on db STMS as primary')[1]
    rc, out = a.db2('backup db STMS to %s' % tmp_path)
    stamp = re.search(r'image is : (\d{14})', out).group(1)
    names = sample('backup_image_names.txt').splitlines()
    assert os.path.exists(os.path.join(str(tmp_path), names[1].replace('STMS.0.db2inst1', 'STMS.0.db2inst1')
                                       .replace('20181012140633', stamp)))
    rc, out = b.db2('restore db STMS from %s taken at %s replace history file without prompting' % (tmp_path, stamp))
    assert rc == 0 and 'DB20000I  The RESTORE DATABASE command completed successfully.' in out
    assert 'Rollforward pending                                     = DATABASE' in b.db2('get db cfg for STMS')[1]


def _configure(a, b, pa, pb, tmp_path):
    a.db2('create db STMS')
    a.db2('update db cfg for STMS using LOGARCHMETH1 DISK:/tmp/arch')
    out = a.db2('backup db STMS to %s' % tmp_path)[1]
    stamp = re.search(r'image is : (\d{14})', out).group(1)
    b.db2('restore db STMS from %s taken at %s without prompting' % (tmp_path, stamp))
    common = 'HADR_REMOTE_INST db2inst1 HADR_SYNCMODE NEARSYNC HADR_PEER_WINDOW 60 HADR_TIMEOUT 120'
    a.db2('update db cfg for STMS using HADR_LOCAL_HOST 127.0.0.1 HADR_LOCAL_SVC %d HADR_REMOTE_HOST 127.0.0.1 '
          'HADR_REMOTE_SVC %d %s' % (pa, pb, common))
    b.db2('update db cfg for STMS using HADR_LOCAL_HOST 127.0.0.1 HADR_LOCAL_SVC %d HADR_REMOTE_HOST 127.0.0.1 '
          'HADR_REMOTE_SVC %d %s' % (pb, pa, common))


def _wait(check, seconds=8):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_hadr_pair_start_peer_takeover(pair, tmp_path):
    a, b, pa, pb = pair
    _configure(a, b, pa, pb, tmp_path)
    # Standby not started: the primary waits (capped at 2 s here) and gives reason 7.
    rc, out = a.db2('start hadr on db STMS as primary')
    assert rc == 4 and out.startswith('SQL1768N  Unable to start HADR. Reason code = "7".')
    # A database that is not rollforward pending cannot become a standby.
    assert 'Reason code = "2"' in a.db2('start hadr on db STMS as standby')[1]
    assert b.db2('start hadr on db STMS as standby') == (
        0, 'DB20000I  The START HADR ON DATABASE command completed successfully.\n')
    assert a.db2('start hadr on db STMS as primary')[0] == 0
    assert _wait(lambda: 'HADR_STATE = PEER' in a.db2pd('-db', 'STMS', '-hadr')[1])
    pd97 = b.db2pd('-db', 'STMS', '-hadr')[1]
    assert 'HADR Information:\nRole    State                SyncMode HeartBeatsMissed   LogGapRunAvg (bytes)\n' in pd97
    assert '\nStandby Peer                 Nearsync 0                  0\n' in pd97
    # Takeover on the primary is refused; on the standby it swaps the roles.
    assert a.db2('takeover hadr on db STMS')[0] == 4
    assert b.db2('takeover hadr on db STMS')[0] == 0
    assert 'HADR_ROLE = STANDBY' in a.db2pd('-db', 'STMS', '-hadr')[1]
    assert b.db2pd('-db', 'STMS', '-hadr')[1].count('\nPrimary ') == 1
    # The standby goes away: the primary sees it at once (DISCONNECTED_PEER inside the 60 s peer window).
    a.db2('deactivate db STMS')
    assert _wait(lambda: '\nPrimary DisconnectedPeer' in b.db2pd('-db', 'STMS', '-hadr')[1])
    assert 'not activated on database' in a.db2pd('-db', 'STMS', '-hadr')[1]


def test_db2_without_instance_environment(tmp_path):
    env = dict(os.environ)
    env.pop('DB2EMU_STATE_DIR', None)
    env.pop('DB2INSTANCE', None)
    proc = subprocess.run([os.path.join(HERE, 'db2'), 'list db directory'], stdout=subprocess.PIPE,
                          universal_newlines=True, env=env, check=False)
    assert proc.returncode == 4 and proc.stdout.startswith('SQL1390C')


# ------------------------------------------------------------------------------------------ issue 17: bent to the corpus

@pytest.mark.parametrize('version, partition', [('9.7', 'NODE0000.CATN0000'), ('10.1', 'NODE0000.CATN0000'),
                                                ('10.5', 'DBPART000'), ('11.5', 'DBPART000')])
def test_backup_image_name_per_emulated_version(tmp_path, version, partition):
    inst = Instance(tmp_path, 'v', db2_version=version)
    inst.db2('create db STMS')
    out = inst.db2('backup db STMS to %s' % tmp_path)[1]
    stamp = db2clp.parse_backup_timestamp(out)
    documented = [n for n in sample('backup_image_names.txt').splitlines() if partition in n][0]
    fields = documented.split('.')
    expected = '.'.join(['STMS', fields[1], 'db2inst1'] + fields[3:-2] + [stamp, fields[-1]])
    assert sorted(f for f in os.listdir(str(tmp_path)) if f.startswith('STMS.')) == [expected]
    # The image is found by alias and timestamp, whatever the partition part (as the role finds it).
    other = Instance(tmp_path, 'w')
    assert other.db2('restore db STMS from %s taken at %s without prompting' % (tmp_path, stamp))[0] == 0


def test_logarchmeth1_disk_printed_upper_case_with_trailing_slash(inst):
    inst.db2('create db STMS')
    inst.db2('update db cfg for STMS using LOGARCHMETH1 disk:/tmp/arch')
    out = inst.db2('get db cfg for STMS')[1]
    documented = sample('dbcfg_logarchmeth1_disk.txt')
    assert documented.replace('/db2/arch/mysample/', '/tmp/arch/') in out
    assert db2clp.parse_db_cfg(out)['LOGARCHMETH1'] == 'DISK:/tmp/arch/'


def test_db2pd_of_an_active_database_without_hadr_says_so(inst):
    inst.db2('create db STMS')
    inst.db2('activate db STMS')
    try:
        out = inst.db2pd('-db', 'STMS', '-hadr')[1]
        documented = sample('db2pd_hadr_not_active_standard.txt')
        assert out.splitlines()[3:] == documented.splitlines()[3:]  # after the header: the same lines
        status = db2clp.parse_db2pd_hadr(out)
        assert (status['active'], status['role']) == (True, 'STANDARD')
    finally:
        inst.db2('deactivate db STMS')


def test_db2pd_transient_reads_are_what_the_parser_refuses(tmp_path):
    inst = Instance(tmp_path, 't', db2pd_transient_reads=1)
    inst.db2('create db STMS')
    inst.db2('activate db STMS')
    try:
        first = inst.db2pd('-db', 'STMS', '-hadr')[1]
        assert first.splitlines()[3:] == sample('db2pd_transient.txt').splitlines()[3:]
        with pytest.raises(db2clp.Db2IncompleteOutput):
            db2clp.parse_db2pd_hadr(first)
        assert db2clp.parse_db2pd_hadr(inst.db2pd('-db', 'STMS', '-hadr')[1])['role'] == 'STANDARD'
    finally:
        inst.db2('deactivate db STMS')


def test_success_messages_are_the_corpus_texts(tmp_path):
    inst = Instance(tmp_path, 'm')
    inst.db2('create db STMS')
    assert inst.db2('update db cfg for STMS using HADR_TIMEOUT 120')[1] == sample('update_db_cfg_success.txt')
    inst.db2('update db cfg for STMS using LOGARCHMETH1 DISK:%s' % tmp_path)
    stamp = db2clp.parse_backup_timestamp(inst.db2('backup db STMS to %s' % tmp_path)[1])
    other = Instance(tmp_path, 'n')
    assert other.db2('restore db STMS from %s taken at %s without prompting' % (tmp_path, stamp))[1] == sample(
        'restore_success.txt')
