#include "headless/cli/huntcommand.h"

#include <algorithm>

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include "core/base/datadirlock.h"
#include "core/base/duration.h"
#include "core/base/logging.h"
#include "core/base/plural.h"
#include "core/inventory/nodefile.h"
#include "core/inventory/noderange.h"
#include "core/net/target.h"
#include "core/service/huntcatalog.h"
#include "core/service/localstack.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"
#include "headless/cli/clioptions.h"
#include "headless/cli/huntsettings.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int UsageExit = 2;
constexpr int MaxFailuresListed = 10; // reasons
constexpr int FailureExamples = 3;    // nodes named per reason

} // namespace

HuntCommand::HuntCommand(QTextStream &out, QTextStream &err, bool interactive, QObject *parent)
    : QObject(parent), m_out(out), m_err(err), m_interactive(interactive)
{
}

HuntCommand::~HuntCommand() = default;

Scheduler *HuntCommand::scheduler() const
{
    return m_stack ? m_stack->scheduler() : nullptr;
}

QString HuntCommand::helpText()
{
    QString text = HuntSettings::optionsHelp();
    text.replace(QCoreApplication::applicationFilePath(), u"artemis-headless hunt"_s);
    text += u"\nExit status: 0 every node answered ok, 1 some node failed, 2 bad usage or "
            "invalid nodes (nothing fetched).\n"_s;
    return text;
}

void HuntCommand::start(const QStringList &arguments)
{
    Result<HuntSettings> parsed = HuntSettings::parse(arguments);
    if (!parsed) {
        m_err << "artemis-headless hunt: " << parsed.error().message << '\n'
              << "Try 'artemis-headless hunt --help'.\n";
        m_err.flush();
        finish(UsageExit);
        return;
    }
    if (parsed->help) {
        m_out << helpText();
        m_out.flush();
        finish(0);
        return;
    }
    m_settings = std::move(parsed).value();
    const HuntSettings &s = m_settings;
    m_json = s.json;
    m_ndjson = s.ndjson;
    m_quiet = s.quiet;
    for (const QString &warning : s.warnings) {
        m_err << "artemis-headless hunt: warning: " << warning << '\n';
    }

    LocalStackConfig config;
    config.dataDir = s.dataDir;
    config.command = u"artemis-headless hunt"_s;
    config.threads = s.threads;
    config.engine.policy = s.policy;
    if (s.everyMs > 0) {
        // In memory only: a foreground schedule ends with this process.
        SchedulerConfig scheduling;
        scheduling.persist = false;
        scheduling.maxSchedules = 1;
        config.scheduler = scheduling;
    } else {
        config.scheduler.reset();
    }
    Result<std::unique_ptr<LocalStack>> stack = LocalStack::open(std::move(config));
    if (!stack) {
        m_err << "artemis-headless hunt: "
              << dataDirProblem(s.dataDir, stack.error(), cliDataDirAdvice()) << '\n';
        m_err.flush();
        finish(UsageExit);
        return;
    }
    m_stack = std::move(stack).value();
    connect(m_stack->catalog(), &HuntCatalog::huntProgress, this, &HuntCommand::onProgress);
    connect(m_stack->catalog(), &HuntCatalog::huntFinished, this, &HuntCommand::onFinished);

    if (s.everyMs > 0) {
        if (!startSchedule(s.request, s.nodesFrom, s.everyMs, s.rounds, s.keep)) {
            finish(UsageExit);
        }
        return;
    }
    const Result<HuntInfo> submitted = m_stack->engine()->submit(s.request);
    if (!submitted) {
        reportRefused(submitted.error());
        finish(UsageExit);
        return;
    }
    m_huntId = submitted->id;
    if (!m_json && !submitted->duplicates.isEmpty()) {
        m_err << "note: " << countOf(submitted->duplicates.size(), u"duplicate node")
              << " fetched once: " << submitted->duplicates.join(u", "_s) << '\n';
        m_err.flush();
    }
}

void HuntCommand::reportRefused(const Error &error)
{
    // A position from core counts the nodes as given; a file's node is named by its line.
    auto where = [this](int index) {
        const qsizetype inFile = index - m_settings.flagNodes;
        if (inFile >= 0 && !m_settings.nodesFile.isEmpty()) {
            return inFile < m_settings.fileLines.size()
                       ? u"%1 line %2"_s.arg(m_settings.nodesFile)
                             .arg(m_settings.fileLines.at(inFile))
                       : u"%1 node %2"_s.arg(m_settings.nodesFile).arg(inFile + 1);
        }
        return u"node %1"_s.arg(index + 1);
    };
    const QJsonArray bad = error.details.toArray();
    QString message = error.message;
    if (!bad.isEmpty()) {
        // The message's own "first: node N ..." repeats the first line below, by position.
        const qsizetype first = message.indexOf(u"; first: "_s);
        const QString one = error.code == ErrorCode::Denied ? u"node denied by the target policy"_s
                                                            : u"invalid node"_s;
        message = first < 0 ? one : message.left(first);
    }
    m_err << "artemis-headless hunt: " << message << '\n';
    for (const QJsonValue &value : bad) {
        const QJsonObject b = value.toObject();
        m_err << "  " << where(b.value(u"index"_s).toInt()) << " '" << b.value(u"node"_s).toString()
              << "': " << b.value(u"reason"_s).toString() << '\n';
    }
    m_err << "Nothing was fetched.\n";
    m_err.flush();
}

