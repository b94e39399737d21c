#include "charts/LineDecimator.hpp"

#include <algorithm>
#include <cmath>

namespace pulse::ui {

QList<QPointF> LineDecimator::reduce(const QList<QPointF>& points, double fromX, double toX, int columns, double scale)
{
    // Flat runs first: lossless, and usually the larger saving.
    QList<QPointF> kept;
    kept.reserve(points.size());
    const qsizetype n = points.size();
    for (qsizetype i = 0; i < n; ++i) {
        const double y = points[i].y();
        const bool sameAsBefore = i > 0 && points[i - 1].y() == y;
        const bool sameAsAfter = i + 1 < n && points[i + 1].y() == y;
        if (!(sameAsBefore && sameAsAfter))
            kept.append(QPointF(points[i].x(), y * scale));
    }
    columns = std::max(columns, 1);
    if (kept.size() <= 2 * qsizetype(columns) || toX <= fromX)
        return kept;

    // Min and max per pixel column, in time order.
    QList<QPointF> reduced;
    reduced.reserve(2 * qsizetype(columns) + 2);
    const double width = (toX - fromX) / columns;
    // The point at toX belongs to the last column, not one past it.
    const auto columnOf
        = [&](const QPointF& p) { return std::min(std::floor((p.x() - fromX) / width), columns - 1.0); };
    qsizetype i = 0;
    while (i < kept.size()) {
        const double column = columnOf(kept[i]);
        qsizetype low = i, high = i, j = i + 1;
        while (j < kept.size() && columnOf(kept[j]) == column) {
            if (kept[j].y() < kept[low].y())
                low = j;
            if (kept[j].y() > kept[high].y())
                high = j;
            ++j;
        }
        reduced.append(kept[std::min(low, high)]);
        if (low != high)
            reduced.append(kept[std::max(low, high)]);
        i = j;
    }
    return reduced;
}

std::vector<QList<QPointF>> LineDecimator::reduceSegments(const QList<QPointF>& points, double fromX, double toX,
    int columns, double scale, double gap, size_t maxPieces)
{
    // Where the gaps are (index of the first point after each), widest first
    // when there are too many.
    std::vector<std::pair<double, qsizetype>> gaps;
    for (qsizetype i = 1; i < points.size(); ++i)
        if (const double step = points[i].x() - points[i - 1].x(); step > gap)
            gaps.emplace_back(step, i);
    maxPieces = std::max<size_t>(maxPieces, 1);
    if (gaps.size() > maxPieces - 1) {
        std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(maxPieces - 1), gaps.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
        gaps.resize(maxPieces - 1);
    }
    std::vector<qsizetype> cuts;
    cuts.reserve(gaps.size() + 1);
    for (const auto& g : gaps)
        cuts.push_back(g.second);
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(points.size());

    std::vector<QList<QPointF>> pieces;
    pieces.reserve(cuts.size());
    qsizetype begin = 0;
    for (const qsizetype end : cuts) {
        if (end > begin)
            pieces.push_back(reduce(points.mid(begin, end - begin), fromX, toX, columns, scale));
        begin = end;
    }
    return pieces;
}

} // namespace pulse::ui
