#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Artemis {

// Follows the requests on one connection from the bytes the client sends, so that one can be
// refused as soon as its head is complete: a Content-Length over the limit (413), an unusable
// Content-Length (400), a body without Content-Length (411: chunked bodies are not taken), a
// head over MaxHeadBytes (431), or whatever the admission function refuses (token, budget).
// Bytes that are not HTTP are left to QtHttpServer (it closes such connections). After a
// refusal the scanner is done: the connection closes. Pure; not thread-safe.
class RequestScanner
{
public:
    struct Refusal
    {
        int status = 400;
        QString reason;
    };
    struct Step
    {
        std::optional<Refusal> refusal;
        bool expectsContinue = false; // a head with `Expect: 100-continue` was accepted
    };

    // What a whole head says, for the admission function.
    struct Head
    {
        QByteArray method;        // "POST"
        QString path;             // percent-decoded, as QHttpServerRequest::url().path()
        QByteArray authorization; // the Authorization header
        QByteArray origin;        // the Origin header
        qint64 bodyBytes = 0;     // declared Content-Length (0: none)
    };
    // Called for every head that passed the scanner's own checks, in order, before any byte of
    // its body is taken; a refusal ends the connection as the scanner's own do.
    using Admission = std::function<std::optional<Refusal>(const Head &)>;

    static constexpr qint64 MaxHeadBytes = 64 * 1024; // request line + headers (431)

    explicit RequestScanner(qint64 maxBodyBytes, Admission admission = {})
        : m_maxBody(maxBodyBytes), m_admission(std::move(admission))
    {
    }

    // The next bytes the client sent, in order.
    Step feed(QByteArrayView bytes);

    bool inHead() const { return m_state == State::Head && !m_head.isEmpty(); }
    bool inBody() const { return m_state == State::Body; }
    bool idle() const { return m_state == State::Head && m_head.isEmpty(); }
    bool done() const { return m_state == State::Done; }
    int completed() const { return m_completed; } // requests whose body fully arrived

private:
    enum class State { Head, Body, Done };
    Step endOfHead(); // m_head holds a whole head

    qint64 m_maxBody;
    Admission m_admission;
    State m_state = State::Head;
    QByteArray m_head;
    qint64 m_bodyLeft = 0;
    int m_completed = 0;
};

} // namespace Artemis
