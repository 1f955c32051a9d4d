// The query commands' text renderers (values, diff), shared by the local and the remote path:
// they read the API's JSON shapes. Declared in headless/cli/querycommand.h.
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <cmath>

#include "core/base/nodelabels.h"
#include "core/base/plural.h"
#include "headless/cli/querycommand.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

QString shortValue(const QJsonValue &value)
{
    QString text =
        value.isString()
            ? value.toString()
            : QString::fromUtf8(QJsonDocument::fromVariant(QVariantList{value.toVariant()})
                                    .toJson(QJsonDocument::Compact))
                  .mid(1)
                  .chopped(1);
    if (value.isString()) {
        text = u'"' + text + u'"';
    }
    return text.size() > 60 ? text.left(59) + u"…"_s : text;
}

QString number(double v)
{
    return std::abs(v) >= 1e6 || (std::abs(v) < 1e-3 && v != 0)
               ? QString::number(v, 'g', 4)
               : QString::number(v, 'f', v == std::floor(v) ? 0 : 2);
}

// The groupBy label names of a values answer, in their order ("label:dc,label:rack").
QStringList groupByNames(const QJsonObject &v)
{
    const Result<QStringList> names = parseLabelGroupBy({v.value(u"groupBy"_s).toString()});
    return names ? *names : QStringList();
}

// A numeric path with many distinct values (core/fleet/valuedistribution.h): its outliers first,
// marked by side, then one bar a bucket ('#' scaled to the fullest, 40 wide).
QString distributionText(const QJsonObject &d)
{
    QString text;
    QTextStream out(&text);
    const QJsonArray outliers = d.value(u"outliers"_s).toArray();
    if (!outliers.isEmpty()) {
        out << "\noutliers (" << d.value(u"outlierCount"_s).toInt()
            << ", |modified z-score| > 3.5; not in the histogram):\n";
        for (const QJsonValue &o : outliers) {
            const QJsonObject outlier = o.toObject();
            out << (outlier.value(u"side"_s).toString() == u"low"_s ? "  v low   " : "  ^ high  ")
                << outlier.value(u"node"_s).toString() << "  "
                << shortValue(outlier.value(u"value"_s)) << "  score "
                << QString::number(outlier.value(u"score"_s).toDouble(), 'f', 1) << "\n";
        }
    }
    const QJsonArray buckets = d.value(u"buckets"_s).toArray();
    int most = 1;
    for (const QJsonValue &b : buckets) {
        most = std::max(most, b.toObject().value(u"nodes"_s).toInt());
    }
    out << "\ndistribution (" << buckets.size() << " ranges):\n";
    for (const QJsonValue &b : buckets) {
        const QJsonObject bucket = b.toObject();
        const int nodes = bucket.value(u"nodes"_s).toInt();
        const QString range = number(bucket.value(u"lo"_s).toDouble()) + u" – "_s
                              + number(bucket.value(u"hi"_s).toDouble());
        out << "  " << qSetFieldWidth(24) << Qt::right << range << qSetFieldWidth(0) << "  "
            << qSetFieldWidth(7) << nodes << qSetFieldWidth(0) << "  "
            << QString(nodes > 0 ? std::max(1, nodes * 40 / most) : 0, u'#') << "\n";
    }
    return text;
}

} // namespace

