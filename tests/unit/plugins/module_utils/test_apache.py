# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest

from ansible_collections.sametime.deploy.plugins.module_utils import apache, cidr, photo_names

DEBIAN_24 = """[core:warn] AH00111: Config variable ${APACHE_RUN_DIR} is not defined
Server version: Apache/2.4.71 (Debian)
Server built:   2026-11-12T08:58:41
Server's Module Magic Number: 20120211:142
Server loaded:  APR 1.7.2, APR-UTIL 1.6.3, PCRE 10.42 2022-12-11
Architecture:   64-bit
Server MPM:     event
  threaded:     yes (fixed thread count)
Server compiled with....
 -D APR_HAS_SENDFILE
 -D HTTPD_ROOT="/etc/apache2"
 -D SERVER_CONFIG_FILE="apache2.conf"
"""
# IHS 9 capture quoted in the reference ([S8]); the -D lines follow the stock layout
IHS_9 = """Server version: IBM_HTTP_Server/9.0.5.16 (Unix)
Apache version: 2.4.12 (with additional fixes)
Server built:   Jun  6 2023 09:04:03
Server's Module Magic Number: 20120211:57
Server MPM:     event
 -D HTTPD_ROOT="/opt/IBM/HTTPServer"
 -D SERVER_CONFIG_FILE="conf/httpd.conf"
"""
# IHS 8.5: product line as in IBM's doc ([S7]); MMN of the 2.2 line; no "Apache version:" line is assumed
IHS_85 = """Server version: IBM_HTTP_Server/8.5.5.22 (Unix)
Server built:   Mar 10 2022 10:11:12
Server's Module Magic Number: 20051115:23
Server MPM:     Worker
 -D HTTPD_ROOT="/opt/IBM/HTTPServer"
 -D SERVER_CONFIG_FILE="/opt/IBM/HTTPServer/conf/httpd.conf"
"""
STOCK_22 = """Server version: Apache/2.2.31 (Unix)
Server's Module Magic Number: 20051115:40
 -D HTTPD_ROOT="/usr/local/apache2"
 -D SERVER_CONFIG_FILE="conf/httpd.conf"
"""


@pytest.mark.parametrize('text, expected', [
    (DEBIAN_24, dict(server_version='Apache/2.4.71 (Debian)', product='Apache', product_version='2.4.71',
                     apache_version='2.4.71', mmn='20120211:142', generation='2.4', is_ihs=False,
                     server_root='/etc/apache2', server_config_file='/etc/apache2/apache2.conf', mpm='event')),
    (IHS_9, dict(server_version='IBM_HTTP_Server/9.0.5.16 (Unix)', product='IBM_HTTP_Server', product_version='9.0.5.16',
                 apache_version='2.4.12', mmn='20120211:57', generation='2.4', is_ihs=True,
                 server_root='/opt/IBM/HTTPServer', server_config_file='/opt/IBM/HTTPServer/conf/httpd.conf')),
    (IHS_85, dict(product_version='8.5.5.22', apache_version=None, mmn='20051115:23', generation='2.2', is_ihs=True,
                  server_config_file='/opt/IBM/HTTPServer/conf/httpd.conf', mpm='Worker')),
    (STOCK_22, dict(apache_version='2.2.31', generation='2.2', server_config_file='/usr/local/apache2/conf/httpd.conf')),
    # `apachectl -v` only: no MMN -> the IHS major decides (7/8 -> 2.2, 9 -> 2.4, 6 -> 2.0)
    ('Server version: IBM_HTTP_Server/8.5.5.22 (Win32)\nServer built: x\n', dict(generation='2.2', mmn=None)),
    ('Server version: IBM_HTTP_Server/7.0.0.45 (Unix)\n', dict(generation='2.2')),
    ('Server version: IBM_HTTP_Server/9.0.5.16 (Unix)\n', dict(generation='2.4')),
    ('Server version: IBM_HTTP_Server/6.1.0.47 (Unix)\n', dict(generation='2.0')),
    ('Server version: Apache/2.2.22 (Ubuntu)\n', dict(generation='2.2')),
    ('Server version: Oracle-HTTP-Server/12.2.1 (Unix)\n', dict(generation=None, is_ihs=False)),
    # the MMN wins over a misleading product number
    ("Server version: IBM_HTTP_Server/9.0.0.0 (Unix)\nServer's Module Magic Number: 20051115:11\n", dict(generation='2.2')),
])
def test_parse_version(text, expected):
    info = apache.parse_version(text)
    for key, value in expected.items():
        assert info[key] == value, key


