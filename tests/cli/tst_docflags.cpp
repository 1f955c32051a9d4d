#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

// Issue #22 item 11: the flag tables of the docs cannot drift from the options each command
// defines. A table is marked by the line `<!-- flags: COMMAND... -->` before it; its flags (the
// first cell of each row, `--name ARG`) must be exactly the options that
// `artemis-headless COMMAND --help` lists (less --help/--help-all), over all its commands.
// Issue #23 item 5: every command that `artemis-headless --help` lists has exactly one table,
// and it is in docs/cli.md (the CLI reference; no other document repeats it).
class TestDocFlags : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void tablesMatchHelp_data();
    void tablesMatchHelp();
    void everyCommandHasATable();

private:
    struct Table
    {
        QString file;
        int line = 0;
        QStringList commands;
        QSet<QString> flags;
    };
    static QList<Table> tables();
    static QSet<QString> helpOptions(const QString &command);
    static QStringList commands();
};

QList<TestDocFlags::Table> TestDocFlags::tables()
{
    QStringList files{u"README.md"_s, u"bench/README.md"_s, u"tests/fuzz/README.md"_s};
    for (const QString &doc : QDir(u"" ARTEMIS_SOURCE_DIR "/docs"_s).entryList({u"*.md"_s})) {
        files.append(u"docs/"_s + doc);
    }
    static const QRegularExpression marker(u"^<!-- flags: ([a-z ]+) -->$"_s);
    static const QRegularExpression flag(u"^\\| `(--[a-z0-9-]+)"_s);
    QList<Table> out;
    for (const QString &name : files) {
        QFile file(u"" ARTEMIS_SOURCE_DIR "/"_s + name);
        if (!file.open(QIODevice::ReadOnly)) {
            qWarning("cannot read %s", qPrintable(name));
            return {};
        }
        const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
        for (int i = 0; i < lines.size(); ++i) {
            const QRegularExpressionMatch m = marker.match(lines.at(i));
            if (!m.hasMatch()) {
                continue;
            }
            Table table{name, i + 1, m.captured(1).split(u' ', Qt::SkipEmptyParts), {}};
            // The table starts on the next line and ends at the first line not a row.
            for (int j = i + 1; j < lines.size() && lines.at(j).startsWith(u'|'); ++j) {
                const QRegularExpressionMatch f = flag.match(lines.at(j));
                if (f.hasMatch()) {
                    table.flags.insert(f.captured(1));
                }
            }
            out.append(table);
        }
    }
    return out;
}

static QString helpText(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(ARTEMIS_HEADLESS_BIN), arguments);
    if (!process.waitForFinished(10000)) {
        process.kill();
        process.waitForFinished();
        qWarning("%s did not finish", qPrintable(arguments.join(u' ')));
        return {};
    }
    return QString::fromUtf8(process.readAllStandardOutput());
}

QSet<QString> TestDocFlags::helpOptions(const QString &command)
{
    static const QRegularExpression option(u"^  (?:-[a-zA-Z], )?(--[a-z0-9-]+)"_s,
                                           QRegularExpression::MultilineOption);
    QSet<QString> out;
    auto it = option.globalMatch(helpText({command, u"--help"_s}));
    while (it.hasNext()) {
        out.insert(it.next().captured(1));
    }
    out.remove(u"--help"_s);
    out.remove(u"--help-all"_s);
    return out;
}

// The commands `artemis-headless --help` lists under "Commands:", less help and version.
QStringList TestDocFlags::commands()
{
    static const QRegularExpression command(u"^  ([a-z]+)  "_s,
                                            QRegularExpression::MultilineOption);
    const QString help = helpText({u"--help"_s});
    QStringList out;
    auto it = command.globalMatch(help.mid(help.indexOf(u"Commands:"_s)));
    while (it.hasNext()) {
        out.append(it.next().captured(1));
    }
    out.removeAll(u"help"_s);
    out.removeAll(u"version"_s);
    return out;
}

void TestDocFlags::tablesMatchHelp_data()
{
    QTest::addColumn<QStringList>("commands");
    QTest::addColumn<QStringList>("documented");
    const QList<Table> all = tables();
    QVERIFY(all.size() >= 4); // hunt, values+results+diff, serve, worker
    for (const Table &table : all) {
        QTest::addRow("%s:%d %s", qPrintable(table.file), table.line,
                      qPrintable(table.commands.join(u'+')))
            << table.commands << QStringList(table.flags.cbegin(), table.flags.cend());
    }
}

void TestDocFlags::tablesMatchHelp()
{
    QFETCH(QStringList, commands);
    QFETCH(QStringList, documented);
    QSet<QString> defined;
    for (const QString &command : commands) {
        const QSet<QString> options = helpOptions(command);
        QVERIFY2(options.size() >= 3, qPrintable(command)); // the command exists and has options
        defined += options;
    }
    const QSet<QString> inTable(documented.cbegin(), documented.cend());
    QStringList missing = (defined - inTable).values();
    QStringList unknown = (inTable - defined).values();
    missing.sort();
    unknown.sort();
    QVERIFY2(missing.isEmpty(), qPrintable(u"not in the table: "_s + missing.join(u", "_s)));
    QVERIFY2(unknown.isEmpty(), qPrintable(u"no such option: "_s + unknown.join(u", "_s)));
}

void TestDocFlags::everyCommandHasATable()
{
    const QStringList listed = commands();
    for (const QString &command :
         {u"hunt"_s, u"serve"_s, u"worker"_s, u"values"_s, u"results"_s, u"diff"_s}) {
        QVERIFY2(listed.contains(command), qPrintable(u"--help lists no "_s + command));
    }
    const QList<Table> all = tables();
    for (const QString &command : listed) {
        QStringList places;
        for (const Table &table : all) {
            if (table.commands.contains(command)) {
                places.append(u"%1:%2"_s.arg(table.file).arg(table.line));
            }
        }
        QVERIFY2(!places.isEmpty(), qPrintable(command + u": no flag table"_s));
        QVERIFY2(places.size() == 1,
                 qPrintable(command + u": more than one flag table: "_s + places.join(u", "_s)));
        QVERIFY2(places.constFirst().startsWith(u"docs/cli.md:"_s),
                 qPrintable(command + u": its flag table is not in docs/cli.md: "_s
                            + places.constFirst()));
    }
}

QTEST_GUILESS_MAIN(TestDocFlags)
#include "tst_docflags.moc"
