// parseFetchForm: the old tool's x-www-form-urlencoded /fetch body, decoded as Flask did.
#include <QtTest>

#include "core/hunt/fetchform.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestFetchForm : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodes_data();
    void decodes();
    void largeForm();
};

void TestFetchForm::decodes_data()
{
    QTest::addColumn<QByteArray>("form");
    QTest::addColumn<QStringList>("nodes");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("hasFields");
    QTest::newRow("seed curl line")
        << "node=localhost:5000&node=127.0.0.1:5000&url=metric"_ba
        << QStringList{u"localhost:5000"_s, u"127.0.0.1:5000"_s} << u"metric"_s << true;
    QTest::newRow("comma list, spaces, empties")
        << "node=a:1,+b:2+,,c:3&url=m"_ba << QStringList{u"a:1"_s, u"b:2"_s, u"c:3"_s} << u"m"_s
        << true;
    QTest::newRow("plus is a space, %2B a plus")
        << "node=a:1&url=q%3Fx%3Da%2Bb+c"_ba << QStringList{u"a:1"_s} << u"q?x=a+b c"_s << true;
    QTest::newRow("encoded comma splits too")
        << "node=a:1%2Cb:2&url=m"_ba << QStringList{u"a:1"_s, u"b:2"_s} << u"m"_s << true;
    QTest::newRow("first url wins, trimmed")
        << "url=+first+&node=n:1&url=second"_ba << QStringList{u"n:1"_s} << u"first"_s << true;
    QTest::newRow("encoded field names")
        << "no%64e=n:1&%75rl=m"_ba << QStringList{u"n:1"_s} << u"m"_s << true;
    QTest::newRow("other fields ignored")
        << "x=1&node=n:1&nodes=z&url=m&urls=q"_ba << QStringList{u"n:1"_s} << u"m"_s << true;
    QTest::newRow("empty pairs and no '='")
        << "&&node&node=&url&&"_ba << QStringList{} << QString() << true;
    QTest::newRow("empty body") << QByteArray() << QStringList{} << QString() << false;
    QTest::newRow("only ampersands") << "&&&"_ba << QStringList{} << QString() << false;
    QTest::newRow("malformed escapes kept")
        << "node=a%:1&url=%zz%4"_ba << QStringList{u"a%:1"_s} << u"%zz%4"_s << true;
    QTest::newRow("escape at the very end")
        << "url=m&node=a:%31"_ba << QStringList{u"a:1"_s} << u"m"_s << true;
    QTest::newRow("utf-8") << "node=n%C3%BCde:1&url=m%C3%A9trique"_ba
                           << QStringList{u"n\u00fcde:1"_s} << u"m\u00e9trique"_s << true;
    QTest::newRow("invalid utf-8 replaced")
        << "node=a%FF:1&url=m"_ba << QStringList{u"a\ufffd:1"_s} << u"m"_s << true;
    QTest::newRow("value holds '='")
        << "node=a:1&url=p%3Fk=v"_ba << QStringList{u"a:1"_s} << u"p?k=v"_s << true;
}

void TestFetchForm::decodes()
{
    QFETCH(QByteArray, form);
    QFETCH(QStringList, nodes);
    QFETCH(QString, url);
    QFETCH(bool, hasFields);
    const FetchForm parsed = parseFetchForm(form);
    QCOMPARE(parsed.nodes, nodes);
    QCOMPARE(parsed.url, url);
    QCOMPARE(parsed.hasFields, hasFields);
}

void TestFetchForm::largeForm()
{
    QByteArray form;
    QStringList expected;
    for (int i = 0; i < 10000; ++i) {
        const QString node = u"10.%1.%2.%3:9100"_s.arg(i / 65536).arg(i / 256 % 256).arg(i % 256);
        form += "node=" + node.toUtf8() + '&';
        expected.append(node);
    }
    form += "url=metrics";
    const FetchForm parsed = parseFetchForm(form);
    QCOMPARE(parsed.nodes, expected);
    QCOMPARE(parsed.url, u"metrics"_s);
}

QTEST_GUILESS_MAIN(TestFetchForm)
#include "tst_fetchform.moc"
