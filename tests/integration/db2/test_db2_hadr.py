# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""db2_hadr role, db2_takeover playbook and the DB2 modules against the lab's two DB2 emulators (db2a, db2b).

The tests run in file order: a fresh pair (emulator state reset, db2a holds STMS with circular logging, db2b
nothing) -> converge -> idempotence -> alternate servers -> unknown alias -> takeover and back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CONVERGE = os.path.join(HERE, 'converge.yml')
TAKEOVER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), 'playbooks', 'db2_takeover.yml')
STATE = '/home/db2inst1/sqllib/db2emu/state.json'


EMULATE_101 = (
    "import json; p = '/home/db2inst1/sqllib/db2emu/config.json'; c = json.load(open(p)); "
    "c.update(db2_version='10.1', db2pd_transient_reads=1); open(p, 'w').write(json.dumps(c))")


def clp(lab_exec, host, command):
    proc = lab_exec(host, ['su', '-', 'db2inst1', '-c', 'LANG=C ' + command])
    return proc.stdout


def hadr(lab_exec, host):
    return clp(lab_exec, host, 'db2pd -db STMS -hadr')


def state_bytes(lab_exec, host):
    return lab_exec(host, ['cat', STATE]).stdout


@pytest.fixture(scope='module')
def fresh_pair(lab):
    def in_host(host, cmd):
        return subprocess.run([lab.labctl, 'exec', host, '--'] + cmd, stdout=subprocess.PIPE,
                              universal_newlines=True, check=False).stdout

    subprocess.run([lab.labctl, 'hooks', 'db2a', 'db2b'], check=True, stdout=subprocess.PIPE)  # current emulator
    # db2a emulates DB2 10.1 (backup images named STMS.0.db2inst1.NODE0000.CATN0000.<ts>.001) and its first active
    # db2pd read is transient (header + "Changing data structure forced command termination."): the modules re-read.
    in_host('db2a', ['python3', '-c', EMULATE_101])
    for host in ('db2a', 'db2b'):
        in_host(host, ['su', '-', 'db2inst1', '-c', 'python3 /opt/ibm/db2/V10.5/bin/db2emu.py --lab-reset'])
        in_host(host, ['sh', '-c', 'rm -f /home/db2inst1/backup/STMS.*'])
    subprocess.run([lab.labctl, 'hooks', 'db2a', 'db2b'], check=True, stdout=subprocess.PIPE)
    assert 'Database alias                       = STMS' in in_host('db2a', ['su', '-', 'db2inst1', '-c',
                                                                             'db2 list db directory'])
    assert 'SQL1057W' in in_host('db2b', ['su', '-', 'db2inst1', '-c', 'db2 list db directory'])
    return True


def test_check_mode_on_the_fresh_pair_reports_the_build_and_changes_nothing(fresh_pair, ansible_playbook, lab_exec):
    # Issue 20: db2_backup's check mode in the role lists the commands of the standby build; nothing runs.
    before = dict((h, state_bytes(lab_exec, h)) for h in ('db2a', 'db2b'))
    proc = ansible_playbook(CONVERGE, '--check', '-v')
    assert proc.returncode == 0, proc.stdout[-3000:]
    # db2a's STMS is inactive with circular logging after the reset: an offline backup, nothing to deactivate.
    assert '"commands": ["db2 backup db STMS to /home/db2inst1/backup"]' in proc.stdout
    assert '"offline": true' in proc.stdout
    assert 'db2b would be rebuilt as HADR standby from an offline backup of db2a' in proc.stdout
    assert dict((h, state_bytes(lab_exec, h)) for h in ('db2a', 'db2b')) == before
    for host in ('db2a', 'db2b'):
        assert lab_exec(host, ['sh', '-c', 'ls /home/db2inst1/backup']).stdout.split() == []


def test_role_converges_pair_to_peer(fresh_pair, ansible_playbook, lab_exec):
    proc = ansible_playbook(CONVERGE)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stats['db2a']['changed'] > 0 and proc.stats['db2b']['changed'] > 0
    primary = hadr(lab_exec, 'db2a')          # db2a prints the 10.1+ format
    assert 'HADR_ROLE = PRIMARY' in primary and 'HADR_STATE = PEER' in primary
    assert 'HADR_CONNECT_STATUS = CONNECTED' in primary
    standby = hadr(lab_exec, 'db2b')          # db2b prints the 9.7 table format
    assert '-- Standby --' in standby
    assert [line.split()[:2] for line in standby.splitlines() if line.startswith('Standby ')] == [['Standby', 'Peer']]
    cfg = clp(lab_exec, 'db2a', 'db2 get db cfg for STMS')
    assert '(LOGARCHMETH1) = DISK:/home/db2inst1/arch/' in cfg
    assert '(HADR_REMOTE_HOST) = 203.0.113.41' in cfg
    # Issue 17 point 2: the 10.1-style image name was found by alias and timestamp and restored on db2b.
    images = lab_exec('db2a', ['sh', '-c', 'ls /home/db2inst1/backup']).stdout.split()
    assert len(images) == 1 and re.match(r'^STMS\.0\.db2inst1\.NODE0000\.CATN0000\.\d{14}\.001$', images[0]), images
    assert lab_exec('db2b', ['sh', '-c', 'ls /home/db2inst1/backup']).stdout.split() == images


def test_second_run_changes_nothing(fresh_pair, ansible_playbook):
    proc = ansible_playbook(CONVERGE)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stats['db2a']['changed'] == 0 and proc.stats['db2b']['changed'] == 0