@pytest.mark.parametrize('text', ['', 'httpd: command not found', 'Syntax error on line 3'])
def test_parse_version_refuses_other_output(text):
    with pytest.raises(apache.ApacheError) as info:
        apache.parse_version(text)
    assert 'Server version' in str(info.value)


def test_parse_modules():
    text = 'Loaded Modules:\n core_module (static)\n so_module (static)\n rewrite_module (shared)\n' \
           ' access_compat_module (shared)\nSyntax OK\n'
    assert apache.parse_modules(text) == ['core_module', 'so_module', 'rewrite_module', 'access_compat_module']


BASE = dict(apache_generation='2.4', mode='hardened', server_name='icphotos.acme.example', port=80,
            document_root='/opt/IBM/HTTPServer/photos', allow_networks=['192.0.2.0/25', '192.0.2.128/25'],
            allow_hosts=['203.0.113.11'], redirect_url='http://www.acme.example', access_log='logs/photos_access.log')


def _render(**changes):
    params = dict(BASE)
    params.update(changes)
    return apache.render_vhost(apache.build_spec(params))


@pytest.mark.parametrize('changes, message', [
    (dict(apache_generation='2.0'), 'apache_generation'),
    (dict(apache_generation='auto'), 'apache_generation'),
    (dict(mode='open'), 'mode'),
    (dict(port=0), 'port'),
    (dict(port='80'), 'port'),
    (dict(server_name='icphotos acme'), 'server_name'),
    (dict(server_name='icphotos.acme.com"\nInclude /etc/passwd'), 'server_name'),
    (dict(server_aliases=['ok.example', 'bad_name!']), 'server_aliases'),
    (dict(document_root='photos'), 'absolute'),
    (dict(document_root='/opt/IBM/HTTP Server/photos'), 'spaces'),
    (dict(document_root='/opt/x"\n</VirtualHost>'), 'quotes'),
    (dict(allow_networks=['10.0.0.1/8']), 'allow_networks: \'10.0.0.1/8\' has host bits set'),
    (dict(allow_networks=['2001:db8::/32']), 'IPv6'),
    (dict(allow_hosts=['192.0.2.0/25']), 'allow_hosts takes single IPv4 addresses'),
    (dict(allow_hosts=['stproxy1.acme.example']), 'allow_hosts'),
    (dict(allow_cookies=['Ltpa Token']), 'allow_cookies'),
    (dict(allow_cookies=['LtpaToken2=']), 'allow_cookies'),
    (dict(allow_cookies=['a=b=c']), 'allow_cookies'),
    (dict(mode='seed', redirect_url=None), 'redirect_url'),
    (dict(mode='seed', redirect_url='javascript:alert(1)'), 'redirect_url'),
    (dict(photo_name_regex='^[a-z]+\\.jpg$'), 'unanchored'),
    (dict(photo_name_regex='[a-z+\\.jpg'), 'not a valid regular expression'),
    (dict(load_modules={'rewrite': '/x.so'}), 'module identifier'),
    (dict(load_modules={'rewrite_module': '/x y.so'}), 'spaces'),
    (dict(access_log='logs/a"b.log'), 'access_log'),
    (dict(access_log='|bin/rotatelogs "logs/photos.%Y%m%d" 86400'), 'access_log must be a file path or "|program'),
    (dict(access_log='|bin/rotatelogs logs/p.%Y 86400\nInclude /etc/passwd'), 'access_log'),
    (dict(access_log='|bin/rotatelogs\tlogs/p 86400'), 'access_log'),
    (dict(access_log='|bin/rotatelogs logs\\p 86400'), 'access_log'),
    (dict(access_log='|bin/rotatelogs logs/p\x1b 86400'), 'access_log'),
    (dict(access_log=' logs/photos.log'), 'access_log must not start or end with blanks'),
    (dict(access_log='|'), 'access_log: the piped log names no program'),
    (dict(access_log='|  '), 'access_log'),
    (dict(access_log='||bin/rotatelogs logs/p 86400', apache_generation='2.2'), 'access_log: Apache 2.2 knows only'),
    (dict(error_log='|$bin/rotatelogs logs/e 86400', apache_generation='2.2'), 'error_log: Apache 2.2 knows only'),
    (dict(error_log="logs/e'\r"), 'error_log'),
    (dict(error_log='"|bin/rotatelogs logs/e 86400"'), 'error_log'),
    (dict(cache_control='private"'), 'cache_control'),
    (dict(listen_address='0.0.0.0/0'), 'listen_address'),
])
def test_build_spec_refuses_bad_input(changes, message):
    params = dict(BASE)
    params.update(changes)
    with pytest.raises(apache.ApacheError) as info:
        apache.build_spec(params)
    assert message in str(info.value)


