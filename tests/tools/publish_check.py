# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CI's publishing checks: `make release` (tarball, offline install, galaxy-importer) and `make docs` (the HTML site,
zero warnings), each one row of a tally that `make test` folds into its closing line (INCLUDE_TALLIES), the way the
ansible-core 2.16 run is counted.

usage: publish_check.py [--tally FILE] [TARGET ...]     (default targets: release docs)
exit status 1 when a target failed; the tally is written either way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TALLY = os.path.join(REPO, 'build', 'test-results', 'publish', 'tally.json')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--tally', default=TALLY)
    parser.add_argument('targets', nargs='*', default=['release', 'docs'])
    args = parser.parse_args(argv)
    if os.path.exists(args.tally):  # a crash below must not leave an old run's passes to be counted
        os.remove(args.tally)
    rows = []
    for target in args.targets:
        print('\n=== make %s' % target, flush=True)
        started = time.time()
        rc = subprocess.call(['make', '--no-print-directory', '-C', REPO, target])
        seconds = round(time.time() - started, 1)
        rows.append(['publish', 'make %s' % target, 'passed' if rc == 0 else 'failed', seconds])
        print('=== make %s: %s in %.0f s' % (target, 'passed' if rc == 0 else 'FAILED (rc=%s)' % rc, seconds),
              flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.tally)), exist_ok=True)
    with open(args.tally, 'w') as handle:
        json.dump(rows, handle)
    return 1 if any(row[2] == 'failed' for row in rows) else 0


if __name__ == '__main__':
    sys.exit(main())