bool HuntCommand::startSchedule(const HuntRequest &request,
                                const std::optional<NodeSource> &nodesFrom, qint64 everyMs,
                                int rounds, int keep)
{
    connect(scheduler(), &Scheduler::roundStarted, this,
            [this](const QString &, const HuntInfo &info) { m_huntId = info.id; });
    connect(scheduler(), &Scheduler::roundSkipped, this,
            [this](const QString &, const QString &reason) {
                m_err << "round skipped: " << reason << '\n';
                m_err.flush();
            });
    ScheduleSpec spec = ScheduleSpec::forRequest(request, everyMs);
    spec.maxRounds = rounds;
    spec.retention.keepRounds = keep;
    m_maxRounds = rounds;
    if (!nodesFrom) {
        return scheduleCreated(scheduler()->create(spec), everyMs, rounds);
    }
    spec.nodesFrom = nodesFrom;
    // The source's first read may take a round trip: the command goes on when it is done.
    scheduler()->createLater(spec, this, [this, everyMs, rounds](const Result<Schedule> &created) {
        if (!scheduleCreated(created, everyMs, rounds)) {
            finish(UsageExit);
        }
    });
    return true;
}

bool HuntCommand::scheduleCreated(const Result<Schedule> &created, qint64 everyMs, int rounds)
{
    if (!created) {
        reportRefused(created.error());
        return false;
    }
    if (!m_json) {
        m_err << "schedule " << created->id << ": one round every " << durationText(everyMs)
              << (rounds > 0 ? u", %1 round(s)"_s.arg(rounds) : u" until Ctrl-C"_s) << '\n';
    }
    for (const QString &warning : created->spec.warnings()) {
        m_err << "warning: " << warning << '\n';
    }
    m_err.flush();
    return true;
}

void HuntCommand::interrupt()
{
    if (scheduler()) {
        m_interrupted = true;
        scheduler()->stop();
        if (m_huntId.isEmpty() || !m_stack->engine()->activeInfo(m_huntId)) {
            finish(m_allRoundsOk ? 0 : 1); // between rounds: nothing to cancel
            return;
        }
    }
    if (m_stack && !m_huntId.isEmpty()) {
        (void)m_stack->catalog()->cancel(m_huntId);
    }
}

void HuntCommand::onProgress(const HuntProgress &p)
{
    if (p.id != m_huntId) {
        return;
    }
    if (m_ndjson) {
        for (const Outcome &outcome : p.newOutcomes) {
            m_out << QJsonDocument(outcome.toJson()).toJson(QJsonDocument::Compact) << '\n';
        }
        m_out.flush();
    }
    if (!m_interactive || m_json || m_quiet) {
        return;
    }
    m_lastProgress = p;
    m_lastProgress.newOutcomes.clear();
    if (!m_progressTimer) {
        // Redrawn every second even when no node finishes, so the line never looks frozen.
        m_progressTimer = new QTimer(this);
        m_progressTimer->setInterval(1000);
        connect(m_progressTimer, &QTimer::timeout, this, &HuntCommand::drawProgress);
        m_progressTimer->start();
        m_progressClock.start();
    }
    drawProgress();
}

void HuntCommand::drawProgress()
{
    const HuntProgress &p = m_lastProgress;
    static constexpr char Spinner[] = {'|', '/', '-', '\\'};
    const int cancelled = p.counts.count(OutcomeKind::Cancelled);
    m_err << "\r\x1b[2K" << Spinner[(m_spin++) % 4] << ' ' << p.done << '/' << p.total << " done  "
          << p.counts.count(OutcomeKind::Ok) << " ok  " << p.counts.failed() << " failed  ";
    if (cancelled > 0) {
        m_err << cancelled << " cancelled  ";
    }
    // After 3 s without a node finishing, name the oldest unfinished ones instead of a count.
    if (p.sinceLastOutcomeMs >= StallNamingMs && p.unfinished.count > 0) {
        m_err << "waiting on " << p.unfinished.count << ": " << p.unfinished.describe(3) << "  ";
    } else {
        m_err << p.total - p.done << " in flight or waiting to retry  ";
    }
    m_err << qRound(p.nodesPerSecond) << " nodes/s  "
          << durationText(m_progressClock.elapsed() / 1000 * 1000);
    m_err.flush();
    m_progressShown = true;
}

void HuntCommand::onFinished(const HuntInfo &info)
{
    if (info.id != m_huntId) {
        return;
    }
    const int exitCode = printSummary(info);
    if (!scheduler()) {
        finish(exitCode);
        return;
    }
    ++m_roundsFinished;
    m_allRoundsOk = m_allRoundsOk && exitCode == 0;
    if (m_interrupted || (m_maxRounds > 0 && m_roundsFinished >= m_maxRounds)) {
        finish(m_allRoundsOk ? 0 : 1);
    }
}

