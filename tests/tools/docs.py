# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make docs`: the HTML documentation site in build/docs/, built offline with zero warnings.

1. antsibull-docs writes the reStructuredText of every module, filter, callback and role of the checkout (as
   `ansible-doc` sees it through .collections/) into build/docs-src/;
2. docs/antsibull/index.rst becomes the root page, docs/*.md the guides (MyST), and a Playbooks page shows each
   playbook's FQCN and purpose (its leading comment: ansible-doc has no playbook type to show it);
3. the links into docs.ansible.com that the pages carry (`common_return_values`, M(ansible.builtin.*), ...) resolve
   through a local intersphinx inventory written here, so nothing is fetched (the build runs in `unshare -n`
   where it can);
4. sphinx-build -W turns every warning (undefined label, markup error, bad link) into a failure;
5. the site's collection index must link every module, filter, callback and role page.

usage: docs.py [--out DIR]    (default build/docs)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import glob
import html.parser
import os
import re
import shutil
import subprocess
import sys
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(REPO, 'docs', 'antsibull')
COLLECTION = 'sametime.deploy'
DEVEL = 'https://docs.ansible.com/projects/ansible/devel/'
# Labels of the Ansible documentation that antsibull-docs' templates and our DOCUMENTATION blocks refer to, and the
# page that holds each (docs.ansible.com, ansible devel). A label missing here fails the build with
# "undefined label: 'X'": add it with its page.
DEVEL_LABELS = {
    'common_return_values': ('reference_appendices/common_return_values.html', 'Return Values'),
    'action_plugins': ('plugins/action.html', 'Action plugins'),
    'callback_plugins': ('plugins/callback.html', 'Callback plugins'),
    'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible Configuration Settings'),
    'playbooks_filters': ('playbook_guide/playbooks_filters.html', 'Using filters to manipulate data'),
    'filter_plugins': ('plugins/filter.html', 'Filter plugins'),
    'module_plugins': ('plugins/module.html', 'Modules'),
}
# ansible_collections.<namespace>.<name>.<plugin>_<type>: the page of a plugin of another collection.
PLUGIN_LABEL = re.compile(r'^ansible_collections\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_.]+)_([a-z]+)$')
REF = re.compile(r':ref:`(?:[^`<]*<([^`>]+)>|([^`<>]+))`')


def run(cmd, **kwargs):
    print('+ %s' % ' '.join(cmd), flush=True)
    return subprocess.run(cmd, check=False, **kwargs)


def offline_prefix():
    try:
        ok = subprocess.run(['unshare', '-n', 'true'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            check=False).returncode == 0
    except OSError:
        ok = False
    return ['unshare', '-n'] if ok else []


def external_labels(rst_dir):
    """{label: (page, title)} of the references the generated pages make into the Ansible docs."""
    found = {}
    local = set()
    for path in glob.glob(os.path.join(rst_dir, '**', '*.rst'), recursive=True):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        local.update(re.findall(r'^\.\. _([^:]+):\s*$', text, re.M))
        for explicit, bare in REF.findall(text):
            label = (explicit or bare).strip()
            found[label] = True
    result = {}
    for label in sorted(set(found) - local):
        match = PLUGIN_LABEL.match(label)
        if match and '%s.%s' % match.group(1, 2) != COLLECTION:
            namespace, name, plugin, kind = match.groups()
            result[label] = ('collections/%s/%s/%s_%s.html' % (namespace, name, plugin, kind),
                             '%s.%s.%s %s' % (namespace, name, plugin, kind))
        elif label in DEVEL_LABELS:
            result[label] = DEVEL_LABELS[label]
        # anything else stays unresolved and sphinx-build -W names it
    return result


def write_inventory(path, labels):
    """A Sphinx objects.inv (format 2) holding LABELS as std:label entries."""
    lines = ''.join('%s std:label -1 %s %s\n' % (label, page, title) for label, (page, title) in sorted(labels.items()))
    header = ('# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    with open(path, 'wb') as handle:
        handle.write(header.encode('utf-8') + zlib.compress(lines.encode('utf-8')))


def playbook_purpose(path):
    """The leading comment block of a playbook (after `---`), without the `# `; ValueError when there is none."""
    lines = []
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            stripped = line.rstrip('\n')
            if not lines and stripped.strip() in ('---', ''):
                continue
            if not stripped.startswith('#'):
                break
            lines.append(stripped[2:] if stripped.startswith('# ') else stripped[1:])
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ValueError('%s: no leading comment that says what the playbook is for' % path)
    return lines


def playbooks_page(repo):
    """reStructuredText of the Playbooks page: every playbooks/*.yml by FQCN with its purpose."""
    out = ['.. _sametime_deploy_playbooks:', '', 'Playbooks', '=========', '',
           'The collection ships these playbooks; after ``ansible-galaxy collection install`` they run by their '
           'fully qualified name, for example ``ansible-playbook -i <inventory> sametime.deploy.site``, and an AWX '
           'project can ``ansible.builtin.import_playbook`` them. The text of each is the comment at its top.', '']
    for path in sorted(glob.glob(os.path.join(repo, 'playbooks', '*.yml'))):
        name = os.path.basename(path)[:-4]
        fqcn = '%s.%s' % (COLLECTION, name)
        out += [fqcn, '-' * len(fqcn), '', '``ansible-playbook -i <inventory> %s`` (file ``playbooks/%s.yml``)'
                % (fqcn, name), '', '.. code-block:: text', '']
        out += [('   ' + line).rstrip() for line in playbook_purpose(path)]
        out.append('')
    return '\n'.join(out)


class Links(html.parser.HTMLParser):
    def __init__(self):
        html.parser.HTMLParser.__init__(self)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == 'a':
            self.hrefs.extend(v for k, v in attrs if k == 'href' and v)


def expected_pages(rst_dir):
    """Page names (<name>_<type>) of every plugin and role antsibull-docs wrote for the collection."""
    folder = os.path.join(rst_dir, 'collections', *COLLECTION.split('.'))
    return sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(folder, '*_*.rst')))


def check_site(out, rst_dir):
    failures = []
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import release_checks  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    want = release_checks.expected(REPO)
    pages = expected_pages(rst_dir)
    for kind in ('module', 'filter', 'role'):
        missing = sorted('%s_%s' % (n, kind) for n in want[kind] if '%s_%s' % (n, kind) not in pages)
        if missing:
            failures.append('antsibull-docs wrote no page for %s' % missing)
    callbacks = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, 'plugins', 'callback', '*.py'))
                       if not p.endswith('__init__.py'))
    missing = sorted('%s_callback' % n for n in callbacks if '%s_callback' % n not in pages)
    if missing:
        failures.append('antsibull-docs wrote no page for %s' % missing)
    index = os.path.join(out, 'collections', *COLLECTION.split('.')) + '/index.html'
    if not os.path.isfile(index):
        return failures + ['no collection index page %s' % index]
    parser = Links()
    with open(index, encoding='utf-8') as handle:
        parser.feed(handle.read())
    linked = set(href.split('#')[0] for href in parser.hrefs)
    unlinked = [p for p in pages if p + '.html' not in linked]
    if unlinked:
        failures.append('the collection index links no page for %s' % unlinked)
    for page in pages:
        if not os.path.isfile(os.path.join(os.path.dirname(index), page + '.html')):
            failures.append('no HTML page %s.html' % page)
    guides = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, 'docs', '*.md')))
    root = Links()
    with open(os.path.join(out, 'index.html'), encoding='utf-8') as handle:
        root.feed(handle.read())
    root_links = set(href.split('#')[0] for href in root.hrefs)
    missing = [g for g in guides if 'guides/%s.html' % g not in root_links]
    if missing:
        failures.append('the root page links no guide %s' % missing)
    if 'playbooks.html' not in root_links:
        failures.append('the root page links no Playbooks page')
    print('site: %d plugin/role pages (%s), %d guides' % (len(pages), ', '.join(pages), len(guides)))
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--out', default=os.path.join(REPO, 'build', 'docs'))
    args = parser.parse_args(argv)
    out = os.path.abspath(args.out)
    src = out.rstrip('/') + '-src'
    bindir = os.path.dirname(sys.executable)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))
    env.update({'PATH': bindir + os.pathsep + env.get('PATH', ''),
                'ANSIBLE_CONFIG': os.path.join(REPO, 'ansible.cfg'),
                'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, '.collections'),
                'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'False'})
    for path in (out, src):
        if os.path.exists(path):
            shutil.rmtree(path)
    rst = os.path.join(src, 'rst')
    os.makedirs(rst, mode=0o700)  # antsibull-docs refuses a destination others can write to
    os.chmod(src, 0o700)
    os.chmod(rst, 0o700)
    offline = offline_prefix()

    proc = run(offline + [os.path.join(bindir, 'antsibull-docs'), '--config-file',
                          os.path.join(CONFIG, 'antsibull-docs.cfg'), 'collection', '--use-current',
                          '--cleanup', 'everything', '--fail-on-error', '--dest-dir', rst, COLLECTION],
               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    print(proc.stdout, end='')
    if proc.returncode != 0 or re.search(r'(?im)^.*\b(warning|error)\b', proc.stdout):
        print('FAIL: antsibull-docs collection (rc=%s) reported a problem' % proc.returncode)
        return 1

    shutil.copy(os.path.join(CONFIG, 'index.rst'), os.path.join(rst, 'index.rst'))
    try:
        page = playbooks_page(REPO)
    except ValueError as exc:
        print('FAIL: %s' % exc)
        return 1
    with open(os.path.join(rst, 'playbooks.rst'), 'w', encoding='utf-8') as handle:
        handle.write(page)
    guides = os.path.join(rst, 'guides')
    os.makedirs(guides)
    for path in sorted(glob.glob(os.path.join(REPO, 'docs', '*.md'))):
        shutil.copy(path, guides)
    for name in ('conf.py',):
        shutil.copy(os.path.join(CONFIG, name), os.path.join(src, name))
    labels = external_labels(rst)
    write_inventory(os.path.join(src, 'ansible_devel.inv'), labels)
    print('intersphinx (local): %d labels of docs.ansible.com: %s' % (len(labels), ', '.join(sorted(labels))))

    proc = run(offline + [os.path.join(bindir, 'sphinx-build'), '-b', 'html', '-W', '--keep-going', '-q', '-c', src,
                          '-d', os.path.join(src, 'doctrees'), rst, out], cwd=src, env=env,
               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    print(proc.stdout, end='')
    if proc.returncode != 0 or proc.stdout.strip():
        print('FAIL: sphinx-build (rc=%s) reported warnings or errors (above)' % proc.returncode)
        return 1

    failures = check_site(out, rst)
    for failure in failures:
        print('FAIL: %s' % failure)
    if failures:
        return 1
    print('ok: documentation site %s (open %s)' % (out, os.path.join(out, 'index.html')))
    return 0


if __name__ == '__main__':
    sys.exit(main())
