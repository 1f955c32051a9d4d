// prometheusbench: the C++ side of bench/prometheus-bench.sh (built by that script against a
// Release artemis_core; not part of the CMake build).
//
//   prometheusbench [RUNS] [MiB] [FILTER]   parses every shape (whose name contains FILTER) RUNS
//                                           times (default 3), prints a table
//
// Each shape is an adversarial exposition of MiB (default 10) MiB. The reference, measured in the
// same run, is QJsonDocument::fromJson of a 10 MiB JSON array of samples shaped like the parser's
// output ({"labels": {...}, "value": ...}): the cost of building the same kind of QJson tree from
// bytes. The target is: no 10 MiB input takes more than 1 s.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include "core/prom/prometheustext.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

struct Shape
{
    const char *name;
    // Appends one unit (a line or a few) numbered i to text; called until text reaches the size.
    std::function<void(QByteArray &text, quint32 i)> unit;
    // Wraps the units (e.g. one line holding them all).
    QByteArray prefix = {};
    QByteArray suffix = {};
    // When not 0: this many units, whatever the size.
    quint32 units = 0;
};

// Distinct, unsorted: multiplying by an odd constant is a bijection mod 2^32.
QByteArray scrambled(quint32 i)
{
    return QByteArray::number(i * 2654435761u, 16);
}

QByteArray generate(const Shape &shape, qsizetype size)
{
    QByteArray text;
    text.reserve(size + 4096);
    text += shape.prefix;
    for (quint32 i = 0; shape.units ? i < shape.units : text.size() + shape.suffix.size() < size;
         ++i) {
        shape.unit(text, i);
    }
    text += shape.suffix;
    return text;
}

