# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks behind `make ee-context` and `make release` (tests/tools/ee_context.sh, tests/tools/release.sh).

usage:
  release_checks.py stage --repo DIR --dest DIR
      copy the working tree (git-tracked + untracked-but-not-ignored files; without git: everything but the
      build_ignore'd folders) to DEST, for a release rehearsal that must not consume the real fragments
  release_checks.py expected --tree DIR
      print the modules, filters and roles that a build of TREE must contain (derived from the tree)
  release_checks.py ee-context --repo DIR --context DIR [--rehearse DIR]
      check an `ansible-builder create` context: base image, Python requirements, the collection tarball;
      with --rehearse, replay the image build's galaxy stage and introspection offline into DIR
  release_checks.py publishable --tree DIR
      galaxy.yml carries real addresses (a real release refuses the .invalid placeholder)
  release_checks.py installed --tree DIR --installed DIR --tarball FILE [--fragments DIR] [--work DIR]
      check a built tarball's content and its installed copy: `ansible-doc` lists every module, filter and role
      of TREE, from the installed copy only
  release_checks.py importer --tree DIR --tarball FILE --work DIR
      run galaxy-importer (what Galaxy and Automation Hub run on upload; ansible-test off, ansible-lint on) on
      the tarball; any WARNING or ERROR it logs is a failure, and every module, filter, role and playbook of TREE
      must be in its result with documentation (roles: README)

Every check prints `ok:` or `FAIL:`; the exit status is 1 when any failed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import yaml

NAMESPACE = 'sametime'
NAME = 'deploy'
COLLECTION = NAMESPACE + '.' + NAME
# Must never be in the tarball (galaxy.yml build_ignore; checked, not trusted).
FORBIDDEN_TOP = ('.venv', '.collections', 'build', '.lab', '.git', '.cache', '.pytest_cache', 'bench/results',
                 'tests/output')
FORBIDDEN_ANY = ('__pycache__',)
# Must be in the tarball: what ansible-builder and ansible-galaxy read from an installed collection.
REQUIRED_MEMBERS = ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'meta/execution-environment.yml',
                    'requirements.txt', 'bindep.txt', 'changelogs/changelog.yaml', 'CHANGELOG.rst')
# What the collection's controller code needs (the "Must show"); the specifiers come from requirements.txt.
CONTROLLER_LIBS = ('ldap3', 'netaddr', 'lxml')
# ansible-builder drops these from a collection's requirements (introspect.EXCLUDE_REQUIREMENTS, the part we use).
BUILDER_EXCLUDED = ('ansible', 'ansible-base', 'ansible-core')
# Everything the copy for a release rehearsal leaves out when git is not there to read .gitignore.
STAGE_SKIP = ('.git', '.venv', '.collections', '.lab', '.cache', 'build', '.pytest_cache', '__pycache__')


def tool(name):
    """An ansible CLI of the venv that runs this script (when it is not on PATH), else from PATH."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.access(candidate, os.X_OK) else name


class Report(object):
    def __init__(self):
        self.failures = []
        self.details = []  # (what, detail) of each failure

    def check(self, ok, what, detail=''):
        if ok:
            print('ok: %s' % what)
        else:
            self.failures.append(what)
            self.details.append((what, detail))
            print('FAIL: %s%s' % (what, (' -- ' + detail) if detail else ''))
        return ok

    def exit(self):
        if self.failures:
            print('%d check(s) failed' % len(self.failures))
            return 1
        print('all checks passed')
        return 0


# ---------------------------------------------------------------- tree -> expected names

def galaxy_version(tree):
    with open(os.path.join(tree, 'galaxy.yml')) as handle:
        return str(yaml.safe_load(handle)['version'])


def expected_modules(tree):
    folder = os.path.join(tree, 'plugins', 'modules')
    if not os.path.isdir(folder):
        return []
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and name != '__init__.py')


def filter_names_in(path):
    """Filter names a plugins/filter file registers: the string keys of the dict `FilterModule.filters` returns."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == 'FilterModule':
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == 'filters':
                    for sub in ast.walk(item):
                        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Dict):
                            for key in sub.value.keys:
                                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                                    names.append(key.value)
                                else:
                                    raise ValueError('%s: FilterModule.filters() has a key that is not a '
                                                     'string literal; cannot derive the filter names' % path)
    return names