QString valuesTable(const QJsonObject &v)
{
    QString text;
    QTextStream out(&text);
    const QJsonObject failed = v.value(u"failed"_s).toObject();
    int failedTotal = 0;
    QStringList failedParts;
    for (auto it = failed.begin(); it != failed.end(); ++it) {
        failedTotal += it.value().toInt();
        failedParts.append(u"%1 %2"_s.arg(it.value().toInt()).arg(it.key()));
    }
    out << "values of '" << v.value(u"path"_s).toString() << "' in hunt "
        << v.value(u"hunt"_s).toString() << ": " << nodeCount(v.value(u"nodes"_s).toInt()) << ", "
        << v.value(u"withValue"_s).toInt() << " with a value, " << v.value(u"missing"_s).toInt()
        << " answered without it, " << failedTotal << " failed";
    if (!failedParts.isEmpty()) {
        out << " (" << failedParts.join(u", "_s) << ")";
    }
    out << "\n";
    for (const QJsonValue &warning : v.value(u"warnings"_s).toArray()) {
        out << "warning: " << warning.toString() << "\n";
    }
    // A distribution stands for the groups (many tiny ones) and lists the outliers itself.
    const bool distribution = v.value(u"distribution"_s).isObject();
    const QJsonArray groups = distribution ? QJsonArray() : v.value(u"groups"_s).toArray();
    if (!groups.isEmpty()) {
        out << "\n  " << qSetFieldWidth(7) << Qt::right << "COUNT" << qSetFieldWidth(0) << "  "
            << qSetFieldWidth(6) << "SHARE" << qSetFieldWidth(0) << "  VALUE\n";
    }
    for (const QJsonValue &g : groups) {
        const QJsonObject group = g.toObject();
        const int count = group.value(u"count"_s).toInt();
        const QJsonArray nodes = group.value(u"nodes"_s).toArray();
        QStringList names;
        for (const QJsonValue &n : nodes) {
            names.append(n.toString());
        }
        out << (group.value(u"minority"_s).toBool() ? "! " : "  ") << qSetFieldWidth(7) << Qt::right
            << count << qSetFieldWidth(0) << "  " << qSetFieldWidth(5)
            << QString::number(group.value(u"share"_s).toDouble() * 100, 'f', 1)
            << qSetFieldWidth(0) << "%  " << shortValue(group.value(u"value"_s));
        if (!names.isEmpty()) {
            out << "  (" << names.join(u", "_s);
            if (count > names.size()) {
                out << ", +" << count - names.size() << " more";
            }
            out << ")";
        }
        out << "\n";
    }
    const int groupCount = v.value(u"groupCount"_s).toInt();
    if (!distribution && groupCount > groups.size()) {
        out << "  ... and " << groupCount - groups.size() << " more distinct values\n";
    }
    if (v.value(u"stats"_s).isObject()) {
        const QJsonObject st = v.value(u"stats"_s).toObject();
        out << "\nnumbers (" << st.value(u"count"_s).toInt() << "): min "
            << number(st.value(u"min"_s).toDouble()) << "  p50 "
            << number(st.value(u"p50"_s).toDouble()) << "  p90 "
            << number(st.value(u"p90"_s).toDouble()) << "  p99 "
            << number(st.value(u"p99"_s).toDouble()) << "  max "
            << number(st.value(u"max"_s).toDouble()) << "  mean "
            << number(st.value(u"mean"_s).toDouble()) << "\n";
    }
    if (distribution) {
        out << "\n"
            << groupCount << " distinct values, shown as a distribution\n"
            << distributionText(v.value(u"distribution"_s).toObject());
    }
    const QJsonArray outliers = distribution ? QJsonArray() : v.value(u"outliers"_s).toArray();
    if (!outliers.isEmpty()) {
        out << "\noutliers (|modified z-score| > 3.5):\n";
        for (const QJsonValue &o : outliers) {
            const QJsonObject outlier = o.toObject();
            out << "  " << outlier.value(u"node"_s).toString() << "  "
                << shortValue(outlier.value(u"value"_s)) << "  score "
                << QString::number(outlier.value(u"score"_s).toDouble(), 'f', 1) << "\n";
        }
    }
    if (!groups.isEmpty() && groups.first().toObject().value(u"minority"_s).toBool() == false) {
        bool anyMinority = false;
        for (const QJsonValue &g : groups) {
            anyMinority = anyMinority || g.toObject().value(u"minority"_s).toBool();
        }
        if (anyMinority) {
            out << "\n! = minority value (under 5 % of the nodes while one value holds half)\n";
        }
    }
    // groupBy=label:dc,label:rack: the same table for each combination of their values.
    for (const QJsonValue &s : v.value(u"byLabel"_s).toArray()) {
        QJsonObject slice = s.toObject();
        slice.insert(u"path"_s, v.value(u"path"_s));
        slice.insert(u"hunt"_s, v.value(u"hunt"_s));
        QStringList combination;
        const QJsonObject labels = slice.value(u"labels"_s).toObject();
        for (const QString &name : groupByNames(v)) {
            const QJsonValue value = labels.value(name);
            combination.append(name + u'=' + (value.isString() ? value.toString() : u"(none)"_s));
        }
        out << "\n[" << combination.join(u' ') << "] " << valuesTable(slice);
    }
    return text;
}

