# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The variables section of every roles/<role>/README.md, generated from the role's meta/argument_specs.yml.

usage:
  role_readmes.py [--repo DIR] [--check]     report the READMEs whose generated section is out of date (exit 1)
  role_readmes.py [--repo DIR] --write       rewrite the section between the markers of every README;
                                             a role without README.md gets a skeleton to fill in (TODO marks)

Only the text between BEGIN_MARKER and END_MARKER is generated; the rest of a README (what the role does, what it
changes on which host, the example play) is written by hand and kept, byte for byte.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import re
import sys

import yaml

COLLECTION = 'sametime.deploy'
REGENERATE = 'python tests/tools/role_readmes.py --write'
BEGIN_MARKER = ('<!-- BEGIN variables: generated from meta/argument_specs.yml by `%s`; edit the spec, '
                'not this section -->' % REGENERATE)
END_MARKER = '<!-- END variables -->'

# Ansible documentation markup (https://docs.ansible.com/ansible/devel/dev_guide/ansible_index.html#formatting);
# the same one-level parentheses the ansible-doc text renderer accepts.
_MARKUP = re.compile(r'\b(?P<tag>[CVOMIBUEP]|RV)\((?P<body>[^)]*)\)|\bL\((?P<text>[^,)]*),\s*(?P<url>[^)]*)\)'
                     r'|(?P<hr>\bHORIZONTALLINE\b)')


def _plain(text):
    """Markdown-safe plain text inside a table cell."""
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('|', '\\|')


def _code(text):
    text = text.replace('|', '\\|')
    fence = '``' if '`' in text else '`'
    pad = ' ' if text.startswith('`') or text.endswith('`') else ''
    return '%s%s%s%s%s' % (fence, pad, text, pad, fence)


def markdown(text):
    """Ansible markup (C(), O(), V(), M(), I(), B(), U(), L(), ...) to one line of GitHub Markdown."""
    if isinstance(text, (list, tuple)):
        text = ' '.join(str(part) for part in text)
    text = ' '.join(str(text).split())
    out = []
    pos = 0
    for match in _MARKUP.finditer(text):
        out.append(_plain(text[pos:match.start()]))
        pos = match.end()
        tag, body = match.group('tag'), match.group('body')
        if match.group('hr'):
            out.append(' ')
        elif match.group('url') is not None:
            out.append('[%s](%s)' % (_plain(match.group('text')), match.group('url').strip()))
        elif tag == 'U':
            out.append('<%s>' % body)
        elif tag == 'I':
            out.append('*%s*' % _plain(body))
        elif tag == 'B':
            out.append('**%s**' % _plain(body))
        elif tag == 'P':
            out.append(_code(body.split('#', 1)[0]))
        else:  # C, V, O, M, E, RV: literal names and values
            out.append(_code(body))
    out.append(_plain(text[pos:]))
    return ''.join(out)