def expected_filters(tree):
    folder = os.path.join(tree, 'plugins', 'filter')
    if not os.path.isdir(folder):
        return []
    names = []
    for name in sorted(os.listdir(folder)):
        if name.endswith('.py') and name != '__init__.py':
            found = filter_names_in(os.path.join(folder, name))
            if not found:
                raise ValueError('plugins/filter/%s: no FilterModule.filters() dict found' % name)
            names.extend(found)
    return sorted(names)


def expected_roles(tree):
    folder = os.path.join(tree, 'roles')
    if not os.path.isdir(folder):
        return []
    return sorted(name for name in os.listdir(folder)
                  if not name.startswith('.') and os.path.isdir(os.path.join(folder, name)))


def expected(tree):
    return {'module': expected_modules(tree), 'filter': expected_filters(tree), 'role': expected_roles(tree),
            'playbook': expected_playbooks(tree)}


# ---------------------------------------------------------------- requirement files

def requirement_lines(text):
    """Non-comment, non-option lines of a pip requirements text, comments stripped."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r'(^|\s+)#.*$', '', line).strip()
        if line and not line.startswith('-'):
            lines.append(line)
    return lines


def parse_requirements(text):
    """{normalised name: specifier string} of a pip requirements text."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    result = {}
    for line in requirement_lines(text):
        req = Requirement(line)
        result.setdefault(canonicalize_name(req.name), []).append(str(req.specifier))
    return result


def collection_deps(repo):
    """{name: specifier} of the collection's own controller-side requirements (requirements.txt, minus
    what ansible-builder drops)."""
    with open(os.path.join(repo, 'requirements.txt')) as handle:
        reqs = parse_requirements(handle.read())
    return dict((name, specs[0]) for name, specs in reqs.items() if name not in BUILDER_EXCLUDED)


def manifest_of(tarball):
    with tarfile.open(tarball, 'r:gz') as tar:
        member = tar.extractfile('MANIFEST.json')
        return json.loads(member.read().decode('utf-8'))['collection_info']


# ---------------------------------------------------------------- stage

def stage(repo, dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    files = None
    if os.path.isdir(os.path.join(repo, '.git')):
        try:
            out = subprocess.check_output(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=repo)
            files = [f for f in out.decode('utf-8').split('\0') if f]
        except (OSError, subprocess.CalledProcessError):
            files = None
    if files is None:
        files = []
        for root, dirs, names in os.walk(repo):
            rel_root = os.path.relpath(root, repo)
            dirs[:] = [d for d in dirs if d not in STAGE_SKIP and not d.startswith('.venv-')]
            files.extend(os.path.normpath(os.path.join(rel_root, n)) for n in names)
    copied = 0
    for rel in files:
        src = os.path.join(repo, rel)
        if not os.path.lexists(src):  # tracked but deleted in the working tree
            continue
        target = os.path.join(dest, rel)
        if not os.path.isdir(os.path.dirname(target)):
            os.makedirs(os.path.dirname(target))
        if os.path.islink(src):
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)
        copied += 1
    print('staged %d files of %s in %s' % (copied, repo, dest))
    return 0


# ---------------------------------------------------------------- ee context

