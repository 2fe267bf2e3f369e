#!/bin/sh
# Lab hook: the Sametime Proxy's stproxyconfig.xml in its 9.0.1 places, and a Community server UserInfoConfig.xml.
#   ssc      : deployment manager copies <WAS>/profiles/STSCDMgrProfile/config/cells/sscCell01/nodes/<node>/
#              servers/STProxyServer/stproxyconfig.xml, one per proxy node (stproxy1Node01, stproxy2Node01), and
#              /opt/ibm/domino/notes/latest/linux/UserInfoConfig.xml
#   stproxyN : node copy                 <WAS>/profiles/STPAppProfile/config/cells/sscCell01/nodes/stproxyNNode01/
#              servers/STProxyServer/stproxyconfig.xml (what the running server reads; replaced at node sync)
# Names follow the WAS emulator (tests/emulators/was/wasemu/lab.py). Files are written only when missing (idempotent);
# LAB_STPROXY_RESET=1 writes them again (tests use it to start from the seed).
set -eu
WAS="$LAB_HOST_ROOT/opt/IBM/WebSphere/AppServer"
CELL=sscCell01
PROXY_NODES="stproxy1Node01 stproxy2Node01"
SERVER=STProxyServer

seed() {  # seed <path>: the file from stdin, unless it exists (or LAB_STPROXY_RESET=1)
    if [ -f "$1" ] && [ "${LAB_STPROXY_RESET:-0}" != 1 ]; then cat >/dev/null; return 0; fi
    mkdir -p "$(dirname "$1")"
    cat > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
    echo "seeded $1"
}

stproxyconfig() {
    cat <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Sametime Proxy Server configuration (lab seed, 9.0.1 layout). Written by tests/lab/hooks.d/40-stproxy-files.sh -->
<configuration>
  <!-- Community server the proxy logs in to -->
  <stCommunityServer>
    <host>ssc.acme.example</host>
    <port>1516</port>
  </stCommunityServer>
  <sessionTimeout>30</sessionTimeout>
  <refreshJwt>
    <enabled>true</enabled>
    <path>/meeting-auth/api/v1/refresh</path>
  </refreshJwt>
  <!-- photo cache: not configured yet -->
</configuration>
EOF
}

case " $LAB_GROUPS " in
  *" ssc "*)
    DM="$WAS/profiles/STSCDMgrProfile"
    for NODE in $PROXY_NODES; do
        stproxyconfig | seed "$DM/config/cells/$CELL/nodes/$NODE/servers/$SERVER/stproxyconfig.xml"
    done
    # the deployment manager's own server folder marks the profile as a DM profile (the WAS emulator lays it too)
    if [ -z "$(find "$DM/config/cells" -path '*/servers/dmgr' -type d 2>/dev/null | head -1)" ]; then
        mkdir -p "$DM/config/cells/$CELL/nodes/sscCellManager01/servers/dmgr"
    fi
    seed "$LAB_HOST_ROOT/opt/ibm/domino/notes/latest/linux/UserInfoConfig.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- UserInfoConfig.xml: business card configuration of the Sametime Community server (lab seed) -->
<UserInformation>
  <ReadStorageTypes>LDAP</ReadStorageTypes>
  <Resources>
    <Storage type="LDAP">
      <CommonField CommonFieldName="MailAddress"/>
      <StorageDetails HostName="203.0.113.30" Port="389" BaseDN="dc=acme,dc=example" Scope="2" SearchFilter="(&amp;(objectclass=organizationalPerson)(|(cn=%s)(givenname=%s)(sn=%s)(mail=%s)))"/>
      <Details>
        <Detail FieldName="mail" Id="MailAddress" Type="text/plain"/>
        <Detail FieldName="cn" Id="Name" Type="text/plain"/>
        <Detail FieldName="title" Id="Title" Type="text/plain"/>
        <Detail FieldName="telephoneNumber" Id="Telephone" Type="text/plain"/>
        <Detail FieldName="jpegPhoto" Id="Photo" Type="image/jpeg"/>
      </Details>
      <Set SetId="0" params="MailAddress,Name,Title,Telephone,Photo"/>
      <Set SetId="1" params="MailAddress,Name,Title,Telephone,Photo"/>
    </Storage>
  </Resources>
</UserInformation>
EOF
    ;;
esac
case " $LAB_GROUPS " in
  *" stproxy "*)
    NODE="${LAB_HOST}Node01"
    stproxyconfig | seed "$WAS/profiles/STPAppProfile/config/cells/$CELL/nodes/$NODE/servers/$SERVER/stproxyconfig.xml"
    ;;
esac
exit 0
