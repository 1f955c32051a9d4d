#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <QString>
#include <QtGlobal>

// Shared by the fuzz targets in this directory. Each target defines LLVMFuzzerTestOneInput; it
// is linked either with libFuzzer (the fuzz preset, clang) or with replay_main.cpp (every other
// build), which runs it over the committed corpus and regressions as a normal test.

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace Artemis::Fuzz {

[[noreturn]] inline void failCheck(const char *condition, const char *file, int line,
                                   const char *detail)
{
    std::fprintf(stderr, "%s:%d: invariant violated: %s%s%s\n", file, line, condition,
                 detail ? ": " : "", detail ? detail : "");
    std::abort(); // libFuzzer saves the input as a crash; the replay test fails
}

// Called first by every target; does its work once. Qt warnings (e.g. "skipping corrupt line")
// are expected for garbage input: they are kept out of the fuzzer's output, which is read by
// people looking for the crash.
inline void setUp()
{
    static const bool done = [] {
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &msg) {
            if (type == QtFatalMsg) {
                std::fprintf(stderr, "qFatal: %s\n", qPrintable(msg));
                std::abort();
            }
        });
        return true;
    }();
    Q_UNUSED(done);
}

} // namespace Artemis::Fuzz

// An invariant of the code under test; unlike Q_ASSERT it is checked in every build type.
#define FUZZ_CHECK(condition) FUZZ_CHECK_MSG(condition, nullptr)
#define FUZZ_CHECK_MSG(condition, detail) \
    do { \
        if (!(condition)) { \
            ::Artemis::Fuzz::failCheck(#condition, __FILE__, __LINE__, (detail)); \
        } \
    } while (false)
