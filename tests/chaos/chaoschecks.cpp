#include "chaoschecks.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTest>

#include "tests/common/wait.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

bool NodePool::start(int count)
{
    for (int i = 0; i < count; ++i) {
        auto node = std::make_unique<FakeNode>();
        if (!node->start()) {
            return false;
        }
        m_names.append(node->node());
        m_nodes.push_back(std::move(node));
    }
    m_defaultBody = m_nodes.empty() ? QByteArray() : m_nodes.front()->jsonBody();
    return true;
}

void NodePool::reset()
{
    for (const auto &node : m_nodes) {
        node->setBehaviour(FakeNode::Behaviour::Json);
        node->setJsonBody(m_defaultBody);
    }
}

void NodePool::setSlow(int delayMs, const QByteArray &body)
{
    for (const auto &node : m_nodes) {
        node->setBehaviour(FakeNode::Behaviour::Slow);
        node->setDelayMs(delayMs);
        node->setJsonBody(body.isEmpty() ? m_defaultBody : body);
    }
}

QByteArray paddedJson(int bytes)
{
    return R"({"node":"fake","pad":")" + QByteArray(qMax(0, bytes - 25), 'x') + R"("})";
}

HttpReply postHunt(HttpClient &client, const QStringList &nodes, const QJsonObject &options)
{
    return client.postJson(u"/api/v1/hunts"_s,
                           QJsonObject{{u"nodes"_s, QJsonArray::fromStringList(nodes)},
                                       {u"url"_s, u"metric"_s},
                                       {u"options"_s, options}});
}

QString submitHunt(HttpClient &client, const QStringList &nodes, const QJsonObject &options)
{
    const HttpReply reply = postHunt(client, nodes, options);
    if (reply.status != 202) {
        qWarning("POST /api/v1/hunts: %d %s", reply.status, reply.body.constData());
        return {};
    }
    return reply.json().value(u"hunt"_s).toString();
}

int doneOf(const QJsonObject &hunt)
{
    return hunt.value(u"progress"_s).toObject().value(u"done"_s).toInt();
}

ResultsFile readResultsFile(const QString &dataDir, const QString &id)
{
    ResultsFile result;
    QFile file(dataDir + u"/hunts/"_s + id + u"/results.ndjson"_s);
    if (!file.open(QIODevice::ReadOnly)) {
        return result; // no results yet
    }
    const QByteArray data = file.readAll();
    qsizetype start = 0;
    while (start < data.size()) {
        const qsizetype end = data.indexOf('\n', start);
        if (end < 0) {
            result.tornTail = true;
            break;
        }
        const QByteArray line = data.mid(start, end - start);
        start = end + 1;
        ++result.lines;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        const QString node = doc.object().value(u"node"_s).toString();
        if (error.error != QJsonParseError::NoError || !doc.isObject() || node.isEmpty()) {
            ++result.invalid;
            continue;
        }
        result.nodes.insert(node);
        if (doc.object().value(u"outcome"_s).toString() == u"ok"_s) {
            ++result.ok;
        }
    }
    return result;
}

bool isFinishedState(const QJsonObject &hunt)
{
    const QString state = hunt.value(u"state"_s).toString();
    return !state.isEmpty() && state != u"queued"_s && state != u"running"_s;
}

QJsonObject pollHunt(HttpClient &client, const QString &id,
                     const std::function<bool(const QJsonObject &)> &until, int timeoutMs)
{
    QJsonObject hunt;
    (void)waitUntil(
        [&] {
            const HttpReply reply = client.get(u"/api/v1/hunts/"_s + id);
            if (reply.status != 200) {
                // Never expected: say what came instead.
                hunt = QJsonObject{{u"httpStatus"_s, reply.status},
                                   {u"body"_s, QString::fromUtf8(reply.body)}};
                return true;
            }
            hunt = reply.json();
            return until(hunt);
        },
        timeoutMs);
    return hunt;
}

QList<QJsonObject> pageResults(HttpClient &client, const QString &id, int pageSize)
{
    QList<QJsonObject> results;
    int total = -1;
    for (int offset = 0; total < 0 || offset < total; offset += pageSize) {
        const HttpReply reply = client.get(
            u"/api/v1/hunts/%1/results?offset=%2&limit=%3"_s.arg(id).arg(offset).arg(pageSize));
        if (reply.status != 200) {
            QTest::qFail(qPrintable(u"results page at %1: HTTP %2 %3"_s.arg(offset)
                                        .arg(reply.status)
                                        .arg(QString::fromUtf8(reply.body))),
                         __FILE__, __LINE__);
            return {};
        }
        const QJsonObject page = reply.json();
        if (total >= 0 && page.value(u"total"_s).toInt() != total) {
            QTest::qFail("the total changed between pages", __FILE__, __LINE__);
            return {};
        }
        total = page.value(u"total"_s).toInt();
        for (const QJsonValue &result : page.value(u"results"_s).toArray()) {
            results.append(result.toObject());
        }
    }
    return results;
}

void verifyApiMatchesFile(HttpClient &client, const QString &dataDir, const QString &id)
{
    const ResultsFile file = readResultsFile(dataDir, id);
    QCOMPARE(file.invalid, 0);               // no torn line glued to another, no corrupt line
    QCOMPARE(file.nodes.size(), file.lines); // each node stored once

    const HttpReply show = client.get(u"/api/v1/hunts/"_s + id);
    QCOMPARE(show.status, 200);
    const QJsonObject hunt = show.json();
    QCOMPARE(doneOf(hunt), file.lines);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), file.ok);

    const QList<QJsonObject> paged = pageResults(client, id, 37);
    QCOMPARE(paged.size(), file.lines);
    QSet<QString> pagedNodes;
    for (const QJsonObject &result : paged) {
        pagedNodes.insert(result.value(u"node"_s).toString());
    }
    QCOMPARE(pagedNodes, file.nodes);

    const HttpReply stream =
        client.get(u"/api/v1/hunts/%1/results"_s.arg(id), {{"Accept", "application/x-ndjson"}});
    QCOMPARE(stream.status, 200);
    QCOMPARE(int(stream.body.count('\n')), file.lines);
}

} // namespace Artemis::Test
