// docs/configuration.md documents every setting of the catalogue: one table
// row per key, between the markers <!-- settings:begin --> and
// <!-- settings:end -->, whose second cell is the catalogue's default
// (`20`, or (empty)); one "### <group>" heading per display group; every
// row's key is a catalogue key (no stale entries); and the open-ended
// DRILL_COMMAND_<ACTION>_<NODE> family with every action. Fails when a
// setting is added, renamed or given another default without the document.

#include "config/SettingCatalog.hpp"
#include "topology/NodeAction.hpp"

#include <QFile>
#include <QMap>
#include <QStringList>
#include <QtTest>

namespace {

struct SettingsSection {
    QString text;                 // between the markers
    QMap<QString, QString> rows;  // key -> default cell, as written
    QStringList duplicates;
    bool found = false;
};

QString documentPath()
{
    return QStringLiteral(PULSE_CONFIGURATION_DOC);
}

const SettingsSection& section()
{
    static const SettingsSection parsed = [] {
        SettingsSection s;
        QFile file(documentPath());
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            return s;
        const QString all = QString::fromUtf8(file.readAll());
        const qsizetype begin = all.indexOf(QStringLiteral("<!-- settings:begin -->"));
        const qsizetype end = all.indexOf(QStringLiteral("<!-- settings:end -->"));
        if (begin < 0 || end < begin)
            return s;
        s.found = true;
        s.text = all.mid(begin, end - begin);
        for (const QString& line : s.text.split(u'\n')) {
            // | `KEY` | default | allowed | meaning | used by | at run time |
            if (!line.startsWith(QStringLiteral("| `")))
                continue;
            const QStringList cells = line.split(u'|');
            if (cells.size() < 4)
                continue;
            QString key = cells.at(1).trimmed();
            key = key.mid(1, key.size() - 2);  // without the backticks
            if (s.rows.contains(key))
                s.duplicates << key;
            s.rows.insert(key, cells.at(2).trimmed());
        }
        return s;
    }();
    return parsed;
}

QString expectedDefaultCell(std::string_view defaultValue)
{
    if (defaultValue.empty())
        return QStringLiteral("(empty)");
    return u'`' + QString::fromUtf8(defaultValue.data(), static_cast<qsizetype>(defaultValue.size())) + u'`';
}

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

}  // namespace

class TestConfigurationDoc : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void documentHasSettingsSection();
    void everySettingDocumented_data();
    void everySettingDocumented();
    void everyGroupHasHeading();
    void noStaleRows();
    void drillCommandFamilyDocumented();
};

void TestConfigurationDoc::documentHasSettingsSection()
{
    QVERIFY2(QFile::exists(documentPath()), qPrintable(documentPath()));
    QVERIFY2(section().found, "no <!-- settings:begin --> ... <!-- settings:end --> section");
    QVERIFY2(section().duplicates.isEmpty(), qPrintable(section().duplicates.join(u' ')));
}

void TestConfigurationDoc::everySettingDocumented_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("defaultCell");
    for (const pulse::SettingDefinition& definition : pulse::SettingCatalog::all())
        QTest::addRow("%s", std::string(definition.key).c_str())
            << qs(definition.key) << expectedDefaultCell(definition.defaultValue);
}

void TestConfigurationDoc::everySettingDocumented()
{
    QFETCH(QString, key);
    QFETCH(QString, defaultCell);
    const auto& rows = section().rows;
    QVERIFY2(rows.contains(key), qPrintable(key + QStringLiteral(" has no row in ") + documentPath()));
    QCOMPARE(rows.value(key), defaultCell);
}

void TestConfigurationDoc::everyGroupHasHeading()
{
    for (const std::string_view group : pulse::SettingCatalog::groups()) {
        const QString heading = QStringLiteral("\n### ") + qs(group) + u'\n';
        QVERIFY2(section().text.contains(heading), qPrintable(QStringLiteral("no heading ### ") + qs(group)));
    }
}

void TestConfigurationDoc::noStaleRows()
{
    for (const QString& key : section().rows.keys())
        QVERIFY2(pulse::SettingCatalog::find(key.toStdString()) != nullptr ||
                     key == QStringLiteral("DRILL_COMMAND_<ACTION>_<NODE>"),
                 qPrintable(key + QStringLiteral(" is documented but not in the catalogue")));
}

void TestConfigurationDoc::drillCommandFamilyDocumented()
{
    QVERIFY(section().rows.contains(QStringLiteral("DRILL_COMMAND_<ACTION>_<NODE>")));
    for (const pulse::NodeAction action : pulse::kAllNodeActions) {
        const QString name = u'`' + qs(pulse::nodeActionName(action)).toUpper() + u'`';
        QVERIFY2(section().text.contains(name), qPrintable(name + QStringLiteral(" (a DRILL_COMMAND_ action)")));
    }
}

QTEST_GUILESS_MAIN(TestConfigurationDoc)
#include "tst_configuration_doc.moc"
