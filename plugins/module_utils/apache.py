# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Apache httpd / IBM HTTP Server: `apachectl -V`/`-M` parsing and the photo virtual host (pure, Python 3.6+).

Runs on managed hosts: standard library and ansible.module_utils only.

Apache generations: IHS 7.0/8.0/8.5 are Apache 2.2.8 based, IHS 9.0 is 2.4.12 based. The Module
Magic Number major (20051115 = 2.2, 20120211 = 2.4) decides; IHS prints its own product in
"Server version" (IBM_HTTP_Server/8.5.5.22), so the product version alone is not the Apache version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re

from ansible_collections.sametime.deploy.plugins.module_utils import cidr, photo_names

MMN_GENERATIONS = {20020903: '2.0', 20051115: '2.2', 20120211: '2.4'}
IHS_GENERATIONS = {'6': '2.0', '7': '2.2', '8': '2.2', '9': '2.4'}
SUPPORTED_GENERATIONS = ('2.2', '2.4')

# The defaults of the photo vhost, stated here only: the module's argument_spec takes them from here, its
# DOCUMENTATION states them (ansible-test validate-modules checks that both agree), and the ihs_photos role
# leaves its variables unset so that the module's default applies.
DEFAULT_APACHECTL = '/opt/IBM/HTTPServer/bin/apachectl'
DEFAULT_PORT = 80
DEFAULT_LISTEN_ADDRESS = '*'
DEFAULT_MODE = 'hardened'
DEFAULT_COOKIES = ['LtpaToken', 'LtpaToken2', 'STPluginActivePage=stMeetingroom']
# exactly the names ldap_photo_export writes, as Apache sees the decoded path (photo_names: one definition)
DEFAULT_PHOTO_NAME_REGEX = photo_names.APACHE_NAME_REGEX
DEFAULT_CACHE_CONTROL = 'private, max-age=3600'
DEFAULT_ACCESS_LOG = 'logs/photos_access.log'
ENV_FLAG = 'sametime_photo_ok'
# 2.2 syntax on a 2.4 server (mod_access_compat): an inherited "Require all denied" (e.g. <Directory />) would
# still refuse everything, because Require and Order/Allow must both pass. Granting in authz_core leaves the
# decision to Order/Allow; real 2.2 has no authz_core_module and skips the block.
COMPAT_GUARD = ['<IfModule authz_core_module>', '    Require all granted', '</IfModule>']

HOSTNAME = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$')
COOKIE = re.compile(r'^([A-Za-z0-9_.-]+)(?:=([A-Za-z0-9_.-]+))?$')
MODULE_ID = re.compile(r'^[a-z0-9_]+_module$')
URL = re.compile(r'^https?://[^\s"\'<>\\]+$')
UNSAFE = re.compile(r'["\\\x00-\x1f\x7f]')


class ApacheError(ValueError):
    """Invalid input or unparsable Apache output; the message says what and where."""


# --------------------------------------------------------------------------------------------- parsing

def parse_version(text):
    """Parse `apachectl -V` (or `-v`) output into a dict; tolerant of warnings printed before it."""
    info = {
        'server_version': None, 'product': None, 'product_version': None, 'apache_version': None,
        'mmn': None, 'mmn_major': None, 'generation': None, 'is_ihs': False,
        'server_root': None, 'server_config_file': None, 'mpm': None, 'defines': {},
    }
    for line in text.splitlines():
        line = line.strip()
        match = re.match(r'^Server version:\s*(\S+)', line)
        if match:
            info['server_version'] = line.split(':', 1)[1].strip()
            product, _sep, version = match.group(1).partition('/')
            info['product'], info['product_version'] = product, version or None
            continue
        match = re.match(r'^Apache version:\s*([0-9][0-9.]*)', line)
        if match:
            info['apache_version'] = match.group(1).rstrip('.')
            continue
        match = re.match(r"^Server's Module Magic Number:\s*(\d+)(?::(\d+))?", line)
        if match:
            info['mmn'] = match.group(0).split(':', 1)[1].strip()
            info['mmn_major'] = int(match.group(1))
            continue
        match = re.match(r'^Server MPM:\s*(\S*)', line)
        if match:
            info['mpm'] = match.group(1) or None
            continue
        match = re.match(r'^-D\s+([A-Za-z0-9_]+)(?:="?(.*?)"?)?$', line)
        if match:
            info['defines'][match.group(1)] = match.group(2) if match.group(2) is not None else True
    if info['server_version'] is None:
        raise ApacheError('no "Server version:" line in the apachectl output: %s' % (text.strip()[:500] or '(empty)'))
    info['is_ihs'] = bool(info['product']) and info['product'].upper().startswith('IBM_HTTP_SERVER')
    if info['apache_version'] is None and info['product'] == 'Apache':
        info['apache_version'] = info['product_version']
    root = info['defines'].get('HTTPD_ROOT')
    if isinstance(root, str):
        info['server_root'] = root
    config = info['defines'].get('SERVER_CONFIG_FILE')
    if isinstance(config, str):
        info['server_config_file'] = config if os.path.isabs(config) or not root else os.path.join(root, config)
    info['generation'] = generation_of(info)
    return info


