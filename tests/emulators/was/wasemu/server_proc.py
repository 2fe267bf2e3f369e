# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The process of an emulated application server that has an HTTP side (STMeetingServer).

Serves /stmeetings/configuration?format=json from the profile's emulator/meeting-config.json (re-read on every
request: SSC edits "take effect immediately"), with WAS form login (j_security_check) when require_login is set.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wasemu import store

TOKENS = set()


def make_handler(profile_dir, conf, http):
    class Handler(BaseHTTPRequestHandler):
        server_version = 'WebSphere Application Server/8.5'

        def log_message(self, fmt, *args):  # pylint: disable=arguments-differ
            sys.stderr.write('[%s] %s\n' % (self.log_date_time_string(), fmt % args))

        def _send(self, code, body=b'', ctype='text/html; charset=UTF-8', headers=None):
            self.send_response(code)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(body)

        def _logged_in(self):
            for part in (self.headers.get('Cookie') or '').split(';'):
                name, _sep, value = part.strip().partition('=')
                if name == 'LtpaToken2' and value in TOKENS:
                    return True
            return False

        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            if url.path == '/stmeetings/configuration':
                if http.get('require_login') and not self._logged_in():
                    return self._send(302, headers={'Location': '/stmeetings/login.jsp'})
                keys = store.read_json(store.profile_file(profile_dir, 'meeting-config.json'), {}) or {}
                query = parse_qs(url.query)
                if query.get('format') != ['json']:
                    body = ''.join('%s=%s\n' % (k, keys[k]) for k in sorted(keys)).encode('utf-8')
                    return self._send(200, body, 'text/plain; charset=UTF-8')
                return self._send(200, json.dumps(keys, sort_keys=True).encode('utf-8'), 'text/json; charset=UTF-8')
            if url.path == '/stmeetings/login.jsp':
                return self._send(200, b'<html><form method="POST" action="j_security_check">'
                                       b'<input name="j_username"/><input name="j_password" type="password"/>'
                                       b'</form></html>')
            if url.path in ('/stmeetings', '/stmeetings/'):
                return self._send(200, b'<html><title>Sametime Meetings</title></html>')
            return self._send(404, b'Error 404: SRVE0190E: File not found: ' + url.path.encode('utf-8'))

        def do_HEAD(self):  # noqa: N802
            return self.do_GET()

        def do_POST(self):  # noqa: N802
            url = urlsplit(self.path)
            length = int(self.headers.get('Content-Length') or 0)
            form = parse_qs(self.rfile.read(length).decode('utf-8'))
            if url.path == '/stmeetings/j_security_check':
                user = (form.get('j_username') or [''])[0]
                password = (form.get('j_password') or [''])[0]
                if store.credentials_ok(conf, user, password):
                    token = secrets.token_hex(16)
                    TOKENS.add(token)
                    return self._send(302, headers={'Location': '/stmeetings/',
                                                    'Set-Cookie': 'LtpaToken2=%s; Path=/; HttpOnly' % token})
                return self._send(302, headers={'Location': '/stmeetings/loginerror.jsp'})
            return self._send(405, b'Method not allowed')

    return Handler


def main(profile_dir, server):
    conf = store.load_profile(profile_dir)
    http = (conf['servers'][server] or {}).get('http') or {}
    httpd = ThreadingHTTPServer((http.get('bind', '0.0.0.0'), int(http['port'])), make_handler(profile_dir, conf, http))
    httpd.daemon_threads = True
    httpd.serve_forever()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
