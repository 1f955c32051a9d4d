// qtsocketclient: the latency benchmark's second reference, in Qt without QNetworkAccessManager.
//
// Like bench/rawclient.c (connect, write one fixed GET with `Connection: close`, read until the
// peer closes; nothing parsed or stored), but with one QTcpSocket per node on Qt's event loop,
// in THREADS threads. It answers: "how fast would a Qt client be without QNAM's per-request
// machinery?" — the figure to weigh against the project's choice of QNAM for the core. Not part
// of Artemis.
//
//   qtsocketclient NODES_FILE [CONCURRENCY=256] [THREADS=2] [TIMEOUT_MS=10000]
//
// Prints one line: "nodes N answered A failed F seconds S nodes_per_s R cpu_s_per_1k C".
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QNetworkProxy>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <cstdio>
#include <memory>
#include <vector>

#include <sys/resource.h>

namespace {

struct Node
{
    QHostAddress address;
    quint16 port = 0;
    QByteArray request;
};

std::vector<Node> g_nodes;
std::atomic<size_t> g_next{0};
std::atomic<size_t> g_answered{0};
std::atomic<size_t> g_failed{0};

// Keeps `sockets` sockets busy, taking nodes from the shared counter until none are left.
class Driver : public QObject
{
public:
    Driver(int sockets, int timeoutMs) : m_slots(sockets), m_timeoutMs(timeoutMs) {}

    void start()
    {
        for (int i = 0; i < m_slots; ++i) {
            startNext();
        }
        if (m_active == 0) {
            thread()->quit();
        }
    }

private:
    void startNext()
    {
        const size_t index = g_next.fetch_add(1);
        if (index >= g_nodes.size()) {
            return;
        }
        const Node &node = g_nodes[index];
        auto *socket = new QTcpSocket(this); // owned by this driver; deleteLater when done
        socket->setProxy(QNetworkProxy::NoProxy);
        auto *timer = new QTimer(socket);
        timer->setSingleShot(true);
        ++m_active;
        auto finish = [this, socket](bool answered) {
            if (socket->property("done").toBool()) {
                return;
            }
            socket->setProperty("done", true);
            (answered ? g_answered : g_failed).fetch_add(1);
            socket->abort();
            socket->deleteLater();
            --m_active;
            startNext();
            if (m_active == 0) {
                thread()->quit();
            }
        };
        connect(timer, &QTimer::timeout, socket, [finish] { finish(false); });
        connect(socket, &QTcpSocket::connected, socket,
                [socket, &node] { socket->write(node.request); });
        connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
        connect(socket, &QTcpSocket::disconnected, socket, [finish] { finish(true); });
        connect(socket, &QTcpSocket::errorOccurred, socket,
                [finish](QAbstractSocket::SocketError error) {
                    finish(error == QAbstractSocket::RemoteHostClosedError);
                });
        timer->start(m_timeoutMs);
        socket->connectToHost(node.address, node.port);
    }

    int m_slots;
    int m_timeoutMs;
    int m_active = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr,
                     "usage: qtsocketclient NODES_FILE [CONCURRENCY] [THREADS] [TIMEOUT_MS]\n");
        return 2;
    }
    const int concurrency = args.size() > 2 ? args.at(2).toInt() : 256;
    const int threads = args.size() > 3 ? args.at(3).toInt() : 2;
    const int timeoutMs = args.size() > 4 ? args.at(4).toInt() : 10000;
    QFile file(args.at(1));
    if (concurrency < 1 || threads < 1 || timeoutMs < 1 || !file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "bad arguments or unreadable %s\n", qPrintable(args.at(1)));
        return 2;
    }
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        const qsizetype colon = line.lastIndexOf(':');
        if (colon <= 0) {
            continue;
        }
        Node node{QHostAddress(QString::fromLatin1(line.left(colon))),
                  line.mid(colon + 1).toUShort(),
                  "GET /metric HTTP/1.1\r\nHost: " + line
                      + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n"};
        g_nodes.push_back(std::move(node));
    }

    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<QThread>> pool;
    std::vector<std::unique_ptr<Driver>> drivers;
    for (int t = 0; t < threads; ++t) {
        auto thread = std::make_unique<QThread>();
        auto driver = std::make_unique<Driver>(concurrency / threads + (t < concurrency % threads),
                                               timeoutMs);
        driver->moveToThread(thread.get());
        QObject::connect(thread.get(), &QThread::started, driver.get(),
                         [d = driver.get()] { d->start(); });
        thread->start();
        pool.push_back(std::move(thread));
        drivers.push_back(std::move(driver));
    }
    for (auto &thread : pool) {
        thread->wait();
    }
    const double seconds = clock.nsecsElapsed() / 1e9;
    drivers.clear(); // their threads have finished
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec
                       + ru.ru_stime.tv_usec / 1e6;
    const size_t n = g_nodes.size();
    std::printf(
        "nodes %zu answered %zu failed %zu seconds %.3f nodes_per_s %.0f cpu_s_per_1k %.3f\n", n,
        g_answered.load(), g_failed.load(), seconds, n / seconds, n ? cpu / n * 1000 : 0.0);
    return 0;
}
