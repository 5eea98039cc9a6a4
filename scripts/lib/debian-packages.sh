# shellcheck shell=bash
# Sourced by the install scripts (install-test-deps, install-chaos-deps, install-container-deps).
# install_debian_packages WHO PKG...: installs the packages that are missing, through apt, as root
# or with passwordless sudo; apt is not touched when nothing is missing. SUDO holds the prefix
# for the caller's own root commands (empty as root).
SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi

install_debian_packages() {
  local who="$1"
  shift
  local missing=() pkg
  for pkg in "$@"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "$who: already installed: $*"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
    echo "$who: need root to install ${missing[*]}" >&2
    return 1
  fi
  echo "$who: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
