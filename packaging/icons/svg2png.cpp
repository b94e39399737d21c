// svg2png: renders the application's SVG icon into the PNG sizes of the
// hicolor theme at build time, so only the SVG is kept in the repository.
// Qt's own renderer (Qt6::Svg is already a dependency) instead of a separate
// converter: nothing more to install, and the PNGs look like the icon Qt
// draws in the window.
//
// Usage: svg2png INPUT.svg SIZE OUTPUT.png [SIZE OUTPUT.png ...]

#include <QByteArray>
#include <QImage>
#include <QPainter>
#include <QString>
#include <QSvgRenderer>

#include <cstdio>

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "svg2png: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4 || argc % 2 != 0)
        return fail(QStringLiteral("usage: svg2png INPUT.svg SIZE OUTPUT.png [SIZE OUTPUT.png ...]"));

    const QString input = QString::fromLocal8Bit(argv[1]);
    QSvgRenderer renderer(input);
    // A broken SVG must break the build, not ship as blank PNGs.
    if (!renderer.isValid())
        return fail(QStringLiteral("%1: not a valid SVG").arg(input));

    for (int i = 2; i < argc; i += 2) {
        bool ok = false;
        const int size = QByteArray(argv[i]).toInt(&ok);
        if (!ok || size < 1 || size > 4096)
            return fail(
                QStringLiteral("%1: expected a size in pixels from 1 to 4096").arg(QString::fromLocal8Bit(argv[i])));

        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            renderer.render(&painter);
        }
        const QString output = QString::fromLocal8Bit(argv[i + 1]);
        if (!image.save(output, "PNG"))
            return fail(QStringLiteral("cannot write %1").arg(output));
    }
    return 0;
}