def _directives(text):
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith('#')]


def test_hardened_24_access_block():
    lines = _directives(_render())
    start = lines.index('<Directory "/opt/IBM/HTTPServer/photos">')
    assert lines[start:start + 11] == [
        '<Directory "/opt/IBM/HTTPServer/photos">', 'Options None', 'AllowOverride None', '<RequireAll>',
        'Require method GET HEAD', '<RequireAny>', 'Require ip 192.0.2.0/25 192.0.2.128/25 203.0.113.11',
        'Require env sametime_photo_ok', '</RequireAny>', '</RequireAll>', '</Directory>']
    assert not [line for line in lines if line.startswith(('Order', 'Allow ', 'Deny'))]
    assert 'TraceEnable off' in lines and 'Options None' in lines and 'AllowOverride None' in lines
    assert 'Header set Cache-Control "private, max-age=3600"' in lines


def test_hardened_22_access_block():
    lines = _directives(_render(apache_generation='2.2', name_virtual_host=True))
    start = lines.index('<Directory "/opt/IBM/HTTPServer/photos">')
    assert lines[start:start + 15] == [
        '<Directory "/opt/IBM/HTTPServer/photos">', 'Options None', 'AllowOverride None',
        '<IfModule authz_core_module>', 'Require all granted', '</IfModule>', 'Order Deny,Allow',
        'Deny from all', 'Allow from 192.0.2.0/25 192.0.2.128/25 203.0.113.11', 'Allow from env=sametime_photo_ok',
        '<LimitExcept GET>', 'Order Allow,Deny', 'Deny from all', '</LimitExcept>', '</Directory>']
    assert [line for line in lines if line.startswith('Require') or line == 'TraceEnable off'] == [
        'Require all granted', 'TraceEnable off']
    # 2.2 accepts TraceEnable only at server level: after the vhost, never inside it
    assert lines.index('TraceEnable off') > lines.index('</VirtualHost>')
    assert lines[0] == 'NameVirtualHost *:80'


def test_nothing_allowed_denies_everything():
    lines = _directives(_render(allow_networks=[], allow_hosts=[], allow_cookies=[]))
    assert 'Require all denied' in lines and not [line for line in lines if line.startswith('SetEnvIf')]
    lines = _directives(_render(apache_generation='2.2', allow_networks=[], allow_hosts=[], allow_cookies=[]))
    assert 'Deny from all' in lines and not [line for line in lines if line.startswith('Allow ')]


@pytest.mark.parametrize('generation', ['2.4', '2.2'])
def test_hardened_refuses_other_paths_without_mod_rewrite(generation):
    lines = _directives(_render(apache_generation=generation))
    assert 'RedirectMatch 403 "^/(?!(?:%s)$)"' % photo_names.APACHE_NAME_REGEX in lines
    assert not [line for line in lines if line.startswith(('Rewrite', '<Location'))]


