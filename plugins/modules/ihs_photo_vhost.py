#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ihs_photo_vhost
short_description: The Sametime photo virtual host (C(<mail>.jpg)) on IBM HTTP Server 7-9 / Apache 2.2 and 2.4
version_added: 0.1.0
description:
  - Renders the virtual host that serves Sametime contact photos and, only when it differs, writes it as a candidate
    next to the live file, runs the Apache configuration test C(apachectl -t -f <copy>) on a temporary copy of the
    main configuration (O(httpd_conf)) whose C(Include) of the live file names the candidate instead, and only when
    that test passes renames the candidate over the live file. The live file is at every instant the old one or a
    tested new one, even when the run is killed; a failed test leaves it untouched (and makes no backup) and fails
    with Apache's message. Apache keeps running on the old configuration; this module never reloads it (the handler
    of the C(sametime.deploy.ihs_photos) role does a graceful restart).
  - O(mode=hardened) (default) allows a request when the client address is in O(allow_networks)/O(allow_hosts) or a
    cookie of O(allow_cookies) is present, matched by name anchored at the start of the C(Cookie) header or after a
    separator, case-sensitively, with a non-empty value. A value of only blanks, tabs and double quotes is empty
    (C(LtpaToken2=), C(LtpaToken2=""), C(LtpaToken2=<tabs>)), because RFC 6265 trims blanks around a value and
    allows it in double quotes. Only C(GET)/C(HEAD) of C(/<mail>.jpg) (O(photo_name_regex)) are
    served; every other path or method gets 403 (C(TRACE) gets 405 from C(TraceEnable off)), directory listing is off,
    denied clients get 403 for existing and missing photos alike (no e-mail existence oracle), responses carry
    C(Cache-Control) (default C(private)) and the access log records whether a cookie allowed the request, never the
    cookie value. The hardened mode needs C(mod_setenvif), C(mod_alias) (C(RedirectMatch 403) refuses the other paths)
    and C(mod_headers); C(mod_rewrite) only for O(mode=seed).
  - O(mode=seed) reproduces the original rules (substring cookie tests with C([NC]), C(REMOTE_ADDR) regexes on 2.2 or
    C(expr -R) on 2.4, everyone else redirected with 302 to O(redirect_url)); it exists to compare against and to
    migrate from.
  - >-
    A cookie check is a deterrent, not authentication; any client can send C(Cookie: LtpaToken2=x). IHS cannot validate
    LTPA tokens. C(STPluginActivePage=stMeetingroom) is set by the Sametime Meetings web page for everyone, guests
    included, so allowing it makes the photos reachable by anyone who knows the cookie; remove it from O(allow_cookies)
    when guests need no photos or get them through a server-side proxy (STProxy, allow-listed by address).
  - Apache 2.2 syntax uses C(Order/Deny/Allow from <CIDR>) (2.2 takes CIDRs natively) and C(<LimitExcept GET>) for the
    methods; on an Apache 2.4 server it needs C(mod_access_compat). 2.2 accepts C(TraceEnable) only at server level, so
    the 2.2 file sets C(TraceEnable off) after the vhost, for the whole server. 2.4 syntax uses C(Require method),
    C(Require ip) and C(Require env) and C(TraceEnable off) inside the vhost.
extends_documentation_fragment:
  - sametime.deploy.attributes
  - sametime.deploy.attributes.files
attributes:
  check_mode:
    support: full
    details: Reports whether the file would change; the configuration test needs the new file in place and is skipped.
  diff_mode:
    support: full
  safe_file_operations:
    support: full
