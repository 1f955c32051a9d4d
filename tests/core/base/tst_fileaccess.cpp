// FileAccess (core/base/fileaccess.h, issue #21 item 1): only regular files under the allowed dirs,
// never a FIFO, a device, /proc or a symlink out; bounded reads that never wait on a writer;
// errors that name the file and never quote it.
#include <sys/stat.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "core/base/fileaccess.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestFileAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refused_data();
    void refused();
    void readsAllowedFiles();
    void fifoNeverBlocks();
    void permissionProblem();

private:
    QTemporaryDir m_root;
    QString m_allowed; // the allowed dir
    QString m_outside; // a dir beside it
    QString write(const QString &path, const QByteArray &text);
};

QString TestFileAccess::write(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        qFatal("cannot write %s", qPrintable(path));
    }
    return path;
}

void TestFileAccess::initTestCase()
{
    QVERIFY(m_root.isValid());
    QDir root(m_root.path());
    QVERIFY(root.mkdir(u"allowed"_s) && root.mkdir(u"outside"_s));
    m_allowed = root.filePath(u"allowed"_s);
    m_outside = root.filePath(u"outside"_s);
    write(m_allowed + u"/nodes.txt"_s, "127.0.0.1:9100\n");
    write(m_outside + u"/secret"_s, "top-secret-line\n");
    QVERIFY(QFile::link(m_outside + u"/secret"_s, m_allowed + u"/link-out"_s));
    QVERIFY(QFile::link(u"/etc/passwd"_s, m_allowed + u"/link-etc"_s));
    QVERIFY(QFile::link(u"/proc/self/environ"_s, m_allowed + u"/link-proc"_s));
    QVERIFY(QDir(m_allowed).mkdir(u"sub"_s));
    write(m_allowed + u"/big"_s, QByteArray(2048, 'x'));
}

void TestFileAccess::refused_data()
{
    QTest::addColumn<QString>("allowed"); // "" = none, "*" = unrestricted
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    const QString a = m_allowed;
    const int forbidden = int(ErrorCode::Forbidden);
    const int invalid = int(ErrorCode::InvalidArgument);
    QTest::newRow("no dirs allowed")
        << QString() << a + u"/nodes.txt"_s << forbidden << u"--allow-files DIR"_s;
    QTest::newRow("/etc/shadow") << a << u"/etc/shadow"_s << forbidden << u"outside"_s;
    QTest::newRow("dot-dot out") << a << a + u"/../outside/secret"_s << forbidden << u"outside"_s;
    QTest::newRow("relative") << a << u"nodes.txt"_s << invalid << u"absolute"_s;
    QTest::newRow("symlink out of the dir")
        << a << a + u"/link-out"_s << forbidden << u"leads outside"_s;
    QTest::newRow("symlink to /etc") << a << a + u"/link-etc"_s << forbidden << u"leads outside"_s;
    QTest::newRow("/proc even when / is allowed")
        << u"/"_s << u"/proc/self/environ"_s << forbidden << u"leads outside"_s;
    QTest::newRow("symlink to /proc")
        << u"/"_s << a + u"/link-proc"_s << forbidden << u"leads outside"_s;
    QTest::newRow("a device even when / is allowed")
        << u"/"_s << u"/dev/zero"_s << forbidden << u"leads outside"_s;
    QTest::newRow("a device, unrestricted")
        << u"*"_s << u"/dev/zero"_s << invalid << u"not a regular file"_s;
    QTest::newRow("a directory") << a << a + u"/sub"_s << invalid << u"not a regular file"_s;
    QTest::newRow("missing") << a << a + u"/none"_s << invalid << u"does not exist"_s;
    QTest::newRow("too large") << a << a + u"/big"_s << int(ErrorCode::TooLarge)
                               << u"larger than 1024 bytes"_s;
}

void TestFileAccess::refused()
{
    QFETCH(QString, allowed);
    QFETCH(QString, path);
    QFETCH(int, code);
    QFETCH(QString, reason);
    FileAccess access = FileAccess::none();
    if (allowed == u"*"_s) {
        access = FileAccess::unrestricted();
    } else if (!allowed.isEmpty()) {
        const Result<FileAccess> made = FileAccess::allowing({allowed});
        QVERIFY2_OK(made);
        access = *made;
    }
    const Result<QByteArray> read = access.read(path, 1024, u"nodesFrom file"_s);
    QVERIFY(!read);
    QCOMPARE(int(read.error().code), code);
    QVERIFY2(read.error().message.contains(reason), qPrintable(read.error().message));
    QVERIFY2(read.error().message.contains(path), qPrintable(read.error().message));
    QVERIFY(!read.error().message.contains(u"top-secret"_s));
    QVERIFY(!read.error().message.contains(u"root:"_s));
}

void TestFileAccess::readsAllowedFiles()
{
    const Result<FileAccess> access = FileAccess::allowing({m_allowed + u"/"_s});
    QVERIFY2_OK(access);
    const Result<QByteArray> read = access->read(m_allowed + u"/nodes.txt"_s, 1024, u"file"_s);
    QVERIFY2_OK(read);
    QCOMPARE(*read, "127.0.0.1:9100\n");
    // Exactly the limit is not too large.
    QVERIFY2_OK(access->read(m_allowed + u"/big"_s, 2048, u"file"_s));
    // A symlink inside the dir to a file inside it is fine.
    QVERIFY(QFile::link(m_allowed + u"/nodes.txt"_s, m_allowed + u"/link-in"_s));
    QVERIFY2_OK(access->read(m_allowed + u"/link-in"_s, 1024, u"file"_s));

    QVERIFY(!FileAccess::allowing({u"relative/dir"_s}));
    QVERIFY(!FileAccess::allowing({m_allowed + u"/nodes.txt"_s}));
}

void TestFileAccess::fifoNeverBlocks()
{
    const QString fifo = m_allowed + u"/fifo"_s;
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const Result<FileAccess> access = FileAccess::allowing({m_allowed});
    QVERIFY2_OK(access);
    // No writer ever opens it: a blocking open would wait forever.
    QElapsedTimer timer;
    timer.start();
    const Result<QByteArray> read = access->read(fifo, 1024, u"file"_s);
    QVERIFY(timer.elapsed() < 2000);
    QVERIFY(!read);
    QVERIFY2(read.error().message.contains(u"not a regular file"_s),
             qPrintable(read.error().message));
    // Unrestricted (the CLI's own paths) refuses it the same way.
    QVERIFY(!FileAccess::unrestricted().read(fifo, 1024, u"file"_s));
}

void TestFileAccess::permissionProblem()
{
    const QString path = write(m_allowed + u"/token"_s, "t0ken\n");
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));
    QCOMPARE(FileAccess::permissionProblem(path), std::nullopt);
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0644), 0);
    QCOMPARE(FileAccess::permissionProblem(path),
             std::optional(path + u" is readable by group and others (mode 0644)"_s));
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0640), 0);
    QCOMPARE(FileAccess::permissionProblem(path),
             std::optional(path + u" is readable by group (mode 0640)"_s));
}

QTEST_GUILESS_MAIN(TestFileAccess)
#include "tst_fileaccess.moc"
