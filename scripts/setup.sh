#!/usr/bin/env bash
# Installs what Tower needs to build and test, from Debian's archive only; skips what is present.
# Idempotent: a second run on a ready machine does nothing but check.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps="$root/.deps"

packages=(
  cmake g++ make ninja-build pkg-config
  libboost-dev nlohmann-json3-dev catch2 libsqlite3-dev libssl-dev libglfw3-dev
  emscripten nodejs chromium xz-utils
  xvfb xauth libgl1-mesa-dri
  clang-14 libfuzzer-14-dev
)

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# nodejs may come from elsewhere (NodeSource, which bundles npm); a working node on PATH is enough.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
# npm installs playwright-core for the browser test; Debian packages it apart from nodejs.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
read -r -a missing <<< "${missing[*]:-}"

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    echo "setup: apt-get update" >&2
    sudo_if_needed apt-get update -qq
    apt_updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  apt_update_once
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Dear ImGui 1.86 comes from Debian's source package, never vendored: the twin compiles it from .deps/.
imgui_dir="$deps/imgui"
if [ ! -f "$imgui_dir/imgui.h" ]; then
  sources=/etc/apt/sources.list.d/tower-deb-src.sources
  if [ ! -f "$sources" ]; then
    # Mirror the archive the machine already uses, so source and binaries agree.
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    suite=$(awk '/^Suites:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    suite=${suite:-bookworm}
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" "$suite" | sudo_if_needed tee "$sources" >/dev/null
    apt_updated=0
  fi
  apt_update_once
  mkdir -p "$deps/download"
  (cd "$deps/download" && apt-get source --download-only imgui >&2)
  tarball=$(ls "$deps"/download/imgui_*.orig.tar.* | head -n 1)
  rm -rf "$imgui_dir" && mkdir -p "$imgui_dir"
  tar -xf "$tarball" -C "$imgui_dir" --strip-components=1
  echo "setup: Dear ImGui source in $imgui_dir" >&2
fi

echo "setup: ready" >&2
