#pragma once
// Qt Test 6.4 does not report an exception thrown out of a test function
// well (it aborts the run): PULSE_TRY turns one into a failure that says why.
//   PULSE_TRY(sandbox.stop(SandboxNode::Replica));
// Only in test functions (QFAIL returns from the enclosing void function).

#include <QtTest>

#include <exception>

#define PULSE_TRY(...)                                                                                                 \
    do {                                                                                                               \
        try {                                                                                                          \
            __VA_ARGS__;                                                                                               \
        } catch (const std::exception& error) {                                                                        \
            QFAIL(error.what());                                                                                       \
        }                                                                                                              \
    } while (false)
