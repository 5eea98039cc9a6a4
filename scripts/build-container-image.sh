#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile with podman as tributary:local (the image docker-compose.cluster.yml
# names), from the repository this script belongs to. The build's `npm ci` steps reach the npm
# registry npm is configured with here (NPM_REGISTRY), through the host's network and trusting the
# host's CA bundle (/etc/ssl/certs, mounted read-only into each RUN step; the base image from
# scripts/container-base-image.sh points NODE_EXTRA_CA_CERTS at it).
# Usage: bash scripts/build-container-image.sh [extra podman build arguments]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

image="${TRIBUTARY_IMAGE:-tributary:local}"
registry="${NPM_REGISTRY:-$(npm config get registry 2>/dev/null)}"
registry="${registry:-https://registry.npmjs.org/}"

mounts=()
[ -d /etc/ssl/certs ] && mounts=(-v /etc/ssl/certs:/etc/ssl/certs:ro)

started=$SECONDS
echo "build-container-image: $image from $root (npm registry $registry)"
podman build --network host "${mounts[@]}" \
  -f deploy/docker/Dockerfile \
  --build-arg NPM_REGISTRY="$registry" \
  -t "$image" "$@" . >/tmp/tributary-image-build.log 2>&1 || {
  tail -n 60 /tmp/tributary-image-build.log >&2
  echo "build-container-image: podman build failed (whole log: /tmp/tributary-image-build.log)" >&2
  exit 1
}
# Intermediate images of earlier builds (the layer cache) go after a day, so a long-lived machine
# does not collect one per dependency change.
podman image prune -f --filter until=24h >/dev/null 2>&1 || true
echo "build-container-image: built $image in $((SECONDS - started)) s ($(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}'))"