def generation_of(info):
    """'2.0', '2.2', '2.4' or None, from the MMN major, then the Apache version, then the IHS major version."""
    if info.get('mmn_major') in MMN_GENERATIONS:
        return MMN_GENERATIONS[info['mmn_major']]
    version = info.get('apache_version')
    if version:
        match = re.match(r'^2\.([024])\.', version + '.')
        if match:
            return '2.' + match.group(1)
    if info.get('is_ihs') and info.get('product_version'):
        return IHS_GENERATIONS.get(info['product_version'].split('.')[0])
    return None


def parse_modules(text):
    """Module identifiers (e.g. rewrite_module) from `apachectl -M` output."""
    modules = []
    for line in text.splitlines():
        match = re.match(r'^\s*([A-Za-z0-9_]+_module)\s+\((static|shared)\)\s*$', line)
        if match:
            modules.append(match.group(1))
    return modules


# --------------------------------------------------------------------------------------------- spec

def _safe(name, value):
    if not isinstance(value, str) or not value or UNSAFE.search(value):
        raise ApacheError('%s must be a non-empty string without quotes, backslashes or control characters, got %r'
                          % (name, value))
    return value


def _hostname(name, value):
    if not isinstance(value, str) or not HOSTNAME.match(value):
        raise ApacheError('%s must be a DNS host name, got %r' % (name, value))
    return value


def _network_list(name, values, host=False):
    networks = []
    for value in values or []:
        try:
            network = cidr.parse_network(value)
        except cidr.CidrError as exc:
            raise ApacheError('%s: %s' % (name, exc))
        if host and network.prefixlen != 32:
            raise ApacheError('%s takes single IPv4 addresses; %r is a network (use allow_networks)' % (name, value))
        if network not in networks:
            networks.append(network)
    return networks


PIPE_PREFIXES = {'2.2': ('|',), '2.4': ('||', '|$', '|')}


def log_target(name, value, generation):
    """A CustomLog/ErrorLog target: a file path, or a piped program with its arguments (IHS rotates logs with
    `|bin/rotatelogs logs/photos.%Y%m%d 86400`). Rendered inside double quotes, where Apache 2.2 and 2.4 read every
    character literally but a double quote or a backslash (their escapes differ), so those and control characters
    are refused. 2.4 also knows `||program` (no shell) and `|$program` (shell); 2.2 only `|program`."""
    if value is None or value == '':
        return None
    if not isinstance(value, str) or UNSAFE.search(value):
        raise ApacheError('%s must be a file path or "|program arguments" without double quotes, backslashes or '
                          'control characters (newline, tab), got %r' % (name, value))
    if value != value.strip():
        raise ApacheError('%s must not start or end with blanks, got %r' % (name, value))
    if value.startswith('|'):
        prefix = [pipe for pipe in PIPE_PREFIXES['2.4'] if value.startswith(pipe)][0]
        if prefix not in PIPE_PREFIXES[generation]:
            raise ApacheError('%s: Apache %s knows only "|program" for piped logs, got %r' % (name, generation, value))
        if not value[len(prefix):].strip():
            raise ApacheError('%s: the piped log names no program after %r, got %r' % (name, prefix, value))
    return value


