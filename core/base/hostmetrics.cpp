#include "core/base/hostmetrics.h"

#include <sys/statvfs.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QSysInfo>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// /proc files report size 0: read them whole without relying on size().
QByteArray readProcFile(const char *path)
{
    QFile file(QString::fromLatin1(path));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return file.readAll();
}

double percent(quint64 part, quint64 whole)
{
    if (whole == 0) {
        return 0.0;
    }
    return qRound(10000.0 * double(part) / double(whole)) / 100.0;
}

} // namespace

HostMetrics::HostMetrics(QString diskPath) : m_diskPath(std::move(diskPath))
{
    m_previous = readCpu();
    m_sinceSample.start();
}

QList<HostMetrics::CpuTimes> HostMetrics::readCpu()
{
    QList<CpuTimes> result;
    const QByteArray stat = readProcFile("/proc/stat");
    for (const QByteArray &line : stat.split('\n')) {
        if (!line.startsWith("cpu")) {
            continue;
        }
        const QList<QByteArray> fields = line.simplified().split(' ');
        // user nice system idle iowait irq softirq steal (guest is already in user)
        CpuTimes t;
        for (qsizetype i = 1; i < fields.size() && i <= 8; ++i) {
            const quint64 v = fields.at(i).toULongLong();
            t.total += v;
            if (i != 4 && i != 5) { // idle, iowait
                t.busy += v;
            }
        }
        result.append(t);
    }
    return result;
}

void HostMetrics::updateCpu()
{
    if (!m_cpu.isEmpty() && m_sinceSample.elapsed() < MinWindowMs) {
        return;
    }
    const QList<CpuTimes> now = readCpu();
    if (now.isEmpty()) {
        return;
    }
    const bool comparable = m_previous.size() == now.size() && !now.isEmpty()
                            && now.first().total > m_previous.first().total;
    auto usage = [&](qsizetype i) {
        if (!comparable) {
            return percent(now[i].busy, now[i].total); // since boot
        }
        return percent(now[i].busy - std::min(now[i].busy, m_previous[i].busy),
                       now[i].total - std::min(now[i].total, m_previous[i].total));
    };
    QJsonArray cores;
    for (qsizetype i = 1; i < now.size(); ++i) {
        cores.append(usage(i));
    }
    m_cpu = QJsonObject{
        {u"total"_s, usage(0)},
        {u"cores"_s, cores},
        {u"count"_s, cores.size()},
        {u"windowMs"_s, comparable ? m_sinceSample.elapsed() : qint64(-1)},
    };
    if (comparable) {
        m_previous = now;
        m_sinceSample.restart();
    }
}

QJsonObject HostMetrics::sample()
{
    QJsonObject json{
        {u"host"_s, QSysInfo::machineHostName()},
        {u"timestamp"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
    };

    const QList<QByteArray> uptime = readProcFile("/proc/uptime").split(' ');
    if (!uptime.isEmpty() && !uptime.first().isEmpty()) {
        json.insert(u"uptimeSeconds"_s, uptime.first().trimmed().toDouble());
    }

    updateCpu();
    if (!m_cpu.isEmpty()) {
        json.insert(u"cpu"_s, m_cpu);
    }

    QHash<QByteArray, qint64> mem;
    for (const QByteArray &line : readProcFile("/proc/meminfo").split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0) {
            const QByteArray value = line.mid(colon + 1).trimmed();
            mem.insert(line.left(colon), value.split(' ').first().toLongLong() * 1024);
        }
    }
    if (mem.contains("MemTotal")) {
        const qint64 total = mem.value("MemTotal");
        const qint64 free = mem.value("MemFree");
        const qint64 buffers = mem.value("Buffers");
        const qint64 cached = mem.value("Cached") + mem.value("SReclaimable");
        const qint64 available = mem.value("MemAvailable", free + buffers + cached);
        const qint64 used = std::max<qint64>(0, total - free - buffers - cached); // as free(1)
        json.insert(u"memory"_s,
                    QJsonObject{
                        {u"total"_s, total},
                        {u"used"_s, used},
                        {u"free"_s, free},
                        {u"available"_s, available},
                        {u"buffers"_s, buffers},
                        {u"cached"_s, cached},
                        {u"usedPercent"_s, percent(quint64(total - available), quint64(total))},
                    });
    }

    const QList<QByteArray> load = readProcFile("/proc/loadavg").split(' ');
    if (load.size() >= 3) {
        json.insert(u"load"_s,
                    QJsonArray{load[0].toDouble(), load[1].toDouble(), load[2].toDouble()});
    }

    struct statvfs fs = {};
    if (::statvfs(QFile::encodeName(m_diskPath).constData(), &fs) == 0) {
        const auto block = qint64(fs.f_frsize);
        const qint64 total = qint64(fs.f_blocks) * block;
        const qint64 free = qint64(fs.f_bfree) * block;
        json.insert(u"disk"_s, QJsonObject{
                                   {u"path"_s, m_diskPath},
                                   {u"total"_s, total},
                                   {u"used"_s, total - free},
                                   {u"free"_s, free},
                                   {u"available"_s, qint64(fs.f_bavail) * block},
                               });
    }

    QJsonObject interfaces;
    qint64 rx = 0;
    qint64 tx = 0;
    const QList<QByteArray> netLines = readProcFile("/proc/net/dev").split('\n');
    for (qsizetype i = 2; i < netLines.size(); ++i) { // two header lines
        const QByteArray &line = netLines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QList<QByteArray> f = line.mid(colon + 1).simplified().split(' ');
        if (f.size() < 9) {
            continue;
        }
        const qint64 ifRx = f[0].toLongLong();
        const qint64 ifTx = f[8].toLongLong();
        interfaces.insert(QString::fromLatin1(line.left(colon).trimmed()),
                          QJsonObject{{u"rxBytes"_s, ifRx}, {u"txBytes"_s, ifTx}});
        rx += ifRx;
        tx += ifTx;
    }
    if (!interfaces.isEmpty()) {
        json.insert(
            u"network"_s,
            QJsonObject{{u"rxBytes"_s, rx}, {u"txBytes"_s, tx}, {u"interfaces"_s, interfaces}});
    }
    return json;
}

} // namespace Artemis
