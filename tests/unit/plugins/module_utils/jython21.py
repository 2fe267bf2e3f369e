# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Jython 2.1 subset checker of the generated wsadmin scripts (tests only: WAS 8.5.5 runs Jython 2.1).

The scripts parse as Python 3 too; this walks their syntax tree and names every construct 2.1 lacks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast

# Names that do not exist in Jython 2.1 (builtins added in 2.2+ or modules it lacks).
FORBIDDEN_NAMES = frozenset([
    'True', 'False', 'sorted', 'set', 'frozenset', 'enumerate', 'reversed', 'bool', 'basestring', 'sum', 'any',
    'all', 'json', 'next', 'iter', 'property', 'staticmethod', 'classmethod', 'super', 'object', 'file',
])
FORBIDDEN_MODULES = frozenset(['json', 'sets', 'collections', 'itertools', 'subprocess', 'logging', 'datetime'])


def jython21_violations(source):
    """Constructs outside the Jython 2.1 subset (list of 'line N: what'); also rejects what Python 3 cannot parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return ['line %s: not parseable as the common 2.1/3 subset: %s' % (exc.lineno, exc.msg)]
    found = []

    def add(node, what):
        found.append('line %d: %s' % (getattr(node, 'lineno', 0), what))

    checks = [
        ('With', 'with statement'), ('GeneratorExp', 'generator expression'), ('SetComp', 'set comprehension'),
        ('DictComp', 'dict comprehension'), ('Set', 'set literal'), ('IfExp', 'conditional expression'),
        ('Yield', 'yield (generators)'), ('YieldFrom', 'yield from'), ('Lambda', 'lambda (nested scopes)'),
        ('JoinedStr', 'f-string'), ('Starred', 'starred expression'), ('Nonlocal', 'nonlocal'),
        ('AsyncFunctionDef', 'async def'), ('Await', 'await'), ('NamedExpr', 'assignment expression'),
    ]
    node_types = dict((getattr(ast, name), what) for name, what in checks if hasattr(ast, name))
    for node in ast.walk(tree):
        for node_type, what in node_types.items():
            if isinstance(node, node_type):
                add(node, what)
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            add(node, 'name %s does not exist in Jython 2.1' % node.id)
        if type(node).__name__ in ('NameConstant', 'Constant') and isinstance(getattr(node, 'value', None), bool):
            add(node, '%s does not exist in Jython 2.1' % node.value)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name and name.split('.')[0] in FORBIDDEN_MODULES:
                    add(node, 'module %s is not in Jython 2.1' % name)
            if isinstance(node, ast.ImportFrom) and node.module == '__future__':
                add(node, '__future__ import')
        if isinstance(node, ast.ExceptHandler) and node.name:
            add(node, '"except X as name" (2.6+); use sys.exc_info()')
        if isinstance(node, ast.Try) and node.handlers and node.finalbody:
            add(node, 'try/except/finally in one statement (2.5+)')
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv):
            add(node, '// operator (2.2+)')
        if isinstance(node, ast.Attribute) and node.attr == 'format':
            add(node, 'str.format (2.6+)')
        if isinstance(node, ast.FunctionDef):
            if node.decorator_list:
                add(node, 'decorator (2.4+)')
            for child in ast.walk(node):
                if child is not node and isinstance(child, ast.FunctionDef):
                    add(child, 'nested function (2.1 needs nested_scopes)')
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'print':
            if len(node.args) != 1 or node.keywords:
                add(node, 'print() with other than one argument prints a tuple under Jython 2.1')
        if isinstance(node, ast.Call) and node.keywords and not (isinstance(node.func, ast.Name)
                                                                 and node.func.id == 'print'):
            for kw in node.keywords:
                if kw.arg is None:
                    add(node, '**kwargs call')
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators):
                if isinstance(op, (ast.In, ast.NotIn)) and _is_multichar_str(right):
                    add(node, 'substring test with `in` (2.3+); use str.find')
    return found


def _is_multichar_str(node):
    value = node.value if hasattr(node, 'value') else getattr(node, 's', None)
    return type(node).__name__ in ('Constant', 'Str') and isinstance(value, str) and len(value) > 1
