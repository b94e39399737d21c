# Strict warnings for every target of ours; applied per target so that
# third-party headers (Qt, spdlog) are included as SYSTEM and stay quiet.
function(pulse_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
endfunction()

# Qt targets get moc and the strict string habits; the Qt-free core never does.
function(pulse_qt_target target)
  set_target_properties(${target} PROPERTIES AUTOMOC ON)
  target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_USE_QSTRINGBUILDER QT_NO_KEYWORDS)
endfunction()
