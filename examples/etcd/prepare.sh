#!/usr/bin/env bash
# Stages the etcd example's build context in <dir>: the Kubefile, hooks, templates, and the etcd/etcdctl binaries taken
# from this machine's Debian packages. v1 and v2 differ in one setting (heartbeat and election timeout) and the version
# marker, all in etc/: the upgrade from v1 to v2 sends that one layer.
# Usage: examples/etcd/prepare.sh <dir> [v1|v2]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: prepare.sh <context dir> [v1|v2]}"
version="${2:-v1}"
case "$version" in
  v1) heartbeat=100; election=1000 ;;
  v2) heartbeat=150; election=1500 ;;
  *) echo "prepare.sh: version must be v1 or v2, not '$version'" >&2; exit 2 ;;
esac
for b in /usr/bin/etcd /usr/bin/etcdctl; do
  [ -x "$b" ] || { echo "prepare.sh: $b is missing: apt-get install etcd-server etcd-client" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/bin" "$out/etc"
cp "$here/Kubefile" "$out/"
cp -r "$here/hooks" "$out/"
cp /usr/bin/etcd /usr/bin/etcdctl "$out/bin/"
sed -e "s/@HEARTBEAT@/$heartbeat/" -e "s/@ELECTION@/$election/" -e "s/@VERSION@/$version/" \
  "$here/etc/etcd.env.tmpl" > "$out/etc/etcd.env.tmpl"
echo "staged etcd example $version in $out ($(du -sh "$out" | cut -f1))"
