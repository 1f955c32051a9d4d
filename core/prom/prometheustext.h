#pragma once

#include <QByteArrayView>
#include <QJsonObject>

#include "core/base/result.h"

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
// Bounds: at most PrometheusMaxSamples samples, and PrometheusMaxLabels labels a sample; past
// either the text is refused ("line N: more than 200000 samples; ..."). Each sample is a few
// QJsonObject containers to build and free: the bound keeps any 10 MiB text (the default body
// limit) under ~0.5 s. 200000 is 100 times what node_exporter serves (~2k samples) and more
// than 10 MiB holds at a realistic ~60 bytes a sample.
Result<QJsonObject> parsePrometheusText(QByteArrayView text);

inline constexpr qsizetype PrometheusMaxSamples = 200'000;
inline constexpr qsizetype PrometheusMaxLabels = 1024; // of one sample

// True for the media types a Prometheus exposition is served with: text/plain (any version
// parameter) and application/openmetrics-text. `contentType` is the raw header value.
bool isPrometheusContentType(QByteArrayView contentType);

} // namespace Artemis
