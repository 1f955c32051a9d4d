#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QNetworkAccessManager>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include "gui/huntbackend.h"

class QNetworkReply;

namespace Artemis::Gui {

// Talks to an `artemis-headless serve` REST API (/api/v1/...) with a Bearer token. Every
// request has a transfer timeout; an unreachable server or a refused token becomes an Error
// (code Unavailable) with a message meant for the user, and problemChanged() is emitted.
// Progress of hunts submitted from here is polled (state + new results by offset) and emitted
// as the same huntProgress/huntFinished signals the local engine gives.
// For an https:// server whose certificate comes from a private CA, setCaFile() adds that CA
// to the system's for this backend's requests only; a bad CA file is the connection problem.
//
// Lives on the GUI thread; owns its QNetworkAccessManager.
class RemoteBackend final : public HuntBackend
{
    Q_OBJECT
public:
    explicit RemoteBackend(QObject *parent = nullptr);
    ~RemoteBackend() override;

    void setServer(const QUrl &baseUrl, const QString &token);
    // Extra CA certificates trusted (besides the system's) for the server's certificate.
    void setCaCertificates(const QList<QSslCertificate> &certificates);
    // Reads the PEM CA certificates in `path` (empty: none) and uses them. An unreadable file
    // or one without certificates is the error, and the problem every request reports until
    // a good file (or none) is set.
    Result<void> setCaFile(const QString &path);
    QString caFile() const { return m_caFile; }
    QUrl baseUrl() const { return m_baseUrl; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    void setPollIntervalMs(int ms) { m_pollIntervalMs = ms; }

    QString description() const override;
    bool isRemote() const override { return true; }

    // Checks that the server answers and accepts the token (lists one hunt).
    void checkConnection(QObject *context, Callback<bool> callback);

    void submit(const HuntRequest &request, QObject *context, Callback<HuntInfo> callback) override;
    void cancel(const QString &id, QObject *context, Callback<bool> callback) override;
    void listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback) override;
    void huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback) override;
    void readResults(const QString &id, const ResultQuery &query, QObject *context,
                     Callback<ResultPage> callback) override;
    void collectValues(const QString &id, const QString &path, QObject *context,
                       Callback<QList<CompareRow>> callback) override;
    void fleetValues(const QString &id, const QString &path, const QStringList &groupByLabels,
                     QObject *context, Callback<FleetValues> callback) override;
    void nodeDiff(const QString &id, const QString &node, const QString &against, QObject *context,
                  Callback<NodeDiff> callback) override;
    void nodeOutcome(const QString &id, const QString &node, QObject *context,
                     Callback<Outcome> callback) override;
    void exportResults(const QString &id, const QStringList &fields, ExportFormat format,
                       const OutcomeFilter &outcomes, const QString &filePath, QObject *context,
                       Callback<qint64> callback) override;
    void createSchedule(const ScheduleSpec &spec, QObject *context,
                        Callback<Schedule> callback) override;
    void listSchedules(QObject *context, Callback<QList<Schedule>> callback) override;
    void nodeHistory(const QString &schedule, const QString &node, const QString &path, int limit,
                     QObject *context, Callback<QList<NodeHistoryEntry>> callback) override;
    void scheduleAlerts(const QString &schedule, QObject *context,
                        Callback<ScheduleAlerts> callback) override;

private:
    using JsonCallback = std::function<void(Result<QJsonDocument>)>;
    struct Watch
    {
        QTimer *timer = nullptr; // child of this
        int fetched = 0;         // results already reported
        bool busy = false;
        qint64 startedMs = 0;
    };

    void send(const QByteArray &verb, const QString &path, const QUrlQuery &query,
              const QByteArray &body, QObject *context, JsonCallback callback);
    Result<QJsonDocument> interpret(QNetworkReply *reply);
    QNetworkRequest makeRequest(const QUrl &url) const; // timeout, token, CA certificates
    void setProblem(const QString &problem);
    void watch(const HuntInfo &info);
    void poll(const QString &id);
    void collectPage(const QString &id, const QString &path, int offset,
                     std::shared_ptr<QList<CompareRow>> rows, QObject *context,
                     Callback<QList<CompareRow>> callback);
    // Pages through a path's groups (groupOffset) into `values` until every group is in, or
    // RemoteMaxGroupsTotal; a distribution needs only the first page (its buckets replace them).
    // With `groupBy` (groupBy=label:dc,label:rack) the label slices come with the first page.
    void valuesPage(const QString &id, const QString &path, const QStringList &groupBy,
                    std::shared_ptr<FleetValues> values, QObject *context,
                    Callback<FleetValues> callback);

    QNetworkAccessManager m_nam;
    QUrl m_baseUrl;
    QString m_token;
    QList<QSslCertificate> m_caCertificates;
    QString m_caFile;
    QString m_caProblem; // non-empty: the CA file is bad and no request is sent
    int m_timeoutMs = 10000;
    int m_pollIntervalMs = 300;
    QString m_problem;
    QHash<QString, Watch> m_watches;
};

// Parses the JSON a hunts list or a results page comes in: either an array, or an object
// holding one (under "hunts", "results", "items" or "data"). Exposed for tests.
QJsonArray remoteArray(const QJsonDocument &doc);

} // namespace Artemis::Gui