@pytest.mark.parametrize('path, refused', [
    ('/alice@acme.example.jpg', False), ('/bob.smith+x@mail.acme.example.jpg', False), ('/', True),
    ("/o'brien@acme.example.jpg", False), ('/Bob.Smith@acme.example.jpg', True),
    ('/notes.txt', True), ('/alice@acme.example.jpg/extra', True), ('/sub/alice@acme.example.jpg', True),
    ('/alice@acme.example.jpgx', True), ('/alice.jpg', True), ('/@acme.example.jpg', True),
])
def test_other_paths_regex(path, refused):
    text = _render()
    pattern = re.search(r'RedirectMatch 403 "([^"]+)"', text).group(1)
    assert bool(re.search(pattern, path)) is refused


def test_photo_name_regex_alternatives_stay_anchored():
    text = _render(photo_name_regex='[a-z]+\\.jpg|[a-z]+\\.png')
    pattern = re.search(r'RedirectMatch 403 "([^"]+)"', text).group(1)
    assert not re.search(pattern, '/a.jpg') and not re.search(pattern, '/b.png')
    assert re.search(pattern, '/a.jpgx') and re.search(pattern, '/b.png/x')


@pytest.mark.parametrize('generation, mode', [('2.2', 'hardened'), ('2.4', 'hardened'), ('2.2', 'seed'), ('2.4', 'seed')])
@pytest.mark.parametrize('target', [
    '|bin/rotatelogs logs/photos.%Y%m%d 86400', '|/usr/bin/logger -t photos -p local1.info', 'logs/photos.log',
    "/var/log/ihs/photos access.log", "|bin/rotatelogs -l 'logs/photos.%Y-%m-%d' 86400",
])
def test_log_targets_are_rendered_double_quoted(generation, mode, target):
    lines = _directives(_render(apache_generation=generation, mode=mode, access_log=target, error_log=target))
    custom = [line for line in lines if line.startswith('CustomLog')]
    assert len(custom) == 1 and custom[0].startswith('CustomLog "%s" sametime_photos' % target)
    assert 'ErrorLog "%s"' % target in lines


@pytest.mark.parametrize('target', ['||/usr/bin/rotatelogs logs/p 86400', '|$bin/rotatelogs logs/p 86400'])
def test_24_pipe_forms(target):
    assert 'CustomLog "%s" sametime_photos' % target in _directives(_render(access_log=target))


def test_no_error_log_by_default():
    assert not [line for line in _directives(_render()) if line.startswith('ErrorLog')]


def test_access_log_never_contains_the_cookie():
    text = _render()
    logformat = [line for line in text.splitlines() if 'LogFormat' in line]
    assert len(logformat) == 1 and 'Cookie' not in logformat[0] and '%{sametime_photo_ok}e' in logformat[0]
    assert 'CustomLog' not in _render(access_log='')


def test_seed_22_uses_exact_regexes_and_redirect():
    lines = _directives(_render(apache_generation='2.2', mode='seed'))
    conds = [line for line in lines if line.startswith('RewriteCond %{REMOTE_ADDR}')]
    assert conds == ['RewriteCond %%{REMOTE_ADDR} !%s' % cidr.cidr_regex(net)
                     for net in ('192.0.2.0/25', '192.0.2.128/25', '203.0.113.11')]
    assert 'RewriteCond %{HTTP_COOKIE} !LtpaToken2=.*$ [NC]' in lines
    assert 'RewriteCond %{HTTP_COOKIE} !STPluginActivePage=stMeetingroom [NC]' in lines
    assert 'RewriteRule ^(.*)$ http://www.acme.example [R,L]' in lines
    assert 'Allow from all' in lines


def test_seed_24_uses_expr_R():
    lines = _directives(_render(mode='seed'))
    assert "RewriteCond expr \"! -R '192.0.2.0/25'\"" in lines
    assert "RewriteCond expr \"! -R '203.0.113.11'\"" in lines
    assert 'Require all granted' in lines


def test_load_modules_are_guarded():
    text = _render(load_modules={'rewrite_module': 'modules/mod_rewrite.so'})
    assert '<IfModule !rewrite_module>\n    LoadModule rewrite_module modules/mod_rewrite.so\n</IfModule>' in text


