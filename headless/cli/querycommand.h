#pragma once

#include <memory>
#include <optional>

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QUrl>

#include "core/base/result.h"
#include "core/fleet/projection.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"

namespace Artemis {

// What `values`, `results` or `diff` was asked, parsed and validated (no side effects).
struct QuerySettings
{
    enum class Kind { Values, Results, Diff };
    enum class Output { Table, Json, Csv, Ndjson };
    Kind kind = Kind::Values;
    QString hunt;    // an id or "latest"
    QString dataDir; // local mode (read-only: another process may hold it)
    QUrl server;     // remote mode when valid
    QByteArray token;
    Output output = Output::Table;
    CsvCells csvCells = CsvCells::Safe; // --csv-raw: Raw (values and results)
    // values
    QString path;
    int groups = 20;
    int nodesPerGroup = 5;
    QStringList groupByLabels; // --group-by label:NAME (repeatable, or comma-separated) -> NAMEs
    // results
    QStringList fields;
    bool numbers = false;
    QString outcome;
    QString sort;
    // diff
    QString node;
    QString against = QStringLiteral("majority");

    // `arguments` as after the sub-command ({"artemis-headless values", "--hunt", ...});
    // `environment`: ARTEMIS_DATA_DIR and ARTEMIS_TOKEN are read from it. `tty`: stdout is a
    // terminal (the default output is a table there, JSON/NDJSON elsewhere).
    static Result<QuerySettings> parse(Kind kind, const QStringList &arguments,
                                       const QHash<QString, QString> &environment, bool tty);
    static QString helpText(Kind kind);
};

// `artemis-headless values|results|diff ...`: answers a question about a stored hunt, from the
// data dir (read-only, no lock: safe next to the process that holds it) or from a service
// (`--server URL`, the same REST API the GUI uses). Values and diffs are computed by core
// (HuntCatalog) either way and rendered here from their JSON form. Exit status: 0, 1 (diff:
// the node differs), 2 (bad usage, unknown hunt/node/path, unreachable server).
// Lives on the main thread.
class QueryCommand final : public QObject
{
    Q_OBJECT
public:
    // `out`/`err` are not owned and must outlive the command. `tty`: out is a terminal.
    QueryCommand(QuerySettings::Kind kind, QTextStream &out, QTextStream &err, bool tty,
                 QObject *parent = nullptr);
    ~QueryCommand() override;

    void start(const QStringList &arguments);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void runLocal();
    void runRemote();
    void get(const QString &path, const QList<std::pair<QString, QString>> &query,
             std::function<void(const QByteArray &)> done);
    void render(const QJsonObject &answer);
    QString coverageNote() const; // of the hunt asked about; "" before it is known
    void noteOnStderr();
    void fail(const QString &message, int code = 2);
    void finish(int exitCode);

    QuerySettings::Kind m_kind;
    QTextStream &m_out;
    QTextStream &m_err;
    bool m_tty;
    QuerySettings m_settings;
    std::unique_ptr<QNetworkAccessManager> m_nam; // remote mode
    std::optional<HuntInfo> m_hunt; // the hunt asked about, once resolved (its coverage)
};

// Renderers shared by the local and the remote path (they read the API's JSON shapes).
QString valuesTable(const QJsonObject &values);
QString valuesCsv(const QJsonObject &values, CsvCells cells = CsvCells::Safe);
QString diffTable(const QJsonObject &diff);

} // namespace Artemis