def check_ee_context(repo, context, rehearse=None, report=None):
    report = report or Report()
    with open(os.path.join(repo, 'execution-environment.yml')) as handle:
        ee = yaml.safe_load(handle)
    report.check(ee.get('version') == 3, 'execution-environment.yml is ansible-builder format version 3')
    containerfile = os.path.join(context, 'Containerfile')
    build = os.path.join(context, '_build')
    if not report.check(os.path.isfile(containerfile), 'context has a Containerfile', containerfile):
        return report
    with open(containerfile) as handle:
        cf_text = handle.read()
    base = ee['images']['base_image']['name']
    report.check('ARG EE_BASE_IMAGE="%s"' % base in cf_text, 'Containerfile builds FROM the base image %s' % base)
    for needle, what in (('COPY _build /build', 'copies the build files to /build'),
                         ('ansible-galaxy collection install', 'installs collections in the galaxy stage'),
                         ('introspect.py introspect', 'introspects the installed collections for their deps'),
                         ('--offline', 'installs collections with --offline')):
        report.check(needle in cf_text, 'Containerfile %s' % what)

    # Python requirements of the context: ldap3, netaddr, lxml, with the collection's own specifiers.
    req_path = os.path.join(build, 'requirements.txt')
    if report.check(os.path.isfile(req_path), 'context has _build/requirements.txt'):
        with open(req_path) as handle:
            reqs = parse_requirements(handle.read())
        wanted = collection_deps(repo)
        for lib in CONTROLLER_LIBS:
            report.check(lib in wanted, 'requirements.txt of the collection names %s' % lib)
        for name, spec in sorted(wanted.items()):
            report.check(name in reqs, 'context requirements name %s' % name, 'have %s' % sorted(reqs))
            if name in reqs:
                report.check(reqs[name] == [spec], 'context pins %s%s as requirements.txt does' % (name, spec),
                             'context has %s' % reqs[name])
        for name in BUILDER_EXCLUDED:
            report.check(name not in reqs, 'context does not reinstall %s over the base image\'s' % name)

    # The collection: a galaxy requirement that is a tarball inside the context, of this collection and version.
    galaxy_path = os.path.join(build, 'requirements.yml')
    tarball = None
    if report.check(os.path.isfile(galaxy_path), 'context has _build/requirements.yml'):
        with open(galaxy_path) as handle:
            galaxy = yaml.safe_load(handle) or {}
        entries = [c for c in galaxy.get('collections') or [] if isinstance(c, dict) and c.get('type') == 'file']
        report.check(len(entries) == 1, 'galaxy requirements name exactly one collection tarball', repr(galaxy))
        if entries:
            candidate = os.path.join(build, entries[0]['name'])
            if report.check(os.path.isfile(candidate), 'the tarball %s is inside the context' % entries[0]['name']):
                tarball = candidate
    if tarball:
        info = manifest_of(tarball)
        report.check((info['namespace'], info['name']) == (NAMESPACE, NAME),
                     'the context tarball is the %s collection' % COLLECTION,
                     '%s.%s' % (info['namespace'], info['name']))
        version = galaxy_version(repo)
        report.check(info['version'] == version, 'the context tarball is version %s (galaxy.yml)' % version,
                     info['version'])
    if rehearse and tarball:
        rehearse_build(build, rehearse, report)
    return report


