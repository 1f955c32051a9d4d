// Fuzzes the Prometheus text parser (core/prom/prometheustext.h) on arbitrary bytes, as a node's
// answer reaches it. Input: the body.
// Invariants: a failure is InvalidArgument naming a line; a success has the documented shape
// (per series name an array of {"labels": {string...}, "value": number or "NaN"/"+Inf"/"-Inf",
// optional integer "timestamp"}; "#meta" an object of {help, type, unit} strings); writing the
// result back as exposition text and parsing it again gives the same object.

#include <QJsonArray>
#include <QJsonObject>

#include "core/prom/prometheustext.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

QByteArray escaped(const QString &text, bool quotes)
{
    QByteArray out;
    for (const char c : text.toUtf8()) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quotes) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out;
}

void checkShape(const QJsonObject &json)
{
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() == u"#meta"_s) {
            FUZZ_CHECK(it.value().isObject() && !it.value().toObject().isEmpty());
            for (const QJsonValue &entry : it.value().toObject()) {
                FUZZ_CHECK(entry.isObject());
                const QJsonObject fields = entry.toObject();
                for (auto field = fields.begin(); field != fields.end(); ++field) {
                    FUZZ_CHECK(field.key() == u"help"_s || field.key() == u"type"_s
                               || field.key() == u"unit"_s);
                    FUZZ_CHECK(field.value().isString());
                }
            }
            continue;
        }
        FUZZ_CHECK(!it.key().isEmpty() && it.value().isArray() && !it.value().toArray().isEmpty());
        for (const QJsonValue &sample : it.value().toArray()) {
            const QJsonObject object = sample.toObject();
            FUZZ_CHECK(object.value(u"labels"_s).isObject());
            for (const QJsonValue &label : object.value(u"labels"_s).toObject()) {
                FUZZ_CHECK(label.isString());
            }
            const QJsonValue value = object.value(u"value"_s);
            FUZZ_CHECK(
                value.isDouble()
                || (value.isString()
                    && QStringList({u"NaN"_s, u"+Inf"_s, u"-Inf"_s}).contains(value.toString())));
            FUZZ_CHECK(object.size() == (object.contains(u"timestamp"_s) ? 3 : 2));
        }
    }
}

// The parsed object as exposition text again.
QByteArray write(const QJsonObject &json)
{
    QByteArray text;
    const QJsonObject meta = json.value(u"#meta"_s).toObject();
    for (auto it = meta.begin(); it != meta.end(); ++it) {
        const QByteArray name = it.key().toUtf8();
        const QJsonObject entry = it.value().toObject();
        if (entry.contains(u"help"_s)) {
            text +=
                "# HELP " + name + ' ' + escaped(entry.value(u"help"_s).toString(), false) + '\n';
        }
        if (entry.contains(u"type"_s)) {
            text += "# TYPE " + name + ' ' + entry.value(u"type"_s).toString().toUtf8() + '\n';
        }
        if (entry.contains(u"unit"_s)) {
            text += "# UNIT " + name + ' ' + entry.value(u"unit"_s).toString().toUtf8() + '\n';
        }
    }
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() == u"#meta"_s) {
            continue;
        }
        for (const QJsonValue &sample : it.value().toArray()) {
            const QJsonObject object = sample.toObject();
            text += it.key().toUtf8() + '{';
            const QJsonObject labels = object.value(u"labels"_s).toObject();
            for (auto label = labels.begin(); label != labels.end(); ++label) {
                text +=
                    label.key().toUtf8() + "=\"" + escaped(label.value().toString(), true) + "\",";
            }
            const QJsonValue value = object.value(u"value"_s);
            text += "} "
                    + (value.isString() ? value.toString().toUtf8()
                                        : QByteArray::number(value.toDouble(), 'g', 17));
            if (object.contains(u"timestamp"_s)) {
                text += ' ' + QByteArray::number(object.value(u"timestamp"_s).toInteger());
            }
            text += '\n';
        }
    }
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<QJsonObject> parsed = parsePrometheusText(text);
    if (!parsed) {
        FUZZ_CHECK(parsed.error().code == ErrorCode::InvalidArgument);
        FUZZ_CHECK(parsed.error().message.startsWith(u"line "_s));
        return 0;
    }
    checkShape(*parsed);
    const QByteArray again = write(*parsed);
    const Result<QJsonObject> reparsed = parsePrometheusText(again);
    FUZZ_CHECK_MSG(reparsed.hasValue(), reparsed ? nullptr : qPrintable(reparsed.error().message));
    FUZZ_CHECK_MSG(*reparsed == *parsed, again.constData());
    return 0;
}
