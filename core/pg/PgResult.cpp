#include "pg/PgResult.hpp"

#include "common/Errors.hpp"

#include <charconv>

namespace pulse {

std::optional<std::string_view> PgResult::get(int row, int column) const
{
    if (!m_result || row < 0 || row >= rows() || column < 0 || column >= columns())
        throw Error("result has no value at row " + std::to_string(row) + ", column " + std::to_string(column));
    if (PQgetisnull(m_result.get(), row, column))
        return std::nullopt;
    return std::string_view(PQgetvalue(m_result.get(), row, column),
                            static_cast<size_t>(PQgetlength(m_result.get(), row, column)));
}

std::string PgResult::text(int row, int column) const
{
    auto value = get(row, column);
    if (!value)
        throw Error("unexpected NULL in column '" + columnName(column) + "'");
    return std::string(*value);
}

long long PgResult::integer(int row, int column) const
{
    const std::string value = text(row, column);
    long long out = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || ptr != value.data() + value.size())
        throw Error("column '" + columnName(column) + "' is not an integer: " + value);
    return out;
}

bool PgResult::boolean(int row, int column) const
{
    return text(row, column) == "t";
}

long long PgResult::affectedRows() const
{
    if (!m_result)
        return 0;
    const char* tuples = PQcmdTuples(m_result.get());
    return (tuples && *tuples) ? std::atoll(tuples) : 0;
}

}  // namespace pulse
