#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Anchor Studio needs, only those missing. Idempotent.
# Elsewhere (macOS, Windows, other distros) it says what to install and exits 0.
set -euo pipefail
PKGS=(
  libportaudio2 libasound2-plugins pulseaudio pulseaudio-utils   # microphones through PortAudio
  ffmpeg                                                         # reference encoder for the benchmark
  openssl                                                        # test certificates (RTMPS, HTTPS)
  nginx libnginx-mod-rtmp                                        # the RTMP server the tests push to
  fonts-noto-cjk fonts-noto-color-emoji                          # CJK and emoji on price cards
  chromium                                                       # the post-show report opened in a real browser
  xvfb xauth libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0     # Qt under Xvfb / offscreen
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-randr0
  libxcb-render-util0 libxcb-xinerama0 libxcb-xfixes0 libxcb-shape0 libdbus-1-3
  libfontconfig1 libglib2.0-0
)
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu machine; install PortAudio, ffmpeg, nginx with the RTMP module and Noto CJK/emoji fonts yourself." >&2
  exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
