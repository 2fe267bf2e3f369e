# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bundle of an exported photo set: a deterministic tar that the role photo_sync ships to the IHS hosts.

Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tarfile

from ansible_collections.sametime.deploy.plugins.module_utils import fileio
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import PhotoError, file_error
from ansible_collections.sametime.deploy.plugins.module_utils.photo_state import list_photo_files

BUNDLE_MARKER = '.complete'


def build_bundle(module, dest, bundle_path):
    """Write a deterministic tar of dest/*.jpg (+ a last '.complete' member) to bundle_path when it differs.

    A set is too big to hold in memory, so the tar streams through fileio.replace_with_stream, which
    replaces the bundle atomically only when its sha256 differs. Returns (changed, sha256).
    """
    names = sorted(list_photo_files(dest))
    directory = os.path.dirname(os.path.abspath(bundle_path))
    if not os.path.isdir(directory) and not module.check_mode:
        raise PhotoError('the folder of bundle %s does not exist' % bundle_path)

    def produce(handle):
        # pax: a ustar header holds at most 100 bytes of a name without '/', a photo name up to 254 (a long mail).
        # Members with short names are written exactly as in ustar format, so existing bundles keep their bytes.
        with tarfile.open(fileobj=handle, mode='w', format=tarfile.PAX_FORMAT) as tar:
            for name in names:
                path = os.path.join(dest, name)
                file_info = os.stat(path)
                info = tarfile.TarInfo(name)
                info.size = file_info.st_size
                info.mtime = int(file_info.st_mtime)
                info.mode = 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = 'root'
                with open(path, 'rb') as photo:
                    tar.addfile(info, photo)
            marker = tarfile.TarInfo(BUNDLE_MARKER)
            marker.size = 0
            marker.mtime = 0
            marker.mode = 0o644
            marker.uname = marker.gname = 'root'
            tar.addfile(marker)

    try:
        result = fileio.replace_with_stream(module, bundle_path, produce)
    except (IOError, OSError) as exc:
        raise file_error('write bundle', bundle_path, exc)
    except tarfile.TarError as exc:
        raise PhotoError('cannot write bundle %s: %s' % (bundle_path, exc))
    return result['changed'], result['sha256']
