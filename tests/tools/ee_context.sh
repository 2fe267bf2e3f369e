#!/usr/bin/env bash
# `make ee-context`: write the execution environment's build context (no image build, no container engine,
# no network) and check it.
#   1. the collection tarball the EE installs: $COLLECTION_TARBALL if given (e.g. the one `make release` built),
#      else `ansible-galaxy collection build` of the working tree; copied to build/ee-src/sametime-deploy.tar.gz,
#      where execution-environment.yml's additional_build_files expects it;
#   2. `ansible-builder create` into $EE_CONTEXT (default build/ee-context);
#   3. tests/tools/release_checks.py ee-context: base image, ldap3/netaddr/lxml and this collection in the
#      context, then a rehearsal of the image build's galaxy stage (offline collection install from the context)
#      and of ansible-builder's introspection of the installed collection (meta/execution-environment.yml).
# env: VENV (default .venv), EE_CONTEXT (default build/ee-context), COLLECTION_TARBALL (optional).
# Where the kernel allows it (root), steps run in a private network namespace with no route out: proof of offline.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
venv=${VENV:-.venv}
case $venv in /*) ;; *) venv=$repo/$venv ;; esac
[ -x "$venv/bin/ansible-builder" ] || { echo "ee_context: no ansible-builder in $venv (make venv)" >&2; exit 2; }
export PATH="$venv/bin:$PATH"
context=${EE_CONTEXT:-$repo/build/ee-context}
case $context in /*) ;; *) context=$repo/$context ;; esac
src_dir=$repo/build/ee-src
work=$(dirname "$context")/$(basename "$context")-rehearsal

offline=()
if unshare -n true 2>/dev/null; then offline=(unshare -n); fi
say() { printf '\n=== %s\n' "$*"; }

rm -rf "$src_dir" && mkdir -p "$src_dir"
if [ -n "${COLLECTION_TARBALL:-}" ]; then
  say "collection tarball: $COLLECTION_TARBALL"
  cp "$COLLECTION_TARBALL" "$src_dir/sametime-deploy.tar.gz"
else
  say "ansible-galaxy collection build (working tree) -> $src_dir"
  "${offline[@]}" ansible-galaxy collection build --force --output-path "$src_dir/built" "$repo"
  mv "$src_dir"/built/sametime-deploy-*.tar.gz "$src_dir/sametime-deploy.tar.gz"
  rm -rf "$src_dir/built"
fi

say "ansible-builder create -> $context ${offline[*]:+(no network: ${offline[*]})}"
rm -rf "$context"
"${offline[@]}" ansible-builder create -f "$repo/execution-environment.yml" -c "$context" \
  --output-filename Containerfile -v 2

say "check the context"
"${offline[@]}" python "$repo/tests/tools/release_checks.py" ee-context --repo "$repo" --context "$context" \
  --rehearse "$work"
echo
echo "Context ready. Build the image where a container engine is available:"
echo "  podman build -t sametime-deploy-ee:$(python -c 'import yaml;print(yaml.safe_load(open("galaxy.yml"))["version"])') -f $context/Containerfile $context"
