// Helpers shared by the chaos tests: a pool of fake nodes, submitting hunts, and checks of what is
// on disk after a crash or a disk failure against what the API of the (restarted) service says
// about it.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

#include "tests/common/fakenode.h"
#include "tests/common/httpclient.h"

namespace Artemis::Test {

// Fake nodes on 127.0.0.1 for the whole test binary; they answer the default JSON until told
// otherwise.
class NodePool
{
public:
    bool start(int count);
    void reset();                                           // every node: Json, the default body
    void setSlow(int delayMs, const QByteArray &body = {}); // every node: Slow (body: default)
    FakeNode &at(int i) { return *m_nodes.at(size_t(i)); }
    const QStringList &names() const { return m_names; }

private:
    std::vector<std::unique_ptr<FakeNode>> m_nodes;
    QStringList m_names;
    QByteArray m_defaultBody;
};

// A JSON body of about `bytes` bytes that Artemis stores as an `ok` outcome.
QByteArray paddedJson(int bytes);

// POST /api/v1/hunts {"nodes", "url": "metric", "options"}.
HttpReply postHunt(HttpClient &client, const QStringList &nodes, const QJsonObject &options = {});
// The same; the new hunt's id, or empty (with a warning) when it was not accepted.
QString submitHunt(HttpClient &client, const QStringList &nodes, const QJsonObject &options = {});

// What a hunt's results.ndjson holds, read straight from the file.
struct ResultsFile
{
    int lines = 0;         // complete ('\n'-terminated) lines
    int invalid = 0;       // complete lines that are not a JSON object with a "node"
    int ok = 0;            // lines with "outcome": "ok"
    bool tornTail = false; // bytes after the last '\n' (a write cut short)
    QSet<QString> nodes;   // distinct nodes of the valid lines
};
ResultsFile readResultsFile(const QString &dataDir, const QString &id);

// GET /api/v1/hunts/{id} every 20 ms until `until(hunt)` holds or timeoutMs pass; the last answer
// (empty when there was none).
QJsonObject pollHunt(HttpClient &client, const QString &id,
                     const std::function<bool(const QJsonObject &)> &until, int timeoutMs);
bool isFinishedState(const QJsonObject &hunt);
int doneOf(const QJsonObject &hunt); // progress.done

// Pages through GET /api/v1/hunts/{id}/results with `pageSize`; the results in order. Empty with a
// test failure recorded when a page is refused or the pages disagree on the total.
QList<QJsonObject> pageResults(HttpClient &client, const QString &id, int pageSize);

// The API agrees with the file: progress.done, the ok count, the paged results and the NDJSON
// stream all count exactly the file's valid lines, each node once. Records test failures (check
// QTest::currentTestFailed()).
void verifyApiMatchesFile(HttpClient &client, const QString &dataDir, const QString &id);

} // namespace Artemis::Test
