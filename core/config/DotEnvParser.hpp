#pragma once
// Reader of `.env` files with the rules dotenv users expect:
//   KEY=value            blank lines and `# comment` lines are skipped
//   export KEY=value     optional `export ` prefix (so the file can be sourced)
//   KEY = value # note   whitespace around key and '=' trimmed; an unquoted value
//                        ends at `#` preceded by whitespace (`A=abc#def` keeps `abc#def`)
//   KEY='literal'        single quotes: taken as written, no escapes
//   KEY="a\tb\n"         double quotes: escapes \n \t \" \\ \$ (others kept as written)
//   KEY=                 an empty value is allowed
// No `${VAR}` interpolation and no multi-line values. A repeated key: the last
// one wins, like dotenv, without an error. Every error is collected (never
// stopping at the first) with "file:line" and what to write instead. Messages
// never repeat a value after '=', and quote a line without '=' only when it
// does not look like it holds a secret (PASSWORD, TOKEN, KEY, ... in it).

#include "common/Errors.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

// One KEY=value of a .env file; `line` is 1-based.
struct DotEnvEntry {
    std::string key;
    std::string value;
    int line = 0;
};

// Entries in file order (one per key: the last occurrence) and every error found.
struct DotEnvResult {
    std::vector<DotEnvEntry> entries;
    std::vector<ConfigIssue> errors;

    bool ok() const noexcept { return errors.empty(); }
};

// Stateless; safe to call from any thread.
class DotEnvParser {
public:
    // `fileName` only names the text in locations ("<fileName>:<line>").
    static DotEnvResult parse(std::string_view text, const std::string& fileName);

    // Reads and parses `path`. A file that cannot be read yields one error
    // (location = the path), never an exception.
    static DotEnvResult parseFile(const std::filesystem::path& path);
};

}  // namespace pulse
