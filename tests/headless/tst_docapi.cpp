#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

// Issue #23 item 5: docs/api.md is the one API reference, checked against resources/openapi.json
// (which tst_restserver checks against the routes the service registers). Every operation of the
// OpenAPI document has its row in the API table of docs/api.md (`| \`METHOD /path?query\` | ...`),
// and every row names an operation the document has, so neither can drift from the other.
class TestDocApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void docTableMatchesOpenApi();

private:
    static QByteArray read(const QString &name);
};

QByteArray TestDocApi::read(const QString &name)
{
    QFile file(u"" ARTEMIS_SOURCE_DIR "/"_s + name);
    if (!file.open(QIODevice::ReadOnly)) {
        qWarning("cannot read %s", qPrintable(name));
        return {};
    }
    return file.readAll();
}

void TestDocApi::docTableMatchesOpenApi()
{
    const QJsonObject paths = QJsonDocument::fromJson(read(u"resources/openapi.json"_s))
                                  .object()
                                  .value(u"paths"_s)
                                  .toObject();
    QVERIFY(paths.size() > 10);
    static const QStringList Methods{u"get"_s, u"post"_s, u"put"_s, u"delete"_s, u"patch"_s};
    QSet<QString> spec;
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        for (const QString &method : Methods) {
            if (it.value().toObject().contains(method)) {
                spec.insert(method.toUpper() + u' ' + it.key());
            }
        }
    }

    // A row's first cell: `METHOD /path` with an optional query; {name} placeholders as in
    // the document, an upper-case word (FILE) as a placeholder too.
    static const QRegularExpression row(
        u"^\\| `(GET|POST|PUT|DELETE|PATCH) (/[^`?]*)(\\?[^`]*)?` \\|"_s);
    static const QRegularExpression upperWord(u"/([A-Z]+)(?=/|$)"_s);
    QSet<QString> documented;
    const QStringList lines = QString::fromUtf8(read(u"docs/api.md"_s)).split(u'\n');
    for (const QString &line : lines) {
        const QRegularExpressionMatch m = row.match(line);
        if (m.hasMatch()) {
            QString path = m.captured(2);
            path.replace(upperWord, u"/{\\1}"_s);
            documented.insert(m.captured(1) + u' ' + path.toLower());
        }
    }
    QSet<QString> specLower;
    for (const QString &op : spec) {
        specLower.insert(op.section(u' ', 0, 0) + u' ' + op.section(u' ', 1).toLower());
    }
    const QSet<QString> undocumented = specLower - documented;
    const QSet<QString> unknown = documented - specLower;
    QVERIFY2(undocumented.isEmpty(),
             qPrintable(u"in openapi.json, not in docs/api.md's table: "_s
                        + QStringList(undocumented.begin(), undocumented.end()).join(u", "_s)));
    QVERIFY2(unknown.isEmpty(),
             qPrintable(u"in docs/api.md's table, not in openapi.json: "_s
                        + QStringList(unknown.begin(), unknown.end()).join(u", "_s)));
}

QTEST_GUILESS_MAIN(TestDocApi)
#include "tst_docapi.moc"
