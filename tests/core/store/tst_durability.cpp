// What a power loss can take: the order of the real system calls of a real `artemis-headless
// hunt`, traced with strace. A manifest that says the hunt ended must follow the fdatasync of
// its results, and every rename into a directory must be followed by an fsync of it.
#include <QtTest>

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

class TestDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultsAreSyncedBeforeTheFinalManifest();
};

void TestDurability::resultsAreSyncedBeforeTheFinalManifest()
{
    const QString strace = QStandardPaths::findExecutable(u"strace"_s);
    QVERIFY2(!strace.isEmpty(), "strace is installed by scripts/deps.sh test");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString data = QDir(dir.path()).canonicalPath() + u"/data"_s;
    const QString trace = dir.filePath(u"trace.txt"_s);
    // Refused loopback ports: the hunt stores three outcomes and ends at once.
    QProcess process;
    process.start(strace, {u"-f"_s, u"-y"_s, u"-qq"_s, u"-o"_s, trace, u"-e"_s,
                           u"trace=fdatasync,fsync,rename,renameat,renameat2,linkat"_s,
                           QStringLiteral(ARTEMIS_HEADLESS_BIN), u"hunt"_s, u"--url"_s, u"metric"_s,
                           u"--node"_s, u"127.0.0.1:1,127.0.0.1:2,127.0.0.1:3"_s, u"--attempts"_s,
                           u"1"_s, u"--quiet"_s, u"--data-dir"_s, data});
    QVERIFY(process.waitForStarted());
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 1); // every node failed: exit 1, and the hunt is stored
    QFile file(trace);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(!lines.isEmpty(), "strace recorded nothing (is ptrace allowed?)");

    qsizetype resultsSynced = -1;
    qsizetype lastManifest = -1;
    QStringList renamedInto; // directory of each rename/link, in order
    QList<qsizetype> renameAt;
    const QRegularExpression renameRe(
        u"(rename\\w*|linkat)\\(.*\"([^\"]+)/([^/\"]+)\"\\s*(, \\d+)?\\) = 0"_s);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if (line.contains(u"fdatasync("_s) && line.contains(u"/results.ndjson>"_s)
            && line.endsWith(u"= 0"_s)) {
            resultsSynced = i;
        }
        const QRegularExpressionMatch m = renameRe.match(line);
        if (m.hasMatch()) {
            renamedInto.append(m.captured(2));
            renameAt.append(i);
            if (m.captured(3) == u"hunt.json"_s) {
                lastManifest = i;
            }
        }
    }
    const QString all = lines.join(u'\n');
    QVERIFY2(resultsSynced >= 0, qPrintable(all));
    QVERIFY2(lastManifest > resultsSynced, qPrintable(all)); // results durable first
    // Each rename is followed by an fsync of the directory it renamed into.
    QVERIFY(!renameAt.isEmpty());
    for (qsizetype k = 0; k < renameAt.size(); ++k) {
        bool synced = false;
        for (qsizetype i = renameAt[k] + 1; i < lines.size() && !synced; ++i) {
            synced = lines[i].contains(u"fsync("_s) && lines[i].contains(renamedInto[k] + u'>')
                     && lines[i].endsWith(u"= 0"_s);
        }
        QVERIFY2(synced, qPrintable(u"no fsync of %1 after line %2:\n%3"_s.arg(renamedInto[k])
                                        .arg(renameAt[k])
                                        .arg(all)));
    }
}

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
