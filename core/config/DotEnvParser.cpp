#include "config/DotEnvParser.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

namespace pulse {
namespace {

constexpr std::string_view kWhitespace = " \t";
constexpr std::size_t kMaxQuotedChars = 60;

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimLeft(std::string_view s)
{
    const auto pos = s.find_first_not_of(kWhitespace);
    return pos == std::string_view::npos ? std::string_view{} : s.substr(pos);
}

std::string_view trimRight(std::string_view s)
{
    const auto pos = s.find_last_not_of(kWhitespace);
    return pos == std::string_view::npos ? std::string_view{} : s.substr(0, pos + 1);
}

std::string_view trim(std::string_view s)
{
    return trimRight(trimLeft(s));
}

bool isKeyStart(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool isKeyChar(char c)
{
    return isKeyStart(c) || (c >= '0' && c <= '9');
}

bool isValidKey(std::string_view key)
{
    return !key.empty() && isKeyStart(key.front()) && std::all_of(key.begin(), key.end(), isKeyChar);
}

std::string shortened(std::string_view s)
{
    if (s.size() <= kMaxQuotedChars)
        return std::string(s);
    return std::string(s.substr(0, kMaxQuotedChars)) + "...";
}

// A line without '=' is quoted back to the user to help find it, except when
// it might carry a secret (`POSTGRES_PASSWORD hunter2`): names are matched
// loosely on purpose, a .env also holds other applications' tokens and keys.
bool looksSecret(std::string_view text)
{
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c); });
    for (std::string_view marker : {"PASS", "PWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH", "PRIVATE"}) {
        if (upper.find(marker) != std::string::npos)
            return true;
    }
    return false;
}

// Index of the quote closing a value whose opening quote is at `open`, or npos.
// Inside double quotes a backslash escapes the next character.
std::size_t findClosingQuote(std::string_view s, std::size_t open)
{
    const char quote = s[open];
    for (std::size_t i = open + 1; i < s.size(); ++i) {
        if (quote == '"' && s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == quote)
            return i;
    }
    return std::string_view::npos;
}

std::string unescapeDoubleQuoted(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char next = s[++i];
        switch (next) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '$': out += '$'; break;
        default:
            // Unknown escapes stay as written (shell behaviour), so a Windows
            // path or a regex survives without doubling every backslash.
            out += '\\';
            out += next;
            break;
        }
    }
    return out;
}

std::vector<std::string_view> splitLines(std::string_view text)
{
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find('\n', start);
        auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);  // CRLF files from Windows editors
        lines.push_back(line);
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    return lines;
}

class Parser {
public:
    Parser(std::string_view text, const std::string& fileName)
        : m_lines(splitLines(text)), m_fileName(fileName)
    {
        if (!m_lines.empty() && m_lines.front().starts_with("\xEF\xBB\xBF"))
            m_lines.front().remove_prefix(3);  // UTF-8 BOM written by some editors
    }

    DotEnvResult run()
    {
        for (m_index = 0; m_index < m_lines.size(); ++m_index)
            parseLine(m_lines[m_index]);
        keepLastOfEachKey();
        return std::move(m_result);
    }

private:
    int lineNumber() const { return static_cast<int>(m_index) + 1; }

    std::string location() const { return m_fileName + ":" + std::to_string(lineNumber()); }

    void addError(std::string key, std::string expected, const std::string& text)
    {
        ConfigIssue issue;
        issue.key = std::move(key);
        issue.expected = std::move(expected);
        issue.location = location();
        issue.message = issue.location + ": " + text;
        m_result.errors.push_back(std::move(issue));
    }

    void parseLine(std::string_view raw)
    {
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#')
            return;
        if (line.starts_with("export") && line.size() > 6 && isSpace(line[6]))
            line = trimLeft(line.substr(6));

        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            reportMissingEquals(line);
            return;
        }

        const auto key = trimRight(line.substr(0, eq));
        if (key.empty()) {
            addError({}, "KEY=value", "no key before '='; write KEY=value");
            return;
        }
        if (!isValidKey(key)) {
            addError(std::string(key), "a key of letters, digits and _ not starting with a digit",
                     "`" + shortened(key) + "` is not a valid key; use letters, digits and _, not starting with a digit");
            return;
        }