def relative_pipe_warnings(spec):
    """Warnings for piped logs whose program is a relative path: Apache starts it through /bin/sh in the directory
    httpd was started from, not in the ServerRoot (checked on Apache 2.4), so `|bin/rotatelogs ...` works only when
    httpd is started from its server root. IBM's examples use absolute paths."""
    warnings = []
    for name in ('access_log', 'error_log'):
        value = spec.get(name) or ''
        prefixes = [pipe for pipe in PIPE_PREFIXES['2.4'] if value.startswith(pipe)]
        program = value[len(prefixes[0]):].split(' ', 1)[0] if prefixes else ''
        if program and not program.startswith(('/', '$')):
            warnings.append('%s: the piped program %s is a relative path; Apache runs it in the directory httpd was '
                            'started from, not in the server root. Give absolute paths (program and log file) unless '
                            'IHS is always started from its server root.' % (name, program))
    return warnings


def parse_cookie(value):
    """'Name' or 'Name=value' -> (name, value or None); names and values limited to [A-Za-z0-9_.-]."""
    match = COOKIE.match(value) if isinstance(value, str) else None
    if not match:
        raise ApacheError('allow_cookies: %r is not "Name" or "Name=value" made of letters, digits, "_", "." and '
                          '"-"' % (value,))
    return match.group(1), match.group(2)


def build_spec(params):
    """Validate every input and return the normalised spec rendered by render_vhost (raises ApacheError)."""
    generation = params.get('apache_generation')
    if generation not in SUPPORTED_GENERATIONS:
        raise ApacheError('apache_generation must be one of %s for rendering, got %r'
                          % (', '.join(SUPPORTED_GENERATIONS), generation))
    mode = params.get('mode', DEFAULT_MODE)
    if mode not in ('seed', 'hardened'):
        raise ApacheError('mode must be seed or hardened, got %r' % (mode,))
    port = params.get('port', DEFAULT_PORT)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ApacheError('port must be an integer 1-65535, got %r' % (port,))
    listen_address = params.get('listen_address') or DEFAULT_LISTEN_ADDRESS
    if listen_address != '*':
        listen_address = str(_network_list('listen_address', [listen_address], host=True)[0].network_address)
    document_root = _safe('document_root', params.get('document_root'))
    if not document_root.startswith('/') or ' ' in document_root:
        raise ApacheError('document_root must be an absolute path without spaces, got %r' % (document_root,))
    if len(document_root) > 1:
        document_root = document_root.rstrip('/')
    redirect_url = params.get('redirect_url')
    if mode == 'seed' and (not isinstance(redirect_url, str) or not URL.match(redirect_url)):
        raise ApacheError('mode=seed needs redirect_url as an http(s) URL without spaces or quotes, got %r'
                          % (redirect_url,))
    photo_name_regex = params.get('photo_name_regex') or DEFAULT_PHOTO_NAME_REGEX
    if not isinstance(photo_name_regex, str) or re.search(r'[\s"\x00-\x1f]', photo_name_regex) \
            or photo_name_regex.startswith('^') or photo_name_regex.endswith('$'):
        raise ApacheError('photo_name_regex must be an unanchored regex without spaces or quotes, got %r'
                          % (photo_name_regex,))
    try:
        re.compile(photo_name_regex)
    except re.error as exc:
        raise ApacheError('photo_name_regex %r is not a valid regular expression: %s' % (photo_name_regex, exc))
    cookies = params.get('allow_cookies')
    if cookies is None:
        cookies = DEFAULT_COOKIES
    load_modules = params.get('load_modules') or {}
    if not isinstance(load_modules, dict):
        raise ApacheError('load_modules must be a mapping module_id -> shared object path')
    modules = []
    for module_id in sorted(load_modules):
        if not MODULE_ID.match(module_id):
            raise ApacheError('load_modules: %r is not a module identifier like rewrite_module' % (module_id,))
        path = _safe('load_modules[%s]' % module_id, load_modules[module_id])
        if ' ' in path:
            raise ApacheError('load_modules[%s]: the path must not contain spaces, got %r' % (module_id, path))
        modules.append((module_id, path))
    access_log = log_target('access_log', params.get('access_log'), generation)
    error_log = log_target('error_log', params.get('error_log'), generation)
    cache_control = params.get('cache_control')
    if cache_control is None:
        cache_control = DEFAULT_CACHE_CONTROL
    if cache_control:
        _safe('cache_control', cache_control)
    return {
        'generation': generation,
        'mode': mode,
        'server_name': _hostname('server_name', params.get('server_name')),
        'server_aliases': [_hostname('server_aliases', alias) for alias in params.get('server_aliases') or []],
        'port': port,
        'listen_address': listen_address,
        'document_root': document_root,
        'networks': _network_list('allow_networks', params.get('allow_networks')),
        'hosts': _network_list('allow_hosts', params.get('allow_hosts'), host=True),
        'cookies': [parse_cookie(cookie) for cookie in cookies],
        'redirect_url': redirect_url,
        'photo_name_regex': photo_name_regex,
        'load_modules': modules,
        'name_virtual_host': bool(params.get('name_virtual_host')),
        'access_log': access_log,
        'error_log': error_log,
        'cache_control': cache_control or None,
    }