def rehearse_build(build, dest, report):
    """Replay, offline, what the image build does with the context: the galaxy stage's collection install from
    _build/requirements.yml, then the builder stage's introspection of what got installed."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    collections = os.path.join(dest, 'collections')
    os.makedirs(collections)
    env = isolated_env(dest, collections)
    proc = subprocess.run([tool('ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml',
                           '--collections-path', collections], cwd=build, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    installed = os.path.join(collections, 'ansible_collections', NAMESPACE, NAME)
    if not report.check(proc.returncode == 0 and os.path.isfile(os.path.join(installed, 'MANIFEST.json')),
                        'rehearsal: the galaxy stage installs the collection offline', proc.stdout[-2000:]):
        return
    pip_out = os.path.join(dest, 'pip.txt')
    bindep_out = os.path.join(dest, 'bindep.txt')
    proc = subprocess.run([sys.executable, os.path.join(build, 'scripts', 'introspect.py'), 'introspect',
                           collections, '--user-pip', os.path.join(build, 'requirements.txt'),
                           '--write-pip', pip_out, '--write-bindep', bindep_out],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if not report.check(proc.returncode == 0, 'rehearsal: ansible-builder introspection runs', proc.stdout[-2000:]):
        return
    with open(pip_out) as handle:
        pip_lines = handle.read().splitlines()
    from_us = '# from collection %s' % COLLECTION
    ours = parse_requirements('\n'.join(line.split('#')[0] for line in pip_lines if line.endswith(from_us)))
    for lib in CONTROLLER_LIBS:
        report.check(lib in ours, 'rehearsal: introspection reads %s from the installed collection '
                     '(meta/execution-environment.yml -> requirements.txt)' % lib, '\n'.join(pip_lines))
    proc = subprocess.run([sys.executable, '-m', 'pip', 'install', '--dry-run', '--no-index', '--disable-pip-version-check',
                           '-r', pip_out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          check=False)
    report.check(proc.returncode == 0, 'rehearsal: pip accepts the combined requirements (duplicates included; '
                 'dry run against this venv, no index)', proc.stdout[-2000:])
    all_reqs = parse_requirements('\n'.join(pip_lines))
    report.check(not any(name in all_reqs for name in BUILDER_EXCLUDED),
                 'rehearsal: ansible-core is not reinstalled by the build', '\n'.join(pip_lines))
    sys_lines = []
    if os.path.exists(bindep_out):
        with open(bindep_out) as handle:
            sys_lines = handle.read().splitlines()
    report.check(any(line.endswith(from_us) for line in sys_lines),
                 'rehearsal: introspection reads bindep.txt from the installed collection', '\n'.join(sys_lines))
    try:
        from bindep.depends import Depends
        with open(os.path.join(installed, 'bindep.txt')) as handle:
            rules = Depends(handle.read()).active_rules(['platform:rpm', 'platform:redhat', 'platform:centos'])
        names = [rule[0] for rule in rules]
        report.check('libxml2' in names and 'libxslt' in names,
                     'rehearsal: bindep.txt parses and gives an EL9 image libxml2 and libxslt', repr(names))
    except Exception as exc:  # pylint: disable=broad-except
        report.check(False, 'rehearsal: bindep.txt parses', repr(exc))


# ---------------------------------------------------------------- tarball + installed copy

def isolated_env(workdir, collections_path):
    """Environment in which ansible sees ONLY collections_path: no repo ansible.cfg, no ./.collections symlink,
    no site-packages ansible_collections, no roles path."""
    cfg = os.path.join(workdir, 'ansible.cfg')
    if not os.path.exists(cfg):
        with open(cfg, 'w') as handle:
            handle.write('[defaults]\n')
    empty_roles = os.path.join(workdir, 'no-roles')
    if not os.path.isdir(empty_roles):
        os.makedirs(empty_roles)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))
    env.update({
        'ANSIBLE_CONFIG': cfg,
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'False',
        'ANSIBLE_ROLES_PATH': empty_roles,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'tmp'),
    })
    return env


def ansible_doc(args, env, cwd):
    proc = subprocess.run([tool('ansible-doc')] + list(args), cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError('ansible-doc %s failed (rc=%s): %s'
                           % (' '.join(args), proc.returncode, proc.stderr[-2000:]))
    return json.loads(proc.stdout or '{}')


def listed(installed, kind, work):
    """FQCNs `ansible-doc -t KIND -l sametime.deploy` lists when only INSTALLED is on the collections path."""
    env = isolated_env(work, installed)
    data = ansible_doc(['-t', kind, '-l', COLLECTION, '--json'], env, work)
    return sorted(data)


def check_tarball(tarball, version, report):
    with tarfile.open(tarball, 'r:gz') as tar:
        members = [m.name[2:] if m.name.startswith('./') else m.name for m in tar.getmembers()]
        for bad in FORBIDDEN_TOP:
            hits = [m for m in members if m == bad or m.startswith(bad + '/')]
            report.check(not hits, 'tarball holds nothing under %s/' % bad, ', '.join(hits[:5]))
        for bad in FORBIDDEN_ANY:
            hits = [m for m in members if bad in m.split('/')]
            report.check(not hits, 'tarball holds no %s' % bad, ', '.join(hits[:5]))
        for need in REQUIRED_MEMBERS:
            report.check(need in members, 'tarball has %s' % need)
        info = json.loads(tar.extractfile('MANIFEST.json').read().decode('utf-8'))['collection_info']
        report.check(info['version'] == version, 'tarball MANIFEST.json is version %s' % version, info['version'])
        changes = None
        if 'changelogs/changelog.yaml' in members:
            changes = yaml.safe_load(tar.extractfile('changelogs/changelog.yaml').read())
        released = ((changes or {}).get('releases') or {}).get(version)
        report.check(released is not None, 'tarball changelog.yaml has release %s' % version)
        if 'CHANGELOG.rst' in members:
            rst = tar.extractfile('CHANGELOG.rst').read().decode('utf-8')
            report.check(('v%s' % version) in rst, 'tarball CHANGELOG.rst has a v%s section' % version)
    return released


def check_fragments_released(fragments_dir, released, report):
    """Every entry of every fragment (but `trivial`) is in the release's changes."""
    changes = (released or {}).get('changes') or {}
    names = sorted(n for n in os.listdir(fragments_dir) if n.endswith(('.yml', '.yaml')))
    for name in names:
        with open(os.path.join(fragments_dir, name)) as handle:
            fragment = yaml.safe_load(handle) or {}
        missing = []
        for section, entries in fragment.items():
            if section == 'trivial':
                continue
            if isinstance(entries, str):
                entries = [entries]
            for entry in entries or []:
                if entry not in (changes.get(section) or []) and entry != changes.get(section):
                    missing.append('%s: %s' % (section, entry[:60]))
        report.check(not missing, 'changelog fragment %s is in the release' % name, '; '.join(missing))


