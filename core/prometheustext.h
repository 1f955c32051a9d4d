#pragma once

#include <QByteArrayView>
#include <QJsonObject>

#include "core/result.h"

namespace Artemis {

// The Prometheus text exposition format (text/plain; version=0.0.4, as node_exporter serves it;
// the OpenMetrics text subset too) turned into JSON, so a hunt can store and compare it like
// any JSON answer. Shape:
//
//   {
//     "node_load1": [{"labels": {}, "value": 0.21}],
//     "http_requests_total": [{"labels": {"code": "200", "method": "get"}, "value": 1027,
//                              "timestamp": 1395066363000}, ...],
//     "rpc_duration_seconds_bucket": [{"labels": {"le": "+Inf"}, "value": 144}, ...],
//     "#meta": {"http_requests_total": {"type": "counter", "help": "The total ..."}}
//   }
//
// - One key per series name as written (a histogram `x` gives `x_bucket`, `x_sum`, `x_count`;
//   a summary gives `x` with a `quantile` label, `x_sum`, `x_count`); samples keep their order.
// - "labels" is always present (unescaped values: \\ \" \n); "timestamp" (ms) only when given.
// - "value" is a JSON number, or one of the strings "NaN", "+Inf", "-Inf" (JSON has no
//   non-finite numbers).
// - "#meta" (a key no metric name can take) holds what # TYPE, # HELP and the OpenMetrics
//   # UNIT lines say per metric family; absent when the text has none.
// - Other # lines are comments; blank lines are ignored; an OpenMetrics "# EOF" ends the text;
//   exemplars (" # {...} v") after a sample are dropped.
//
// Pure and thread-safe. Errors are InvalidArgument naming the line: "line 3: ...".
Result<QJsonObject> parsePrometheusText(QByteArrayView text);

// True for the media types a Prometheus exposition is served with: text/plain (any version
// parameter) and application/openmetrics-text. `contentType` is the raw header value.
bool isPrometheusContentType(QByteArrayView contentType);

} // namespace Artemis
