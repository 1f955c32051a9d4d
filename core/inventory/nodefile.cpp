#include "core/inventory/nodefile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <yaml-cpp/yaml.h>

#include "core/net/target.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// What is wrong with a group's labels, without the names or values (the file's text).
const QString LabelsReason = u"'labels' must map valid names (letters, digits, '_'; not "
                             "starting with __) to strings"_s;

Error fileError(const QString &name, const QString &message)
{
    return Error{ErrorCode::InvalidArgument, u"%1: %2"_s.arg(name, message)};
}

// Service discovery (file_sd, http_sd) sends labels named __meta_* and __address__ for
// relabelling; Prometheus drops every label starting with "__" once relabelling is done, and so
// do we (there is no relabelling here), rather than refuse a real SD server's answer.
QJsonValue withoutMetaLabels(const QJsonValue &labels)
{
    if (!labels.isObject()) {
        return labels;
    }
    QJsonObject kept = labels.toObject();
    for (auto it = kept.begin(); it != kept.end();) {
        it = it.key().startsWith(u"__"_s) ? kept.erase(it) : std::next(it);
    }
    return kept;
}

} // namespace

Result<NodeFile> parseFileSdJson(const QByteArray &text, const QString &name)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return fileError(name,
                         u"not valid file_sd JSON: %1 at byte %2"_s.arg(parseError.errorString())
                             .arg(parseError.offset));
    }
    if (!doc.isArray()) {
        return fileError(name, u"file_sd JSON must be an array of {\"targets\", \"labels\"}"_s);
    }
    NodeFile file;
    file.format = NodeFile::Format::FileSdJson;
    const QJsonArray groups = doc.array();
    for (qsizetype g = 0; g < groups.size(); ++g) {
        const QJsonObject group = groups.at(g).toObject();
        const QJsonValue targets = group.value(u"targets"_s);
        if (!groups.at(g).isObject() || !targets.isArray()) {
            return fileError(name, u"group %1: 'targets' must be an array of strings"_s.arg(g));
        }
        Result<Labels> labels = labelsFromJson(withoutMetaLabels(group.value(u"labels"_s)));
        if (!labels) {
            return fileError(name, u"group %1: %2"_s.arg(g).arg(LabelsReason));
        }
        for (const QJsonValue &target : targets.toArray()) {
            if (!target.isString()) {
                return fileError(name, u"group %1: 'targets' must be an array of strings"_s.arg(g));
            }
            file.nodes.append(target.toString());
            file.labels.append(*labels);
        }
    }
    return file;
}

namespace {

Result<NodeFile> fromFileSdYaml(const QByteArray &text, const QString &name)
{
    // yaml-cpp reports errors by exception; none leaves this function.
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        if (!root.IsSequence()) {
            return fileError(name, u"file_sd YAML must be a list of {targets, labels}"_s);
        }
        NodeFile file;
        file.format = NodeFile::Format::FileSdYaml;
        for (std::size_t g = 0; g < root.size(); ++g) {
            const YAML::Node group = root[g];
            const YAML::Node targets = group.IsMap() ? group["targets"] : YAML::Node();
            if (!targets.IsDefined() || !targets.IsSequence()) {
                return fileError(name, u"group %1: 'targets' must be a list of strings"_s.arg(g));
            }
            QJsonObject labelObject;
            if (const YAML::Node labels = group["labels"]; labels && !labels.IsNull()) {
                if (!labels.IsMap()) {
                    return fileError(name, u"group %1: 'labels' must be a mapping"_s.arg(g));
                }
                for (const auto &entry : labels) {
                    if (!entry.second.IsScalar()) {
                        return fileError(name, u"group %1 (line %2): %3"_s.arg(g)
                                                   .arg(entry.second.Mark().line + 1)
                                                   .arg(LabelsReason));
                    }
                    labelObject.insert(QString::fromStdString(entry.first.as<std::string>()),
                                       QString::fromStdString(entry.second.as<std::string>()));
                }
            }
            Result<Labels> labels = labelsFromJson(withoutMetaLabels(labelObject));
            if (!labels) {
                return fileError(name, u"group %1 (line %2): %3"_s.arg(g)
                                           .arg(group.Mark().line + 1)
                                           .arg(LabelsReason));
            }
            for (const auto &target : targets) {
                if (!target.IsScalar()) {
                    return fileError(name,
                                     u"group %1: 'targets' must be a list of strings"_s.arg(g));
                }
                file.nodes.append(QString::fromStdString(target.as<std::string>()));
                file.labels.append(*labels);
                file.lines.append(target.Mark().line + 1);
            }
        }
        return file;
    } catch (const YAML::Exception &e) {
        // e.what() may quote the text ("unknown escape character: x"): the line only.
        return fileError(name, u"line %1: not valid file_sd YAML"_s.arg(e.mark.line + 1));
    }
}

// The first line that is neither blank nor a comment.
QByteArray firstContentLine(const QByteArray &text)
{
    for (const QByteArray &line : text.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (!trimmed.isEmpty() && !trimmed.startsWith('#')) {
            return trimmed;
        }
    }
    return {};
}

} // namespace

Result<NodeFile> parseNodeFile(const QByteArray &text, const QString &name)
{
    if (const qsizetype nul = text.indexOf('\0'); nul >= 0) {
        // A binary file (a core dump, a key) given by mistake: said by position, never shown.
        return fileError(name, u"not a text file (NUL byte at byte %1)"_s.arg(nul));
    }
    const QByteArray first = firstContentLine(text);
    const QString lower = name.toLower();
    // A plain node line never starts with '[' unless it is an IPv6 literal ("[::1]:9100"),
    // whose next character is a hex digit or ':', never a JSON value's '{', '"', ']' or space.
    const bool json = first.startsWith('[')
                      && (first.size() == 1 || QByteArrayView("{\"] \t\r").contains(first.at(1))
                          || lower.endsWith(u".json"_s));
    if (json) {
        return parseFileSdJson(text, name);
    }
    const bool yaml = first.startsWith("- ") || first == "-" || lower.endsWith(u".yaml"_s)
                      || lower.endsWith(u".yml"_s);
    if (yaml) {
        return fromFileSdYaml(text, name);
    }
    // parseNodeList's rules, counting lines.
    NodeFile file;
    int number = 0;
    const QString decoded = QString::fromUtf8(text);
    for (QStringView line : QStringView(decoded).split(u'\n')) {
        ++number;
        if (const qsizetype hash = line.indexOf(u'#'); hash >= 0) {
            line = line.left(hash);
        }
        line = line.trimmed();
        if (!line.isEmpty()) {
            file.nodes.append(line.toString());
            file.lines.append(number);
        }
    }
    return file;
}

} // namespace Artemis
