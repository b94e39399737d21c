#pragma once
// Left-aligned plain-text columns for terminal output (no colours: output is
// often piped into logs and tickets).

#include <ostream>
#include <string>
#include <vector>

namespace pulsectl {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> headers);
    void addRow(std::vector<std::string> cells);
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> m_rows;  // headers first
};

}  // namespace pulsectl
