#pragma once
// Fewer points for the same picture: what a line hands to Qt Charts.
//
// An hour of one-second samples is 3600 points per line, several per pixel
// column of a chart, and Qt Charts' cost (geometry, the stroked hover shape,
// painting) grows with every point. Two reductions that keep the drawn line
// (to the pixel) the same:
//   - a run of equal values keeps its first and last point (a flat
//     capacity line becomes two points);
//   - when more points than about two per pixel column remain, each column's
//     time slice keeps its lowest and highest point in time order, so a
//     one-second spike still shows.
// And a line that stops (a node down, no samples) must not look like a ramp
// between the last value before and the first after: reduceSegments() cuts it
// where two consecutive points are further apart than a gap, and the chart
// draws each piece as its own series.
// Pure and stateless.

#include <QList>
#include <QPointF>

#include <vector>

namespace pulse::ui {

class LineDecimator {
public:
    // points: time-ordered (x ascending). Returns them with y multiplied by
    // `scale`, reduced as above for `columns` pixel columns over [fromX, toX].
    static QList<QPointF> reduce(
        const QList<QPointF>& points, double fromX, double toX, int columns, double scale = 1.0);

    // The same, per piece between gaps: consecutive points more than `gap`
    // apart in x end a piece. At most `maxPieces`: beyond that only the
    // widest gaps cut (a flapping node must not cost a series per blip).
    static std::vector<QList<QPointF>> reduceSegments(const QList<QPointF>& points, double fromX, double toX,
        int columns, double scale, double gap, size_t maxPieces);
};

} // namespace pulse::ui