options:
  path:
    description:
      - The virtual host file (created with mode 0644; an existing file keeps its owner and mode). No blanks, quotes
        or backslashes.
      - O(httpd_conf) must include it by an C(Include)/C(IncludeOptional) of its path (relative to the server root or
        absolute) or by a wildcard in the file name part (C(conf.d/*.conf)); otherwise set O(configtest_include=true).
      - Candidates are written in the same directory as C(.<name>.candidate-*) and C(.<name>.testmain-*) (a run
        that is killed leaves them; the next run removes them). Wildcard includes skip names starting with C(.), but
        an C(Include) of a whole directory would read them, so do not keep the file in such a directory.
    type: path
    required: true
  server_name:
    description: C(ServerName) of the virtual host.
    type: str
    required: true
  server_aliases:
    description: C(ServerAlias) names.
    type: list
    elements: str
    default: []
  port:
    description: Port of the C(<VirtualHost>). The main configuration must C(Listen) on it.
    type: int
    default: 80
  listen_address:
    description: Address part of C(<VirtualHost address:port>); C(*) or an IPv4 address.
    type: str
    default: '*'
  document_root:
    description: Directory holding the C(<mail>.jpg) files. Must exist (absolute path, no spaces or quotes).
    type: path
    required: true
  apache_generation:
    description:
      - Syntax to render. C(auto) asks C(apachectl -V) (Module Magic Number; IHS 7-8.5 are 2.2, IHS 9 is 2.4).
      - C(2.2) on an Apache 2.4 server needs C(mod_access_compat) loaded (see O(load_modules)).
    type: str
    choices: [auto, '2.2', '2.4']
    default: auto
  mode:
    description: C(hardened) (403, anchored cookie tests, photo names only) or C(seed) (the original redirect rules).
    type: str
    choices: [hardened, seed]
    default: hardened
  allow_networks:
    description: IPv4 networks (CIDR) allowed without a cookie, e.g. office and VPN ranges. IPv6 is refused.
    type: list
    elements: str
    default: []
  allow_hosts:
    description: Single IPv4 addresses allowed without a cookie, e.g. the STProxy servers that fetch photos server-side.
      C(REMOTE_ADDR) is the TCP peer; never list a load balancer or reverse proxy that forwards everybody.
    type: list
    elements: str
    default: []
  allow_cookies:
    description: Cookies that allow a request, as C(Name) (any non-empty value; blanks, tabs and double quotes alone
      are empty) or C(Name=value) (exact value). Names and values are letters, digits, C(_), C(.) and C(-). An empty
      list allows by address only.
    type: list
    elements: str
    default: [LtpaToken, LtpaToken2, STPluginActivePage=stMeetingroom]
  redirect_url:
    description: Where O(mode=seed) redirects refused requests (302). Required for that mode.
    type: str
  photo_name_regex:
    description:
      - Unanchored regex of an allowed file name (hardened mode); the decoded request path must be C(/) plus a match.
      - Unset or empty (the default) serves exactly the names M(sametime.deploy.ldap_photo_export) writes,
        C(<lower-cased mail>.jpg) with every RFC 5322 atext character but C(/) (the regex is generated from the same
        definition as those names, see C(docs/ihs.md)). Set it only for photos that another tool names.
    type: str
  cache_control:
    description: C(Cache-Control) header of served photos (hardened mode); empty for none.
    type: str
    default: private, max-age=3600
  access_log:
    description:
      - C(CustomLog) target; empty for none. The cookie value is never logged.
      - A file path (relative to the server root or absolute) or a piped program with its arguments, e.g.
        C(|/opt/IBM/HTTPServer/bin/rotatelogs /opt/IBM/HTTPServer/logs/photos.%Y%m%d 86400) (C(||program) and
        C(|$program) on 2.4 only). Rendered inside double quotes; double quotes, backslashes and control characters
        (newline, tab) are refused, leading or trailing blanks too.
      - Apache runs a piped program in the directory httpd was started from, not in the server root; a relative
        program path gets a warning.
    type: str
    default: logs/photos_access.log
  error_log:
    description: C(ErrorLog) of the virtual host, same forms and rules as O(access_log); empty keeps the server's.
    type: str
    default: ''
  load_modules:
    description: Modules to load from this file when not loaded yet, as C(module_id -> path), each wrapped in
      C(<IfModule !module_id>) (e.g. C(setenvif_module), C(alias_module), C(headers_module), C(rewrite_module) for
      O(mode=seed), and C(access_compat_module) for 2.2 syntax on 2.4).
    type: dict
    default: {}
  name_virtual_host:
    description: Add C(NameVirtualHost address:port) (2.2 only; needed once per address:port for name-based hosting).
    type: bool
    default: false
  apachectl:
    description: The C(apachectl) used for C(-V) and the configuration test C(-t).
    type: path
    default: /opt/IBM/HTTPServer/bin/apachectl
  httpd_conf:
    description:
      - The main configuration file, copied for the configuration test. Default - C(SERVER_CONFIG_FILE) of
        C(apachectl -V) (relative to its C(HTTPD_ROOT)); set it when C(apachectl) passes its own C(-f).
      - Relative C(Include) paths are resolved against its first C(ServerRoot), else C(HTTPD_ROOT) of C(apachectl -V).
      - The test runs C(apachectl -t -f <copy>); C(apachectl) must pass C(-f) through to httpd (stock and IHS
        scripts do; a later C(-f) wins over one the script adds).
    type: path
  configtest_include:
    description: The main configuration does not include O(path) (yet); the configuration test includes the candidate
      at the end of the copy instead of failing.
    type: bool
    default: false
  backup:
    description: Keep a timestamped copy of the previous file when it is replaced (made only once the new file passed
      the test).
    type: bool
    default: false
notes:
  - Uncertain on real IHS 7-8.5 (checked on Apache 2.4 with mod_access_compat only), hence options rather than fixed
    behaviour - O(name_virtual_host), O(configtest_include), O(load_modules), O(httpd_conf). C(TraceEnable off) is rendered inside the
    vhost for 2.4 and after it (server-wide) for 2.2, where C(<LimitExcept>) cannot refuse TRACE.
seealso:
  - module: sametime.deploy.ihs_info
author:
  - sametime.deploy contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Hardened photo host on IHS 8.5 (Apache 2.2 syntax detected)
  sametime.deploy.ihs_photo_vhost:
    path: /opt/IBM/HTTPServer/conf/photos.conf
    server_name: icphotos.acme.com
    document_root: /opt/IBM/HTTPServer/photos
    allow_networks: [10.0.0.0/8, 192.0.2.0/24]
    allow_hosts: [198.51.100.7]
    backup: true
  notify: Restart IHS gracefully

- name: The original rules, for comparison
  sametime.deploy.ihs_photo_vhost:
    path: /opt/IBM/HTTPServer/conf/photos.conf
    server_name: icphotos.acme.com
    document_root: /opt/IBM/HTTPServer/photos
    mode: seed
    redirect_url: http://www.acme.com
    allow_networks: [10.0.0.0/8]
"""

RETURN = r"""
path:
  description: The vhost file.
  returned: always
  type: str
generation:
  description: The Apache syntax rendered (C(2.2) or C(2.4)).
  returned: always
  type: str
  sample: "2.2"
server_version:
  description: C(Server version) from C(apachectl -V) when O(apache_generation=auto).
  returned: when apache_generation is auto
  type: str
backup_file:
  description: The backup of the previous file.
  returned: when backup is true and the file was replaced
  type: str
configtest:
  description: Output of the configuration test (the candidate and the copy of the main configuration named by the
    live paths).
  returned: when the file changed (not in check mode)
  type: str
  sample: Syntax OK
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.sametime.deploy.plugins.module_utils import apache
from ansible_collections.sametime.deploy.plugins.module_utils.fileio import read_bytes, text_diff, unlink_quietly


def detect_version(module, apachectl):
    rc, out, err = module.run_command([apachectl, '-V'])
    try:
        return apache.parse_version(out + '\n' + err)
    except apache.ApacheError as exc:
        module.fail_json(msg='%s -V: %s' % (apachectl, exc), rc=rc, stderr=err)


def check_generation(module, info):
    if info['generation'] not in apache.SUPPORTED_GENERATIONS:
        module.fail_json(msg='apache_generation=auto: cannot render for %s (generation %s); set apache_generation'
                         % (info['server_version'], info['generation']))


def list_files(directory):
    try:
        return [name for name in os.listdir(directory) if os.path.isfile(os.path.join(directory, name))]
    except OSError:
        return []


def configtest_plan(module, path, version):
    """Everything the configuration test needs, read before the first write: the main configuration with the
    candidate included in the place of the live file (its text is completed once the candidate's name is known)."""
    params = module.params
    main_path = params['httpd_conf']
    if not main_path:
        version = version or detect_version(module, params['apachectl'])
        main_path = version['server_config_file']
        if not main_path:
            module.fail_json(msg='%s -V names no SERVER_CONFIG_FILE; set httpd_conf' % params['apachectl'])
    main_text = read_bytes(main_path)
    if main_text is None:
        module.fail_json(msg='httpd_conf %s (the main configuration) does not exist; set httpd_conf' % main_path)
    main_text = to_native(main_text, errors='surrogate_or_strict')
    server_root = apache.server_root_of(main_text)
    if server_root is None:
        version = version or detect_version(module, params['apachectl'])
        server_root = version['server_root']

    def render(candidate):
        try:
            return apache.candidate_main_config(main_text, main_path, path, candidate, server_root, list_files,
                                                include_if_missing=params['configtest_include'])
        except apache.ApacheError as exc:
            module.fail_json(msg=to_native(exc), path=path, changed=False)
    render(os.path.join(os.path.dirname(os.path.realpath(path)), '.candidate'))  # fails now when nothing includes it
    return main_path, render


def write_temporary(module, directory, prefix, content, mode=None):
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, dir=directory)
        module.add_cleanup_file(name)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(to_bytes(content, errors='surrogate_or_strict'))
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(name, mode)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Could not write a temporary file in %s: %s' % (directory, to_native(exc)))
    return name


def remove_leftovers(directory, prefixes):
    """Candidates of a run that was killed (a SIGKILL skips the cleanup): never included, but clutter."""
    for name in os.listdir(directory):
        if name.startswith(prefixes):
            unlink_quietly(os.path.join(directory, name))


def install_tested(module, path, content, previous, version, result):
    """Write the candidate next to the live file, test it through a temporary main configuration that includes it
    instead of the live file, and only then rename it over the live file: at every instant the live file is the
    old one or a tested new one, whenever the run is killed."""
    params = module.params
    main_path, render_main = configtest_plan(module, path, version)
    live = os.path.realpath(path) if previous is not None else os.path.abspath(path)
    directory, base = os.path.split(live)
    candidate_prefix, main_prefix = '.%s.candidate-' % base, '.%s.testmain-' % base
    remove_leftovers(directory, (candidate_prefix, main_prefix))
    candidate = write_temporary(module, directory, candidate_prefix, content,
                                mode=0o644 if previous is None else None)
    test_main = write_temporary(module, directory, main_prefix, render_main(candidate))
    rc, out, err = module.run_command([params['apachectl'], '-t', '-f', test_main])
    output = '\n'.join(part.strip() for part in (out, err) if part.strip())
    output = output.replace(candidate, path).replace(test_main, main_path)
    result['configtest'] = output
    unlink_quietly(test_main)
    if rc != 0:
        unlink_quietly(candidate)
        result['changed'] = False
        module.fail_json(msg='Apache configuration test failed with the new %s, which was not installed; %s is '
                             'unchanged and Apache keeps its current configuration: %s' % (path, path, output),
                         rc=rc, **result)
    if params['backup'] and previous is not None:
        result['backup_file'] = module.backup_local(live)
    module.atomic_move(candidate, live)
    if previous is None:
        os.chmod(live, 0o644)  # atomic_move gives a file it creates 0666 & ~umask


# The defaults live in module_utils/apache.py (DOCUMENTATION states them; validate-modules checks they agree).
ARGUMENT_SPEC = dict(
    path=dict(type='path', required=True),
    server_name=dict(type='str', required=True),
    server_aliases=dict(type='list', elements='str', default=[]),
    port=dict(type='int', default=apache.DEFAULT_PORT),
    listen_address=dict(type='str', default=apache.DEFAULT_LISTEN_ADDRESS),
    document_root=dict(type='path', required=True),
    apache_generation=dict(type='str', choices=['auto', '2.2', '2.4'], default='auto'),
    mode=dict(type='str', choices=['hardened', 'seed'], default=apache.DEFAULT_MODE),
    allow_networks=dict(type='list', elements='str', default=[]),
    allow_hosts=dict(type='list', elements='str', default=[]),
    allow_cookies=dict(type='list', elements='str', default=list(apache.DEFAULT_COOKIES)),
    redirect_url=dict(type='str'),
    photo_name_regex=dict(type='str'),  # unset: apache.DEFAULT_PHOTO_NAME_REGEX, generated by photo_names
    cache_control=dict(type='str', default=apache.DEFAULT_CACHE_CONTROL),
    access_log=dict(type='str', default=apache.DEFAULT_ACCESS_LOG),
    error_log=dict(type='str', default=''),
    load_modules=dict(type='dict', default={}),
    name_virtual_host=dict(type='bool', default=False),
    apachectl=dict(type='path', default=apache.DEFAULT_APACHECTL),
    httpd_conf=dict(type='path'),
    configtest_include=dict(type='bool', default=False),
    backup=dict(type='bool', default=False),
)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        required_if=[('mode', 'seed', ['redirect_url'])],
        supports_check_mode=True,
    )
    params = dict(module.params)
    path, apachectl = params['path'], params['apachectl']
    result = dict(changed=False, path=path)

    # validate everything before the first write
    if not (os.path.isfile(apachectl) and os.access(apachectl, os.X_OK)):
        module.fail_json(msg='apachectl %s is not an executable file' % apachectl, **result)
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        module.fail_json(msg='the directory of path %s does not exist' % path, **result)
    if os.path.isdir(path):
        module.fail_json(msg='path %s is a directory; give the vhost file' % path, **result)
    if apache.UNSAFE.search(path) or ' ' in path:
        module.fail_json(msg='path %r must not contain blanks, quotes, backslashes or control characters' % path,
                         **result)
    if not os.path.isdir(params['document_root']):
        if module.check_mode:
            module.warn('document_root %s does not exist (yet)' % params['document_root'])
        else:
            module.fail_json(msg='document_root %s is not an existing directory' % params['document_root'], **result)
    version = None
    if params['apache_generation'] == 'auto':
        version = detect_version(module, apachectl)
        check_generation(module, version)
        params['apache_generation'] = version['generation']
        result['server_version'] = version['server_version']
    result['generation'] = params['apache_generation']
    try:
        spec = apache.build_spec(params)
    except apache.ApacheError as exc:
        module.fail_json(msg=to_native(exc), **result)
    for warning in apache.relative_pipe_warnings(spec):
        module.warn(warning)
    content = to_bytes(apache.render_vhost(spec), errors='surrogate_or_strict')

    previous = read_bytes(path)
    result['changed'] = previous != content
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = text_diff(path, previous, content)
    if result['changed'] and not module.check_mode:
        install_tested(module, path, content, previous, version, result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
