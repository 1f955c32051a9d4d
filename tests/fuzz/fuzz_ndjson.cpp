// Fuzzes reading results.ndjson (core/store/resultstore.h, core/store/resultindex.h). Input: the
// bytes of a hunt's results file, written to a temporary data dir; a fresh ResultStore then reads
// it every way the API and the GUI do. Invariants: the streaming pass (forEachResult) and the
// indexed pages (readResults) see the same outcomes in the same order and the same number of
// skipped lines; pages of any size concatenate to the whole; outcome filters partition the results;
// findResult finds the newest line of each node; every outcome survives toJson/fromJson; appending
// what was read to a new hunt and reading it back gives it again, with nothing skipped.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>

#include "core/base/huntid.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

QByteArray serialised(const Outcome &outcome)
{
    return QJsonDocument(outcome.toJson()).toJson(QJsonDocument::Compact);
}

bool sameOutcomes(const QList<Outcome> &a, const QList<Outcome> &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (serialised(a.at(i)) != serialised(b.at(i))) {
            return false;
        }
    }
    return true;
}

struct Streamed
{
    QList<Outcome> outcomes;
    int skipped = 0;
};

Streamed stream(const ResultStore &store, const QString &id)
{
    Streamed s;
    const Result<int> skipped = store.forEachResult(id, [&](const Outcome &o) {
        s.outcomes.append(o);
        return true;
    });
    FUZZ_CHECK(skipped.hasValue());
    s.skipped = *skipped;
    return s;
}

// On ext4, rewriting a truncated file flushes it at close (auto_da_alloc): 10 ms a run. A tmpfs
// keeps the fuzzer at memory speed; the code under test is the same.
QString tempTemplate()
{
    const QString shm = u"/dev/shm"_s;
    return QFileInfo(shm).isDir() && QFileInfo(shm).isWritable()
               ? shm + u"/artemis-fuzz-ndjson-XXXXXX"_s
               : QDir::tempPath() + u"/artemis-fuzz-ndjson-XXXXXX"_s;
}

struct Fixture
{
    QTemporaryDir dir{tempTemplate()};
    QString id = newHuntId();
    QString copyId = newHuntId();
    QString path;
    QString copyPath;

    Fixture()
    {
        FUZZ_CHECK(dir.isValid());
        ResultStore store(dir.path());
        FUZZ_CHECK(store.open().hasValue());
        for (const QString &hunt : {id, copyId}) {
            HuntInfo info;
            info.id = hunt;
            info.state = HuntState::Done;
            FUZZ_CHECK(store.createHunt(info, {}).hasValue());
        }
        path = store.huntDir(id) + u"/results.ndjson"_s;
        copyPath = store.huntDir(copyId) + u"/results.ndjson"_s;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();
    static Fixture fixtureObject; // one temporary data dir for every input, removed at exit
    Fixture *const fixture = &fixtureObject;

    QFile file(fixture->path);
    FUZZ_CHECK(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    FUZZ_CHECK(file.write(reinterpret_cast<const char *>(data), qint64(size)) == qint64(size));
    file.close();

    const ResultStore store(fixture->dir.path()); // fresh: no index from the previous input
    const QString &id = fixture->id;
    const Streamed all = stream(store, id);
    FUZZ_CHECK(all.skipped >= 0);

    // One page with everything.
    ResultQuery query;
    query.limit = int(all.outcomes.size()) + 10;
    const Result<ResultPage> page = store.readResults(id, query);
    FUZZ_CHECK(page.hasValue());
    FUZZ_CHECK(page->total == all.outcomes.size());
    FUZZ_CHECK(page->skippedLines == all.skipped);
    FUZZ_CHECK(sameOutcomes(page->outcomes, all.outcomes));

    // Small pages concatenate to the same list.
    QList<Outcome> paged;
    for (query.offset = 0, query.limit = 3; query.offset < page->total + 3; query.offset += 3) {
        const Result<ResultPage> part = store.readResults(id, query);
        FUZZ_CHECK(part.hasValue() && part->total == page->total);
        FUZZ_CHECK(part->outcomes.size() <= 3);
        paged += part->outcomes;
    }
    FUZZ_CHECK(sameOutcomes(paged, all.outcomes));

    // The outcome filters partition the results.
    int filtered = 0;
    for (int k = 0; k < OutcomeKindCount; ++k) {
        query.offset = 0;
        query.limit = int(all.outcomes.size());
        query.outcome = OutcomeKind(k);
        const Result<ResultPage> part = store.readResults(id, query);
        FUZZ_CHECK(part.hasValue() && part->outcomes.size() == part->total);
        for (const Outcome &o : part->outcomes) {
            FUZZ_CHECK(o.outcome == OutcomeKind(k));
        }
        filtered += part->total;
    }
    FUZZ_CHECK(filtered == all.outcomes.size());

    // findResult: the newest line of each node.
    for (qsizetype i = 0; i < all.outcomes.size(); ++i) {
        const Outcome &o = all.outcomes.at(i);
        bool newest = true;
        for (qsizetype j = i + 1; j < all.outcomes.size() && newest; ++j) {
            newest = all.outcomes.at(j).node != o.node;
        }
        if (!newest) {
            continue;
        }
        const Result<Outcome> found = store.findResult(id, o.node);
        FUZZ_CHECK(found.hasValue() && serialised(*found) == serialised(o));
        const Result<Outcome> back = Outcome::fromJson(o.toJson());
        FUZZ_CHECK(back.hasValue() && serialised(*back) == serialised(o));
    }

    // Write what was read to a new hunt (the writer's path) and read it back.
    if (!all.outcomes.isEmpty()) {
        // Emptied, not re-created: creating a hunt fsyncs its manifest, which cost 90% of a run.
        FUZZ_CHECK(QFile::resize(fixture->copyPath, 0) || !QFile::exists(fixture->copyPath));
        ResultStore writer(fixture->dir.path());
        FUZZ_CHECK(writer.appendResults(fixture->copyId, all.outcomes).hasValue());
        const Streamed copy = stream(writer, fixture->copyId);
        FUZZ_CHECK(copy.skipped == 0);
        FUZZ_CHECK(sameOutcomes(copy.outcomes, all.outcomes));
    }
    return 0;
}
