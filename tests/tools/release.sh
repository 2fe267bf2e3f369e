#!/usr/bin/env bash
# `make release`: build the collection tarball with its changelog generated from the fragments, install it
# offline into an empty collections path and check that ansible-doc lists every module, filter and role of the tree,
# then import it with galaxy-importer (Galaxy's and Automation Hub's upload check; ansible-lint on, ansible-test off):
# any warning or error fails the release. RELEASE_IMPORTER=0 leaves the importer out (a quick local rehearsal only).
#
# By default this is a REHEARSAL: antsibull-changelog runs on a copy of the tree under $RELEASE_OUT/tree, because
# `antsibull-changelog release` deletes the fragments (changelogs/config.yaml: keep_fragments: false) and rewrites
# changelogs/changelog.yaml. The working tree is left byte-identical (checked at the end).
# A REAL release (fragments consumed, changelog.yaml + CHANGELOG.rst written in the working tree, for the lead to
# commit) runs only with REAL_RELEASE=1.
#
# env: VENV (default .venv), RELEASE_OUT (default build/release), REAL_RELEASE=1 (release in the working tree)
# output: $RELEASE_OUT/dist/sametime-deploy-<version>.tar.gz, $RELEASE_OUT/install/ (the installed copy)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
venv=${VENV:-.venv}
case $venv in /*) ;; *) venv=$repo/$venv ;; esac
[ -x "$venv/bin/antsibull-changelog" ] || { echo "release: no antsibull-changelog in $venv (make venv)" >&2; exit 2; }
export PATH="$venv/bin:$PATH"
out=${RELEASE_OUT:-$repo/build/release}
case $out in /*) ;; *) out=$repo/$out ;; esac
checks="$repo/tests/tools/release_checks.py"
offline=()
if unshare -n true 2>/dev/null; then offline=(unshare -n); fi
say() { printf '\n=== %s\n' "$*"; }
version=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$repo/galaxy.yml")

say "antsibull-changelog lint (fragments of the working tree)"
antsibull-changelog lint

rm -rf "$out" && mkdir -p "$out"
# What the release must carry: the fragments as they are now (a real release deletes them).
cp -a "$repo/changelogs/fragments" "$out/fragments"
tree_state() { (cd "$repo" && find changelogs -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(tree_state)

if [ "${REAL_RELEASE:-}" = 1 ]; then
  src=$repo
  say "REAL release $version in the working tree (fragments are consumed)"
else
  src=$out/tree
  say "release rehearsal $version on a copy: $src"
  python "$checks" stage --repo "$repo" --dest "$src"
fi

(cd "$src" && antsibull-changelog release --version "$version" && antsibull-changelog lint-changelog-yaml \
  changelogs/changelog.yaml)

say "ansible-galaxy collection build -> $out/dist"
"${offline[@]}" ansible-galaxy collection build --force --output-path "$out/dist" "$src"
tarball=$out/dist/sametime-deploy-$version.tar.gz

say "ansible-galaxy collection install --offline into an empty path ${offline[*]:+(no network: ${offline[*]})}"
mkdir -p "$out/install" "$out/work"
printf '[defaults]\n' > "$out/work/ansible.cfg"
# Only the empty target path is configured: a copy in ~/.ansible/collections must not count as "already installed".
(cd "$out/work" && ANSIBLE_CONFIG="$out/work/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$out/install" \
  "${offline[@]}" ansible-galaxy collection install --offline "$tarball" -p "$out/install")

say "check the tarball and the installed copy (expected names derived from $src)"
python "$checks" expected --tree "$src"
rc=0
"${offline[@]}" python "$checks" installed --tree "$src" --installed "$out/install" --tarball "$tarball" \
  --fragments "$out/fragments" --work "$out/work" || rc=$?

if [ "${RELEASE_IMPORTER:-1}" != 0 ]; then
  say "galaxy-importer on the tarball ${offline[*]:+(no network: ${offline[*]})}"
  "${offline[@]}" python "$checks" importer --tree "$src" --tarball "$tarball" --work "$out/importer" || rc=$?
fi
if [ "${REAL_RELEASE:-}" = 1 ]; then
  say "galaxy.yml of a real release"
  python "$checks" publishable --tree "$src" || rc=$?
fi

if [ "${REAL_RELEASE:-}" != 1 ]; then
  if [ "$(tree_state)" = "$before" ]; then
    echo "ok: the working tree's changelogs/ is untouched (rehearsal)"
  else
    echo "FAIL: the rehearsal changed the working tree's changelogs/"; rc=1
  fi
fi
[ $rc = 0 ] && echo && echo "release artefact: $tarball"
exit $rc
