# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make test`: every check the project has, one closing line of counts.

Stages: lint (ansible-lint production), sanity (ansible-test), unit (pytest: tests/unit + emulator tests),
then, with the lab up: integration (pytest tests/integration) and every molecule scenario. The lab is always
brought down at the end. A stage that cannot run counts as failed, never as skipped-and-passed.
usage: run_tests.py [--only stage,stage] [--no-lab]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# make test-compat points this at the ansible-core 2.16 venv
VENV = os.path.abspath(os.environ.get('RUN_TESTS_VENV', os.path.join(REPO, '.venv')))
BIN = os.path.join(VENV, 'bin')
RESULTS = os.path.join(REPO, 'build', 'test-results', os.path.basename(VENV))
STAGES = ('lint', 'sanity', 'unit', 'integration', 'molecule')
STAGE_PREFIX = os.environ.get('RUN_TESTS_STAGE_PREFIX', '')


class Tally(object):
    def __init__(self):
        self.rows = []  # (stage, name, outcome, seconds)

    def add(self, stage, name, outcome, seconds=0.0):
        self.rows.append((STAGE_PREFIX + stage, name, outcome, seconds))

    def count(self, outcome):
        return sum(1 for row in self.rows if row[2] == outcome)


def env():
    environ = dict(os.environ)
    environ['PATH'] = BIN + os.pathsep + environ.get('PATH', '')
    environ['VIRTUAL_ENV'] = VENV
    environ['ANSIBLE_CONFIG'] = os.path.join(REPO, 'ansible.cfg')
    environ['ANSIBLE_COLLECTIONS_PATH'] = os.path.join(REPO, '.collections')
    environ.setdefault('ANSIBLE_FORCE_COLOR', '0')
    environ['PY_COLORS'] = '0'
    return environ


def molecule_env():
    """What a user's shell has with only .venv active: each scenario finds the collection from its own molecule.yml
    (README: `cd extensions && molecule test -s <name>`), not from the runner's environment."""
    environ = env()
    for name in ('ANSIBLE_CONFIG', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS'):
        environ.pop(name, None)
    return environ


def run(cmd, log_name, cwd=REPO, environ=None):
    """Run a command, stream its output to the terminal and a log file; return (rc, output, seconds)."""
    os.makedirs(RESULTS, exist_ok=True)
    log_path = os.path.join(RESULTS, log_name + '.log')
    print('\n=== %s' % ' '.join(cmd), flush=True)
    started = time.time()
    out = []
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=environ or env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True)
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
            out.append(line)
        proc.wait()
    return proc.returncode, ''.join(out), time.time() - started


def junit_into(tally, stage, path, rc):
    """Count each test case of a pytest junit file; a run that produced no file is one failure."""
    if not os.path.exists(path):
        tally.add(stage, 'pytest (no results, rc=%s)' % rc, 'failed')
        return
    root = ET.parse(path).getroot()
    for case in root.iter('testcase'):
        name = '%s::%s' % (case.get('classname'), case.get('name'))
        if case.find('failure') is not None or case.find('error') is not None:
            outcome = 'failed'
        elif case.find('skipped') is not None:
            outcome = 'skipped'
        else:
            outcome = 'passed'
        tally.add(stage, name, outcome, float(case.get('time') or 0))
    if rc not in (0, 1, 5) and not any(row[0] == STAGE_PREFIX + stage and row[2] == 'failed' for row in tally.rows):
        tally.add(stage, 'pytest exited %s' % rc, 'failed')


def stage_lint(tally):
    rc, out, secs = run([os.path.join(BIN, 'ansible-lint'), '--offline', '--profile', 'production'], 'lint')
    tally.add('lint', 'ansible-lint --profile production', 'passed' if rc == 0 else 'failed', secs)


def stage_sanity(tally):
    rc, out, secs = run([os.path.join(REPO, 'tests', 'tools', 'sanity.sh'), VENV], 'sanity')
    tests = re.findall(r'^Running sanity test "([^"]+)"', out, re.M)
    failed = set(re.findall(r'^ERROR: Found \d+ ([\w.-]+) issue', out, re.M))
    if rc and 'sanity test(s) listed below' in out:
        listed = out.rsplit('sanity test(s) listed below', maxsplit=1)[-1]
        failed |= set(re.findall(r'^\s*([\w.-]+)\s*$', listed, re.M))
    for name in tests:
        tally.add('sanity', name, 'failed' if name in failed else 'passed')
    if rc != 0 and not failed.intersection(tests):
        tally.add('sanity', 'ansible-test sanity (rc=%s)' % rc, 'failed', secs)
    if not tests:
        tally.add('sanity', 'ansible-test sanity ran no test', 'failed', secs)


