// Reports and journals are written whole or not at all.

#include "common/Errors.hpp"
#include "common/FileWrites.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

class TestFileWrites : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAndReplaces();
    void failureLeavesTheOldFileAndNoTemporary();
};

void TestFileWrites::writesAndReplaces()
{
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "report.json";
    pulse::writeFileAtomically(file, "{\"a\": 1}\n");
    QCOMPARE(readAll(file), std::string("{\"a\": 1}\n"));
    const std::string big(3 * 1024 * 1024, 'x');  // several write(2) calls' worth
    pulse::writeFileAtomically(file, big);
    QCOMPARE(readAll(file), big);
    QCOMPARE(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator{}), 1);
}

void TestFileWrites::failureLeavesTheOldFileAndNoTemporary()
{
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "report.json";
    pulse::writeFileAtomically(file, "old");
    // The target is a directory now: rename() fails after the data was written.
    const fs::path blocked = fs::path(dir.path().toStdString()) / "taken";
    fs::create_directory(blocked);
    fs::create_directory(blocked / "inside");  // a non-empty directory cannot be replaced
    try {
        pulse::writeFileAtomically(blocked, "new");
        QFAIL("replaced a directory");
    } catch (const pulse::Error& e) {
        QVERIFY2(std::string(e.what()).find("could not write") != std::string::npos, e.what());
    }
    QCOMPARE(readAll(file), std::string("old"));
    QCOMPARE(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator{}), 2);

    try {
        pulse::writeFileAtomically("/nonexistent-dir/report.json", "x");
        QFAIL("wrote into a missing directory");
    } catch (const pulse::Error& e) {
        QVERIFY2(std::string(e.what()).find("/nonexistent-dir/report.json") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(TestFileWrites)
#include "tst_file_writes.moc"