# --------------------------------------------------------------------------------------------- rendering

def _class_escape(text):
    """Regex-escape a cookie name/value ([A-Za-z0-9_.-]) without backslashes (mod_setenvif parses them oddly)."""
    return text.replace('.', '[.]')


# A cookie value is empty when nothing is left after setting aside blanks, tabs and double quotes: `Name=`,
# `Name=""`, `Name="  "`, `Name=<tabs>`. RFC 6265 trims blanks around a value and allows it in double quotes.
# POSIX [:blank:] (space, tab) instead of backslash escapes, which mod_setenvif's argument parser mangles.
BLANK = '[:blank:]'
NON_EMPTY_VALUE = '[%s"]*[^%s";,]' % (BLANK, BLANK)


def hardened_cookie_regex(name, value=None):
    """One cookie as a regex alternative: the name, case-sensitive, and a non-empty value (or exactly `value`)."""
    head = '%s=' % _class_escape(name)
    if value is None:
        return head + NON_EMPTY_VALUE
    return head + _class_escape(value) + '(?:$|[;,%s])' % BLANK


def hardened_cookies_regex(cookies):
    """The one SetEnvIf Cookie regex for all allowed cookies: a name at the header start or after ';'/','
    (Apache joins repeated Cookie headers with ', '). One regex, so that the header is scanned once per request."""
    return '(?:^|[;,])[%s]*(?:%s)' % (BLANK, '|'.join(hardened_cookie_regex(name, value) for name, value in cookies))


def seed_cookie_regex(name, value=None):
    """The seed's RewriteCond cookie test (an unanchored substring, used with [NC])."""
    if value is None:
        return '%s=.*$' % name.replace('.', '\\.')
    return '%s=%s' % (name.replace('.', '\\.'), value.replace('.', '\\.'))


def _source(network):
    """'192.0.2.0/25' for a network, '203.0.113.11' for a single host."""
    return str(network.network_address) if network.prefixlen == 32 else str(network)


def _access_lines(spec):
    """The <Directory> access-control lines for the hardened mode: an allowed source or cookie, GET/HEAD only."""
    sources = [_source(net) for net in spec['networks'] + spec['hosts']]
    if spec['generation'] == '2.2':
        lines = COMPAT_GUARD + ['Order Deny,Allow', 'Deny from all']
        if sources:
            lines.append('Allow from %s' % ' '.join(sources))
        if spec['cookies']:
            lines.append('Allow from env=%s' % ENV_FLAG)
        # Order/Deny inside <LimitExcept> apply to the other methods only (GET includes HEAD)
        return lines + ['<LimitExcept GET>', '    Order Allow,Deny', '    Deny from all', '</LimitExcept>']
    allowed = []
    if sources:
        allowed.append('Require ip %s' % ' '.join(sources))
    if spec['cookies']:
        allowed.append('Require env %s' % ENV_FLAG)
    if not allowed:
        return ['Require all denied']
    return (['<RequireAll>', '    Require method GET HEAD', '    <RequireAny>']
            + ['        %s' % line for line in allowed] + ['    </RequireAny>', '</RequireAll>'])


