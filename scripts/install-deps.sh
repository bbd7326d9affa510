#!/usr/bin/env bash
# Installs everything prospect-milter needs to build, test and run its demo
# on Debian 12, from Debian's packages. Idempotent; run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libmilter-dev libconfig++-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libsystemd-dev libssl-dev catch2 libgmime-3.0-dev libgumbo-dev liblmdb-dev libidn2-dev lmdb-utils
  libmicrohttpd-dev openssl curl
  postfix swaks systemd procps jq python3 iproute2
  opendkim opendkim-tools python3-dkim python3-selenium chromium chromium-driver
  clang llvm
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix asks how it should be configured; the tests and the demo run
# private instances of their own and never use the system one.
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost.localdomain" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
