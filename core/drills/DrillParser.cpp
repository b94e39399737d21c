#include "drills/DrillParser.hpp"

#include "common/EditDistance.hpp"
#include "drills/ActivityCatalog.hpp"
#include "drills/DrillFileError.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace pulse {
namespace {

using json = nlohmann::json;

std::string typeName(const json& value)
{
    return value.is_null() ? "null" : value.type_name();
}

std::string list(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& n : names)
        text += (text.empty() ? "" : ", ") + n;
    return text;
}

// Collects problems while walking the document; never stops at the first.
class Reader {
public:
    Reader(std::vector<std::string> nodes) : m_nodes(std::move(nodes)) {}

    std::vector<std::string> problems;

    void problem(const std::string& path, const std::string& text) { problems.push_back(path + ": " + text); }

    // Unknown keys are mistakes (a typo would otherwise silently do nothing).
    void onlyKeys(const json& object, const std::string& path, const std::vector<std::string>& known)
    {
        for (const auto& [key, _] : object.items()) {
            if (std::find(known.begin(), known.end(), key) != known.end())
                continue;
            std::string text = "unknown key '" + key + "'";
            if (const auto close = closestName(key, known); !close.empty())
                text += "; did you mean '" + std::string(close) + "'?";
            else
                text += " (known: " + list(known) + ")";
            problem(path, text);
        }
    }

    std::string text(const json& object, const char* key, const std::string& path, bool required)
    {
        if (!object.contains(key)) {
            if (required)
                problem(path, std::string("'") + key + "' is missing");
            return {};
        }
        const auto& v = object.at(key);
        if (!v.is_string() || (required && v.get<std::string>().empty())) {
            problem(path + "." + key, "must be a non-empty string, got " + typeName(v));
            return {};
        }
        return v.get<std::string>();
    }

    std::optional<double> numberIn(const json& object, const char* key, const std::string& path, double min,
                                   double max, bool integer)
    {
        if (!object.contains(key))
            return std::nullopt;
        const auto& v = object.at(key);
        const bool ok = v.is_number() && (!integer || v.is_number_integer());
        if (!ok || v.get<double>() < min || v.get<double>() > max) {
            problem(path + "." + key, fmt::format("must be {} from {:g} to {:g}, got {}",
                                                  integer ? "an integer" : "a number", min, max, v.dump()));
            return std::nullopt;
        }
        return v.get<double>();
    }

    void argument(const ArgumentSpec& spec, const json& value, const std::string& path)
    {
        switch (spec.type) {
        case ArgumentType::Node:
            if (!value.is_string() || std::find(m_nodes.begin(), m_nodes.end(), value.get<std::string>()) == m_nodes.end())
                problem(path, "unknown node " + value.dump() + " (this topology has: " + list(m_nodes) + ")");
            break;
        case ArgumentType::Choice:
            if (!value.is_string() ||
                std::find(spec.choices.begin(), spec.choices.end(), value.get<std::string>()) == spec.choices.end())
                problem(path, "must be one of " + list(spec.choices) + ", got " + value.dump());
            break;
        case ArgumentType::Boolean:
            if (!value.is_boolean())
                problem(path, "must be true or false, got " + value.dump());
            break;
        case ArgumentType::Integer:
        case ArgumentType::Number: {
            const bool integer = spec.type == ArgumentType::Integer;
            const bool ok = value.is_number() && (!integer || value.is_number_integer()) &&
                            value.get<double>() >= spec.minimum && value.get<double>() <= spec.maximum;
            if (!ok)
                problem(path, fmt::format("must be {} from {:g} to {:g}, got {}", integer ? "an integer" : "a number",
                                          spec.minimum, spec.maximum, value.dump()));
            break;
        }
        case ArgumentType::Text:
            if (!value.is_string())
                problem(path, "must be a string, got " + typeName(value));
            break;
        }
    }

