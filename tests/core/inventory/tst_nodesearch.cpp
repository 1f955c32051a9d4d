#include <QTest>

#include "core/inventory/nodesearch.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

// The Results search (core/inventory/nodesearch.h): node terms and NAME=VALUE label terms (issue
// #22).
class TestNodeSearch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matches_data();
    void matches();
};

void TestNodeSearch::matches_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<QString>("node");
    QTest::addColumn<Labels>("labels");
    QTest::addColumn<bool>("readsLabels");
    QTest::addColumn<bool>("matches");
    const Labels r7{{u"dc"_s, u"fra1"_s}, {u"rack"_s, u"r7"_s}};
    const Labels r70{{u"dc"_s, u"fra1"_s}, {u"rack"_s, u"r70"_s}};
    const QString node = u"10.0.7.1:9100"_s;
    QTest::newRow("empty matches all") << QString() << node << Labels{} << false << true;
    QTest::newRow("blank matches all") << u"  "_s << node << Labels{} << false << true;
    QTest::newRow("node substring") << u":9100"_s << node << Labels{} << false << true;
    QTest::newRow("node substring, no") << u":9200"_s << node << r7 << false << false;
    QTest::newRow("node, any case") << u"NODE-A"_s << u"node-a:1"_s << Labels{} << false << true;
    QTest::newRow("label term") << u"rack=r7"_s << node << r7 << true << true;
    QTest::newRow("label term is exact") << u"rack=r7"_s << node << r70 << true << false;
    QTest::newRow("label value, any case") << u"rack=R7"_s << node << r7 << true << true;
    QTest::newRow("label the node lacks") << u"rack=r7"_s << node << Labels{} << true << false;
    QTest::newRow("empty label value")
        << u"rack="_s << node << Labels{{u"rack"_s, {}}} << true << true;
    QTest::newRow("every term must match") << u"rack=r7 :9100"_s << node << r7 << true << true;
    QTest::newRow("every term, one fails") << u"rack=r7 :9200"_s << node << r7 << true << false;
    QTest::newRow("two labels") << u"dc=fra1 rack=r7"_s << node << r7 << true << true;
    QTest::newRow("two labels, one differs") << u"dc=ams1 rack=r7"_s << node << r7 << true << false;
    // Not a label name: a plain text term.
    QTest::newRow("=value is text") << u"=r7"_s << node << r7 << false << false;
    QTest::newRow("bad name is text")
        << u"1x=r7"_s << node << Labels{{u"1x"_s, u"r7"_s}} << false << false;
}

void TestNodeSearch::matches()
{
    QFETCH(QString, search);
    QFETCH(QString, node);
    QFETCH(Labels, labels);
    QFETCH(bool, readsLabels);
    QFETCH(bool, matches);
    const NodeSearch s(search);
    QCOMPARE(s.readsLabels(), readsLabels);
    QCOMPARE(s.matches(node, labels), matches);
    QCOMPARE(s.matches(node, labelsToJson(labels)), matches);
}

QTEST_GUILESS_MAIN(TestNodeSearch)
#include "tst_nodesearch.moc"
