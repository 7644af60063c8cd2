#!/bin/bash
# Installs the testbed's Debian packages (skipped when already installed) and builds the NFQUEUE
# delay/loss helper. Idempotent. Services are never started by the packages here (no systemd,
# policy-rc.d denies); on a host with systemd we stop and mask them so they cannot collide.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PKGS=(rabbitmq-server mariadb-server mariadb-client galera-4 mariadb-backup prometheus prometheus-node-exporter
      prometheus-mysqld-exporter python3-pika python3-pymysql iproute2 iptables rsync socat lsof procps
      libnetfilter-queue-dev gcc curl)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 1200 apt-get install -y -q "${missing[@]}"
else
  log "all ${#PKGS[@]} Debian packages already installed"
fi

if [[ -d /run/systemd/system ]]; then
  for s in rabbitmq-server mariadb prometheus prometheus-node-exporter prometheus-mysqld-exporter epmd.socket epmd; do
    systemctl stop "$s" 2>/dev/null || true
    systemctl mask "$s" 2>/dev/null || true
  done
fi

# The NFQUEUE helper: rebuilt when its source is newer than the binary.
mkdir -p "$TB/bin"
if [[ ! -x "$TB/bin/nfq_delay" || "$TESTBED_SRC/nfq_delay.c" -nt "$TB/bin/nfq_delay" ]]; then
  log "building nfq_delay"
  gcc -O2 -Wall -Wextra -o "$TB/bin/nfq_delay" "$TESTBED_SRC/nfq_delay.c" -lnetfilter_queue -lnfnetlink
fi
log "install done"
