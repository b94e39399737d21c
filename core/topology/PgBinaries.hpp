#pragma once
// Where the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup,
// postgres) are. A sandbox needs the server package, not only the client
// tools; Debian installs each major version side by side under
// /usr/lib/postgresql/<major>/bin, off PATH.

#include <filesystem>

namespace pulse {

class PgBinaries {
public:
    // $PULSE_PG_BINDIR, else `pg_config --bindir`, else the newest
    // /usr/lib/postgresql/*/bin. Throws SandboxError saying what to install
    // or set when none holds the server binaries.
    static std::filesystem::path find();
    // True when `dir` holds initdb, pg_ctl, pg_basebackup and postgres.
    static bool isComplete(const std::filesystem::path& dir);
};

} // namespace pulse
