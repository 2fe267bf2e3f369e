# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No copy of the WAS password on disk at any instant, even when the module is killed during wsadmin.

A real child process runs run_wsadmin with a stand-in wsadmin.sh that reads its -p file (checking the password
without writing it anywhere) and then sleeps. The test scans every regular file under the child's TMPDIR while it
runs, SIGKILLs the whole process group at several instants, and scans again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

PASSWORD = 'S3cret-kill-test-Pw'

FAKE_WSADMIN = textwrap.dedent('''\
    #!/bin/sh
    # stand-in for wsadmin.sh: find -p, read it like wsadmin does, never copy it
    while [ $# -gt 0 ]; do
        if [ "$1" = "-p" ]; then props="$2"; fi
        shift
    done
    touch "$MARKS/started"
    if [ "$PHASE" = before_read ]; then sleep 60; fi
    if grep -q "com.ibm.SOAP.loginPassword=$EXPECTED" "$props"; then touch "$MARKS/password-ok"; fi
    touch "$MARKS/read"
    sleep 60
    ''')

CHILD = textwrap.dedent('''\
    import subprocess, sys
    from ansible_collections.sametime.deploy.plugins.module_utils import wsadmin

    class Module(object):
        def run_command(self, cmd, environ_update=None):
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            return proc.returncode, proc.stdout, proc.stderr

        def fail_json(self, **kwargs):
            sys.exit(kwargs)

    wsadmin.run_wsadmin(Module(), sys.argv[1], 'print 1\\n', 'ssc', 8879, 'wasadmin', sys.argv[2])
    ''')


def copies_on_disk(root):
    """Regular files under root whose bytes contain the password (FIFOs hold nothing on disk and are skipped)."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    continue
                with open(path, 'rb') as handle:
                    if PASSWORD.encode() in handle.read():
                        found.append(path)
            except OSError:
                continue
    return found


def wait_for(path, child, timeout=30):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        assert child.poll() is None, 'the module process ended early'
        assert time.time() < deadline, 'timed out waiting for %s' % path
        time.sleep(0.02)


@pytest.mark.parametrize('phase', ['before_read', 'after_read'])
def test_sigkill_during_wsadmin_leaves_no_password_on_disk(tmp_path, phase):
    tmp, marks = tmp_path / 'tmp', tmp_path / 'marks'
    tmp.mkdir()
    marks.mkdir()
    fake = tmp_path / 'wsadmin.sh'
    fake.write_text(FAKE_WSADMIN)
    fake.chmod(0o755)
    env = dict(os.environ, TMPDIR=str(tmp), MARKS=str(marks), PHASE=phase, EXPECTED=PASSWORD, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, '-c', CHILD, str(fake), PASSWORD], env=env, start_new_session=True)
    seen = []
    try:
        wait_for(str(marks / 'started'), child)
        seen += copies_on_disk(str(tmp))
        if phase == 'after_read':
            wait_for(str(marks / 'read'), child)
            assert (marks / 'password-ok').exists(), 'wsadmin did not receive the password through -p'
        seen += copies_on_disk(str(tmp))
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    seen += copies_on_disk(str(tmp))
    assert seen == []
    assert copies_on_disk(str(tmp_path)) == []
