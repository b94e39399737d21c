#include "topology/ShellNodeController.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/MaskedCommand.hpp"
#include "common/Trimmed.hpp"
#include "config/Settings.hpp"
#include "topology/ProcessRunner.hpp"

#include <cstring>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pulse {
namespace {

// The end of `text` (where a failing command says why), at most `limit`
// characters, starting on a line boundary when there is one.
std::string tail(std::string_view text, std::size_t limit, bool alreadyCut)
{
    text = trimmedView(text);
    if (text.size() <= limit)
        return (alreadyCut ? "..." : "") + std::string(text);
    std::string_view cut = text.substr(text.size() - limit);
    if (const auto newline = cut.find('\n'); newline != std::string_view::npos && newline + 1 < cut.size())
        cut.remove_prefix(newline + 1);
    return "..." + std::string(cut);
}

std::string outputOf(const ProcessResult& result)
{
    // Masked per stream before anything is joined or cut, and a stream the
    // runner cut at its front starts at its next full line: a secret split
    // by a cut ("sword=s3cret") would not be recognised as one.
    const auto clean = [](const std::string& stream, bool dropped) {
        std::string_view text = stream;
        if (dropped) {
            const auto newline = text.find('\n');
            text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
        }
        return maskCommandSecrets(trimmed(text));
    };
    std::string text;
    if (!trimmedView(result.out).empty())
        text = (result.outDropped > 0 ? "..." : "") + clean(result.out, result.outDropped > 0);
    if (!trimmedView(result.err).empty())
        text += (text.empty() ? "" : "\n") + std::string("stderr: ") + (result.errDropped > 0 ? "..." : "")
            + clean(result.err, result.errDropped > 0);
    return text;
}

} // namespace

ShellNodeController::ShellNodeController(
    std::map<DrillCommandKey, std::string> commands, std::chrono::milliseconds timeout)
    : m_commands(std::move(commands))
    , m_timeout(timeout)
    , m_log(logger("nodectl"))
{
    std::erase_if(m_commands, [](const auto& entry) { return entry.second.empty(); });
}

ShellNodeController::ShellNodeController(const Settings& settings)
    : ShellNodeController(settings.drillCommands, settings.drillCommandTimeout)
{ }

std::string ShellNodeController::describe() const
{
    return fmt::format("shell commands ({} configured)", m_commands.size());
}

bool ShellNodeController::supports(NodeAction action, const std::string& node) const
{
    return m_commands.contains(DrillCommandKey {action, node});
}

NodeActionOutcome ShellNodeController::perform(NodeAction action, const std::string& node)
{
    const std::string actionName(nodeActionName(action));
    const DrillCommandKey key {action, node};
    const auto it = m_commands.find(key);
    if (it == m_commands.end())
        throw NodeActionError(node, actionName, "no shell command is configured for it",
            "set " + key.key() + " to the command that does it (run with /bin/sh -c)");

    NodeActionOutcome outcome;
    outcome.action = action;
    outcome.node = node;
    outcome.controller = describe();
    outcome.what = maskCommandSecrets(it->second);
    m_log->info("{} on the {}: running {} ({})", actionName, node, outcome.what, key.key());

    ProcessCommand command;
    command.argv = {"/bin/sh", "-c", it->second};
    command.extraEnv = {{"PULSE_DRILL_ACTION", actionName}, {"PULSE_DRILL_NODE", node}};
    command.timeout = m_timeout;
    command.maxOutputBytes = kMaxOutputBytes;

    const auto started = std::chrono::steady_clock::now();
    ProcessResult result;
    try {
        result = ProcessRunner::run(command);
    } catch (const Error& error) {
        // The runner's message quotes the command line: mask it like every other copy.
        throw NodeActionError(node, actionName, "could not run /bin/sh: " + maskCommandSecrets(error.what()),
            "a POSIX shell must exist at /bin/sh");
    }
    outcome.duration
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    outcome.output = outputOf(result);

    if (result.timedOut)
        throw NodeActionError(node, actionName,
            fmt::format("{} did not finish within {} ms and was killed{}", outcome.what, m_timeout.count(),
                result.err.empty()
                    ? ""
                    : "; stderr: " + tail(maskCommandSecrets(result.err), kErrorTailChars, result.errDropped > 0)),
            "raise DRILL_COMMAND_TIMEOUT_SECONDS if it needs longer, or make " + key.key() + " return sooner");
    if (!result.ok()) {
        const std::string how = result.termSignal != 0
            ? fmt::format("was killed by signal {} ({})", result.termSignal, ::strsignal(result.termSignal))
            : fmt::format("exited with code {}", result.exitCode);
        const std::string stderrTail = tail(maskCommandSecrets(result.err), kErrorTailChars, result.errDropped > 0);
        throw NodeActionError(node, actionName,
            fmt::format("{} {}{}", outcome.what, how, stderrTail.empty() ? "" : "; stderr: " + stderrTail),
            "run the command by hand to see why, then fix " + key.key());
    }
    m_log->info("{} on the {}: done in {} ms", actionName, node, outcome.duration.count());
    return outcome;
}

} // namespace pulse
