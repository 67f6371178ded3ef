#!/usr/bin/env bash
# The desktop twin in a real (virtual) X display with Mesa's software OpenGL: it opens an OpenGL 3.3 window,
# draws frames of the tower and saves the last one; the picture must not be blank.
# usage: twin_desktop.sh TOWER_TWIN OUTDIR
set -euo pipefail
twin=$1
out=$2
mkdir -p "$out"
report=$(timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" "$twin" --mode staff --frames 60 --screenshot "$out/twin-desktop.ppm")
echo "$report"
colours=$(sed -n 's/.* \([0-9][0-9]*\) colours in the picture$/\1/p' <<< "$report")
if [ -z "$colours" ] || [ "$colours" -le 8 ]; then
  echo "twin_desktop: the picture has ${colours:-no} colours; expected a drawn tower" >&2
  exit 1
fi
[ -s "$out/twin-desktop.ppm" ] || { echo "twin_desktop: no screenshot written" >&2; exit 1; }
