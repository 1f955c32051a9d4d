// ResultStore's schedules: DATA_DIR/schedules/ID/{schedule.json, nodes.txt, labels.json,
// alerts.json}, owner-only (a schedule keeps header values and passwords). Hunts are in
// core/store/resultstore.cpp, the file primitives in core/store/storefiles.h.
#include "core/store/resultstore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/base/huntid.h"
#include "core/base/logging.h"
#include "core/store/storefiles.h"

using namespace Qt::StringLiterals;

namespace Artemis {

void ResultStore::restrictSchedules() const
{
    // Schedules keep header values and passwords: DATA_DIR/schedules 0700 and each
    // schedule.json 0600, corrected when found wider (an older version, a restored backup).
    const QString dir = schedulesDir();
    if (!QFileInfo(dir).isDir()) {
        return;
    }
    auto restrict = [](const QString &path, QFile::Permissions wanted) {
        const QFile::Permissions now = QFile::permissions(path);
        const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
                                          | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
        if ((now & others) != 0) {
            qCWarning(lcStore).noquote()
                << u"%1 was readable by others; restricted to its owner"_s.arg(path);
            QFile::setPermissions(path, wanted);
        }
    };
    restrict(dir, OwnerOnlyDir);
    for (const QString &id : QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString file = dir + u'/' + id + u'/' + ScheduleFile;
        if (QFileInfo::exists(file)) {
            restrict(file, OwnerOnlyFile);
        }
    }
}

QString ResultStore::schedulesDir() const
{
    return m_dataDir + u"/schedules"_s;
}

Result<void> ResultStore::createSchedule(const Schedule &schedule)
{
    if (!isValidHuntId(schedule.id)) {
        return makeError(ErrorCode::InvalidArgument, u"bad schedule id '%1'"_s.arg(schedule.id));
    }
    const Result<QByteArray> nodeLines = nodeFileText(schedule.spec.nodes);
    if (!nodeLines) {
        return nodeLines.error();
    }
    const QString dir = schedulesDir();
    // Owner-only: schedule files keep header values (they may be credentials).
    if (!QFileInfo(dir).isDir() && !QDir().mkdir(dir, OwnerOnlyDir) && !QFileInfo(dir).isDir()) {
        return makeError(ErrorCode::Io, u"cannot create %1"_s.arg(dir));
    }
    if (!QDir(dir).mkdir(schedule.id)) {
        return makeError(ErrorCode::Conflict, u"schedule '%1' exists"_s.arg(schedule.id));
    }
    const QString own = dir + u'/' + schedule.id;
    Result<void> written = saveAtomically(own + u'/' + NodesFile, *nodeLines);
    if (written && !schedule.spec.labels.isEmpty()) {
        written = saveAtomically(own + u'/' + LabelsFile, labelsFileText(schedule.spec.labels));
    }
    if (written) {
        written = saveSchedule(schedule);
    }
    if (!written) {
        QDir(own).removeRecursively();
    }
    return written;
}

Result<void> ResultStore::saveSchedule(const Schedule &schedule)
{
    if (!isValidHuntId(schedule.id)) {
        return makeError(ErrorCode::InvalidArgument, u"bad schedule id '%1'"_s.arg(schedule.id));
    }
    const QString own = schedulesDir() + u'/' + schedule.id;
    if (!QFileInfo(own).isDir()) {
        return makeError(ErrorCode::NotFound, u"no schedule '%1'"_s.arg(schedule.id));
    }
    return saveAtomically(own + u'/' + ScheduleFile,
                          QJsonDocument(schedule.toStoredJson()).toJson(QJsonDocument::Indented),
                          true);
}

Result<void> ResultStore::saveScheduleNodes(const QString &id, const QStringList &nodes,
                                            const QList<Labels> &labels)
{
    const QString own = schedulesDir() + u'/' + id;
    if (!isValidHuntId(id) || !QFileInfo(own).isDir()) {
        return makeError(ErrorCode::NotFound, u"no schedule '%1'"_s.arg(id));
    }
    const Result<QByteArray> nodeLines = nodeFileText(nodes);
    if (!nodeLines) {
        return nodeLines.error();
    }
    // Labels first: after a crash between the two, labels.json may be a list ahead of
    // nodes.txt; loadSchedules drops labels whose count does not match, and the next round
    // reads the source again anyway.
    Result<void> written;
    if (labels.isEmpty()) {
        if (QFile::exists(own + u'/' + LabelsFile) && !QFile::remove(own + u'/' + LabelsFile)) {
            return makeError(ErrorCode::Io, u"cannot remove %1/%2"_s.arg(own, LabelsFile));
        }
    } else {
        written = saveAtomically(own + u'/' + LabelsFile, labelsFileText(labels));
    }
    if (written) {
        written = saveAtomically(own + u'/' + NodesFile, *nodeLines);
    }
    return written;
}

Result<QList<Schedule>> ResultStore::loadSchedules() const
{
    QList<Schedule> schedules;
    const QString dir = schedulesDir();
    const QStringList ids = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &id : ids) {
        if (!isValidHuntId(id)) {
            continue;
        }
        const QString own = dir + u'/' + id;
        const Result<QByteArray> data = readSmallFile(own + u'/' + ScheduleFile, id);
        const Result<QByteArray> nodes = readSmallFile(own + u'/' + NodesFile, id);
        if (!data || !nodes) {
            // A directory without a schedule.json is a creation that did not finish.
            qCWarning(lcStore).noquote()
                << u"skipping schedule %1: %2"_s.arg(id, (data ? nodes : data).error().message);
            continue;
        }
        const QJsonDocument doc = QJsonDocument::fromJson(*data);
        Result<Schedule> schedule =
            doc.isObject() ? Schedule::fromJson(doc.object())
                           : Result<Schedule>(makeError(ErrorCode::Io, u"not a JSON object"_s));
        if (!schedule || schedule->id != id) {
            qCWarning(lcStore).noquote() << u"skipping schedule %1: %2"_s.arg(
                id, schedule ? u"names another id"_s : schedule.error().message);
            continue;
        }
        schedule->spec.nodes = nodeFileLines(*nodes);
        if (QFileInfo::exists(own + u'/' + LabelsFile)) {
            const Result<QByteArray> labels = readSmallFile(own + u'/' + LabelsFile, id);
            schedule->spec.labels =
                labels ? labelsFileLabels(*labels, schedule->spec.nodes.size()) : QList<Labels>{};
            if (schedule->spec.labels.isEmpty()) {
                qCWarning(lcStore).noquote()
                    << u"schedule %1: its node labels could not be read; rounds run without"_s.arg(
                           id);
            }
        }
        schedules.append(std::move(schedule).value());
    }
    return schedules;
}