def _other_paths_line(spec):
    """Every path but /<photo name> is refused with 403 while the URL is translated (mod_alias): no listing, no
    other file, no sub-path. Cheaper per request than a <LocationMatch> or a RewriteRule (bench/ihs_vhost)."""
    return 'RedirectMatch 403 "^/(?!(?:%s)$)"' % spec['photo_name_regex']


def render_vhost(spec):
    """The complete vhost file text for a spec from build_spec."""
    hardened = spec['mode'] == 'hardened'
    out = [
        '# Managed by Ansible (sametime.deploy.ihs_photo_vhost): photo virtual host %s,' % spec['server_name'],
        '# mode %s, Apache %s syntax. Manual changes are overwritten.' % (spec['mode'], spec['generation']),
    ]
    if hardened:
        out += ['# The cookie tests keep casual browsers out; they are not authentication (any client can send any',
                '# cookie). Only the IP allow-list is enforced by the network.']
    else:
        out += ['# Seed semantics: substring cookie tests, everyone else is redirected. Kept for comparison only.']
    for module_id, path in spec['load_modules']:
        out += ['<IfModule !%s>' % module_id, '    LoadModule %s %s' % (module_id, path), '</IfModule>']
    address = '%s:%d' % (spec['listen_address'], spec['port'])
    if spec['name_virtual_host'] and spec['generation'] == '2.2':
        out.append('NameVirtualHost %s' % address)
    out += ['', '<VirtualHost %s>' % address, '    ServerName %s' % spec['server_name']]
    if spec['server_aliases']:
        out.append('    ServerAlias %s' % ' '.join(spec['server_aliases']))
    out.append('    DocumentRoot "%s"' % spec['document_root'])
    if hardened:
        out += _hardened_body(spec)
    else:
        out += _seed_body(spec)
    out += ['</VirtualHost>', '']
    if hardened and spec['generation'] == '2.2':
        # 2.2 allows TraceEnable only at server level, and <Limit>/<LimitExcept> cannot refuse TRACE
        out += ['# TRACE echoes the request, cookies included; Apache 2.2 can refuse it only server-wide',
                'TraceEnable off', '']
    return '\n'.join(out)


def _hardened_body(spec):
    out = []
    if spec['cookies']:
        # single quotes: the regex contains a double quote and no single quote (names/values are [A-Za-z0-9_.-])
        out += ['', '    # cookie name anchored at the header start or after ";" / ",", case-sensitive; a value of only',
                '    # blanks, tabs and double quotes (LtpaToken2="") counts as empty and does not allow',
                "    SetEnvIf Cookie '%s' %s" % (hardened_cookies_regex(spec['cookies']), ENV_FLAG)]
    out += [
        '',
        '    # GET/HEAD only; denied before any file lookup, so a missing photo and an existing one both give',
        '    # 403 to outsiders',
        '    <Directory "%s">' % spec['document_root'],
        '        Options None',
        '        AllowOverride None',
    ]
    out += ['        %s' % line for line in _access_lines(spec)]
    out += ['    </Directory>', '',
            '    # only /<mail>.jpg: anything else ("/", other files, sub-paths) is refused with 403',
            '    %s' % _other_paths_line(spec), '']
    if spec['cache_control']:
        out.append('    Header set Cache-Control "%s"' % spec['cache_control'])
    out += [
        '    Header set X-Content-Type-Options "nosniff"',
        '    ErrorDocument 403 "Forbidden"',
        '    ErrorDocument 404 "Not Found"',
    ]
    if spec['generation'] == '2.4':
        out.append('    TraceEnable off')
    if spec['access_log']:
        out += [
            '    # the Cookie header is never logged, only whether a cookie allowed the request',
            '    LogFormat "%%h %%t \\"%%r\\" %%>s %%b photo_cookie=%%{%s}e" sametime_photos' % ENV_FLAG,
            '    CustomLog "%s" sametime_photos' % spec['access_log'],
        ]
    out += _error_log_lines(spec)
    return out