def check_installed(tree, installed, tarball, fragments=None, work=None, report=None):
    report = report or Report()
    version = galaxy_version(tree)
    released = check_tarball(tarball, version, report)
    if fragments:
        check_fragments_released(fragments, released, report)
    work = work or os.path.join(os.path.dirname(os.path.abspath(installed)), 'doc-work')
    if not os.path.isdir(work):
        os.makedirs(work)
    root = os.path.join(installed, 'ansible_collections', NAMESPACE, NAME)
    report.check(os.path.isfile(os.path.join(root, 'MANIFEST.json')), 'installed copy at %s' % root)
    want = expected(tree)
    for kind in ('module', 'filter', 'role'):
        try:
            have = listed(installed, kind, work)
        except RuntimeError as exc:
            report.check(False, 'ansible-doc -t %s -l %s runs' % (kind, COLLECTION), str(exc))
            continue
        fqcns = ['%s.%s' % (COLLECTION, n) for n in want[kind]]
        missing = sorted(set(fqcns) - set(have))
        extra = sorted(set(have) - set(fqcns))
        report.check(not missing and not extra,
                     'ansible-doc -t %s -l lists the %d %s(s) of the tree' % (kind, len(fqcns), kind),
                     'missing %s, not in the tree %s' % (missing, extra))
    env = isolated_env(work, installed)
    # Documentation comes from the installed copy (not the checkout) ...
    if want['module']:
        fqcns = ['%s.%s' % (COLLECTION, m) for m in want['module']]
        try:
            docs = ansible_doc(['--json'] + fqcns, env, work)
        except RuntimeError:
            docs = None
        if docs is None:  # name the module(s) whose documentation does not load
            for fqcn in fqcns:
                try:
                    ansible_doc(['--json', fqcn], env, work)
                except RuntimeError as exc:
                    report.check(False, 'ansible-doc %s shows its documentation' % fqcn, str(exc)[-600:])
        else:
            outside = sorted(n for n, d in docs.items()
                             if not os.path.realpath(d['doc']['filename']).startswith(os.path.realpath(root) + os.sep))
            report.check(not outside and sorted(docs) == sorted(fqcns),
                         'ansible-doc shows every module\'s documentation, read from the installed copy',
                         'outside: %r, shown: %r' % (outside, sorted(docs)))
    # ... and every role has an argument spec for its main entry point.
    if want['role']:
        try:
            docs = ansible_doc(['-t', 'role', '--json'] + ['%s.%s' % (COLLECTION, r) for r in want['role']],
                               env, work)
            without = sorted(r for r in want['role']
                             if 'main' not in (docs.get('%s.%s' % (COLLECTION, r), {}).get('entry_points') or {}))
            report.check(not without, 'every role documents its main entry point (meta/argument_specs.yml)',
                         repr(without))
        except RuntimeError as exc:
            report.check(False, 'ansible-doc -t role shows every role', str(exc))
    # ... and every playbook the README names (its playbook table, `ansible-playbook sametime.deploy.X`) is one the
    # tarball ships, so the syntax checks below cover it ...
    named = readme_playbooks(tree)
    report.check(bool(named) and set(named) <= set(want['playbook']),
                 'the README names only shipped playbooks (%s)' % ', '.join(named),
                 'not in playbooks/: %s' % sorted(set(named) - set(want['playbook'])))
    # ... and every shipped playbook is found by its FQCN in the installed copy (what an AWX wrapper playbook
    # `import_playbook: sametime.deploy.<name>` needs), and parses.
    for name in expected_playbooks(tree):
        proc = subprocess.run([tool('ansible-playbook'), '-i', 'localhost,', '--syntax-check',
                               '%s.%s' % (COLLECTION, name)], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        report.check(proc.returncode == 0, 'ansible-playbook --syntax-check %s.%s (installed copy)' % (COLLECTION, name),
                     proc.stdout[-1500:])
    return report


# ---------------------------------------------------------------- galaxy-importer

IMPORTER_CONFIG = """[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = {lint}
OFFLINE_ANSIBLE_LINT = True
RUN_ANSIBLE_DOC = True
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = True
LOG_LEVEL_MAIN = INFO
TMP_ROOT_DIR = {tmp}
ANSIBLE_LOCAL_TMP = {tmp}/ansible
"""
IMPORTER_DONE = 'Importer processing completed successfully'


def importer_findings(log):
    """The lines of an importer log that Galaxy would show as warnings or errors."""
    return [line for line in log.splitlines() if line.startswith(('WARNING:', 'ERROR:', 'CRITICAL:', 'Traceback'))]


def check_importer_result(result, tree, report):
    """Every module, filter, role and playbook of TREE is in the importer's result, documented."""
    contents = dict(((c['content_type'], c['content_name']), c) for c in result['docs_blob']['contents'])
    want = expected(tree)
    for kind in ('module', 'filter', 'role'):
        found = [n for n in want[kind] if (kind, n) in contents]
        report.check(found == want[kind], 'importer: the %d %s(s) of the tree are in the import' % (len(want[kind]),
                                                                                                    kind),
                     'missing %s' % sorted(set(want[kind]) - set(found)))
        if kind == 'role':
            bare = [n for n in found if not (contents[(kind, n)].get('readme_html') or '').strip()]
            report.check(not bare, 'importer: every role shows its README', repr(bare))
            continue  # the importer reads no role argument specs; `installed` checks them with ansible-doc
        undocumented = [n for n in found if not (contents[(kind, n)].get('doc_strings') or {}).get('doc')]
        report.check(not undocumented, 'importer: every %s has documentation Galaxy shows' % kind, repr(undocumented))
    playbooks = sorted(c['name'].rsplit('.', 1)[0] for c in result['contents'] if c['content_type'] == 'playbook')
    report.check(playbooks == want['playbook'], 'importer: the %d playbooks are in the import' % len(want['playbook']),
                 repr(playbooks))
    report.check(bool((result['docs_blob'].get('collection_readme') or {}).get('html')),
                 'importer: the collection README renders')


def check_importer(tree, tarball, work, report=None, lint=True):
    report = report or Report()
    if os.path.exists(work):
        shutil.rmtree(work)
    tmp = os.path.join(work, 'tmp')
    os.makedirs(os.path.join(tmp, 'ansible'))
    cfg = os.path.join(work, 'galaxy-importer.cfg')
    with open(cfg, 'w') as handle:
        handle.write(IMPORTER_CONFIG.format(tmp=tmp, lint=lint))
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(('ANSIBLE_', 'GALAXY_IMPORTER_')))
    env['GALAXY_IMPORTER_CONFIG'] = cfg
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    proc = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', os.path.abspath(tarball)], cwd=work, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    with open(os.path.join(work, 'importer.log'), 'w') as handle:
        handle.write(proc.stdout)
    print(proc.stdout.rstrip())
    findings = importer_findings(proc.stdout)
    report.check(proc.returncode == 0 and IMPORTER_DONE in proc.stdout,
                 'galaxy-importer imports %s' % os.path.basename(tarball), 'rc=%s' % proc.returncode)
    report.check(not findings, 'galaxy-importer logs no warning or error (ansible-lint included)',
                 '\n'.join(findings))
    result_path = os.path.join(work, 'importer_result.json')
    if report.check(os.path.isfile(result_path), 'galaxy-importer wrote its result'):
        with open(result_path) as handle:
            check_importer_result(json.load(handle), tree, report)
    return report


