#include "core/base/huntid.h"

#include <cstring>

#include <QDateTime>
#include <QMutex>
#include <QRandomGenerator>

namespace Artemis {

namespace {
constexpr char Alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32
constexpr int IdLength = 26;
} // namespace

QString newHuntId()
{
    static QMutex mutex;
    static qint64 lastMs = -1;
    static quint8 lastRandom[10] = {};

    const QMutexLocker lock(&mutex);
    qint64 ms = QDateTime::currentMSecsSinceEpoch();
    quint8 random[10];
    if (ms <= lastMs) {
        // Same (or earlier: clock stepped back) millisecond: keep the time, add one to the
        // random part, so ids stay strictly increasing.
        ms = lastMs;
        std::copy(std::begin(lastRandom), std::end(lastRandom), std::begin(random));
        for (int i = 9; i >= 0; --i) {
            if (++random[i] != 0) {
                break;
            }
        }
    } else {
        quint32 words[3];
        QRandomGenerator::system()->fillRange(words);
        std::memcpy(random, words, sizeof(random));
        random[0] &= 0x7f; // headroom so increments within one millisecond never wrap
    }
    lastMs = ms;
    std::copy(std::begin(random), std::end(random), std::begin(lastRandom));

    // 128 bits: 48 of time, 80 of randomness, written as 26 base32 digits (130 bits).
    QString id(IdLength, QChar(u'0'));
    quint64 hi = quint64(ms) << 16 | quint64(random[0]) << 8 | random[1]; // 64 bits
    quint64 lo = 0;                                                       // 64 bits
    for (int i = 2; i < 10; ++i) {
        lo = lo << 8 | random[i];
    }
    for (int i = IdLength - 1; i >= 0; --i) {
        id[i] = QChar::fromLatin1(Alphabet[lo & 31]);
        lo = (lo >> 5) | ((hi & 31) << 59);
        hi >>= 5;
    }
    return id;
}

bool isValidHuntId(QStringView id)
{
    if (id.size() != IdLength) {
        return false;
    }
    for (const QChar c : id) {
        if (c.unicode() == 0 || c.unicode() > 127 || !std::strchr(Alphabet, char(c.unicode()))) {
            return false;
        }
    }
    return true;
}

} // namespace Artemis