def test_logarchmeth1_written_without_trailing_slash_is_idempotent(fresh_pair, ansible_playbook):
    # Issue 17 point 3: DB2 prints DISK:/home/db2inst1/arch/; asking for it without the slash changes nothing.
    proc = ansible_playbook(CONVERGE, '-e', 'db2_hadr_logarchmeth1=disk:/home/db2inst1/arch')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stats['db2a']['changed'] == 0 and proc.stats['db2b']['changed'] == 0


def test_unreadable_db2pd_output_stops_the_role_before_any_change(fresh_pair, ansible_playbook, lab_exec):
    # Issue 17 point 1 on the lab pair: db2b's next three db2pd reads are transient; the role re-reads, fails
    # quoting them, and neither server is touched.
    before = dict((h, state_bytes(lab_exec, h)) for h in ('db2a', 'db2b'))
    lab_exec('db2b', ['python3', '-c', EMULATE_101.replace(
        "db2_version='10.1', db2pd_transient_reads=1", 'db2pd_transient_reads=3')])
    proc = ansible_playbook(CONVERGE)
    assert proc.returncode != 0
    assert 'did not show the HADR role of STMS in 3 reads' in proc.stdout
    assert 'Changing data structure forced command termination.' in proc.stdout
    assert 'could not be read' in proc.stdout
    assert dict((h, state_bytes(lab_exec, h)) for h in ('db2a', 'db2b')) == before


def test_live_primary_is_never_made_a_standby(fresh_pair, ansible_adhoc, lab_exec):
    # Issue 17 point 1, on the real module: db2a runs as primary; role=standby fails and changes nothing.
    before = state_bytes(lab_exec, 'db2a')
    proc = ansible_adhoc('db2a', 'sametime.deploy.db2_hadr', 'database=STMS role=standby reintegrate=true')
    assert proc.returncode != 0
    assert 'runs as the HADR PRIMARY on this host' in proc.stdout
    assert 'HADR_ROLE = PRIMARY' in hadr(lab_exec, 'db2a') and state_bytes(lab_exec, 'db2a') == before


def test_value_smuggling_a_second_parameter_is_refused(fresh_pair, ansible_adhoc, lab_exec):
    # Issue 17 point 6: nothing reaches the CLP; the error names the option.
    before = state_bytes(lab_exec, 'db2a')
    proc = ansible_adhoc('db2a', 'sametime.deploy.db2_hadr',
                         "database=STMS role=primary local_host='203.0.113.40 HADR_SYNCMODE ASYNC'")
    assert proc.returncode != 0 and 'local_host' in proc.stdout and 'not a host name' in proc.stdout
    assert state_bytes(lab_exec, 'db2a') == before


def test_alternate_servers_point_at_each_other(fresh_pair, lab_exec):
    for host, partner in (('db2a', '203.0.113.41'), ('db2b', '203.0.113.40')):
        listing = clp(lab_exec, host, 'db2 list db directory')
        assert ' Alternate server hostname            = %s\n' % partner in listing
        assert ' Alternate server port number         = 50000\n' in listing


def test_unknown_alias_fails_clearly_and_changes_nothing(fresh_pair, ansible_adhoc, ansible_playbook, lab_exec):
    before = dict((h, state_bytes(lab_exec, h)) for h in ('db2a', 'db2b'))
    proc = ansible_adhoc('db2a', 'sametime.deploy.db2_alternate_server',
                         'database=STMX hostname=203.0.113.41 port=50000')
    assert proc.returncode != 0
    assert "Database alias 'STMX' is not in the system database directory" in proc.stdout
    assert 'Nothing was changed' in proc.stdout
    proc = ansible_playbook(CONVERGE, '-e', 'db2_hadr_database=STMX')
    assert proc.returncode != 0
    assert 'STMX is not in the system database directory' in proc.stdout.replace('\n', ' ').replace('  ', ' ')
    after = dict((h, state_bytes(lab_exec, h)) for h in ('db2a', 'db2b'))
    assert after == before


def test_takeover_swaps_roles_and_is_idempotent(fresh_pair, ansible_playbook, lab_exec):
    preview = ansible_playbook(TAKEOVER, '-e', 'db2_takeover_new_primary=db2b', '--check')
    assert preview.returncode == 0 and 'db2 takeover hadr on db STMS will run on db2b' in preview.stdout
    assert 'HADR_ROLE = PRIMARY' in hadr(lab_exec, 'db2a')
    first = ansible_playbook(TAKEOVER, '-e', 'db2_takeover_new_primary=db2b')
    assert first.returncode == 0, first.stdout[-3000:]
    assert first.stats['db2b']['changed'] == 1
    assert 'HADR_ROLE = STANDBY' in hadr(lab_exec, 'db2a')
    assert any(line.startswith('Primary Peer') for line in hadr(lab_exec, 'db2b').splitlines())
    second = ansible_playbook(TAKEOVER, '-e', 'db2_takeover_new_primary=db2b')
    assert second.returncode == 0
    assert second.stats['db2a']['changed'] == 0 and second.stats['db2b']['changed'] == 0
    # The role keeps the roles it finds (no switch back, nothing changed).
    again = ansible_playbook(CONVERGE)
    assert again.returncode == 0 and again.stats['db2a']['changed'] == 0 and again.stats['db2b']['changed'] == 0
    back = ansible_playbook(TAKEOVER, '-e', 'db2_takeover_new_primary=db2a')
    assert back.returncode == 0 and back.stats['db2a']['changed'] == 1
    assert 'HADR_ROLE = PRIMARY' in hadr(lab_exec, 'db2a')