def check_publishable(tree, report=None):
    """What a real release must carry that a rehearsal may leave as a placeholder: a real repository URL."""
    report = report or Report()
    with open(os.path.join(tree, 'galaxy.yml')) as handle:
        meta = yaml.safe_load(handle)
    for key in ('repository', 'documentation', 'homepage', 'issues'):
        value = meta.get(key) or ''
        host = re.sub(r'^[a-z]+://([^/:]+).*$', r'\1', value)
        report.check(not host.endswith('.invalid'), 'galaxy.yml %s is a real address, not a placeholder' % key,
                     value)
    return report


def readme_playbooks(tree):
    """Playbook names the collection README gives users: its `| playbook | ... |` table row and every
    `ansible-playbook ... sametime.deploy.<name>` command."""
    with open(os.path.join(tree, 'README.md'), encoding='utf-8') as handle:
        text = handle.read()
    names = set()
    for row in re.findall(r'^\|\s*playbook\s*\|([^|]*)\|', text, re.M):
        names.update(re.findall(r'`([a-z0-9_]+)`', row))
    for command in re.findall(r'ansible-playbook\b[^\n`]*', text):
        names.update(re.findall(r'\b%s\.([a-z0-9_]+)\b' % re.escape(COLLECTION), command))
    return sorted(names)