int HuntCommand::printSummary(const HuntInfo &info)
{
    if (m_progressShown) {
        m_err << "\r\x1b[2K";
        m_err.flush();
    }
    const int exitCode =
        info.state == HuntState::Done && info.counts.count(OutcomeKind::Ok) == info.total ? 0 : 1;
    const qint64 elapsed = info.elapsedMs();
    if (m_json) {
        QJsonObject json{
            {u"hunt"_s, info.id},
            {u"state"_s, huntStateName(info.state)},
            {u"total"_s, info.total},
            {u"done"_s, info.done},
            {u"counts"_s, info.counts.toJson()},
            {u"elapsedMs"_s, elapsed},
            {u"results"_s, QDir::cleanPath(m_stack->catalog()->resultsFile(info.id))},
        };
        if (!info.duplicates.isEmpty()) {
            json.insert(u"duplicates"_s, QJsonArray::fromStringList(info.duplicates));
        }
        if (!info.error.isEmpty()) {
            json.insert(u"error"_s, info.error);
        }
        if (!info.schedule.isEmpty()) {
            json.insert(u"schedule"_s, info.schedule);
            json.insert(u"round"_s, info.round);
        }
        m_out << QJsonDocument(json).toJson(QJsonDocument::Compact) << '\n';
        m_out.flush();
        return exitCode;
    }
    const double rate = elapsed > 0 ? info.done * 1000.0 / double(elapsed) : 0.0;
    if (info.round > 0) {
        m_out << "round " << info.round << ": ";
    }
    QTextStream &out = m_ndjson ? m_err : m_out; // stdout carries the outcomes then
    const int cancelled = info.counts.count(OutcomeKind::Cancelled);
    out << "hunt " << info.id << ' ' << huntStateName(info.state) << " in "
        << QString::number(double(elapsed) / 1000.0, 'f', 2) << " s: " << nodeCount(info.total)
        << ", " << info.counts.count(OutcomeKind::Ok) << " ok, " << info.counts.failed()
        << " failed";
    if (cancelled > 0) {
        out << ", " << cancelled << " cancelled";
    }
    out << " (" << qRound(rate) << " nodes/s)\n";
    for (int i = 0; i < OutcomeKindCount; ++i) {
        const auto kind = static_cast<OutcomeKind>(i);
        if (info.counts.count(kind) > 0) {
            out << "  " << qSetFieldWidth(14) << Qt::left << outcomeName(kind) << qSetFieldWidth(0)
                << info.counts.count(kind) << '\n';
        }
    }
    if (!info.error.isEmpty()) {
        out << "error: " << info.error << '\n';
    }
    if (info.counts.failed() > 0 && !m_quiet) {
        printFailures(out, info.id);
    }
    out << "results: " << QDir::cleanPath(m_stack->catalog()->resultsFile(info.id)) << '\n';
    out.flush();
    return exitCode;
}

void HuntCommand::printFailures(QTextStream &out, const QString &huntId)
{
    // Grouped by outcome and reason, the largest group first: 2,000 nodes failing five ways
    // read as five lines, not as the first ten nodes in file order.
    struct Group
    {
        OutcomeKind kind;
        QString reason;
        int count = 0;
        QStringList examples;
    };
    QHash<QString, int> index;
    QList<Group> groups;
    (void)m_stack->catalog()->forEachResult(huntId, [&](const Outcome &o) {
        if (o.outcome == OutcomeKind::Ok || o.outcome == OutcomeKind::Cancelled) {
            return true;
        }
        const QString reason = failureReason(o);
        const QString key = outcomeName(o.outcome) + u'\n' + reason;
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.insert(key, int(groups.size()));
            groups.append(Group{o.outcome, reason, 0, {}});
        }
        Group &g = groups[*it];
        ++g.count;
        if (g.examples.size() < FailureExamples) {
            g.examples.append(o.node);
        }
        return true;
    });
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group &a, const Group &b) { return a.count > b.count; });
    out << "failures by reason:\n";
    for (qsizetype i = 0; i < groups.size() && i < MaxFailuresListed; ++i) {
        const Group &g = groups[i];
        out << "  " << g.count << ' ' << outcomeName(g.kind) << ": " << g.reason << " ("
            << g.examples.join(u", "_s);
        if (g.count > g.examples.size()) {
            out << ", +" << g.count - g.examples.size() << " more";
        }
        out << ")\n";
    }
    if (groups.size() > MaxFailuresListed) {
        out << "  ... and " << groups.size() - MaxFailuresListed << " more reasons\n";
    }
}

void HuntCommand::finish(int exitCode)
{
    // Delivered from the event loop, so callers can connect after start() returns.
    QTimer::singleShot(0, this, [this, exitCode] { Q_EMIT finished(exitCode); });
}

} // namespace Artemis