    json arguments(const ActivitySpec& spec, const json& given, const std::string& path)
    {
        json out = json::object();
        if (!given.is_object()) {
            problem(path, "must be an object of arguments, got " + typeName(given));
            return out;
        }
        std::vector<std::string> names;
        for (const auto& a : spec.arguments)
            names.push_back(a.name);
        for (const auto& [key, value] : given.items()) {
            const auto it = std::find_if(spec.arguments.begin(), spec.arguments.end(),
                                         [&key](const ArgumentSpec& a) { return a.name == key; });
            if (it == spec.arguments.end()) {
                std::string text = spec.func + " takes no argument '" + key + "'";
                if (const auto close = closestName(key, names); !close.empty())
                    text += "; did you mean '" + std::string(close) + "'?";
                else
                    text += names.empty() ? " (it takes none)" : " (it takes: " + list(names) + ")";
                problem(path, text);
                continue;
            }
            argument(*it, value, path + "." + key);
            out[key] = value;
        }
        for (const auto& a : spec.arguments) {
            if (out.contains(a.name))
                continue;
            if (a.required)
                problem(path, spec.func + " needs '" + a.name + "' (" + a.meaning + ")");
            else if (!a.defaultValue.is_null())
                out[a.name] = a.defaultValue;
        }
        return out;
    }

    std::optional<DrillActivity> activity(const json& value, const std::string& path, bool needsTolerance,
                                          bool probesOnly, bool* always)
    {
        if (!value.is_object()) {
            problem(path, "must be an object with type, name and provider, got " + typeName(value));
            return std::nullopt;
        }
        std::vector<std::string> known{"type", "name", "provider", "tolerance", "pauses"};
        if (always)
            known.push_back("when");
        onlyKeys(value, path, known);
        DrillActivity a;
        const auto type = text(value, "type", path, true);
        if (!type.empty() && type != "action" && type != "probe")
            problem(path + ".type", "must be \"action\" or \"probe\", got \"" + type + "\"");
        a.kind = type == "probe" ? ActivityKind::Probe : ActivityKind::Action;
        a.name = text(value, "name", path, true);
        if (probesOnly && type == "action")
            problem(path + ".type", "only probes belong here (an action changes something)");

        const ActivitySpec* spec = nullptr;
        if (!value.contains("provider") || !value.at("provider").is_object()) {
            problem(path, "'provider' is missing (an object: {\"func\": ..., \"arguments\": {...}})");
        } else {
            const auto& provider = value.at("provider");
            const std::string providerPath = path + ".provider";
            onlyKeys(provider, providerPath, {"type", "func", "arguments"});
            if (provider.contains("type") && provider.at("type") != "pulse")
                problem(providerPath + ".type", "only \"pulse\" providers run here, got " + provider.at("type").dump());
            a.func = text(provider, "func", providerPath, true);
            if (!a.func.empty()) {
                spec = ActivityCatalog::find(a.func);
                if (!spec) {
                    std::string hint = ActivityCatalog::suggest(a.func);
                    problem(providerPath + ".func", "unknown " + (type.empty() ? std::string("step") : type) + " '" +
                                                        a.func + "'" +
                                                        (hint.empty() ? " (`pulsectl drill show --catalog` lists them)"
                                                                      : "; did you mean '" + hint + "'?"));
                } else if (!type.empty() && activityKindName(spec->kind) != type) {
                    problem(path + ".type", "'" + a.func + "' is " +
                                                (spec->kind == ActivityKind::Probe ? "a probe" : "an action") +
                                                ", not " + (type == "probe" ? "a probe" : "an action"));
                }
            }
            if (spec)
                a.arguments = arguments(*spec, provider.value("arguments", json::object()), providerPath + ".arguments");
        }

        if (value.contains("tolerance")) {
            if (a.kind != ActivityKind::Probe)
                problem(path + ".tolerance", "only a probe has a tolerance");
            else
                a.tolerance = Tolerance::parse(value.at("tolerance"), path + ".tolerance", problems);
        } else if (needsTolerance && a.kind == ActivityKind::Probe) {
            problem(path, "a probe here needs a 'tolerance' (the value it must have)");
        }

        if (value.contains("pauses")) {
            const auto& pauses = value.at("pauses");
            if (!pauses.is_object()) {
                problem(path + ".pauses", "must be {\"before\": seconds, \"after\": seconds}");
            } else {
                onlyKeys(pauses, path + ".pauses", {"before", "after"});
                const auto ms = [](std::optional<double> s) {
                    return std::chrono::milliseconds(s ? std::llround(*s * 1000) : 0);
                };
                a.pauseBefore = ms(numberIn(pauses, "before", path + ".pauses", 0, 3600, false));
                a.pauseAfter = ms(numberIn(pauses, "after", path + ".pauses", 0, 3600, false));
            }
        }
        if (always && value.contains("when")) {
            const auto when = value.at("when");
            if (when == "always")
                *always = true;
            else if (when != "on-failure")
                problem(path + ".when", "must be \"on-failure\" (the default) or \"always\", got " + when.dump());
        }
        return a;
    }

