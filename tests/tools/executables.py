# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The executables the lab, its hooks, the tests and the benches call, found by reading their source.

Python: the first word of an argv list given to subprocess.*/run/Popen/os.exec*/in_host/lab_exec (a list literal,
or `prefix + [...]`), `shutil.which('x')`, and the script after `sh -c`. Shell (hooks, scripts, `sh -c` strings):
the first word of every simple command, inside $(...) too. Ansible YAML: command/shell tasks. Everywhere: any
absolute path under /bin, /sbin, /usr/bin, /usr/sbin written in a string (e.g. a generated wrapper's
`exec /usr/bin/jython`). Words that are variables ($X, "$IHS/bin/apachectl") are not commands of the system.
tests/unit/tools/test_system_packages.py checks each one against bindep.txt.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import glob
import os
import re
import shlex

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The files that call executables: the lab, its hooks and the files it installs, the emulators, the tests, the
# benches and the tools that drive them (make test, make demo, .ci/run).
SOURCES = ('tests/lab/labctl', 'tests/lab/*.py', 'tests/lab/hooks.d/*', 'tests/lab/files/**/*',
           'tests/emulators/**/*', 'tests/integration/**/*', 'tests/unit/**/*.py', 'tests/tools/*',
           'bench/*/run', '.ci/run', 'extensions/molecule/*/*.yml')
# this reader and its test quote commands as data
NOT_SOURCES = ('tests/tools/executables.py', 'tests/unit/tools/test_system_packages.py')

SUBPROCESS_CALLS = {'run', 'call', 'check_call', 'check_output', 'Popen', 'execv', 'execvp', 'execvpe', 'execve',
                    'spawnv', 'spawnvp'}
# helpers of the tests and the lab that take an argv: name -> index of the argv argument; host first for the
# `in_host(host, cmd, ...)` form (its later positional arguments are the rest of the argv)
ARGV_HELPERS = {'lab_exec': 1, 'in_host': 1, 'host_exec': 1}
SHELL_WORDS = {
    # keywords and builtins of POSIX sh / bash: not executables
    '!', '{', '}', '[', '[[', ']]', ':', '.', 'alias', 'break', 'case', 'cd', 'command', 'continue', 'declare',
    'do', 'done', 'echo', 'elif', 'else', 'esac', 'eval', 'exec', 'exit', 'export', 'false', 'fi', 'for',
    'function', 'getopts', 'if', 'in', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set', 'shift',
    'source', 'test', 'then', 'time', 'trap', 'true', 'type', 'ulimit', 'umask', 'unset', 'until', 'wait',
    'while', 'mapfile', 'let', 'select', 'kill',
}
# an absolute path at the start of a word (not the tail of "$IHS/bin/apachectl" or ".../versions/3.12/bin/python")
SYSTEM_PATH = re.compile(r'(?<![^\s\'"=(:,\[`])/(?:usr/)?s?bin/[A-Za-z0-9][\w.+-]*')
ASSIGNMENT = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=')


class Call(object):
    """One executable called at one place."""

    def __init__(self, name, path, line):
        self.name, self.path, self.line = name, path, line

    def __repr__(self):
        return '%s (%s:%d)' % (self.name, self.path, self.line)


def source_files(repo=REPO):
    found = set()
    for pattern in SOURCES:
        for path in glob.glob(os.path.join(repo, pattern), recursive=True):
            if os.path.relpath(path, repo) in NOT_SOURCES:
                continue
            if os.path.isfile(path) and '__pycache__' not in path and not path.endswith(('.pyc', '.json', '.md')):
                found.add(path)
    return sorted(found)


def kind(path, text):
    if path.endswith('.py') or re.match(r'#!.*python', text):
        return 'python'
    if path.endswith(('.yml', '.yaml')):
        return 'yaml'
    if path.endswith('.sh') or re.match(r'#!.*\b(ba|da)?sh\b', text) or os.path.basename(path) == 'run':
        return 'shell'
    return None


def scan_file(path, repo=REPO):
    with open(path, encoding='utf-8', errors='replace') as handle:
        text = handle.read()
    rel = os.path.relpath(path, repo)
    found = {'python': scan_python, 'shell': scan_shell, 'yaml': scan_yaml}.get(kind(path, text), scan_paths_only)(
        text, rel)
    return found


def scan_paths_only(text, rel, first_line=1):
    calls = []
    for number, line in enumerate(text.splitlines(), first_line):
        calls.extend(Call(m.group(0), rel, number) for m in SYSTEM_PATH.finditer(line))
    return calls


# ------------------------------------------------------------------------------------------------- shell

