#include "core/service/fleetmetrics.h"

#include <cmath>
#include <limits>

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QThreadPool>

#include "core/service/fleetmetricscache.h"
#include "core/service/huntcatalog.h"
#include "core/store/batchscan.h"
#include "core/store/resultindex.h"
#include "core/store/resultskim.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr QByteArrayView UpName = "artemis_node_up";
constexpr QByteArrayView DurationName = "artemis_node_fetch_duration_seconds";

bool isLabelNameChar(char16_t c, bool first)
{
    const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
    return letter || (!first && c >= u'0' && c <= u'9');
}

// A node label's name as served (see the header's rules).
QString servedLabelName(const QString &name)
{
    if (name == u"node"_s || name == u"schedule"_s || name == u"value"_s) {
        return u"exported_"_s + name;
    }
    QString out = name.isEmpty() ? u"_"_s : name;
    for (qsizetype i = 0; i < out.size(); ++i) {
        if (!isLabelNameChar(out.at(i).unicode(), i == 0)) {
            out[i] = u'_';
        }
    }
    return out;
}

std::optional<double> metricNumber(const QJsonValue &value)
{
    if (value.isString()) {
        const QString text = value.toString().trimmed();
        if (text.compare(u"nan"_s, Qt::CaseInsensitive) == 0) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        if (text.compare(u"inf"_s, Qt::CaseInsensitive) == 0
            || text.compare(u"+inf"_s, Qt::CaseInsensitive) == 0) {
            return std::numeric_limits<double>::infinity();
        }
        if (text.compare(u"-inf"_s, Qt::CaseInsensitive) == 0) {
            return -std::numeric_limits<double>::infinity();
        }
    }
    return jsonNumber(value);
}

QByteArray helpText(QStringView text)
{
    QByteArray out;
    for (const QChar c : text) {
        if (c == u'\\') {
            out += "\\\\";
        } else if (c == u'\n') {
            out += "\\n";
        } else {
            out += QString(c).toUtf8();
        }
    }
    return out;
}

void family(QByteArray &out, QByteArrayView name, const QByteArray &help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " gauge\n";
}

void sample(QByteArray &out, QByteArrayView name, const QByteArray &labels, QByteArrayView extra,
            QByteArrayView value)
{
    out += name;
    out += '{';
    out += labels;
    out += extra;
    out += "} ";
    out += value;
    out += '\n';
}

} // namespace

QByteArray prometheusNumber(double value)
{
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == std::floor(value) && std::abs(value) < 9007199254740992.0) {
        return QByteArray::number(qint64(value));
    }
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

QByteArray prometheusLabelValue(QStringView value)
{
    const QByteArray utf8 = value.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 8);
    for (const char c : utf8) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

FleetMetricsBuilder::FleetMetricsBuilder(FleetMetricsSettings settings)
    : m_settings(std::move(settings))
{
    for (const Extract &e : std::as_const(m_settings.extract)) {
        // Validated when the hunt was submitted; an unparsable path reads as absent.
        const Result<JsonPath> path = parseJsonPath(e.path);
        m_paths.append(path ? *path : JsonPath{JsonPathSegment{u"\u0000"_s, -1}});
        m_alwaysInfo.append(e.name.endsWith(u"_info"_s));
    }
    if (!m_settings.schedule.isEmpty()) {
        m_scheduleLabel = ",schedule=\"" + prometheusLabelValue(m_settings.schedule) + '"';
    }
}

void FleetMetricsBuilder::reserve(qsizetype nodes)
{
    m_seen.reserve(nodes);
    m_nodes.reserve(nodes);
}