def test_rendering_is_deterministic():
    assert _render() == _render()
    assert _render().endswith('</VirtualHost>\n')


def _python_regex(pattern):
    """PCRE's POSIX class [:blank:] (space, tab) for Python's re, which lacks POSIX classes; the same regex runs in
    real Apache in tests/integration/ihs."""
    assert '[:' not in pattern.replace('[:blank:]', '')
    return pattern.replace('[:blank:]', ' \t')


def _cookie_allowed(header, cookies=None):
    cookies = apache.DEFAULT_COOKIES if cookies is None else cookies
    pattern = apache.hardened_cookies_regex([apache.parse_cookie(cookie) for cookie in cookies])
    return bool(re.search(_python_regex(pattern), header))


@pytest.mark.parametrize('header, allowed', [
    ('LtpaToken2=abc', True),
    ('LtpaToken=abc', True),
    ('a=1; LtpaToken2=abc', True),
    ('a=1;LtpaToken=abc', True),
    ('a=1, LtpaToken2=abc', True),  # two Cookie headers joined by Apache
    ('STPluginActivePage=stMeetingroom', True),
    ('a=1; STPluginActivePage=stMeetingroom; b=2', True),
    ('xLtpaToken2=abc', False),
    ('LtpaToken2=', False),
    ('LtpaToken2=; a=1', False),
    # a value of only blanks, tabs and double quotes is empty (RFC 6265 trims blanks and allows a quoted value)
    ('LtpaToken2=""', False),
    ('LtpaToken2=""; a=1', False),
    ('a=1; LtpaToken2=""', False),
    ('LtpaToken2="  "', False),
    ('LtpaToken2="\t"; a=1', False),
    ('LtpaToken2=   ', False),
    ('LtpaToken2=   ; a=1', False),
    ('LtpaToken2=\t', False),
    ('LtpaToken2=\t\t; a=1', False),
    ('LtpaToken2= \t "', False),
    ('LtpaToken2="", a=1', False),
    ('LtpaToken="", LtpaToken2=', False),
    ('LtpaToken2="abc"', True),
    ('LtpaToken2= x', True),
    ('LtpaToken2=\tx', True),
    ('a=1;\tLtpaToken2=abc', True),
    ('STPluginActivePage=stMeetingroom\t; a=1', True),
    ('STPluginActivePage=""', False),
    ('foo=LtpaToken2=abc', False),
    ('foo=x;bar=LtpaToken=abc', False),
    ('ltpatoken2=abc', False),
    ('LTPATOKEN=abc', False),
    ('LtpaToken3=abc', False),
    ('STPluginActivePage=stMeetingroomX', False),
    ('STPluginActivePage=stmeetingroom', False),
    ('xSTPluginActivePage=stMeetingroom', False),
    ('STPluginActivePage=', False),
    ('', False),
])
def test_hardened_cookie_regexes(header, allowed):
    assert _cookie_allowed(header) is allowed


def test_cookie_regexes_have_no_backslashes_and_no_single_quote():
    cookies = [apache.parse_cookie(cookie) for cookie in apache.DEFAULT_COOKIES + ['a.b=c.d']]
    pattern = apache.hardened_cookies_regex(cookies)
    assert '\\' not in pattern and "'" not in pattern and ' ' not in pattern
    dotted = _python_regex(apache.hardened_cookies_regex([('a.b', None)]))
    assert re.search(dotted, 'a.b=1') and not re.search(dotted, 'axb=1')


def test_one_setenvif_line_for_all_cookies():
    lines = [line for line in _directives(_render()) if line.startswith('SetEnvIf')]
    # single-quoted: the regex holds a double quote; Apache 2.2 and 2.4 read a quoted argument literally
    assert lines == ["SetEnvIf Cookie '%s' sametime_photo_ok" % apache.hardened_cookies_regex(
        [apache.parse_cookie(cookie) for cookie in apache.DEFAULT_COOKIES])]
    assert lines == [line for line in _directives(_render(apache_generation='2.2')) if line.startswith('SetEnvIf')]