def expected_playbooks(tree):
    folder = os.path.join(tree, 'playbooks')
    if not os.path.isdir(folder):
        return []
    return sorted(n.rsplit('.', 1)[0] for n in os.listdir(folder) if n.endswith(('.yml', '.yaml')))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    sub = parser.add_subparsers(dest='cmd')
    sub.required = True
    p = sub.add_parser('stage')
    p.add_argument('--repo', required=True)
    p.add_argument('--dest', required=True)
    p = sub.add_parser('expected')
    p.add_argument('--tree', required=True)
    p = sub.add_parser('ee-context')
    p.add_argument('--repo', required=True)
    p.add_argument('--context', required=True)
    p.add_argument('--rehearse')
    p = sub.add_parser('installed')
    p.add_argument('--tree', required=True)
    p.add_argument('--installed', required=True)
    p.add_argument('--tarball', required=True)
    p.add_argument('--fragments')
    p.add_argument('--work')
    p = sub.add_parser('importer')
    p.add_argument('--tree', required=True)
    p.add_argument('--tarball', required=True)
    p.add_argument('--work', required=True)
    p = sub.add_parser('publishable')
    p.add_argument('--tree', required=True)
    args = parser.parse_args(argv)
    if args.cmd == 'stage':
        return stage(args.repo, args.dest)
    if args.cmd == 'expected':
        print(json.dumps(expected(args.tree), indent=2, sort_keys=True))
        return 0
    if args.cmd == 'importer':
        return check_importer(args.tree, args.tarball, args.work).exit()
    if args.cmd == 'publishable':
        return check_publishable(args.tree).exit()
    if args.cmd == 'ee-context':
        return check_ee_context(args.repo, args.context, args.rehearse).exit()
    return check_installed(args.tree, args.installed, args.tarball, args.fragments, args.work).exit()


if __name__ == '__main__':
    sys.exit(main())