std::optional<FleetMetricsBuilder::NodeSeries>
FleetMetricsBuilder::seriesOfLine(QByteArrayView line) const
{
    SkimmedRecord record;
    if (!skimResultRecord(line, m_paths, record) || record.node.isEmpty() || !record.kind) {
        return std::nullopt;
    }
    NodeSeries series;
    series.node = record.node;
    series.up = *record.kind == OutcomeKind::Ok;
    series.seconds = record.attempts > 0 ? std::max(0.0, record.latencyMs) / 1000.0 : -1;

    QByteArray &labels = series.labels;
    labels = "node=\"" + prometheusLabelValue(record.node) + '"' + m_scheduleLabel;
    QList<QString> names;
    for (auto it = record.labels.constBegin(); it != record.labels.constEnd(); ++it) {
        const QString name = servedLabelName(it.key());
        // A name taken already (exported_node given as well as node) is dropped.
        if (names.contains(name)) {
            continue;
        }
        names.append(name);
        labels += ',' + name.toUtf8() + "=\"" + prometheusLabelValue(it->toString()) + '"';
    }

    series.values.reserve(m_paths.size());
    for (qsizetype i = 0; i < m_paths.size(); ++i) {
        const QJsonValue value = record.values.value(i, QJsonValue(QJsonValue::Undefined));
        if (!series.up || value.isUndefined()) {
            series.values.append({NodeSeries::Kind::None, {}});
            continue;
        }
        if (!m_alwaysInfo[i]) {
            if (const std::optional<double> number = metricNumber(value)) {
                series.values.append({NodeSeries::Kind::Number, prometheusNumber(*number)});
                continue;
            }
        }
        series.values.append({NodeSeries::Kind::Info,
                              prometheusLabelValue(jsonValueText(value).left(MaxInfoValueChars))});
    }
    return series;
}

bool FleetMetricsBuilder::addNode(NodeSeries series)
{
    if (m_seen.contains(series.node)) {
        return false;
    }
    m_seen.insert(series.node);
    m_nodes.append(std::move(series));
    return true;
}

bool FleetMetricsBuilder::addLine(QByteArrayView line)
{
    std::optional<NodeSeries> series = seriesOfLine(line);
    return series && addNode(std::move(*series));
}

void FleetMetricsBuilder::add(const Outcome &outcome)
{
    addLine(QJsonDocument(outcome.toJson()).toJson(QJsonDocument::Compact));
}

QByteArray FleetMetricsBuilder::finish()
{
    qsizetype estimate = 512;
    for (const NodeSeries &n : std::as_const(m_nodes)) {
        estimate += (n.labels.size() + 48) * (2 + m_paths.size());
    }
    QByteArray out;
    out.reserve(estimate);

    family(out, UpName,
           "1 when the node answered with valid JSON (outcome ok) in the hunt, else 0.");
    for (const NodeSeries &n : std::as_const(m_nodes)) {
        sample(out, UpName, n.labels, {}, n.up ? "1" : "0");
    }
    family(out, DurationName, "Duration of the node's last fetch attempt in the hunt, seconds.");
    for (const NodeSeries &n : std::as_const(m_nodes)) {
        if (n.seconds >= 0) {
            sample(out, DurationName, n.labels, {}, prometheusNumber(n.seconds));
        }
    }
    for (qsizetype i = 0; i < m_paths.size(); ++i) {
        const Extract &e = m_settings.extract.at(i);
        const QByteArray name = e.name.toUtf8();
        const QByteArray info = m_alwaysInfo[i] ? name : name + "_info";
        for (const auto kind : {NodeSeries::Kind::Number, NodeSeries::Kind::Info}) {
            bool headed = false;
            for (const NodeSeries &n : std::as_const(m_nodes)) {
                const auto &[k, text] = n.values.at(i);
                if (k != kind) {
                    continue;
                }
                if (!headed) {
                    headed = true;
                    family(out, kind == NodeSeries::Kind::Number ? name : info,
                           kind == NodeSeries::Kind::Number
                               ? helpText(
                                   u"Value at JSON path '%1' of each node's answer."_s.arg(e.path))
                               : helpText(u"Value at JSON path '%1' of each node's answer, "
                                          "as the label 'value' (not a number)."_s.arg(e.path)));
                }
                if (kind == NodeSeries::Kind::Number) {
                    sample(out, name, n.labels, {}, text);
                } else {
                    sample(out, info, n.labels, QByteArray(",value=\"" + text + '"'), "1");
                }
            }
        }
    }
    m_seen.clear();
    m_nodes.clear();
    return out;
}

