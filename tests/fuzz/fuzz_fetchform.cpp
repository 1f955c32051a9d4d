// Fuzzes the old tool's POST /fetch form (core/hunt/fetchform.h parseFetchForm) and the node
// validation the hunt gets next. Input: the request body.
// Invariants: nodes are non-empty, trimmed and comma-free, the url is trimmed; no fields means
// nothing parsed; for plain input (no '%') the result matches a direct reading of the form
// rules; encoding the result as a form again (with %20 or '+' for spaces) and parsing it gives
// the same nodes and url; the nodes then parse into targets + duplicates that account for every
// node, or an error naming real indexes.

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

#include "core/hunt/fetchform.h"
#include "core/net/target.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

QByteArray encode(const QString &value, bool plusForSpace)
{
    QByteArray encoded = QUrl::toPercentEncoding(value, {}, plusForSpace ? " " : "");
    if (plusForSpace) {
        encoded.replace(' ', '+');
    }
    return encoded;
}

// The form rules read literally, for input without '%' escapes: '&' separates pairs, the first
// '=' separates name and value, '+' is a space.
FetchForm plainReading(const QByteArray &body)
{
    FetchForm form;
    bool urlSeen = false;
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty()) {
            continue;
        }
        form.hasFields = true;
        const qsizetype eq = pair.indexOf('=');
        QByteArray name = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        const QString text = QString::fromUtf8(value);
        if (name == "node") {
            for (const QString &part : text.split(u',')) {
                if (!part.trimmed().isEmpty()) {
                    form.nodes.append(part.trimmed());
                }
            }
        } else if (name == "url" && !urlSeen) {
            urlSeen = true;
            form.url = text.trimmed();
        }
    }
    return form;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const FetchForm form = parseFetchForm(body);
    for (const QString &node : form.nodes) {
        FUZZ_CHECK(!node.isEmpty() && node == node.trimmed() && !node.contains(u','));
    }
    FUZZ_CHECK(form.url == form.url.trimmed());
    if (!form.hasFields) {
        FUZZ_CHECK(form.nodes.isEmpty() && form.url.isEmpty());
    }
    if (!body.contains('%')) {
        const FetchForm plain = plainReading(body);
        FUZZ_CHECK(form.nodes == plain.nodes);
        FUZZ_CHECK(form.url == plain.url);
        FUZZ_CHECK(form.hasFields == plain.hasFields);
    }

    // Encode what was read as a form again, both ways of writing a space: the same fields.
    for (const bool plus : {false, true}) {
        QByteArray again;
        for (const QString &node : form.nodes) {
            again += "node=" + encode(node, plus) + '&';
        }
        again += "url=" + encode(form.url, plus);
        const FetchForm reparsed = parseFetchForm(again);
        FUZZ_CHECK(reparsed.hasFields);
        FUZZ_CHECK(reparsed.nodes == form.nodes);
        FUZZ_CHECK(reparsed.url == form.url);
    }

    // What the hunt checks next.
    if (form.nodes.isEmpty() || form.url.isEmpty()) {
        return 0;
    }
    const Result<TargetList> targets = parseTargets(form.nodes, form.url);
    if (targets) {
        FUZZ_CHECK(targets->targets.size() + targets->duplicates.size() == form.nodes.size());
    } else if (targets.error().code == ErrorCode::InvalidNode) {
        for (const QJsonValue &entry : targets.error().details.toArray()) {
            const int index = entry.toObject().value(u"index"_s).toInt(-1);
            FUZZ_CHECK(index >= 0 && index < form.nodes.size());
        }
    } else {
        FUZZ_CHECK(!normalizePath(form.url).hasValue());
    }
    return 0;
}
