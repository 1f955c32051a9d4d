// Fuzzes node files (core/inventory/nodefile.h): plain lists, Prometheus file_sd JSON and YAML, as
// the CLI, the GUI, schedules (nodesFrom) and the API read them. Input: the first byte picks the
// name the text is read under (".txt", ".json", ".yaml": the name breaks ties between formats), the
// rest is the file. Invariants: never a crash; a file that parses has one label set per node or
// none; a refusal is InvalidArgument, names the file, and never quotes the file's text: no run of
// 12 or more letters and digits from the input appears in the message unless it is also in the file
// name or in the fixed words an error may use (a node file may hold secrets: an error that echoes a
// line leaks it to whoever asked).

#include <QRegularExpression>
#include <QSet>

#include "core/inventory/nodefile.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

QSet<QString> longRuns(const QString &text)
{
    static const QRegularExpression run(u"[A-Za-z0-9]{12,}"_s);
    QSet<QString> runs;
    for (auto it = run.globalMatch(text); it.hasNext();) {
        runs.insert(it.next().captured());
    }
    return runs;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();
    if (size == 0) {
        return 0;
    }
    static const QString names[] = {u"/etc/artemis/nodes.txt"_s, u"/etc/artemis/nodes.json"_s,
                                    u"/etc/artemis/nodes.yaml"_s};
    const QString &name = names[data[0] % 3];
    const QByteArray text(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    const Result<NodeFile> file = parseNodeFile(text, name);
    if (file) {
        // Nodes are not checked here (an empty or odd target is refused later, by parseTargets,
        // naming its line): a YAML tag (`- !x`) or "" in file_sd JSON gives an empty one.
        FUZZ_CHECK(file->labels.isEmpty() || file->labels.size() == file->nodes.size());
        return 0;
    }
    const Error &error = file.error();
    FUZZ_CHECK(error.code == ErrorCode::InvalidArgument);
    FUZZ_CHECK_MSG(error.message.contains(name), qPrintable(error.message));
    // Words an error may say that a file can also hold.
    static const QSet<QString> vocabulary{u"targets"_s, u"labels"_s};
    const QSet<QString> allowed = longRuns(name);
    for (const QString &run : longRuns(QString::fromUtf8(text))) {
        if (allowed.contains(run) || vocabulary.contains(run)) {
            continue;
        }
        FUZZ_CHECK_MSG(!error.message.contains(run), qPrintable(error.message));
    }
    return 0;
}
