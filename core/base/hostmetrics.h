#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Artemis {

// This host's own metrics (Linux: /proc and statvfs) as the JSON answered by GET /metric, so a
// machine running Artemis is itself a node worth hunting. Also usable by the GUI.
//
// CPU usage needs two samples of /proc/stat. The reader keeps the previous sample and reports
// the usage over the window since then; a window is at least MinWindowMs long, so calls closer
// together than that repeat the last computed figures instead of dividing tiny deltas. The
// constructor takes the first sample, so the first call reports the usage since construction
// (or since boot when no time has passed). Never blocks or sleeps.
//
// Not thread-safe: use from one thread (the one that owns it).
class HostMetrics
{
public:
    static constexpr qint64 MinWindowMs = 250;

    // `diskPath`: the directory whose file system is reported under "disk" (the data dir).
    explicit HostMetrics(QString diskPath);

    // {"host", "timestamp", "uptimeSeconds", "cpu": {"total", "cores": [...], "count",
    //  "windowMs"}, "memory": {"total", "used", "free", "available", "buffers", "cached"},
    //  "load": [1, 5, 15], "disk": {"path", "total", "used", "free", "available"},
    //  "network": {"rxBytes", "txBytes", "interfaces": {name: {"rxBytes", "txBytes"}}}}
    // Bytes everywhere; percentages 0..100. A section that cannot be read is omitted.
    QJsonObject sample();

private:
    struct CpuTimes
    {
        quint64 busy = 0;
        quint64 total = 0;
    };
    static QList<CpuTimes> readCpu(); // [0] = all cores, then cpu0, cpu1, ...
    void updateCpu();

    QString m_diskPath;
    QList<CpuTimes> m_previous;
    QElapsedTimer m_sinceSample;
    QJsonObject m_cpu; // last computed
};

} // namespace Artemis
