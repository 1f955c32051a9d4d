#include "core/hunt/unfinishednodes.h"

#include <QJsonArray>

#include "core/base/duration.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QString UnfinishedNode::stateName(State state)
{
    return state == State::RetryWait ? u"retry-wait"_s : u"in-flight"_s;
}

QJsonObject UnfinishedNode::toJson() const
{
    return {{u"node"_s, node},
            {u"state"_s, stateName(state)},
            {u"attempt"_s, attempt},
            {u"ageMs"_s, ageMs}};
}

UnfinishedNode UnfinishedNode::fromJson(const QJsonObject &json)
{
    UnfinishedNode n;
    n.node = json.value(u"node"_s).toString();
    n.state =
        json.value(u"state"_s).toString() == u"retry-wait"_s ? State::RetryWait : State::InFlight;
    n.attempt = json.value(u"attempt"_s).toInt(1);
    n.ageMs = qint64(json.value(u"ageMs"_s).toDouble());
    return n;
}

QJsonObject UnfinishedSnapshot::toJson() const
{
    QJsonArray list;
    for (const UnfinishedNode &n : oldest) {
        list.append(n.toJson());
    }
    return {{u"count"_s, count}, {u"oldest"_s, list}};
}

UnfinishedSnapshot UnfinishedSnapshot::fromJson(const QJsonObject &json)
{
    UnfinishedSnapshot s;
    s.count = json.value(u"count"_s).toInt();
    const QJsonArray list = json.value(u"oldest"_s).toArray();
    for (const QJsonValue &v : list) {
        s.oldest.append(UnfinishedNode::fromJson(v.toObject()));
    }
    return s;
}

QString UnfinishedSnapshot::describe(int limit) const
{
    QStringList parts;
    for (const UnfinishedNode &n : oldest.mid(0, limit)) {
        const QString age = QString::number(double(n.ageMs) / 1000.0, 'f', 1) + u" s"_s;
        parts.append(
            n.state == UnfinishedNode::State::RetryWait
                ? u"%1 (retry-wait after attempt %2, %3)"_s.arg(n.node).arg(n.attempt).arg(age)
                : u"%1 (attempt %2, %3)"_s.arg(n.node).arg(n.attempt).arg(age));
    }
    if (count > parts.size()) {
        parts.append(u"…"_s);
    }
    return parts.join(u", "_s);
}

void UnfinishedNodes::started(const QString &node, qint64 nowMs)
{
    m_nodes.push_back({node, nowMs, 1, false});
    m_byNode[node].push_back(std::prev(m_nodes.end()));
}

void UnfinishedNodes::retryState(const QString &node, int attempt, bool waiting)
{
    const auto it = m_byNode.constFind(node);
    if (it == m_byNode.cend() || it->empty()) {
        return;
    }
    Entry &entry = *it->front();
    entry.attempt = attempt;
    entry.waiting = waiting;
}

void UnfinishedNodes::finished(const QString &node)
{
    const auto it = m_byNode.find(node);
    if (it == m_byNode.end() || it->empty()) {
        return;
    }
    m_nodes.erase(it->front());
    it->pop_front();
    if (it->empty()) {
        m_byNode.erase(it);
    }
}

UnfinishedSnapshot UnfinishedNodes::snapshot(qint64 nowMs, int limit) const
{
    UnfinishedSnapshot s;
    s.count = count();
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend() && s.oldest.size() < limit; ++it) {
        s.oldest.append(
            {it->node,
             it->waiting ? UnfinishedNode::State::RetryWait : UnfinishedNode::State::InFlight,
             it->attempt, std::max<qint64>(0, nowMs - it->startedMs)});
    }
    return s;
}

void RateWindow::add(qint64 nowMs, qint64 done)
{
    m_samples.emplace_back(nowMs, done);
    // Keep one sample at or before the window's start, so the window is always covered.
    while (m_samples.size() > 2 && m_samples[1].first <= nowMs - m_windowMs) {
        m_samples.pop_front();
    }
}

double RateWindow::perSecond(qint64 nowMs) const
{
    if (m_samples.empty()) {
        return 0;
    }
    // Over [nowMs - window, nowMs]: what finished since the oldest kept sample (or since the
    // window's start, if that sample is older), divided by the time covered.
    const auto &[firstMs, firstDone] = m_samples.front();
    const qint64 lastDone = m_samples.back().second;
    const qint64 fromMs = std::max(firstMs, nowMs - m_windowMs);
    qint64 fromDone = firstDone;
    for (const auto &[ms, done] : m_samples) {
        if (ms > fromMs) {
            break;
        }
        fromDone = done;
    }
    const qint64 spanMs = nowMs - fromMs;
    return spanMs > 0 ? double(lastDone - fromDone) * 1000.0 / double(spanMs) : 0.0;
}

} // namespace Artemis