Result<QByteArray> renderFleetMetrics(const ResultStore &store, const HuntInfo &hunt)
{
    const QString dir = store.huntDir(hunt.id);
    if (dir.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"invalid hunt id '%1'"_s.arg(hunt.id));
    }
    if (!QFileInfo(dir).isDir()) {
        return makeError(ErrorCode::NotFound, u"no hunt '%1'"_s.arg(hunt.id));
    }
    FleetMetricsBuilder builder({hunt.extract, hunt.schedule});
    QFile file(store.resultsFile(hunt.id));
    if (!file.exists()) {
        return builder.finish();
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Io,
                         u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString()));
    }
    builder.reserve(std::max(qsizetype(hunt.total), qsizetype(0)));

    // Batches of lines parsed in parallel, merged in file order so the first record of a node
    // wins (seriesOfLine is const and thread-safe).
    using Batch = QList<FleetMetricsBuilder::NodeSeries>;
    const FleetMetricsBuilder *reader = &builder;
    const Result<qint64> end = scanInBatches(
        file, QThreadPool::globalInstance(),
        [reader](const QByteArray &bytes) {
            Batch batch;
            qsizetype start = 0;
            while (start < bytes.size()) {
                qsizetype stop = bytes.indexOf('\n', start);
                if (stop < 0) {
                    stop = bytes.size();
                }
                const QByteArrayView line(bytes.constData() + start, stop - start);
                if (std::optional<FleetMetricsBuilder::NodeSeries> s = reader->seriesOfLine(line)) {
                    batch.append(std::move(*s));
                }
                start = stop + 1;
            }
            return batch;
        },
        [&builder](Batch batch) {
            for (FleetMetricsBuilder::NodeSeries &series : batch) {
                builder.addNode(std::move(series));
            }
        });
    if (!end) {
        return end.error();
    }
    return builder.finish();
}

namespace {
FleetMetricsTask renderTask(const ResultStore *store, FleetMetricsCache *cache,
                            const HuntInfo &info)
{
    if (cache) {
        return [cache, info] { return cache->text(info); };
    }
    return [store, info] { return renderFleetMetrics(*store, info); };
}
} // namespace

Result<FleetMetricsTask> fleetMetricsForHunt(HuntCatalog &catalog, const QString &id,
                                             FleetMetricsCache *cache)
{
    const Result<HuntInfo> hunt = catalog.find(id);
    if (!hunt) {
        return hunt.error();
    }
    if (!isFinished(hunt->state)) {
        return makeError(ErrorCode::Conflict,
                         u"hunt %1 is %2 (%3 of %4 nodes): its metrics are served once it has "
                         "finished (a schedule's /metrics serves its latest finished round)"_s
                             .arg(id, huntStateName(hunt->state))
                             .arg(hunt->done)
                             .arg(hunt->total));
    }
    return renderTask(catalogStore(catalog), cache, *hunt);
}

Result<FleetMetricsTask> fleetMetricsForSchedule(const Scheduler &scheduler, HuntCatalog &catalog,
                                                 const QString &id, FleetMetricsCache *cache)
{
    const std::optional<Schedule> schedule = scheduler.find(id);
    if (!schedule) {
        return makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(id));
    }
    if (cache) {
        cache->noteScraped(id);
    }
    for (auto it = schedule->rounds.crbegin(); it != schedule->rounds.crend(); ++it) {
        const Result<HuntInfo> hunt = catalog.find(it->hunt);
        if (hunt && isFinished(hunt->state)) {
            return renderTask(catalogStore(catalog), cache, *hunt);
        }
    }
    return FleetMetricsTask([id] {
        return Result<QByteArray>(u"# schedule %1 has no finished round yet\n"_s.arg(id).toUtf8());
    });
}

} // namespace Artemis
