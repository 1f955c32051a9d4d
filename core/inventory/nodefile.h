#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "core/base/nodelabels.h"
#include "core/base/result.h"

namespace Artemis {

// The nodes of a node file, with their labels (labels empty, or one per node).
struct NodeFile
{
    enum class Format { Plain, FileSdJson, FileSdYaml };
    Format format = Format::Plain; // which of the three the text was read as
    QStringList nodes;
    QList<Labels> labels;
    // The line (1-based) each node is on, for errors about it: plain text and YAML; empty for
    // JSON, whose errors say "group G target T".
    QList<int> lines;
};

// Reads the text of a node file in any of three formats, told apart by content (the name only
// breaks ties: ".json", ".yaml"/".yml"):
// - Prometheus file_sd JSON: [{"targets": ["host:9100", ...], "labels": {"dc": "fra1"}}, ...]
// - the same as YAML (a list of mappings with `targets` and optional `labels`)
// - plain text: one node per line, blank lines and '#' comments ignored (parseNodeList)
// Text starting with '[' is JSON; text whose first non-comment line starts with "- " (or a
// .yaml/.yml name) is YAML; anything else is plain. Targets may be ranges
// (core/inventory/noderange.h). Errors (InvalidArgument) name the file, and the group, line or byte
// and the field at fault; they never quote the text (a file may be a secret: issue #21). Pure;
// never reads the disk (the caller reads, so the CLI can take stdin and the scheduler a downloaded
// body).
Result<NodeFile> parseNodeFile(const QByteArray &text, const QString &name);

// The file_sd JSON form alone, whatever the text looks like (an http_sd body, which must be
// JSON). Same errors as parseNodeFile.
Result<NodeFile> parseFileSdJson(const QByteArray &text, const QString &name);

} // namespace Artemis
