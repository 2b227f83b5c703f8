#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages that building and testing mod_authdiag need. Idempotent: when
# every package is already installed it neither updates apt nor installs anything.
set -euo pipefail

packages=(
  # build
  apache2-dev libapr1-dev libaprutil1-dev cmake ninja-build g++ clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libhiredis-dev libcrypt-dev
  # lint
  clang-format clang-tidy
  # run and test
  apache2 apache2-utils curl wrk redis-server memcached fail2ban nghttp2-client chromium
  python3 ca-certificates
)

declare -A installed=()
while read -r package status; do
  [[ $status == installed ]] && installed[${package%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for package in "${packages[@]}"; do
  [[ -n ${installed[$package]:-} ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if ((EUID != 0)); then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