def pytest_stage(tally, stage, paths, extra=()):
    xml = os.path.join(RESULTS, stage + '.xml')
    if os.path.exists(xml):
        os.remove(xml)
    paths = [p for p in paths if glob.glob(os.path.join(REPO, p, '**', 'test_*.py'), recursive=True)]
    if not paths:
        print('\n=== %s: no tests found' % stage)
        return
    rc, out, secs = run([os.path.join(BIN, 'python'), '-m', 'pytest', '-q', '-rfEs', '--junitxml', xml] +
                        list(extra) + paths, stage)
    junit_into(tally, stage, xml, rc)


def stage_unit(tally):
    # the ansible-core 2.16 compatibility run (a stage prefix) checks the collection's code on that core; the release
    # tooling's tests (galaxy-importer, antsibull-docs/Sphinx) need the development venv and run in the main run only
    extra = ['--ignore', os.path.join(REPO, 'tests', 'unit', 'release')] if STAGE_PREFIX else []
    pytest_stage(tally, 'unit', ['tests/unit', 'tests/emulators'], extra)


def stage_integration(tally):
    pytest_stage(tally, 'integration', ['tests/integration'])


def stage_molecule(tally):
    scenarios = sorted(os.path.basename(os.path.dirname(p))
                       for p in glob.glob(os.path.join(REPO, 'extensions', 'molecule', '*', 'molecule.yml')))
    for scenario in scenarios:
        # the lab is up (brought up for the lab stages): each scenario's create reuses it and its destroy leaves it
        rc, out, secs = run([os.path.join(BIN, 'molecule'), 'test', '-s', scenario], 'molecule-' + scenario,
                            cwd=os.path.join(REPO, 'extensions'), environ=molecule_env())
        tally.add('molecule', scenario, 'passed' if rc == 0 else 'failed', secs)


def lab(action, tally=None):
    rc, out, secs = run(['make', '--no-print-directory', 'lab-' + action], 'lab-' + action)
    if tally is not None:
        tally.add('lab', 'lab-' + action, 'passed' if rc == 0 else 'failed', secs)
    return rc == 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--only', default=','.join(STAGES))
    parser.add_argument('--no-lab', action='store_true', help='skip the stages that need the lab')
    args = parser.parse_args()
    wanted = [s for s in args.only.split(',') if s]
    unknown = set(wanted) - set(STAGES)
    if unknown:
        parser.error('unknown stage(s): %s' % ', '.join(sorted(unknown)))

    tally = Tally()
    for stage in ('lint', 'sanity', 'unit'):
        if stage in wanted:
            globals()['stage_' + stage](tally)

    lab_stages = [s for s in ('integration', 'molecule') if s in wanted and not args.no_lab]
    if lab_stages:
        try:
            if lab('up', tally):
                for stage in lab_stages:
                    globals()['stage_' + stage](tally)
            else:
                for stage in lab_stages:
                    tally.add(stage, 'not run: lab-up failed', 'failed')
        finally:
            lab('down', tally)

    with open(os.path.join(RESULTS, 'tally.json'), 'w') as handle:
        json.dump(tally.rows, handle)
    # .ci/run folds the ansible-core 2.16 run (make test-compat) into this run's closing line
    for extra in filter(None, os.environ.get('INCLUDE_TALLIES', '').split(os.pathsep)):
        try:
            with open(extra) as handle:
                tally.rows.extend(tuple(row) for row in json.load(handle))
        except (IOError, ValueError) as exc:
            tally.add('compat', 'results of %s unreadable: %s' % (extra, exc), 'failed')

    print('\n=== summary by stage')
    stages = []
    for row in tally.rows:
        if row[0] not in stages:
            stages.append(row[0])
    for stage in stages:
        rows = [r for r in tally.rows if r[0] == stage]
        if rows:
            print('%-20s %4d passed %4d failed %4d skipped' % (
                stage, sum(r[2] == 'passed' for r in rows), sum(r[2] == 'failed' for r in rows),
                sum(r[2] == 'skipped' for r in rows)))
    for row in tally.rows:
        if row[2] == 'failed':
            print('FAILED %s: %s' % (row[0], row[1]))
    line = '%d passed, %d failed' % (tally.count('passed'), tally.count('failed'))
    if tally.count('skipped'):
        line += ', %d skipped' % tally.count('skipped')
    print('\n' + line)
    return 1 if tally.count('failed') or not tally.rows else 0


if __name__ == '__main__':
    sys.exit(main())