def test_cookie_regex_as_documented():
    """docs/ihs.md quotes the rendered default regex; they must not drift apart."""
    pattern = apache.hardened_cookies_regex([apache.parse_cookie(cookie) for cookie in apache.DEFAULT_COOKIES])
    docs = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'ihs.md')
    with open(docs) as handle:
        assert "SetEnvIf Cookie '%s' sametime_photo_ok" % pattern in handle.read()


# ---- the temporary main configuration of the configuration test ------------------------------------------------

def _main(text, root, live=None, include_if_missing=False, files=()):
    live = live or str(root / 'conf' / 'photos.conf')
    candidate = str(root / 'conf' / '.photos.conf.candidate-x')
    return apache.candidate_main_config(text, 'httpd.conf', live, candidate, str(root), lambda _dir: list(files),
                                        include_if_missing=include_if_missing).splitlines(), candidate


@pytest.mark.parametrize('line', [
    'Include conf/photos.conf', 'Include "conf/photos.conf"', "include 'conf/photos.conf'", '  Include  conf/photos.conf  ',
    'IncludeOptional conf/photos.conf', 'Include "{root}/conf/photos.conf"', 'Include {root}/conf/../conf/photos.conf',
])
def test_include_of_the_live_file_points_at_the_candidate(tmp_path, line):
    text = 'ServerRoot "%s"\nListen 80\n%s\nInclude conf/other.conf\n' % (tmp_path, line.format(root=tmp_path))
    lines, candidate = _main(text, tmp_path)
    assert lines == ['ServerRoot "%s"' % tmp_path, 'Listen 80', 'Include "%s"' % candidate, 'Include conf/other.conf']


def test_wildcard_include_is_expanded_in_apache_order(tmp_path):
    text = 'Listen 80\nIncludeOptional conf/*.conf\nIncludeOptional conf.d/*.conf\n'
    files = ['zz.conf', 'photos.conf', 'a.conf', '.hidden.conf', 'notes.txt', 'B.conf']
    lines, candidate = _main(text, tmp_path, files=files)
    conf = str(tmp_path / 'conf')
    assert lines == ['Listen 80', 'Include "%s/B.conf"' % conf, 'Include "%s/a.conf"' % conf,
                     'Include "%s"' % candidate, 'Include "%s/zz.conf"' % conf, 'IncludeOptional conf.d/*.conf']


@pytest.mark.parametrize('text', ['Listen 80\n', 'Include conf/other.conf\n', 'Include conf/*.txt\n',
                                  '# Include conf/photos.conf\n', 'Include conf/photos.conf.bak\n'])
def test_no_include_of_the_live_file(tmp_path, text):
    with pytest.raises(apache.ApacheError) as info:
        _main(text, tmp_path)
    assert 'httpd.conf has no Include of %s' % (tmp_path / 'conf' / 'photos.conf') in str(info.value)
    lines, candidate = _main(text, tmp_path, include_if_missing=True)
    assert lines == text.splitlines() + ['Include "%s"' % candidate]


def test_server_root_of():
    assert apache.server_root_of('# x\nServerRoot "/opt/IBM/HTTPServer"\nServerRoot /other\n') == '/opt/IBM/HTTPServer'
    assert apache.server_root_of('Listen 80\n', '/etc/apache2') == '/etc/apache2'


@pytest.mark.parametrize('access_log, error_log, names', [
    ('|bin/rotatelogs logs/p.%Y 86400', '|$bin/rotatelogs logs/e 86400', ['access_log', 'error_log']),
    ('|/opt/IBM/HTTPServer/bin/rotatelogs /opt/IBM/HTTPServer/logs/p.%Y 86400', 'logs/error_log', []),
    ('||${SRVROOT}/bin/rotatelogs logs/p 86400', None, []),
    ('logs/photos_access.log', None, []),
])
def test_relative_pipe_programs_are_warned_about(access_log, error_log, names):
    spec = apache.build_spec(dict(BASE, access_log=access_log, error_log=error_log))
    warnings = apache.relative_pipe_warnings(spec)
    assert [warning.split(':')[0] for warning in warnings] == names
    assert all('bin/rotatelogs is a relative path' in warning for warning in warnings)