def _seed_body(spec):
    out = ['', '    RewriteEngine On']
    for name, value in spec['cookies']:
        out.append('    RewriteCond %%{HTTP_COOKIE} !%s [NC]' % seed_cookie_regex(name, value))
    for net in spec['networks'] + spec['hosts']:
        if spec['generation'] == '2.2':
            out.append('    RewriteCond %%{REMOTE_ADDR} !%s' % cidr.networks_regex([net]))
        else:
            out.append('    RewriteCond expr "! -R \'%s\'"' % _source(net))
    out += ['    RewriteRule ^(.*)$ %s [R,L]' % spec['redirect_url'], '', '    <Directory "%s">' % spec['document_root']]
    if spec['generation'] == '2.2':
        out += ['        %s' % line for line in COMPAT_GUARD + ['Order allow,deny', 'Allow from all']]
    else:
        out += ['        Require all granted']
    out += ['    </Directory>']
    if spec['access_log']:
        out += ['    LogFormat "%h %t \\"%r\\" %>s %b" sametime_photos_seed',
                '    CustomLog "%s" sametime_photos_seed' % spec['access_log']]
    return out + _error_log_lines(spec)


def _error_log_lines(spec):
    if not spec['error_log']:
        return []
    return ['    ErrorLog "%s"' % spec['error_log']]


# --------------------------------------------------------------------------------------------- configuration test

INCLUDE_LINE = re.compile(r'''^\s*(?:Include|IncludeOptional)\s+(?:"([^"]*)"|'([^']*)'|(\S+))\s*$''', re.I)
SERVER_ROOT_LINE = re.compile(r'''^\s*ServerRoot\s+(?:"([^"]*)"|'([^']*)'|(\S+))\s*$''', re.I)
WILDCARD = re.compile(r'[*?[]')


def _argument(match):
    return next(group for group in match.groups() if group is not None)


def server_root_of(main_text, default=None):
    """The first ServerRoot of a main configuration, else `default` (`apachectl -V`'s HTTPD_ROOT)."""
    for line in main_text.splitlines():
        match = SERVER_ROOT_LINE.match(line)
        if match:
            return _argument(match)
    return default


def candidate_main_config(main_text, main_path, live_path, candidate_path, server_root, list_files,
                          include_if_missing=False):
    """The main configuration with every Include of `live_path` pointing at `candidate_path` instead, for
    `apachectl -t -f <this>`: the new vhost is tested in the place of the live one while the live file stays as it
    is. An Include with a wildcard in its file name part that covers the live file is expanded the way Apache does
    (matching names in alphabetical order, names starting with "." left out). `list_files(directory)` gives the
    names of the regular files of a directory. Raises ApacheError when nothing includes the live file, unless
    `include_if_missing` (the file is not included yet): then the candidate is included at the end."""
    live = os.path.realpath(live_path)
    out, found = [], False
    for line in main_text.splitlines():
        match = INCLUDE_LINE.match(line)
        if not match:
            out.append(line)
            continue
        argument = _argument(match)
        resolved = argument if os.path.isabs(argument) or not server_root else os.path.join(server_root, argument)
        if not WILDCARD.search(argument):
            if os.path.realpath(resolved) == live:
                out.append('Include "%s"' % candidate_path)
                found = True
            else:
                out.append(line)
            continue
        directory, pattern = os.path.split(resolved)
        if WILDCARD.search(directory) or os.path.realpath(directory) != os.path.dirname(live) \
                or not fnmatch.fnmatchcase(os.path.basename(live), pattern) or os.path.basename(live).startswith('.'):
            out.append(line)
            continue
        found = True
        for name in sorted(name for name in list_files(directory)
                           if not name.startswith('.') and fnmatch.fnmatchcase(name, pattern)):
            path = os.path.join(os.path.dirname(live), name)
            out.append('Include "%s"' % (candidate_path if path == live else path))
    if not found:
        if not include_if_missing:
            raise ApacheError(
                '%s has no Include of %s (an Include of that path, or a wildcard in the file name part); the new file '
                'can only be tested in the place of the live one. Add Include "%s" to %s, or set '
                'configtest_include=true when the file is not included yet' % (main_path, live_path, live_path, main_path))
        out.append('Include "%s"' % candidate_path)
    return '\n'.join(out) + '\n'
