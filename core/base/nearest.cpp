#include "core/base/nearest.h"

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace Artemis {

int editDistance(QStringView a, QStringView b)
{
    std::vector<int> row(size_t(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j) {
        row[j] = int(j);
    }
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[size_t(j)];
            const bool same = a.at(i - 1).toCaseFolded() == b.at(j - 1).toCaseFolded();
            row[size_t(j)] =
                std::min({above + 1, row[size_t(j - 1)] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row.back();
}

QStringList nearestNames(QStringView typed, const QStringList &candidates, int max)
{
    const QStringView lastPart = typed.mid(typed.lastIndexOf(u'.') + 1);
    struct Match
    {
        int distance;
        qsizetype order;
    };
    std::vector<std::pair<Match, QString>> matches;
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        const QString &candidate = candidates.at(i);
        const int distance = editDistance(typed, candidate);
        const int allowed = std::clamp(int(std::max(typed.size(), candidate.size()) / 3), 1, 3);
        const QStringView candidateLast =
            QStringView(candidate).mid(candidate.lastIndexOf(u'.') + 1);
        const bool sameLast =
            !lastPart.isEmpty() && candidateLast.compare(lastPart, Qt::CaseInsensitive) == 0;
        if (candidate != typed && (distance <= allowed || sameLast)) {
            matches.push_back({{distance, i}, candidate});
        }
    }
    std::sort(matches.begin(), matches.end(), [](const auto &x, const auto &y) {
        return std::tie(x.first.distance, x.first.order)
               < std::tie(y.first.distance, y.first.order);
    });
    QStringList out;
    for (const auto &match : matches) {
        if (out.size() == max) {
            break;
        }
        out.append(match.second);
    }
    return out;
}

} // namespace Artemis
