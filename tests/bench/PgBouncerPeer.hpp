#pragma once
// A PgBouncer in transaction mode in front of the sandbox primary: the peer a
// user would otherwise pick instead of an embedded pool. Started only when
// the pgbouncer binary is installed; stopped on destruction.

#include "topology/Sandbox.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

class PgBouncerPeer {
public:
    // nullptr (with the reason in `why`) when pgbouncer is not installed or
    // does not come up.
    // Every server connection runs with `statementTimeout` (connect_query).
    static std::unique_ptr<PgBouncerPeer> start(const pulse::Sandbox& sandbox, int poolSize,
                                                std::chrono::milliseconds statementTimeout, std::string& why);
    ~PgBouncerPeer();
    int port() const { return m_port; }

private:
    PgBouncerPeer() = default;
    std::filesystem::path m_dir;
    int m_port = 0;
};
