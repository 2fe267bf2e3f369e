# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo export (module ldap_photo_export; controller side: needs ldap3): LDAP entries -> <lower-cased mail>.jpg.

With a state file from the last complete run the export is two-pass: pass 1 reads only mail + change markers
(entryCSN/uSNChanged/modifyTimestamp) of every user, so duplicates are known before anything is written and an
unchanged entry whose file is intact is not fetched again; pass 2 fetches the photos that are new or changed (a
paged search of all photos when many are needed, base-object reads when few). Without a state every photo is
needed: one search reads everything, and files that would be replaced wait as temporary files until the search is
complete (a duplicate found late leaves them untouched). Files are only written when their bytes differ, through
fileio.DirectoryWriter; prune runs only after every search finished, so a failed export never removes anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.sametime.deploy.plugins.module_utils import fileio, photo_names, photo_resize
from ansible_collections.sametime.deploy.plugins.module_utils.photo_ldap import (
    combine_filter, first_value, read_entries, stream_search)
from ansible_collections.sametime.deploy.plugins.module_utils.photo_plan import change_token, check_photo
from ansible_collections.sametime.deploy.plugins.module_utils.photo_report import (
    SKIP_REASONS, count_by_reason, duplicate_records, file_error, resize_record, skip_record, sort_skipped)
from ansible_collections.sametime.deploy.plugins.module_utils.photo_state import (
    file_stat, list_photo_files, load_document, load_state, needs_fetch, save_state, settings_key, state_path)

ONE_SEARCH = 'the one search (mail, photo and change markers)'
PASS_1 = 'pass 1 (mail and change markers)'
PASS_2 = 'pass 2 (photos of new and changed entries)'
# Decision: the files are named <mail>.jpg and served as image/jpeg, so only JPEG bytes are kept as they are; with
# resize a GIF (which HCL would allow) is re-encoded like any other format, without resize it is skipped (not_jpeg).
RESIZE_KEPT_FORMATS = ('jpeg',)


def export_settings(params, change_attributes):
    """The settings that turn an entry into a photo file, as the state file keeps them (see refresh_tokens)."""
    return {'mail_attribute': params['mail_attribute'], 'photo_attribute': params['photo_attribute'],
            'change_attributes': list(change_attributes), 'max_photo_bytes': params['max_photo_bytes'],
            'resize': bool(params.get('resize')), 'max_edge': params.get('max_edge', photo_resize.MAX_EDGE)}


def photo_content(raw, settings):
    """(bytes to write, None, resized) or (None, (reason, detail), None) for an entry's raw attributes; `resized` is
    None for a photo kept as it is, else what the re-encoding did (photo_resize's reason).

    The one place where a photo's bytes become the file's bytes. Deterministic (the re-encoding too, for one Pillow
    version), so that an unchanged source gives unchanged bytes and is not rewritten. Without resize the checks and
    reasons are those of check_photo (not_jpeg, too_large, empty_photo); with it a photo that is not a JPEG within
    max_photo_bytes is re-encoded, or refused (resize_refused) with the reason. Raises PillowMissing (resize on,
    a photo to re-encode, no Pillow)."""
    data = first_value(raw, settings['photo_attribute'])
    if not settings.get('resize') or not data:
        reason, detail = check_photo(data, settings['max_photo_bytes'])
        if reason:
            return None, (reason, detail), None
        return data, None, None
    plan = photo_resize.plan_photo(data, settings['max_photo_bytes'], resize=True, max_edge=settings['max_edge'],
                                   kept_formats=RESIZE_KEPT_FORMATS)
    if plan.action == photo_resize.KEEP:
        return data, None, None
    if plan.action == photo_resize.RESIZE:
        return plan.payload, None, plan.reason
    return None, ('resize_refused', plan.reason), None