Result<void> ResultStore::removeSchedule(const QString &id)
{
    const QString own = schedulesDir() + u'/' + id;
    if (!isValidHuntId(id) || !QFileInfo(own).isDir()) {
        return makeError(ErrorCode::NotFound, u"no schedule '%1'"_s.arg(id));
    }
    if (!QDir(own).removeRecursively()) {
        return makeError(ErrorCode::Io, u"cannot remove %1"_s.arg(own));
    }
    return {};
}

Result<void> ResultStore::saveScheduleAlerts(const QString &id, const QJsonObject &alerts)
{
    const QString own = schedulesDir() + u'/' + id;
    if (!isValidHuntId(id) || !QFileInfo(own).isDir()) {
        return makeError(ErrorCode::NotFound, u"no schedule '%1'"_s.arg(id));
    }
    return saveAtomically(own + u"/alerts.json"_s,
                          QJsonDocument(alerts).toJson(QJsonDocument::Compact), true);
}

Result<QJsonObject> ResultStore::loadScheduleAlerts(const QString &id) const
{
    const QString path = schedulesDir() + u'/' + id + u"/alerts.json"_s;
    if (!isValidHuntId(id) || !QFileInfo::exists(path)) {
        return makeError(ErrorCode::NotFound, u"no alerts stored for schedule '%1'"_s.arg(id));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Io, u"cannot read %1: %2"_s.arg(path, file.errorString()));
    }
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    if (!doc.isObject()) {
        return makeError(ErrorCode::Io, u"%1 is not a JSON object"_s.arg(path));
    }
    return doc.object();
}

} // namespace Artemis