    std::vector<DrillActivity> activities(const json& value, const std::string& path, bool needsTolerance,
                                          bool probesOnly)
    {
        std::vector<DrillActivity> out;
        if (!value.is_array()) {
            problem(path, "must be a list, got " + typeName(value));
            return out;
        }
        for (std::size_t i = 0; i < value.size(); ++i)
            if (auto a = activity(value[i], fmt::format("{}[{}]", path, i), needsTolerance, probesOnly, nullptr))
                out.push_back(std::move(*a));
        return out;
    }

private:
    std::vector<std::string> m_nodes;
};

bool validName(const std::string& name)
{
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

}  // namespace

Drill DrillParser::parse(const std::string& text, const std::string& source, const std::vector<std::string>& nodes)
{
    json document;
    try {
        document = json::parse(text);
    } catch (const json::parse_error& e) {
        // nlohmann's message says where ("line 3, column 7"); its
        // "[json.exception.parse_error.101] " prefix says nothing to a person.
        std::string message = e.what();
        if (const auto end = message.find("] "); message.starts_with("[json.exception") && end != std::string::npos)
            message.erase(0, end + 2);
        throw DrillFileError(source, {"not valid JSON: " + message});
    }
    return parse(document, source, nodes);
}

Drill DrillParser::parse(const json& document, const std::string& source, const std::vector<std::string>& nodes)
{
    Reader r(nodes);
    Drill drill;
    if (!document.is_object())
        throw DrillFileError(source, {"a drill is a JSON object, got " + typeName(document)});
    drill.source = document;
    r.onlyKeys(document, "drill", {"version", "name", "title", "description", "blast-radius", "tags", "workload",
                                   "steady-state-hypothesis", "method", "rollbacks", "abort-conditions"});
    if (!document.contains("version"))
        r.problem("drill", "'version' is missing (1)");
    else if (document.at("version") != 1)
        r.problem("drill.version", "must be 1, got " + document.at("version").dump());
    drill.name = r.text(document, "name", "drill", true);
    if (!drill.name.empty() && !validName(drill.name))
        r.problem("drill.name", "use lower-case letters, digits and '-' (at most 64), got \"" + drill.name + "\"");
    drill.title = r.text(document, "title", "drill", true);
    drill.description = r.text(document, "description", "drill", false);
    drill.blastRadius = r.text(document, "blast-radius", "drill", false);
    if (document.contains("tags")) {
        const auto& tags = document.at("tags");
        if (!tags.is_array() || !std::all_of(tags.begin(), tags.end(), [](const json& t) { return t.is_string(); }))
            r.problem("drill.tags", "must be a list of strings");
        else
            for (const auto& t : tags)
                drill.tags.push_back(t.get<std::string>());
    }

    if (document.contains("workload")) {
        const auto& w = document.at("workload");
        if (!w.is_object()) {
            r.problem("drill.workload", "must be an object, got " + typeName(w));
        } else {
            r.onlyKeys(w, "drill.workload", {"readers", "think-ms", "etl"});
            drill.workload.readers = static_cast<int>(r.numberIn(w, "readers", "drill.workload", 0, 256, true).value_or(0));
            if (const auto think = r.numberIn(w, "think-ms", "drill.workload", 0, 60'000, true))
                drill.workload.think = std::chrono::milliseconds(static_cast<long>(*think));
            if (w.contains("etl")) {
                const auto& e = w.at("etl");
                if (!e.is_object()) {
                    r.problem("drill.workload.etl", "must be an object, got " + typeName(e));
                } else {
                    r.onlyKeys(e, "drill.workload.etl", {"rows", "chunk", "rate"});
                    drill.workload.etlRows = static_cast<std::int64_t>(
                        r.numberIn(e, "rows", "drill.workload.etl", 1, 4e9, true).value_or(0));
                    if (!e.contains("rows"))
                        r.problem("drill.workload.etl", "'rows' is missing");
                    drill.workload.etlChunk =
                        static_cast<int>(r.numberIn(e, "chunk", "drill.workload.etl", 1, 1e6, true).value_or(1000));
                    if (const auto rate = r.numberIn(e, "rate", "drill.workload.etl", 1, 1e8, true))
                        drill.workload.etlRate = static_cast<int>(*rate);
                }
            }
        }
    }

    if (document.contains("steady-state-hypothesis")) {
        const auto& h = document.at("steady-state-hypothesis");
        const std::string path = "drill.steady-state-hypothesis";
        if (!h.is_object()) {
            r.problem(path, "must be an object with a title and probes");
        } else {
            r.onlyKeys(h, path, {"title", "probes"});
            drill.hypothesisTitle = r.text(h, "title", path, true);
            if (!h.contains("probes"))
                r.problem(path, "'probes' is missing");
            else
                drill.steadyState = r.activities(h.at("probes"), path + ".probes", true, true);
        }
    }

    if (!document.contains("method"))
        r.problem("drill", "'method' is missing (the list of actions and probes to run)");
    else {
        drill.method = r.activities(document.at("method"), "drill.method", false, false);
        if (document.at("method").is_array() && document.at("method").empty())
            r.problem("drill.method", "is empty: a drill does something");
    }

    if (document.contains("rollbacks")) {
        const auto& list = document.at("rollbacks");
        if (!list.is_array()) {
            r.problem("drill.rollbacks", "must be a list, got " + typeName(list));
        } else {
            for (std::size_t i = 0; i < list.size(); ++i) {
                bool always = false;
                const auto path = fmt::format("drill.rollbacks[{}]", i);
                if (auto a = r.activity(list[i], path, false, false, &always)) {
                    if (a->kind != ActivityKind::Action && !a->func.empty())
                        r.problem(path + ".type", "a rollback is an action (it puts something back)");
                    drill.rollbacks.push_back({std::move(*a), always});
                }
            }
        }
    }

    if (document.contains("abort-conditions")) {
        const auto& c = document.at("abort-conditions");
        const std::string path = "drill.abort-conditions";
        if (!c.is_object()) {
            r.problem(path, "must be an object with probes (and interval-ms)");
        } else {
            r.onlyKeys(c, path, {"interval-ms", "probes"});
            if (const auto interval = r.numberIn(c, "interval-ms", path, 50, 60'000, true))
                drill.abortInterval = std::chrono::milliseconds(static_cast<long>(*interval));
            if (c.contains("probes"))
                drill.abortConditions = r.activities(c.at("probes"), path + ".probes", true, true);
        }
    }

    if (!r.problems.empty())
        throw DrillFileError(source, r.problems);
    return drill;
}

}  // namespace pulse