class ExportRun(object):
    """One export into `dest`: the settings it runs with, what it finds and does, and the state it will leave."""

    def __init__(self, module, conn, params):
        self.module = module
        self.conn = conn
        self.params = params
        self.dest = params['dest']
        self.mail_attr = params['mail_attribute']
        self.photo_attr = params['photo_attribute']
        self.change_attrs = list(params['change_attributes'] or []) if params['incremental'] else []
        self.search_filter = combine_filter(params['search_filter'], [self.mail_attr, self.photo_attr])
        self.export_settings = export_settings(params, self.change_attrs)
        self.on_disk = list_photo_files(self.dest)  # {name: (size, mtime_ns)} before this run
        self.writer = fileio.DirectoryWriter(module, self.dest, params['file_mode'])
        self.progress = {'entries': 0}  # entries read by the search under way (for error messages)
        self.state = {}  # what the next run will remember: lower-cased DN -> state entry
        self.skipped = []
        self.written = []
        self.unchanged = 0
        self.resized = []  # resize_record of every exported photo whose file is a re-encoded copy
        # file name -> what the re-encoding did, from write_photo until record() takes it
        self.resize_notes = {}

    def search(self, attributes, on_entry, what):
        self.progress['entries'] = 0
        stream_search(self.conn, self.params['search_base'], self.search_filter, attributes,
                      self.params['page_size'], on_entry, self.progress, what)

    def write_photo(self, name, raw, defer=False):
        """Check and write one photo; returns the outcome: ('refused', reason, detail), ('unchanged', None),
        ('written', stat) or, with `defer`, ('pending', staged file) to be committed once the search is complete."""
        data, refusal, resized = photo_content(raw, self.export_settings)
        if refusal:
            return ('refused',) + refusal
        if resized:
            self.resize_notes[name] = resized
        path = os.path.join(self.dest, name)
        try:
            if defer:
                staged = self.writer.stage_if_changed(name, data)
                return ('unchanged', None) if staged is None else ('pending', staged)
            changed, info = self.writer.write(name, data, missing=name not in self.on_disk)
        except (IOError, OSError) as exc:
            raise file_error('write', path, exc)
        return ('written' if changed else 'unchanged'), None if info is None else file_stat(info)

    def record(self, key, name, entry, token, outcome):
        """Count an outcome and remember it in the state."""
        kind = outcome[0]
        if kind == 'refused':
            self.skipped.append(skip_record(entry, outcome[1], outcome[2]))
            self.state[key] = {'token': token, 'name': name, 'reason': outcome[1], 'detail': outcome[2]}
            return
        if kind == 'unchanged':
            self.unchanged += 1
        else:
            self.written.append(name)
        resized = self.resize_notes.pop(name, None)
        if resized:
            self.resized.append(resize_record(entry, name, resized))
        if self.module.check_mode:
            return
        # an unchanged file is as list_photo_files found it: no second stat
        stat = outcome[1] if kind == 'written' else self.on_disk.get(name)
        self.state[key] = {'token': token, 'name': name,
                           'stat': list(stat or file_stat(os.stat(os.path.join(self.dest, name))))}
        if resized:
            self.state[key]['resized'] = resized

    def undo_write(self, name, outcome):
        """Take back what write_photo did for a file name: discard a staged replacement, remove a created file."""
        if outcome[0] == 'pending':
            self.writer.discard(outcome[1])
        elif outcome[0] == 'written' and name not in self.on_disk:
            self.writer.remove(name)

    def commit(self, name, staged):
        """Put a staged replacement in place; its (size, mtime_ns), or None in check mode."""
        try:
            info = self.writer.commit(staged, name)
        except (IOError, OSError) as exc:
            raise file_error('write', os.path.join(self.dest, name), exc)
        return None if info is None else file_stat(info)

    def claim_name(self, dn, raw, holders, duplicates):
        """(file name, mail) of an entry that is the first holder of its name; (None, mail) when the mail is refused
        or the name is taken, both recorded (skipped, duplicates)."""
        mail = first_value(raw, self.mail_attr)
        name, why = photo_names.file_name(mail)
        if name is None:
            self.skipped.append(skip_record({'dn': dn, 'mail': mail}, 'invalid_mail', why))
        elif name in holders:
            duplicates.setdefault(name, []).append({'dn': dn, 'mail': mail})
            name = None
        return name, mail

    def one_pass(self):
        """No usable state (first run, incremental=false, changed settings): every photo is read anyway, so mail,
        photo and change markers come in one paged search. A photo is written as it arrives when its file is new;
        one that would replace an existing file waits in a temporary file until the search is complete, so that a
        duplicate mail found later leaves the old file as it was (two-pass semantics).
        Returns (entries, fetched, protected names)."""
        # file name -> (dn, mail, token, outcome) of its first holder; later holders of the name in `duplicates`.
        # Tuples, not dicts: at 100000 users this bookkeeping is most of the memory of a run.
        holders = {}
        duplicates = {}

        def on_entry(dn, raw):
            name, mail = self.claim_name(dn, raw, holders, duplicates)
            if name is not None:
                holders[name] = (dn, mail, change_token(raw, self.change_attrs),
                                 self.write_photo(name, raw, defer=name in self.on_disk))

        try:
            self.search([self.mail_attr, self.photo_attr] + self.change_attrs, on_entry, ONE_SEARCH)
            # the search is complete: duplicates take back what their first holder wrote, replacements go in
            for name, (dn, mail, token, outcome) in holders.items():
                if name in duplicates:
                    self.undo_write(name, outcome)
                elif outcome[0] == 'pending':
                    holders[name] = (dn, mail, token, ('written', self.commit(name, outcome[1])))
        except BaseException:
            # a failed search leaves dest as it was: files created by this run go, replacements are not committed
            # (a created file could belong to a duplicate that the search did not reach)
            self.writer.abort()
            raise
        protected = set(holders)
        for name in sorted(protected):
            dn, mail, token, outcome = holders.pop(name)  # the state grows as the holders go
            if name in duplicates:
                self.skipped.extend(duplicate_records(name, [{'dn': dn, 'mail': mail}] + duplicates[name]))
                continue
            self.record(dn.lower(), name, {'dn': dn, 'mail': mail}, token, outcome)
        return self.progress['entries'], len(protected) - len(duplicates), protected

    def two_passes(self, old_state):
        """With a state from the last run: pass 1 reads mail + change markers of everybody, pass 2 only the photos
        that are new or changed. Returns (entries, fetched, protected names)."""
        holders = {}  # file name -> (dn, mail, token) of its first holder, as in one_pass
        duplicates = {}

        def on_entry(dn, raw):
            name, mail = self.claim_name(dn, raw, holders, duplicates)
            if name is not None:
                holders[name] = (dn, mail, change_token(raw, self.change_attrs))

        self.search([self.mail_attr] + self.change_attrs, on_entry, PASS_1)
        entry_count = self.progress['entries']
        protected = set(holders)
        to_fetch = {}
        for name in sorted(protected):
            dn, mail, token = holders.pop(name)
            entry = {'dn': dn, 'mail': mail, 'token': token}
            if name in duplicates:
                self.skipped.extend(duplicate_records(name, [entry] + duplicates[name]))
                continue
            key = dn.lower()
            previous = old_state.get(key)
            if needs_fetch(name, entry, previous, self.on_disk.get(name)):
                to_fetch[key] = (name, entry)
                continue
            self.state[key] = previous
            if previous.get('reason'):
                self.skipped.append(skip_record(entry, previous['reason'], previous.get('detail')))
            else:
                self.unchanged += 1
                if previous.get('resized'):
                    self.resized.append(resize_record(entry, name, previous['resized']))
        self.fetch(to_fetch)
        return entry_count, len(to_fetch), protected

    def fetch(self, to_fetch):
        """Pass 2: read and write the photos of `to_fetch` ({lower-cased DN: (name, entry)})."""
        fetch_attrs = [self.mail_attr, self.photo_attr] + self.change_attrs

        def handle(key, raw):
            name, entry = to_fetch[key]
            if raw is None or first_value(raw, self.mail_attr) != entry['mail']:
                self.skipped.append(skip_record(entry, 'changed_during_export',
                                                'entry was removed or renamed while exporting'))
                return
            token = change_token(raw, self.change_attrs) if self.change_attrs else entry['token']
            self.record(key, name, entry, token, self.write_photo(name, raw))

        self.progress['entries'] = 0
        read_entries(self.conn, dict((key, entry['dn']) for key, (_name, entry) in to_fetch.items()), fetch_attrs,
                     self.params['search_base'], self.search_filter, self.params['page_size'],
                     self.params['fetch_threshold'], handle, self.progress, PASS_2)

    def prune(self, protected):
        """Remove the photo files of people no longer found; only called once every search finished."""
        removed = sorted(set(self.on_disk) - protected)
        if not self.module.check_mode:
            for name in removed:
                try:
                    os.unlink(os.path.join(self.dest, name))
                except OSError as exc:
                    raise file_error('remove', os.path.join(self.dest, name), exc)
        return removed


