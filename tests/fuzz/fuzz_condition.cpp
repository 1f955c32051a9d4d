// Fuzzes the alert condition language (core/rules/condition.h) on arbitrary text, as an API client
// sends it. Input: the expression (UTF-8).
// Invariants: a failure is InvalidArgument saying "position N: " with N from 1 to the length + 1
// and details.position == N; a success evaluates without crashing on an answer, on a missing
// body and on a failed fetch; a failed fetch makes a condition unknown when it reads the body;
// evaluating twice gives the same verdict (pure).

#include <QJsonDocument>
#include <QJsonObject>

#include "core/rules/condition.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<Condition> c = Condition::parse(text);
    if (!c) {
        FUZZ_CHECK(c.error().code == ErrorCode::InvalidArgument);
        const QString &message = c.error().message;
        FUZZ_CHECK_MSG(message.startsWith(u"position "_s), qPrintable(message));
        const int position = c.error().details.toObject().value(u"position"_s).toInt();
        FUZZ_CHECK(position >= 1 && position <= std::max(text.size(), Condition::MaxLength) + 1);
        FUZZ_CHECK(message.startsWith(u"position %1: "_s.arg(position)));
        return 0;
    }
    static const QJsonValue body = QJsonDocument::fromJson(
                                       R"({"a": 1, "b": "80%", "c": [1, "x", null, true],
                                           "d": {"e": "1.5G", "f": false}, "g": "abc"})")
                                       .object();
    for (const QJsonValue &b : {body, QJsonValue(), QJsonValue(u"text"_s)}) {
        const Condition::Verdict v = c->evaluate(b, OutcomeKind::Ok, 42);
        FUZZ_CHECK(c->evaluate(b, OutcomeKind::Ok, 42).passed == v.passed);
    }
    const Condition::Verdict failed = c->evaluate(body, OutcomeKind::Timeout, 5000);
    if (c->readsBody()) {
        FUZZ_CHECK(!failed.passed && failed.unknown && failed.value == u"fetch failed: timeout"_s);
    }
    return 0;
}
