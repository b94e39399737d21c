#!/usr/bin/env bash
# Developer entry point. On a fresh Debian 12 machine:
#   ./dev.sh run     install what is missing, build, start the sandbox topology, open the console
#   ./dev.sh test    install what is missing, build, run the whole suite (ctest)
# Also:
#   ./dev.sh build            configure + build only (build/)
#   ./dev.sh test-sanitize    the suite in an AddressSanitizer + UBSan build (build-asan/)
#   ./dev.sh bench            build and run the benchmarks under tests/bench
#   ./dev.sh screenshots      render the console's main views into docs/screenshots/ (a sandbox under load)
#   ./dev.sh package          build/ + the .deb (build/pulse-console_VERSION_ARCH.deb), its desktop file,
#                             metainfo and man pages validated
#   ./dev.sh package-check    package, then install it (dpkg -i as root, else into a scratch root), run the
#                             installed binaries, check its files, and remove it again
#   ./dev.sh deps             only install the Debian packages
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Every dependency comes from Debian's archive; nothing is downloaded at build time.
# libqt6opengl6-dev is only a Recommends of qt6-base-dev, but Qt6Charts' CMake
# package needs it, and the install below skips recommends.
# Packaging: help2man writes the man pages at build time; desktop-file-utils,
# appstream and man-db check the package (dpkg-dev, for cpack's
# dpkg-shlibdeps, comes with build-essential); docker-compose runs the
# example topology's test.
packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
  libpq-dev libspdlog-dev nlohmann-json3-dev libcli11-dev prometheus-cpp-dev libbenchmark-dev
  postgresql pgbouncer
  fonts-dejavu-core xvfb xauth
  help2man desktop-file-utils appstream man-db docker-compose
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

njobs() { nproc 2>/dev/null || echo 2; }

build() { # build <dir> [cmake args...]
  local dir="$1"; shift
  log "configuring $dir"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  log "building $dir"
  cmake --build "$dir" -j "$(njobs)"
}

run_suite() { # run_suite <dir>
  local dir="$1"
  log "running the test suite in $dir"
  # Integration tests each start a private primary + replica (about 1 s).
  QT_QPA_PLATFORM=offscreen ctest --test-dir "$dir" --output-on-failure -j "$(njobs)" --timeout 600
}

# The console's main views as a person sees them: a private sandbox with an ETL
# load and dashboard readers running, so the charts and tables have something
# to show. Reproducible size (no saved layout: a throw-away HOME).
shots() {
  local home out=docs/screenshots
  home="$(mktemp -d /tmp/pulse-shots-home-XXXXXX)"
  mkdir -p "$out"
  # A path of its own (not a mktemp -d directory: mode 700 keeps the postgres
  # user out when we run as root); pulsectl creates it.
  export PULSE_SANDBOX_DIR
  PULSE_SANDBOX_DIR="$(mktemp -u /tmp/pulse-shots-XXXXXX)"
  ./build/app/pulsectl sandbox up >/dev/null
  trap './build/app/pulsectl sandbox down >/dev/null 2>&1 || true; rm -rf "$home"' RETURN
  # --demo-load: an ETL load and dashboard readers in the console itself, so
  # its charts, pools and routing inspector show their traffic.
  # A one-minute chart window: 15-20 s of data fill a third of it.
  local console=(./build/app/pulse-console --sandbox-dir "$PULSE_SANDBOX_DIR" --chart-window 1)
  HOME="$home" QT_QPA_PLATFORM=offscreen "${console[@]}" --demo-load \
    --screenshot "$out/console-overview.png" --after 15000
  for view in decisions drills etl pools alerts settings; do
    HOME="$home" QT_QPA_PLATFORM=offscreen "${console[@]}" --demo-load \
      --view "$view" --screenshot "$out/console-$view.png" --after 15000
  done
  # Degraded: replay paused under the ETL load, so the replica falls behind,
  # reads move to the primary and the lag alert fires.
  HOME="$home" QT_QPA_PLATFORM=offscreen "${console[@]}" --demo-load \
    --view alerts --screenshot "$out/console-degraded.png" --after 25000 &
  local pid=$!
  sleep 8
  ./build/app/pulsectl sandbox pause-replay >/dev/null
  wait "$pid"
  ./build/app/pulsectl sandbox resume-replay >/dev/null
  log "screenshots in $out/"
}

