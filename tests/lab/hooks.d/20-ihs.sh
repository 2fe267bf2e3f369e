#!/bin/sh
# Lab hook: IBM HTTP Server on ihs hosts = Debian apache2 laid out like IHS under /opt/IBM/HTTPServer.
# Runs inside the host's namespaces (so /opt is the host's own /opt). Idempotent: the wrapper is
# refreshed, httpd.conf/htdocs are written only when missing, httpd is started when not running.
set -eu
case " $LAB_GROUPS " in *" ihs "*) ;; *) exit 0 ;; esac
IHS=/opt/IBM/HTTPServer
SRC="$REPO/tests/lab/files/ihs"
mkdir -p "$IHS/bin" "$IHS/conf" "$IHS/conf.d" "$IHS/logs" "$IHS/photos" "$IHS/htdocs"
install -m 0755 "$SRC/apachectl" "$IHS/bin/apachectl"
install -m 0644 "$SRC/envvars" "$IHS/bin/envvars"
[ -f "$IHS/conf/httpd.conf" ] || install -m 0644 "$SRC/httpd.conf" "$IHS/conf/httpd.conf"
[ -f "$IHS/htdocs/index.html" ] || printf '<html><body>%s: lab IBM HTTP Server</body></html>\n' "$LAB_HOST" > "$IHS/htdocs/index.html"
running() {  # pid alive and not a zombie (a SIGKILLed httpd may linger unreaped)
    pid=$(cat "$IHS/logs/httpd.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
    [ "$state" != Z ] && [ "$state" != X ]
}
if running; then
    echo "httpd already running (pid $(cat "$IHS/logs/httpd.pid"))"
else
    rm -f "$IHS/logs/httpd.pid"
    "$IHS/bin/apachectl" -k start
    i=0
    while [ ! -s "$IHS/logs/httpd.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    echo "httpd started (pid $(cat "$IHS/logs/httpd.pid"))"
fi
