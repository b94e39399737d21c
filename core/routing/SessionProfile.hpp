#pragma once
// Session profiles of the plan (get_etl_session, get_admin_session,
// get_user_session, get_analytics_session) plus plain read and write
// sessions. A profile sets the session's statement_timeout and the suffix of
// its application_name; the operation it stands for decides the target.

#include <chrono>
#include <string>

namespace pulse {

struct Settings;

enum class ProfileKind { Read, Write, Etl, Admin, User, Analytics };

struct SessionProfile {
    ProfileKind kind = ProfileKind::Write;
    std::string name;               // "etl", "admin", ...: application_name suffix
    std::string operation;          // what the profile's sessions do, for routing
    std::string context;
    std::chrono::milliseconds statementTimeout{0};  // 0: none
    // "etl/1800000": what a connection remembers it was set up for, so a
    // warm connection is not set up again.
    std::string stateKey;

    // The profile with timeouts taken from the settings.
    static SessionProfile make(ProfileKind kind, const Settings& settings);
    static SessionProfile make(ProfileKind kind, std::chrono::milliseconds statementTimeout);
};

std::string profileName(ProfileKind kind);

}  // namespace pulse