# The package of build/ (the tree ./dev.sh test builds, so CI compiles once),
# checked without installing it: what a desktop and `man` will read.
deb=
package() {
  build build
  log "packaging build/ (cpack -G DEB)"
  rm -f build/pulse-console_*.deb
  (cd build && cpack -G DEB >/dev/null)
  deb="$(ls build/pulse-console_*.deb)"
  # Unpacked inside build/: left there when a check fails, to look at.
  local tree=build/deb-contents app_id f size warnings
  rm -rf "$tree"
  dpkg-deb -x "$deb" "$tree"
  app_id="$(basename packaging/linux/*.desktop .desktop)"
  for f in bin/pulsectl bin/pulse-console \
      share/man/man1/pulsectl.1.gz share/man/man1/pulse-console.1.gz \
      "share/applications/$app_id.desktop" "share/metainfo/$app_id.metainfo.xml" \
      "share/icons/hicolor/scalable/apps/$app_id.svg" \
      share/doc/pulse-console/{README.md,.env.example,copyright,changelog.gz,examples/docker-compose.db.yml}; do
    [ -s "$tree/usr/$f" ] || { echo "the package has no /usr/$f" >&2; exit 1; }
  done
  for size in 16 32 48 64 128 256; do
    f="share/icons/hicolor/${size}x${size}/apps/$app_id.png"
    [ -s "$tree/usr/$f" ] || { echo "the package has no /usr/$f" >&2; exit 1; }
  done
  desktop-file-validate "$tree/usr/share/applications/$app_id.desktop"
  # validate-tree also checks that the metainfo's launchable .desktop file is there.
  appstreamcli validate-tree --no-net "$tree" >/dev/null || appstreamcli validate-tree --no-net "$tree"
  for f in "$tree"/usr/share/man/man1/*.1.gz; do
    warnings="$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)"
    [ -z "$warnings" ] || { echo "man -l $(basename "$f"): $warnings" >&2; exit 1; }
  done
  rm -rf "$tree"
  log "$deb ($(du -h "$deb" | cut -f1)): files, desktop file, metainfo and man pages are valid"
}

# Installs the package the way a user does, runs what was installed, and
# leaves the machine as it was. As root with no pulse-console installed:
# dpkg -i / dpkg -r, which also proves dpkg-shlibdeps' dependencies are
# installable here; otherwise a scratch root (dpkg-deb -x), so a user's own
# install is never touched.
package_check() {
  package
  local version app_id root prefix f bin
  version="$(dpkg-deb -f "$deb" Version)"
  app_id="$(basename packaging/linux/*.desktop .desktop)"
  if [ "$(id -u)" -eq 0 ] && ! dpkg-query -W -f='${Status}' pulse-console 2>/dev/null | grep -q "installed"; then
    log "installing $deb with dpkg -i (removed again at the end)"
    trap 'dpkg -r pulse-console >/dev/null' EXIT
    dpkg -i "$deb" >/dev/null || {
      echo "dpkg -i failed; its dependencies: $(dpkg-deb -f "$deb" Depends)" >&2
      echo "(a user installs them with: sudo apt-get install ./$deb)" >&2
      exit 1
    }
    prefix=/usr
    local listed
    listed="$(dpkg -L pulse-console)"
    for f in /usr/share/man/man1/pulsectl.1.gz /usr/share/man/man1/pulse-console.1.gz \
        "/usr/share/applications/$app_id.desktop" "/usr/share/metainfo/$app_id.metainfo.xml" \
        "/usr/share/icons/hicolor/scalable/apps/$app_id.svg" \
        /usr/share/icons/hicolor/{16x16,32x32,48x48,64x64,128x128,256x256}/apps/"$app_id.png"; do
      grep -qxF "$f" <<<"$listed" || { echo "dpkg -L pulse-console does not list $f" >&2; exit 1; }
    done
  else
    root="$(mktemp -d /tmp/pulse-root-XXXXXX)"
    log "extracting $deb into $root (not root, or pulse-console is installed already)"
    trap "rm -rf -- '$root'" EXIT  # expanded now: $root is local, gone at exit
    dpkg-deb -x "$deb" "$root"
    prefix="$root/usr"
    if ldd "$prefix"/bin/* | grep "not found"; then
      echo "libraries the package needs are missing here; dependencies: $(dpkg-deb -f "$deb" Depends)" >&2
      exit 1
    fi
  fi
  local out
  for bin in pulsectl pulse-console; do
    out="$(QT_QPA_PLATFORM=offscreen "$prefix/bin/$bin" --version 2>&1)" || true
    grep -qwF -- "$version" <<<"$out" || {
      echo "$prefix/bin/$bin --version did not print the package version $version:" >&2
      echo "$out" >&2
      exit 1
    }
    echo "$prefix/bin/$bin --version: $(grep -wF -- "$version" <<<"$out")"
  done
  log "the installed package runs and has its files"
}

cmd="${1:-help}"
shift || true
case "$cmd" in
  deps)
    install_deps ;;
  build)
    install_deps
    build build ;;
  test)
    install_deps
    build build
    run_suite build ;;
  test-sanitize)
    install_deps
    build build-asan -DPULSE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DPULSE_BUILD_BENCH=OFF
    # detect_leaks=0: Qt's and fontconfig's one-off allocations at exit are not ours.
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_suite build-asan ;;
  bench)
    install_deps
    build build
    ./build/tests/bench/bench_pool "$@"
    ./build/tests/bench/bench_metrics
    ./build/tests/bench/bench_monitor
    ./build/tests/bench/bench_etl
    ./build/tests/bench/bench_ui_stall ;;
  run)
    install_deps
    build build
    log "starting the sandbox topology"
    ./build/app/pulsectl sandbox up
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
      log "opening Pulse Console"
      exec ./build/app/pulse-console --sandbox "$@"
    fi
    echo "No display (DISPLAY and WAYLAND_DISPLAY are unset): not opening the window." >&2
    echo "Status of the sandbox instead (open the console from a desktop session with ./dev.sh run," >&2
    echo "or render it: QT_QPA_PLATFORM=offscreen ./build/app/pulse-console --sandbox --screenshot shot.png):" >&2
    exec ./build/app/pulsectl status ;;
  screenshots)
    install_deps
    build build
    shots
    ;;
  package)
    install_deps
    package ;;
  package-check)
    install_deps
    package_check ;;
  help|-h|--help)
    sed -n '2,/^[^#]/ s/^# \{0,1\}//p' "$0" ;;  # the comment block at the top
  *)
    echo "unknown command: $cmd (try ./dev.sh help)" >&2
    exit 2 ;;
esac