def export_photos(module, conn, params):
    """Run the export; returns the module result dict. Raises PhotoError."""
    dest = params['dest']
    check_mode = module.check_mode
    settings = settings_key(params)
    if not os.path.isdir(dest) and not check_mode:
        try:
            os.makedirs(dest, 0o755)
        except OSError as exc:
            raise file_error('create dest', dest, exc)
    old_state = load_state(dest, settings) if params['incremental'] else {}
    run = ExportRun(module, conn, params)
    if old_state:
        entry_count, fetched, protected = run.two_passes(old_state)
    else:
        entry_count, fetched, protected = run.one_pass()
    removed = run.prune(protected) if params['prune'] else []

    state_changed = False
    # an unchanged state (the usual re-run) is known from the dicts; serialising 20000 entries to compare is not needed
    if params['incremental'] and not check_mode and run.state != old_state:
        try:
            state_changed = save_state(module, dest, settings, run.state, run.export_settings)
        except (IOError, OSError) as exc:
            raise file_error('write the state file', state_path(dest), exc)

    skipped, written = sort_skipped(run.skipped), run.written
    resized = sorted(run.resized, key=lambda record: record['file'])
    limit = params['report_limit']
    result = {
        'changed': bool(written or removed),
        'entries': entry_count,
        'exported': len(written) + run.unchanged,
        'fetched': fetched,
        'written': len(written),
        'unchanged': run.unchanged,
        'removed': len(removed),
        'resized': len(resized),
        'skipped_by_reason': count_by_reason(skipped, SKIP_REASONS),
        'skipped_entries': skipped[:limit],
        'resized_entries': resized[:limit],
        'written_files': sorted(written)[:limit],
        'removed_files': removed[:limit],
        'truncated': len(skipped) > limit or len(written) > limit or len(removed) > limit or len(resized) > limit,
        'state_file_changed': state_changed,
    }
    if module._diff and (written or removed):  # pylint: disable=protected-access
        result['diff'] = {
            'before_header': '%s (photo files)' % dest, 'after_header': '%s (photo files)' % dest,
            'before': ''.join('%s\n' % n for n in sorted(set(run.on_disk) & (set(written) | set(removed)))),
            'after': ''.join('%s (new content)\n' % n for n in sorted(written)),
        }
    return result


