#pragma once
// Owning handle of a PGresult (PQclear on destruction). Move-only. Values are
// returned as text (libpq's text format), NULL as std::nullopt.

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pulse {

class PgResult {
public:
    PgResult() = default;
    explicit PgResult(PGresult* result) : m_result(result, &PQclear) {}

    int rows() const { return m_result ? PQntuples(m_result.get()) : 0; }
    int columns() const { return m_result ? PQnfields(m_result.get()) : 0; }
    std::string columnName(int column) const { return PQfname(m_result.get(), column); }
    bool isNull(int row, int column) const { return PQgetisnull(m_result.get(), row, column) != 0; }

    // Text of one value; std::nullopt for SQL NULL.
    std::optional<std::string_view> get(int row, int column) const;
    // Text of one value; throws pulse::Error on NULL or out of range.
    std::string text(int row, int column) const;
    long long integer(int row, int column) const;
    bool boolean(int row, int column) const;  // 't' / 'f'

    // Rows affected by INSERT/UPDATE/DELETE (PQcmdTuples), 0 when not applicable.
    long long affectedRows() const;
    ExecStatusType status() const { return m_result ? PQresultStatus(m_result.get()) : PGRES_EMPTY_QUERY; }
    PGresult* raw() const { return m_result.get(); }

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> m_result{nullptr, &PQclear};
};

}  // namespace pulse
