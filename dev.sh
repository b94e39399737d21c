#!/usr/bin/env bash
# Developer entry point. On a fresh Debian 12 machine:
#   ./dev.sh run     install what is missing, build, start the sandbox topology, open the console
#   ./dev.sh test    install what is missing, build, run the whole suite (ctest)
# Also:
#   ./dev.sh build            configure + build only (build/)
#   ./dev.sh test-sanitize    the suite in an AddressSanitizer + UBSan build (build-asan/)
#   ./dev.sh bench            build and run the benchmarks under tests/bench
#   ./dev.sh screenshots      render the console's main views into docs/screenshots/ (a sandbox under load)
#   ./dev.sh deps             only install the Debian packages
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Every dependency comes from Debian's archive; nothing is downloaded at build time.
# libqt6opengl6-dev is only a Recommends of qt6-base-dev, but Qt6Charts' CMake
# package needs it, and the install below skips recommends.
packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
  libpq-dev libspdlog-dev nlohmann-json3-dev libcli11-dev prometheus-cpp-dev libbenchmark-dev
  postgresql pgbouncer
  fonts-dejavu-core xvfb xauth
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
  for view in decisions drills etl pools alerts; do
    HOME="$home" QT_QPA_PLATFORM=offscreen ./build/app/pulse-console --sandbox-dir "$PULSE_SANDBOX_DIR" \
      --demo-load --view "$view" --screenshot "$out/console-$view.png" --after 15000
  done
  log "screenshots in $out/"
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
  help|-h|--help)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' ;;
  *)
    echo "unknown command: $cmd (try ./dev.sh help)" >&2
    exit 2 ;;
esac