def refresh_tokens(module, conn, dest, dns, search_base, search_filter, page_size, fetch_threshold=200):
    """After ldap_photo_url modified `dns`: bring the export state in `dest` up to date for them, so that the next
    export does not take the URL write for a changed photo and read it again.

    A URL write moves the entry's change markers. Each modified entry that the state knows with a current file is
    read again (mail, photo, change markers: one consistent view of the entry); only when its photo still gives the
    file's bytes (photo_content with the export's own settings from the state) and the file is as the export left
    it, the new token is recorded. Anything else stays as it was, and the next export reads that photo. Returns the
    number of entries refreshed. Check mode changes nothing."""
    if module.check_mode or not dns:
        return 0
    document = load_document(dest)
    settings = (document or {}).get('export')
    if not settings:
        return 0
    entries = document['entries']
    wanted = dict((dn.lower(), dn) for dn in dns if (entries.get(dn.lower()) or {}).get('stat'))
    if not wanted:
        return 0
    on_disk = list_photo_files(dest)
    attributes = [settings['mail_attribute'], settings['photo_attribute']] + list(settings['change_attributes'])
    refreshed = []
    unconfirmed = []

    def confirm(key, raw):
        if raw is None:
            return  # gone since the URL write: the next export finds out
        known = entries[key]
        name = photo_names.file_name(first_value(raw, settings['mail_attribute']))[0]
        try:
            data = photo_content(raw, settings)[0]
        except photo_resize.PillowMissing:
            unconfirmed.append(key)  # a resized photo and no Pillow here: the next export reads it
            return
        if name != known['name'] or data is None or on_disk.get(name) is None or \
                list(on_disk[name]) != known['stat'] or fileio.read_bytes(os.path.join(dest, name)) != data:
            return
        token = change_token(raw, settings['change_attributes'])
        if token and token != known['token']:
            entries[key] = dict(known, token=token)
            refreshed.append(key)

    read_entries(conn, wanted, attributes, search_base, combine_filter(search_filter, attributes[:2]), page_size,
                 fetch_threshold, confirm, what='the read-back of the entries whose URL changed')
    if unconfirmed:
        module.warn('%d entries whose photo the export resized were not confirmed: %s; the next export reads their '
                    'photos again' % (len(unconfirmed), photo_resize.pillow_missing_message()))
    if refreshed:
        try:
            save_state(module, dest, document['settings'], entries, settings)
        except (IOError, OSError) as exc:
            raise file_error('write the state file', state_path(dest), exc)
    return len(refreshed)