def _value(value):
    """A default or choice as the YAML an inventory would carry."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    if isinstance(value, str):
        return '""' if value == '' else value
    return yaml.safe_dump(value, default_flow_style=True, width=10000).strip().replace('\n...', '').strip()


def _type(spec):
    kind = spec.get('type', 'str')
    if spec.get('elements'):
        kind = '%s of %s' % (kind, spec['elements'])
    return kind


def _rows(options, prefix=''):
    rows = []
    for name in options or {}:
        spec = options[name] or {}
        if spec.get('required'):
            default = '**required**'
        elif 'default' in spec:
            default = _code(_value(spec['default']))
        else:
            default = '(none)'
        desc = markdown(spec.get('description') or '')
        if spec.get('choices'):
            desc += (' ' if desc else '') + 'One of %s.' % ', '.join(_code(_value(c)) for c in spec['choices'])
        if spec.get('no_log'):
            desc += ' Not logged.'
        rows.append('| %s | %s | %s | %s |' % (_code(prefix + name), _type(spec), default, desc))
        if spec.get('options'):
            rows.extend(_rows(spec['options'], prefix + name + '.'))
    return rows


def load_specs(role_dir):
    path = os.path.join(role_dir, 'meta', 'argument_specs.yml')
    if not os.path.isfile(path):
        raise ValueError('%s: missing (every role documents its variables there)' % path)
    with open(path) as handle:
        data = yaml.safe_load(handle) or {}
    specs = data.get('argument_specs')
    if not isinstance(specs, dict) or 'main' not in specs:
        raise ValueError('%s: no argument_specs.main entry point' % path)
    return specs


def render(role, specs):
    """The generated section (markers included) for ROLE from its argument_specs dict."""
    fqcn = '%s.%s' % (COLLECTION, role)
    lines = [BEGIN_MARKER, '',
             'The authoritative list is [`meta/argument_specs.yml`](meta/argument_specs.yml): Ansible checks every '
             'variable against it when the role starts, and `ansible-doc -t role %s` shows it. The tables below are '
             'generated from it.' % fqcn]
    order = ['main'] + sorted(name for name in specs if name != 'main')
    for entry in order:
        spec = specs[entry] or {}
        lines += ['', '### Entry point `%s`%s' % (entry, ' (`tasks_from: %s`)' % entry if entry != 'main' else ''),
                  '', markdown(spec.get('short_description') or '')]
        options = spec.get('options') or {}
        same_as_main = entry != 'main' and options == (specs['main'] or {}).get('options')
        if same_as_main:
            lines += ['', 'Takes the same variables as `main`.']
        elif options:
            required = sorted(name for name, opt in options.items() if (opt or {}).get('required'))
            if required:
                lines += ['', 'Required: %s.' % ', '.join(_code(name) for name in required)]
            lines += ['', '| variable | type | default | description |', '|---|---|---|---|'] + _rows(options)
        else:
            lines += ['', 'Takes no variables.']
    lines += ['', END_MARKER]
    return '\n'.join(lines)


def skeleton(role, specs):
    fqcn = '%s.%s' % (COLLECTION, role)
    return '\n'.join([
        '# %s' % fqcn, '',
        markdown((specs['main'] or {}).get('short_description') or ''), '',
        'TODO: what the role does.', '',
        '## What it changes, on which host', '',
        'TODO', '',
        '## Example play', '',
        '```yaml',
        '- name: TODO',
        '  hosts: TODO',
        '  roles:',
        '    - role: %s' % fqcn,
        '```', '',
        '## Variables', '',
        render(role, specs), ''])


def split(text):
    """(before, generated, after) of a README; ValueError when the markers are missing or out of order."""
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError('the markers %r ... %r are missing or out of order' % (BEGIN_MARKER[:30], END_MARKER))
    end += len(END_MARKER)
    return text[:start], text[start:end], text[end:]


def roles(repo):
    folder = os.path.join(repo, 'roles')
    return sorted(name for name in os.listdir(folder)
                  if not name.startswith('.') and os.path.isdir(os.path.join(folder, name)))


def problems(repo):
    """[(role, what is wrong)] for every README that is missing or whose generated section is out of date."""
    found = []
    for role in roles(repo):
        role_dir = os.path.join(repo, 'roles', role)
        readme = os.path.join(role_dir, 'README.md')
        try:
            specs = load_specs(role_dir)
            if not os.path.isfile(readme):
                found.append((role, 'roles/%s/README.md is missing' % role))
                continue
            with open(readme) as handle:
                generated = split(handle.read())[1]
            if generated != render(role, specs):
                found.append((role, 'roles/%s/README.md: the variables section differs from '
                                    'meta/argument_specs.yml' % role))
        except ValueError as exc:
            found.append((role, 'roles/%s: %s' % (role, exc)))
    return found


def write(repo):
    changed = []
    for role in roles(repo):
        role_dir = os.path.join(repo, 'roles', role)
        readme = os.path.join(role_dir, 'README.md')
        specs = load_specs(role_dir)
        if os.path.isfile(readme):
            with open(readme) as handle:
                old = handle.read()
            parts = split(old)
            new = parts[0] + render(role, specs) + parts[2]
        else:
            old, new = None, skeleton(role, specs)
        if new != old:
            with open(readme, 'w') as handle:
                handle.write(new)
            changed.append(readme)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repo', default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--check', action='store_true', help='the default')
    mode.add_argument('--write', action='store_true')
    args = parser.parse_args(argv)
    if args.write:
        for path in write(args.repo):
            print('wrote %s' % os.path.relpath(path, args.repo))
        return 0
    found = problems(args.repo)
    for role_name, what in found:
        print('FAIL: %s (role %s)' % (what, role_name))
    if found:
        print('regenerate with: %s' % REGENERATE)
        return 1
    print('ok: every role README matches its meta/argument_specs.yml')
    return 0


if __name__ == '__main__':
    sys.exit(main())