        if (auto value = parseValue(std::string(key), line.substr(eq + 1)))
            m_result.entries.push_back({std::string(key), std::move(*value), lineNumber()});
    }

    void reportMissingEquals(std::string_view line)
    {
        std::size_t wordEnd = 0;
        while (wordEnd < line.size() && isKeyChar(line[wordEnd]))
            ++wordEnd;
        const auto firstWord = line.substr(0, wordEnd);
        std::string shown;
        if (!looksSecret(line))
            shown = "`" + shortened(line) + "`";
        else if (!firstWord.empty())
            shown = "`" + std::string(firstWord) + " ...`";
        else
            shown = "this line";
        addError(std::string(firstWord), "KEY=value", shown + " has no '='; write KEY=value");
    }

    // Value part after '='; std::nullopt when the line was reported as an error.
    std::optional<std::string> parseValue(const std::string& key, std::string_view afterEq)
    {
        const std::string_view rest = trimLeft(afterEq);
        if (rest.empty())
            return std::string{};
        if (rest.front() == '\'' || rest.front() == '"')
            return parseQuoted(key, rest);

        // Unquoted: a comment starts at '#' preceded by whitespace. The first
        // character of `rest` had whitespace before it only if trimming removed some.
        std::size_t end = rest.size();
        for (std::size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] != '#')
                continue;
            const bool afterSpace = i == 0 ? rest.size() != afterEq.size() : isSpace(rest[i - 1]);
            if (afterSpace) {
                end = i;
                break;
            }
        }
        return std::string(trimRight(rest.substr(0, end)));
    }

    std::optional<std::string> parseQuoted(const std::string& key, std::string_view rest)
    {
        const char quote = rest.front();
        const auto close = findClosingQuote(rest, 0);
        if (close == std::string_view::npos) {
            reportUnterminated(key, quote);
            return std::nullopt;
        }
        const auto tail = trimLeft(rest.substr(close + 1));
        if (!tail.empty() && tail.front() != '#') {
            addError(key, "only whitespace or a # comment after the closing quote",
                     key + ": unexpected text after the closing " + quoteName(quote) +
                         "; start a comment with '#' or put the whole value inside the quotes");
            return std::nullopt;
        }
        const auto inner = rest.substr(1, close - 1);
        return quote == '"' ? unescapeDoubleQuoted(inner) : std::string(inner);
    }

    static std::string quoteName(char quote) { return quote == '"' ? "double quote (\")" : "single quote (')"; }

    void reportUnterminated(const std::string& key, char quote)
    {
        // The usual cause is a multi-line value (a PEM key of another
        // application sharing the file). Its continuation lines are skipped
        // up to the closing quote rather than reported one by one: that would
        // be noise, and could print pieces of a secret.
        std::size_t closingLine = 0;
        for (std::size_t i = m_index + 1; i < m_lines.size() && closingLine == 0; ++i) {
            const auto& next = m_lines[i];
            for (std::size_t pos = next.find(quote); pos != std::string_view::npos; pos = next.find(quote, pos + 1)) {
                if (quote == '\'' || pos == 0 || next[pos - 1] != '\\') {
                    closingLine = i;
                    break;
                }
            }
        }
        std::string text = key + ": the value opened with a " + quoteName(quote) +
                           " is not closed on this line; add the closing quote (values cannot span several lines)";
        if (closingLine != 0) {
            text += "; lines " + std::to_string(m_index + 2) + "-" + std::to_string(closingLine + 1) +
                    " look like the rest of it and were skipped";
        }
        addError(key, std::string("a closing ") + quote + " on the same line", text);
        if (closingLine != 0)
            m_index = closingLine;
    }

    // dotenv semantics: a repeated key is not an error, the last one wins.
    void keepLastOfEachKey()
    {
        auto& entries = m_result.entries;
        std::set<std::string> seen;
        std::vector<DotEnvEntry> kept;
        for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
            if (seen.insert(it->key).second)
                kept.push_back(std::move(*it));
        }
        std::reverse(kept.begin(), kept.end());
        entries = std::move(kept);
    }

    std::vector<std::string_view> m_lines;
    const std::string& m_fileName;
    std::size_t m_index = 0;
    DotEnvResult m_result;
};

}  // namespace

DotEnvResult DotEnvParser::parse(std::string_view text, const std::string& fileName)
{
    return Parser(text, fileName).run();
}

DotEnvResult DotEnvParser::parseFile(const std::filesystem::path& path)
{
    const std::string name = path.string();
    auto unreadable = [&](const std::string& why) {
        ConfigIssue issue;
        issue.expected = "a readable .env file";
        issue.location = name;
        issue.message = name + ": cannot read the file: " + why;
        DotEnvResult result;
        result.errors.push_back(std::move(issue));
        return result;
    };

    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return unreadable("it is a directory");

    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        return unreadable(err != 0 ? std::generic_category().message(err) : std::string("cannot open it"));
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        return unreadable("read error");
    return parse(content.str(), name);
}

}  // namespace pulse
