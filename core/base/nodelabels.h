#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QStringView>

#include "core/base/result.h"

namespace Artemis {

// Labels of a node ({"dc": "fra1", "role": "db"}), as Prometheus target labels: given with the
// node (API, --label, file_sd), stored with each of its outcomes, used to group and export.
// A QMap: sorted (stable JSON and CSV), implicitly shared (every node of a range or of one
// file_sd group shares one copy), and 8 bytes when empty.
using Labels = QMap<QString, QString>;

// A Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool isValidLabelName(QStringView name);

// {"dc": "fra1"} -> Labels. Every name must be valid and every value a string; the error
// (InvalidArgument) names the first that is not.
Result<Labels> labelsFromJson(const QJsonValue &json);
QJsonObject labelsToJson(const Labels &labels);

// "dc=fra1" (a CLI --label) -> {name, value}; the value may be empty, the name must be valid.
Result<QPair<QString, QString>> parseLabelAssignment(QStringView text);

// The groupBy of fleet answers: each text a comma-separated list of "label:NAME" (the API's
// "groupBy=label:dc,label:rack", or one repeated CLI --group-by each) -> the names in order
// ["dc", "rack"]; empty texts are skipped, so {} or {""} -> []. A name given twice, or more than
// MaxGroupByLabels names, is an error; every error (InvalidArgument) says what is accepted.
inline constexpr int MaxGroupByLabels = 8;
Result<QStringList> parseLabelGroupBy(const QStringList &texts);
// ["dc", "rack"] -> "label:dc,label:rack" (what parseLabelGroupBy reads back); [] -> "".
QString labelGroupByText(const QStringList &names);

// `labels` with every entry of `defaults` whose name it lacks (a node's own labels win).
Labels withDefaults(Labels labels, const Labels &defaults);

} // namespace Artemis