// The i-th distinct metric name of 1 to 4 characters: all of one length before the next, each
// length's names in a scrambled order. 10 MiB of "name 1" lines is ~1.5M of them: the most
// series (and keys) 10 MiB can hold.
QByteArray shortName(quint32 i)
{
    static constexpr char First[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:";
    static constexpr char Next[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:0123456789";
    constexpr quint64 FirstCount = sizeof First - 1;
    constexpr quint64 NextCount = sizeof Next - 1;
    quint64 count = FirstCount;
    int length = 1;
    while (i >= count && length < 4) {
        i -= quint32(count);
        count *= NextCount;
        ++length;
    }
    // An odd multiplier coprime with 27 is a bijection mod 54 * 64^k.
    quint64 n = (quint64(i) * 2654435761u) % count;
    QByteArray name(length, Qt::Uninitialized);
    for (int c = length - 1; c > 0; --c) {
        name[c] = Next[n % NextCount];
        n /= NextCount;
    }
    name[0] = First[n];
    return name;
}

QList<Shape> shapes()
{
    const QByteArray value100k(100 * 1024, 'v');
    return {
        {"distinct names, 1 sample each",
         [](QByteArray &t, quint32 i) { t += 'm' + scrambled(i) + " 1\n"; }},
        {"distinct 1-4 character names, 1 sample each",
         [](QByteArray &t, quint32 i) { t += shortName(i) + " 1\n"; }},
        {"one name, many samples", [](QByteArray &t, quint32) { t += "up 1\n"; }},
        {"one name, samples with labels and timestamps",
         [](QByteArray &t, quint32 i) {
             t += "http_requests_total{code=\"200\",method=\"get\",node=\"n" + QByteArray::number(i)
                  + "\"} 1027 1395066363000\n";
         }},
        {"64 labels per sample",
         [](QByteArray &t, quint32 i) {
             t += "wide{";
             for (int l = 0; l < 64; ++l) {
                 t += 'l' + QByteArray::number(l) + "=\"" + QByteArray::number(i) + "\",";
             }
             t += "} 1\n";
         }},
        {"one sample, all labels on one line",
         [](QByteArray &t, quint32 i) { t += 'l' + scrambled(i) + "=\"\","; }, "x{", "} 1\n"},
        {"100 KiB label values",
         [value100k](QByteArray &t, quint32 i) {
             t += "long{v=\"" + value100k + "\",i=\"" + QByteArray::number(i) + "\"} 1\n";
         }},
        {"one 10 MiB label value with escapes",
         [](QByteArray &t, quint32) { t += "ab\\\"cd\\\\ef\\n"; }, "x{v=\"", "\"} 1\n"},
        {"HELP + TYPE per distinct name",
         [](QByteArray &t, quint32 i) {
             const QByteArray name = 'm' + scrambled(i);
             t += "# HELP " + name + " Help text of " + name + ".\n# TYPE " + name + " counter\n";
         }},
        {"one 10 MiB HELP line", [](QByteArray &t, quint32) { t += "help \\\\ text\\n "; },
         "# HELP x ", "\n"},
        {"one 10 MiB comment line", [](QByteArray &t, quint32) { t += "comment "; }, "# ", "\n"},
        {"one 10 MiB metric name", [](QByteArray &t, quint32) { t += "name_name_"; }, "n", " 1\n"},
        {"blank lines", [](QByteArray &t, quint32) { t += " \t\r\n\n"; }},
        // The bound (PrometheusMaxSamples), from below: the most costly texts that still parse.
        {"at the sample limit: distinct 1-4 character names",
         [](QByteArray &t, quint32 i) { t += shortName(i) + " 1\n"; },
         {},
         {},
         quint32(PrometheusMaxSamples)},
        {"at the sample limit: one name",
         [](QByteArray &t, quint32) { t += "up 1\n"; },
         {},
         {},
         quint32(PrometheusMaxSamples)},
        {"node_exporter-like mix",
         [](QByteArray &t, quint32 i) {
             const QByteArray family = "node_family_" + QByteArray::number(i / 20);
             if (i % 20 == 0) {
                 t += "# HELP " + family + " A family.\n# TYPE " + family + " gauge\n";
             }
             t += family + "{cpu=\"" + QByteArray::number(i % 20) + "\",mode=\"idle\"} "
                  + QByteArray::number(i * 0.37, 'g', 10) + '\n';
         }},
    };
}

QByteArray referenceJson(qsizetype size)
{
    QByteArray json = "[";
    json.reserve(size + 256);
    for (quint32 i = 0; json.size() < size; ++i) {
        json += "{\"labels\":{\"code\":\"200\",\"node\":\"n" + QByteArray::number(i)
                + "\"},\"value\":1027},";
    }
    json.back() = ']';
    return json;
}

template <typename F> double medianMs(int runs, F &&f)
{
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer timer;
        timer.start();
        f();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 3;
    const qsizetype size = qsizetype(argc > 2 ? std::max(1, atoi(argv[2])) : 10) * 1024 * 1024;

    const QByteArray reference = referenceJson(size);
    const double referenceMs = medianMs(runs, [&] {
        const QJsonDocument doc = QJsonDocument::fromJson(reference);
        if (doc.array().isEmpty()) {
            std::fprintf(stderr, "prometheusbench: reference JSON did not parse\n");
            std::exit(1);
        }
    });

    std::printf("| shape (size) | keys | parse, median of %d | / fromJson |\n", runs);
    std::printf("|---|---|---|---|\n");
    std::printf(
        "| reference: QJsonDocument::fromJson, %.1f MiB array of samples | | %.0f ms | 1.00 "
        "|\n",
        double(reference.size()) / 1024 / 1024, referenceMs);
    double worst = 0;
    const QByteArray filter = argc > 3 ? QByteArray(argv[3]) : QByteArray();
    for (const Shape &shape : shapes()) {
        if (!QByteArray(shape.name).contains(filter)) {
            continue;
        }
        const QByteArray text = generate(shape, size);
        QByteArray keys;
        const double ms = medianMs(runs, [&] {
            const Result<QJsonObject> parsed = parsePrometheusText(text);
            // Past a bound (PrometheusMaxSamples, PrometheusMaxLabels) a text is refused, as
            // fast as it is read; any other error is the bench's.
            if (!parsed && !parsed.error().message.contains(u": more than "_s)) {
                std::fprintf(stderr, "prometheusbench: %s: %s\n", shape.name,
                             qPrintable(parsed.error().message));
                std::exit(1);
            }
            keys = parsed ? QByteArray::number(parsed->size())
                          : "refused: " + parsed.error().message.section(u':', 0, 0).toUtf8();
        });
        worst = std::max(worst, ms);
        std::printf("| %s (%.1f MiB) | %s | %.0f ms | %.2f |\n", shape.name,
                    double(text.size()) / 1024 / 1024, keys.constData(), ms, ms / referenceMs);
        std::fflush(stdout);
    }
    std::printf("\nworst shape: %.0f ms (target: < 1000 ms)\n", worst);
    return 0;
}
