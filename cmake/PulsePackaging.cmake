# Install layout and the Debian package. Included from the top-level
# CMakeLists.txt before any install() rule, so every rule sees the
# GNUInstallDirs variables.

include(CMakeDependentOption)
# Man pages and PNG icons are made by running freshly built programs; in a
# sanitizer build those would run instrumented (and nobody packages one).
cmake_dependent_option(PULSE_PACKAGING "Man pages (help2man), icons, desktop integration, docs and the .deb"
  ON "NOT PULSE_SANITIZE" OFF)

include(GNUInstallDirs)
# The package is called pulse-console, not after the CMake project, and its
# docs go where Debian expects them. Decided after GNUInstallDirs, because a
# find_package() may already have cached an empty DOCDIR; one given on the
# command line still wins.
if("$CACHE{CMAKE_INSTALL_DOCDIR}" STREQUAL "")
  set(CMAKE_INSTALL_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/pulse-console")
  GNUInstallDirs_get_absolute_install_dir(CMAKE_INSTALL_FULL_DOCDIR CMAKE_INSTALL_DOCDIR DOCDIR)
endif()

set(PULSE_APP_ID "io.github.pulseconsole.PulseConsole")
set(PULSE_HOMEPAGE "https://github.com/pulseconsole/PulseConsole")
set(PULSE_PACKAGE_MAINTAINER "Pulse Console maintainers <maintainers@users.noreply.r-seed-18b5a052.example>"
  CACHE STRING "Maintainer field of the .deb")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pulse-console)
set(CPACK_PACKAGE_VENDOR "Pulse Console contributors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PULSE_HOMEPAGE}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "operations console for a PostgreSQL primary + read replicas")
# Wrapped by hand: CPack copies the lines as they are, and dpkg shows them
# on an 80-column terminal.
set(CPACK_PACKAGE_DESCRIPTION [[
Pulse Console watches and operates a PostgreSQL primary with streaming
read replicas: replication lag in seconds and bytes, connection pools, the
read/write routing flags USE_READ_REPLICA and REPLICA_FALLBACK_ENABLED,
alerts, ETL loads, a load test and failover drills with reports.

This package contains the desktop console (pulse-console, Qt 6) and
pulsectl, the same for the command line and scripts, with a private
primary + replica sandbox for development.]])
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Release binaries keep their debug info in the build tree; the package
# ships them stripped (pulse-console: 3.6 MB instead of 113 MB).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PULSE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PULSE_HOMEPAGE}")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Libraries come from Debian, found by dpkg-shlibdeps, never bundled.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not linked, so invisible to dpkg-shlibdeps: Qt loads the SVG plugins at run
# time for the window's SVG icon.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
# psql for operators; the server binaries for `pulsectl sandbox`; PgBouncer and
# Compose for the benchmark and the example topology.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, pgbouncer, docker-compose")

include(CPack)
