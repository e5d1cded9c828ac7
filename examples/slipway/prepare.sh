#!/usr/bin/env bash
# Stages the build context of Slipway's own CloudImage (examples/slipway/Kubefile) in DIR: the deploy/k8s prod overlay
# rendered by `kubectl kustomize` into manifests/slipway.yaml, its images taken from REGISTRY (where `slipway dist
# images` pushed them) at TAG instead of the overlay's registry.example.com placeholders.
#   ./prepare.sh DIR REGISTRY [TAG]      e.g. ./prepare.sh /tmp/slipway-ctx 127.0.0.1:5000 0.1.0
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 DIR REGISTRY [TAG]" >&2
  exit 2
fi
dir="$1"
registry="$2"
tag="${3:-0.1.0}"
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kubectl="${SLIPWAY_KUBECTL:-kubectl}"
mkdir -p "$dir/manifests"
cp "$here/Kubefile" "$dir/Kubefile"
# kubectl's deprecation warnings go to stderr; the objects alone to the file
"$kubectl" kustomize "$root/deploy/k8s/overlays/prod" \
  | sed -E "s#image: registry\.example\.com/slipway/([a-z-]+):[^[:space:]]+#image: $registry/slipway/\1:$tag#" \
  > "$dir/manifests/slipway.yaml"
if grep -q 'registry\.example\.com' "$dir/manifests/slipway.yaml"; then
  echo "prepare.sh: an image still names registry.example.com in $dir/manifests/slipway.yaml" >&2
  exit 1
fi
echo "staged $dir: Kubefile, manifests/slipway.yaml (images from $registry at $tag)"