QString valuesCsv(const QJsonObject &v, CsvCells cells)
{
    if (v.contains(u"byLabel"_s)) {
        // One block of rows per combination, its label values first (empty: without it); the
        // column is "label" for one groupBy label (as before), "label:NAME" for several.
        const QStringList names = groupByNames(v);
        QString text;
        for (const QString &name : names) {
            text += (names.size() == 1 ? u"label"_s : u"label:"_s + name) + u',';
        }
        text += u"value,count,share,minority\r\n"_s;
        for (const QJsonValue &s : v.value(u"byLabel"_s).toArray()) {
            const QJsonObject slice = s.toObject();
            const QString rows = valuesCsv(slice, cells);
            const QJsonObject labels = slice.value(u"labels"_s).toObject();
            QString label;
            for (const QString &name : names) {
                label += csvField(labels.value(name), cells) + u',';
            }
            for (const QString &row : rows.split(u"\r\n"_s, Qt::SkipEmptyParts).mid(1)) {
                text += label + row + u"\r\n"_s;
            }
        }
        return text;
    }
    QString text = u"value,count,share,minority\r\n"_s;
    for (const QJsonValue &g : v.value(u"groups"_s).toArray()) {
        const QJsonObject group = g.toObject();
        text += csvField(group.value(u"value"_s), cells) + u','
                + QString::number(group.value(u"count"_s).toInt()) + u','
                + QString::number(group.value(u"share"_s).toDouble(), 'g', 6) + u','
                + (group.value(u"minority"_s).toBool() ? u"true"_s : u"false"_s) + u"\r\n"_s;
    }
    return text;
}

QString diffTable(const QJsonObject &d)
{
    QString text;
    QTextStream out(&text);
    const QJsonArray differences = d.value(u"differences"_s).toArray();
    const QJsonArray onlyNode = d.value(u"onlyNode"_s).toArray();
    const QJsonArray onlyOther = d.value(u"onlyOther"_s).toArray();
    out << "node " << d.value(u"node"_s).toString() << " against "
        << d.value(u"against"_s).toString() << " in hunt " << d.value(u"hunt"_s).toString();
    if (d.contains(u"compared"_s)) {
        out << " (" << d.value(u"compared"_s).toInt() << " other nodes)";
    }
    out << ": " << differences.size() << " differing, " << onlyNode.size() << " only here, "
        << onlyOther.size() << " missing here";
    if (const int variable = d.value(u"variable"_s).toInt(); variable > 0) {
        out << "; " << variable << (variable == 1 ? " path has" : " paths have")
            << " no majority value (not compared)";
    }
    out << "\n";
    auto share = [](const QJsonObject &o) {
        return o.contains(u"share"_s) ? u"  (%1 %)"_s.arg(
                   QString::number(o.value(u"share"_s).toDouble() * 100, 'f', 1))
                                      : QString();
    };
    for (const QJsonValue &x : differences) {
        const QJsonObject o = x.toObject();
        out << "  ~ " << o.value(u"path"_s).toString() << ": " << shortValue(o.value(u"value"_s))
            << "  expected " << shortValue(o.value(u"expected"_s)) << share(o) << "\n";
    }
    for (const QJsonValue &x : onlyNode) {
        const QJsonObject o = x.toObject();
        out << "  + " << o.value(u"path"_s).toString() << ": " << shortValue(o.value(u"value"_s))
            << share(o) << "\n";
    }
    for (const QJsonValue &x : onlyOther) {
        const QJsonObject o = x.toObject();
        out << "  - " << o.value(u"path"_s).toString() << ": ";
        if (o.value(u"majority"_s) == QJsonValue(false)) {
            // No value to name: the share is of the nodes having the path at all.
            out << "no majority value, on "
                << QString::number(o.value(u"present"_s).toDouble() * 100, 'f', 1)
                << " % of the others\n";
            continue;
        }
        out << "expected " << shortValue(o.value(u"expected"_s)) << share(o) << "\n";
    }
    return text;
}

} // namespace Artemis
