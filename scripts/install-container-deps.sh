#!/usr/bin/env bash
# Installs what the container test (npm run test:containers) needs beyond `npm ci`, from Debian:
#  - podman (rootful) with crun and runc, conmon, netavark, aardvark-dns and iptables (container
#    networks with DNS; netavark runs iptables but does not depend on it),
#    and its Docker-compatible API service on unix:///run/podman/podman.sock, started here when
#    nothing answers there yet (no systemd is needed);
#  - docker-compose (1.29, which talks to that socket through DOCKER_HOST);
#  - debootstrap, for the offline base image (scripts/container-base-image.sh);
#  - /etc/containers/containers.conf.d/50-tributary.conf, for machines like CI's:
#    * default nofile and nproc limits that can be set here. Rootful podman otherwise gives every
#      container (and every RUN step of a build) nofile 1048576 and nproc 4194304, above what root
#      may set without CAP_SYS_RESOURCE ("setrlimit RLIMIT_NOFILE: Operation not permitted"): nofile
#      at most this shell's hard limit, nproc at most 8192 (podman lowers its own, and so conmon's,
#      to 32768 here);
#    * runc instead of crun where cgroups are in hybrid mode with a controller in the v2
#      hierarchy, which crun 1.8 refuses ("cgroups in hybrid mode not supported").
# Idempotent: what is installed is skipped (apt is not touched when nothing is missing), and a
# service already answering on the socket is left alone. Needs root (CI runs as root) or
# passwordless sudo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sock=/run/podman/podman.sock
service_log=/var/log/tributary-podman-service.log
service_pid=/run/podman/tributary-service.pid
podman_conf=/etc/containers/containers.conf.d/50-tributary.conf
packages=(podman crun runc conmon netavark aardvark-dns iptables catatonit uidmap slirp4netns fuse-overlayfs docker-compose debootstrap ca-certificates)

# shellcheck source=scripts/lib/debian-packages.sh
source scripts/lib/debian-packages.sh
if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
  echo "install-container-deps: needs root" >&2
  exit 1
fi
install_debian_packages install-container-deps "${packages[@]}"
sudo_cmd=("${SUDO[@]}")
echo "install-container-deps: $(podman --version), $(docker-compose --version 2>/dev/null | cut -d, -f1), debootstrap $(dpkg-query -W -f='${Version}' debootstrap)"

# Default container limits no higher than can be set here.
limit() {
  local value="$1" cap="$2"
  if [ "$value" = unlimited ] || [ "$value" -gt "$cap" ]; then echo "$cap"; else echo "$value"; fi
}
nofile="$(limit "$(ulimit -Hn)" 1048576)"
nproc="$(limit "$(ulimit -Hu)" 8192)"
conf_text="# Written by tributary's scripts/install-container-deps.sh (see there).
[containers]
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
runtime=default
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null || true)" != cgroup2fs ] \
  && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true)" ]; then
  runtime=runc
  conf_text="$conf_text

[engine]
runtime = \"runc\""
fi
conf_changed=0
if [ "$(cat "$podman_conf" 2>/dev/null || true)" != "$conf_text" ]; then
  "${sudo_cmd[@]}" mkdir -p "$(dirname "$podman_conf")"
  printf '%s\n' "$conf_text" | "${sudo_cmd[@]}" tee "$podman_conf" >/dev/null
  conf_changed=1
  echo "install-container-deps: container defaults nofile=$nofile nproc=$nproc, runtime $runtime ($podman_conf)"
fi

# Does the API service answer /_ping on the socket (within 2 s)?
ping_socket() {
  node -e '
    const req = require("node:http").get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("timeout", () => process.exit(1));
    req.on("error", () => process.exit(1));
  ' "$sock" 2>/dev/null
}

# A service this script started is restarted when the limits changed (so that it reads them), or
# when its working directory is gone (an earlier checkout deleted): conmon inherits it and then
# fails to start any container ("write child: broken pipe").
restart_reason=""
if [ -f "$service_pid" ]; then
  pid="$(cat "$service_pid")"
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = podman ]; then
    if [ "$conf_changed" = 1 ]; then restart_reason="for the new limits";
    else
      case "$(readlink "/proc/$pid/cwd" 2>/dev/null || true)" in
        *" (deleted)") restart_reason="whose working directory is gone" ;;
      esac
    fi
  fi
fi
if [ -n "$restart_reason" ]; then
  echo "install-container-deps: restarting the podman API service (pid $pid) $restart_reason"
  "${sudo_cmd[@]}" kill "$pid"
  for _ in $(seq 1 20); do [ -d "/proc/$pid" ] || break; sleep 0.25; done
fi

if ping_socket; then
  echo "install-container-deps: the podman API service already answers on $sock"
else
  "${sudo_cmd[@]}" mkdir -p "$(dirname "$sock")"
  "${sudo_cmd[@]}" rm -f "$sock"
  # Its own session, no terminal, output to a log: it outlives this script (and CI's shell)
  # without holding their pipes open. --time=0: it never exits for idleness.
  # Started from / so that no checkout it outlives is its working directory.
  cd /
  "${sudo_cmd[@]}" setsid nohup podman system service --time=0 "unix://$sock" >"$service_log" 2>&1 </dev/null &
  echo "$!" | "${sudo_cmd[@]}" tee "$service_pid" >/dev/null
  cd - >/dev/null
  for _ in $(seq 1 60); do
    ping_socket && break
    sleep 0.5
  done
  if ! ping_socket; then
    echo "install-container-deps: the podman API service did not answer on $sock within 30 s" >&2
    tail -n 20 "$service_log" >&2 || true
    exit 1
  fi
  echo "install-container-deps: started the podman API service on $sock (log: $service_log)"
fi
