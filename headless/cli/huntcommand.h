#pragma once

#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include "core/engine/huntengine.h"
#include "core/inventory/nodesource.h"
#include "core/rules/schedule.h"
#include "headless/cli/huntsettings.h"

namespace Artemis {

class LocalStack;
class Scheduler;

// `artemis-headless hunt ...`: parses the command line, runs one hunt in this process, shows
// progress (a live line on a terminal), prints a summary or one JSON object, and reports the
// exit code through finished(): 0 every node ok, 1 some node failed, 2 bad usage/invalid nodes.
// With --every it runs rounds in the foreground (an in-memory schedule, core/watch/scheduler.h),
// one summary per round, until Ctrl-C or --rounds N rounds; 0 then means every round was all ok.
// Lives on the main thread; owns its local stack (which locks the data dir).
class HuntCommand final : public QObject
{
    Q_OBJECT
public:
    // `out`/`err` are not owned and must outlive the command. `interactive`: err is a terminal.
    HuntCommand(QTextStream &out, QTextStream &err, bool interactive, QObject *parent = nullptr);
    ~HuntCommand() override;

    // `arguments` as after the sub-command: {"artemis-headless hunt", "--url", "metric", ...}.
    // finished() is always emitted, possibly before start() returns for usage errors.
    void start(const QStringList &arguments);
    // Ctrl-C: cancels the running hunt (its summary still prints).
    void interrupt();

    static QString helpText();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void onProgress(const Artemis::HuntProgress &progress);
    void drawProgress();
    void printFailures(QTextStream &out, const QString &huntId);
    void onFinished(const Artemis::HuntInfo &info);
    int printSummary(const Artemis::HuntInfo &info); // returns the hunt's exit code
    bool startSchedule(const HuntRequest &request, const std::optional<NodeSource> &nodesFrom,
                       qint64 everyMs, int rounds, int keep);
    bool scheduleCreated(const Result<Schedule> &created, qint64 everyMs, int rounds);
    void reportRefused(const Error &error);
    void finish(int exitCode);

    QTextStream &m_out;
    QTextStream &m_err;
    bool m_interactive;
    bool m_json = false;
    bool m_ndjson = false;
    bool m_quiet = false;
    HuntSettings m_settings; // as parsed by start()
    bool m_progressShown = false;
    HuntProgress m_lastProgress;
    QTimer *m_progressTimer = nullptr; // child; from the first progress on
    QElapsedTimer m_progressClock;
    static constexpr qint64 StallNamingMs = 3000; // the live line names the waited-on nodes
    unsigned m_spin = 0;
    QString m_huntId;
    int m_maxRounds = 0; // --rounds (0: until Ctrl-C)
    int m_roundsFinished = 0;
    bool m_allRoundsOk = true;
    bool m_interrupted = false;
    Scheduler *scheduler() const; // --every only; else null
    std::unique_ptr<LocalStack> m_stack;
};

} // namespace Artemis
