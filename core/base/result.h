#pragma once

#include <utility>
#include <variant>

#include <QJsonValue>
#include <QString>

namespace Artemis {

// What went wrong, for failures that are values (bad input, storage, limits). A node that fails
// to fetch is not an Error: it is an Outcome. Each code maps to one HTTP status and back in
// core/base/errorstatus.cpp (the REST API answers with it; the GUI's remote backend reads it).
enum class ErrorCode {
    InvalidArgument, // a request or option is malformed
    InvalidNode,     // one or more node strings are not valid targets
    Denied,          // the target policy refuses a node
    TooLarge,        // a body or a list is over its limit
    NotFound,        // no such hunt / result
    Conflict,        // the operation does not fit the current state (e.g. delete a running hunt)
    Busy,            // too many hunts running and queued
    Io,              // the disk failed us
    Unavailable,     // a dependency (broker, server) is unreachable
    Unauthorized,    // credentials missing or wrong (HTTP 401)
    Forbidden,       // credentials fine, request refused (HTTP 403)
    Locked,          // the data dir is held by another process (core/base/datadirlock.h)
};

struct Error
{
    ErrorCode code = ErrorCode::InvalidArgument;
    QString message;
    QJsonValue details = {}; // optional structured details (e.g. the list of bad nodes)
};

// Holds either a T or an Error (an expected-like type; C++20 has no std::expected).
template <typename T> class [[nodiscard]] Result
{
public:
    Result(const T &value) : m_data(std::in_place_index<0>, value) {}
    Result(T &&value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(const Error &error) : m_data(std::in_place_index<1>, error) {}
    Result(Error &&error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool hasValue() const { return m_data.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(const Error &error) : m_error(error), m_ok(false) {}
    Result(Error &&error) : m_error(std::move(error)), m_ok(false) {}

    bool hasValue() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Error makeError(ErrorCode code, QString message, QJsonValue details = {})
{
    return Error{code, std::move(message), std::move(details)};
}

} // namespace Artemis