def _strip_heredocs(lines):
    """Blank out here-document bodies (their text is data, not commands), keeping line numbers."""
    out, end = [], None
    for line in lines:
        if end is not None:
            out.append('')
            if line.strip() == end:
                end = None
            continue
        match = re.search(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1", line)
        if match:
            end = match.group(2)
            line = line[:match.start()]
        out.append(line)
    return out


def _substitutions(word):
    """The text of each $(...) in a word, nested ones included; not $((arithmetic))."""
    found, start = [], word.find('$(')
    while start != -1:
        depth, i, quote = 0, start + 1, None
        while i < len(word):
            char = word[i]
            if quote:
                quote = None if char == quote else quote
            elif char == "'":
                quote = char
            elif char == '(':
                depth += 1
            elif char == ')':
                depth -= 1
                if depth == 0:
                    break
            i += 1
        inner = word[start + 2:i]
        if not inner.startswith('('):
            found.append(inner)
            found.extend(_substitutions(inner))
        start = word.find('$(', i)
    return found


def _logical_lines(text):
    """(first line number, text) of each line, with lines joined while a quote is open; comments dropped."""
    out, pending, first, quote = [], [], None, None
    for number, line in enumerate(text.splitlines(), 1):
        kept, i = [], 0
        while i < len(line):
            char = line[i]
            if quote == "'":
                quote = None if char == "'" else quote
            elif quote == '"':
                if char == '\\':
                    kept.append(char)
                    i += 1
                    char = line[i] if i < len(line) else ''
                elif char == '"':
                    quote = None
            elif char == '#' and (i == 0 or line[i - 1] in ' \t;'):
                break
            elif char in '"\'':
                quote = char
            elif char == '\\':
                kept.append(char)
                i += 1
                char = line[i] if i < len(line) else ''
            kept.append(char)
            i += 1
        pending.append(''.join(kept))
        first = number if first is None else first
        if quote is None:
            out.append((first, '\n'.join(pending)))
            pending, first = [], None
    if pending:
        out.append((first, '\n'.join(pending)))
    return out


def _shell_tokens(line):
    lexer = shlex.shlex(line, posix=True, punctuation_chars=';&|()<>')
    lexer.whitespace_split = True
    lexer.commenters = ''  # _logical_lines dropped the comments; a '#' left is data (${x#y}, '#!')
    try:
        return list(lexer)
    except ValueError:  # an unterminated quote across lines: scan what shlex can without the quotes
        return line.replace('"', ' ').replace("'", ' ').split()


def scan_shell(text, rel, first_line=1):
    calls = list(scan_paths_only(text, rel, first_line))
    functions = set(re.findall(r'^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)', text, re.M))
    text = '\n'.join(_strip_heredocs(text.replace('\\\n', ' \n').splitlines()))
    state = {}  # `case` spans lines
    for number, line in _logical_lines(text):
        number += first_line - 1
        calls.extend(c for c in _shell_commands(_shell_tokens(line), rel, number, state) if c.name not in functions)
        for piece in _substitutions(line):
            calls.extend(c for c in _shell_commands(_shell_tokens(piece), rel, number, {}) if c.name not in functions)
    return _unique(calls)


def _unique(calls):
    """One call per name and line (a path is seen both as a path and as a command; `x=$(cmd` twice)."""
    seen, out = set(), []
    for call in calls:
        if (call.name, call.line) not in seen:
            seen.add((call.name, call.line))
            out.append(call)
    return out


SEPARATORS = (';', ';;', '&', '&&', '|', '||', '(', ')', '()', '|&', '{', '}')
REDIRECTIONS = ('<', '>', '>>', '<<', '>&', '<&', '<>', '&>')
PREFIXES = ('if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'exec', 'command', 'time', 'nohup', 'env')


def _case_pattern_end(tokens, i):
    """Index of the `)` closing a case pattern starting at i (`a|b|c)`), or None."""
    j = i
    while j < len(tokens) and tokens[j] not in (';', ';;', '&&', '||', '(', '{', '}'):
        if tokens[j] == ')':
            return j
        j += 1
    return None


def _shell_commands(tokens, rel, number, state):
    calls, expect, i = [], True, 0
    in_case = state.get('case', 0)
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token in SEPARATORS:
            expect = True
            continue
        if token in REDIRECTIONS or re.match(r'^\d+[<>]', token):
            i += 1 if token in REDIRECTIONS or re.match(r'^\d+[<>]&?$', token) else 0  # skip the target
            continue
        if token == 'case':
            in_case, expect = in_case + 1, False
            continue
        if token == 'esac':
            in_case = max(in_case - 1, 0)
            continue
        if in_case and token == 'in':
            expect = True
            continue
        if not expect:
            continue
        if in_case:
            end = _case_pattern_end(tokens, i - 1)
            if end is not None:
                i = end + 1
                continue
        if ASSIGNMENT.match(token) or token in PREFIXES:
            continue
        expect = False
        if token in SHELL_WORDS or token.startswith(('$', '-', '*', '~', '(')) or '$' in token or not token:
            continue
        if '/' in token and not SYSTEM_PATH.fullmatch(token):
            continue  # a path of the project (./x, tests/...), not a command of the system
        calls.append(Call(token, rel, number))
    state['case'] = in_case
    return calls


# ------------------------------------------------------------------------------------------------- python

def _name(func):
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _const(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _argv_elements(node, assigned, seen=()):
    """The elements of an argv expression: a list literal, the list literal at the end of `prefix + [...]`
    (a prefix that is a name, e.g. the lab's nsenter command, is checked where it is written), or a name
    assigned such an expression somewhere in the file (`cmd = [...]; run(cmd)`)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return node.elts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _argv_elements(node.left, assigned, seen)
        return left if left else _argv_elements(node.right, assigned, seen)
    if isinstance(node, ast.Name) and node.id not in seen:
        for value in assigned.get(node.id, ()):
            found = _argv_elements(value, assigned, seen + (node.id,))
            if found:
                return found
    return []


def _from_argv(elements, rel, calls):
    words = [_const(e) for e in elements]
    if not words or words[0] is None:
        return
    calls.extend(_word_calls(words[0], rel, elements[0].lineno))
    for i, word in enumerate(words[:-1]):  # sh -c 'script', bash -c, su - user -c 'script'
        shells = ('sh', 'bash', 'su', '/bin/sh', '/bin/bash')
        if word == '-c' and words[i + 1] is not None and any(w in shells for w in words[:i] if w):
            calls.extend(scan_shell(words[i + 1], rel, elements[i + 1].lineno))


def _word_calls(word, rel, line):
    if not word or '/' in word and not SYSTEM_PATH.fullmatch(word) or word.startswith('-'):
        return []
    return [Call(word, rel, line)]


def _python_paths(tree, rel):
    """Absolute system paths in string constants; not a constant that only continues another string
    (`IHS + '/bin/apachectl'`, `os.path.join(root, '/usr/...')`)."""
    tails = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            tails.add(id(node.right))
        elif isinstance(node, ast.Call) and _name(node.func) == 'join':
            tails.update(id(a) for a in node.args[1:])
    calls = []
    for node in ast.walk(tree):
        text = _const(node)
        if text and id(node) not in tails:
            calls.extend(Call(m.group(0), rel, node.lineno) for m in SYSTEM_PATH.finditer(text))
    return calls


def scan_python(text, rel):
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return scan_paths_only(text, rel)  # Jython 2 sources of the WAS emulator: the paths they call
    calls = _python_paths(tree, rel)
    assigned = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in SUBPROCESS_CALLS and node.args:
            argv = node.args[1] if name.startswith(('execv', 'spawnv')) and len(node.args) > 1 else node.args[0]
            _from_argv(_argv_elements(argv, assigned), rel, calls)
            if name.startswith('execvp') and _const(node.args[0]):
                calls.extend(_word_calls(_const(node.args[0]), rel, node.lineno))
            if any(k.arg == 'shell' and getattr(k.value, 'value', False) is True for k in node.keywords):
                script = _const(node.args[0])
                if script:
                    calls.extend(scan_shell(script, rel, node.lineno))
        elif name in ARGV_HELPERS and len(node.args) > ARGV_HELPERS[name]:
            rest = node.args[ARGV_HELPERS[name]:]
            elements = _argv_elements(rest[0], assigned) or rest
            _from_argv(elements, rel, calls)
        elif name == 'which' and node.args and _const(node.args[0]):
            calls.extend(_word_calls(_const(node.args[0]), rel, node.lineno))
    return calls


# ------------------------------------------------------------------------------------------------- yaml

def _tasks(node):
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        yield node
        for key in ('tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always'):
            yield from _tasks(node.get(key))


def scan_yaml(text, rel):
    calls = list(scan_paths_only(text, rel))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return calls
    for task in _tasks(data):
        for module in ('ansible.builtin.command', 'command', 'ansible.builtin.shell', 'shell'):
            args = task.get(module)
            if args is None:
                continue
            line = 1  # PyYAML's safe_load keeps no line numbers; the file is named
            if isinstance(args, dict):
                argv = args.get('argv')
                script = args.get('cmd', '')
                if argv:
                    calls.extend(_word_calls(str(argv[0]), rel, line) if '{{' not in str(argv[0]) else [])
                    continue
            else:
                script = args
            if module.endswith('shell'):
                calls.extend(scan_shell(str(script), rel, line))
            elif script and '{{' not in str(script).split()[0]:
                calls.extend(_word_calls(str(script).split()[0], rel, line))
    return calls


def all_calls(repo=REPO):
    calls = []
    for path in source_files(repo):
        calls.extend(scan_file(path, repo))
    return calls


if __name__ == '__main__':
    for found in sorted(all_calls(), key=lambda c: (c.name, c.path, c.line)):
        print('%-20s %s:%d' % (found.name, found.path, found.line))
