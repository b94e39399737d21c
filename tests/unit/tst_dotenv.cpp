// Unit tests of DotEnvParser: the dotenv rules users expect, and errors that
// name file:line, say what to write, and never echo a secret.

#include "config/DotEnvParser.hpp"

#include <QtTest>

#include <fstream>
#include <string>

using pulse::DotEnvParser;
using pulse::DotEnvResult;

namespace {

const std::string kFile = "test.env";

QByteArray qb(const std::string& s)
{
    return QByteArray::fromStdString(s);
}

QByteArray allMessages(const DotEnvResult& result)
{
    QByteArray text;
    for (const auto& error : result.errors)
        text += qb(error.message) + '\n';
    return text;
}

}  // namespace

class TestDotEnv : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesValue_data();
    void parsesValue();
    void wholeFile();
    void lastDuplicateWins();
    void reportsError_data();
    void reportsError();
    void reportsEveryErrorAtOnce();
    void neverEchoesSecrets_data();
    void neverEchoesSecrets();
    void skipsContinuationOfMultiLineValue();
    void parseFile();
    void unreadableFile();
};

void TestDotEnv::parsesValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("value");

    // The client's own .env line: the comment after whitespace is not part of the value.
    QTest::addRow("plan line with inline comment") << QByteArray("DB_POOL_SIZE=20    # Up from 5")
                                                   << QByteArray("DB_POOL_SIZE") << QByteArray("20");
    QTest::addRow("hash without space kept") << QByteArray("A=abc#def") << QByteArray("A") << QByteArray("abc#def");
    QTest::addRow("comment after tab") << QByteArray("A=abc\t# note") << QByteArray("A") << QByteArray("abc");
    QTest::addRow("hash right after =") << QByteArray("A=#abc") << QByteArray("A") << QByteArray("#abc");
    QTest::addRow("only a comment after =") << QByteArray("A=   # nothing") << QByteArray("A") << QByteArray("");
    QTest::addRow("export prefix") << QByteArray("export A=1") << QByteArray("A") << QByteArray("1");
    QTest::addRow("export prefix with tab and spaces") << QByteArray("export\t  A=1") << QByteArray("A")
                                                       << QByteArray("1");
    QTest::addRow("key named export") << QByteArray("export=1") << QByteArray("export") << QByteArray("1");
    QTest::addRow("key starting with export") << QByteArray("exported=1") << QByteArray("exported")
                                              << QByteArray("1");
    QTest::addRow("whitespace around key and =") << QByteArray("  A \t=  value  ") << QByteArray("A")
                                                 << QByteArray("value");
    QTest::addRow("inner spaces kept") << QByteArray("A=hello  world") << QByteArray("A")
                                       << QByteArray("hello  world");
    QTest::addRow("empty value") << QByteArray("A=") << QByteArray("A") << QByteArray("");
    QTest::addRow("empty double quotes") << QByteArray("A=\"\"") << QByteArray("A") << QByteArray("");
    QTest::addRow("empty single quotes") << QByteArray("A=''") << QByteArray("A") << QByteArray("");
    QTest::addRow("= inside value") << QByteArray("A=b=c") << QByteArray("A") << QByteArray("b=c");
    QTest::addRow("lower-case key") << QByteArray("_a1=x") << QByteArray("_a1") << QByteArray("x");
    QTest::addRow("single quotes are literal") << QByteArray(R"(A='a\nb $HOME "q"')") << QByteArray("A")
                                               << QByteArray(R"(a\nb $HOME "q")");
    QTest::addRow("hash inside single quotes") << QByteArray("A='x # y'") << QByteArray("A")
                                               << QByteArray("x # y");
    QTest::addRow("hash inside double quotes") << QByteArray("A=\"x # y\"") << QByteArray("A")
                                               << QByteArray("x # y");
    QTest::addRow("double-quote escapes") << QByteArray(R"(A="a\nb\tc\"d\\e\$f")") << QByteArray("A")
                                          << QByteArray("a\nb\tc\"d\\e$f");
    QTest::addRow("unknown escape kept") << QByteArray(R"(A="C:\path\x")") << QByteArray("A")
                                         << QByteArray(R"(C:\path\x)");
    QTest::addRow("spaces inside quotes kept") << QByteArray("A=\"  x  \"") << QByteArray("A")
                                               << QByteArray("  x  ");
    QTest::addRow("spaces before the quote") << QByteArray("A =   'x'") << QByteArray("A") << QByteArray("x");
    QTest::addRow("comment after closing quote") << QByteArray("A=\"x\"   # note") << QByteArray("A")
                                                 << QByteArray("x");
    QTest::addRow("hash right after closing quote") << QByteArray("A='x'#note") << QByteArray("A")
                                                    << QByteArray("x");
    QTest::addRow("whitespace after closing quote") << QByteArray("A='x'  \t") << QByteArray("A")
                                                    << QByteArray("x");
    QTest::addRow("quote inside unquoted value") << QByteArray("A=it's") << QByteArray("A") << QByteArray("it's");
    QTest::addRow("CRLF line ending") << QByteArray("A=1\r\n") << QByteArray("A") << QByteArray("1");
    QTest::addRow("CRLF after quoted value") << QByteArray("A=\"1 \"\r\n") << QByteArray("A") << QByteArray("1 ");
    QTest::addRow("UTF-8 BOM") << QByteArray("\xEF\xBB\xBF" "A=1") << QByteArray("A") << QByteArray("1");
    QTest::addRow("UTF-8 value") << QByteArray("A=h\xC3\xA9llo") << QByteArray("A") << QByteArray("h\xC3\xA9llo");
}

void TestDotEnv::parsesValue()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, value);

    const auto result = DotEnvParser::parse(text.toStdString(), kFile);
    QVERIFY2(result.ok(), allMessages(result).constData());
    QCOMPARE(result.entries.size(), std::size_t(1));
    QCOMPARE(qb(result.entries[0].key), key);
    QCOMPARE(qb(result.entries[0].value), value);
    QCOMPARE(result.entries[0].line, 1);
}

void TestDotEnv::wholeFile()
{
    const std::string text = "# Database Connection Pool Settings\r\n"
                             "\r\n"
                             "   \t\n"
                             "  # indented comment\n"
                             "DB_POOL_SIZE=20                    # Up from 5\r\n"
                             "export DB_MAX_OVERFLOW=30\n"
                             "\n"
                             "POSTGRES_PASSWORD='p#ss w\"rd'\n"
                             "EMPTY=";  // no newline at the end
    const auto result = DotEnvParser::parse(text, kFile);
    QVERIFY2(result.ok(), allMessages(result).constData());
    QCOMPARE(result.entries.size(), std::size_t(4));
    QCOMPARE(qb(result.entries[0].key), QByteArray("DB_POOL_SIZE"));
    QCOMPARE(qb(result.entries[0].value), QByteArray("20"));
    QCOMPARE(result.entries[0].line, 5);
    QCOMPARE(qb(result.entries[1].key), QByteArray("DB_MAX_OVERFLOW"));
    QCOMPARE(result.entries[1].line, 6);
    QCOMPARE(qb(result.entries[2].value), QByteArray("p#ss w\"rd"));
    QCOMPARE(result.entries[2].line, 8);
    QCOMPARE(qb(result.entries[3].key), QByteArray("EMPTY"));
    QCOMPARE(qb(result.entries[3].value), QByteArray(""));
    QCOMPARE(result.entries[3].line, 9);

    QVERIFY(DotEnvParser::parse("", kFile).entries.empty());
    QVERIFY(DotEnvParser::parse("", kFile).ok());
}

void TestDotEnv::lastDuplicateWins()
{
    const auto result = DotEnvParser::parse("A=1\nB=x\nA=2\n", kFile);
    QVERIFY(result.ok());
    QCOMPARE(result.entries.size(), std::size_t(2));
    QCOMPARE(qb(result.entries[0].key), QByteArray("B"));
    QCOMPARE(qb(result.entries[1].key), QByteArray("A"));
    QCOMPARE(qb(result.entries[1].value), QByteArray("2"));
    QCOMPARE(result.entries[1].line, 3);
}

void TestDotEnv::reportsError_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QByteArray>("message");  // the whole text after "test.env:<line>: "

    QTest::addRow("no =") << QByteArray("A=1\n\nDB_POOL_SIZE 20\n") << 3
                          << QByteArray("`DB_POOL_SIZE 20` has no '='; write KEY=value");
    QTest::addRow("export without =") << QByteArray("export A\n") << 1
                                      << QByteArray("`A` has no '='; write KEY=value");
    QTest::addRow("no key") << QByteArray("A=1\n=5\n") << 2 << QByteArray("no key before '='; write KEY=value");
    QTest::addRow("key starts with a digit")
        << QByteArray("1A=2") << 1
        << QByteArray("`1A` is not a valid key; use letters, digits and _, not starting with a digit");
    QTest::addRow("dash in key")
        << QByteArray("\n\nMY-KEY=2") << 3
        << QByteArray("`MY-KEY` is not a valid key; use letters, digits and _, not starting with a digit");
    QTest::addRow("space in key")
        << QByteArray("MY KEY=2") << 1
        << QByteArray("`MY KEY` is not a valid key; use letters, digits and _, not starting with a digit");
    QTest::addRow("unterminated double quote")
        << QByteArray("A=1\nB=\"abc\nC=3\n") << 2
        << QByteArray("B: the value opened with a double quote (\") is not closed on this line; add the closing "
                      "quote (values cannot span several lines)");
    QTest::addRow("unterminated single quote")
        << QByteArray("B='abc") << 1
        << QByteArray("B: the value opened with a single quote (') is not closed on this line; add the closing "
                      "quote (values cannot span several lines)");
    QTest::addRow("escaped quote does not close")
        << QByteArray(R"(B="abc\")") << 1
        << QByteArray("B: the value opened with a double quote (\") is not closed on this line; add the closing "
                      "quote (values cannot span several lines)");
    QTest::addRow("text after closing quote")
        << QByteArray("B=\"abc\" def") << 1
        << QByteArray("B: unexpected text after the closing double quote (\"); start a comment with '#' or put "
                      "the whole value inside the quotes");
    QTest::addRow("CRLF keeps line numbers") << QByteArray("A=1\r\nB=2\r\n\r\nbroken\r\n") << 4
                                             << QByteArray("`broken` has no '='; write KEY=value");
}

void TestDotEnv::reportsError()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(QByteArray, message);

    const auto result = DotEnvParser::parse(text.toStdString(), kFile);
    QCOMPARE(result.errors.size(), std::size_t(1));
    const auto& error = result.errors.front();
    const std::string location = kFile + ":" + std::to_string(line);
    QCOMPARE(qb(error.location), qb(location));
    QCOMPARE(qb(error.message), qb(location + ": ") + message);
    QVERIFY(!error.expected.empty());
    QVERIFY(error.value.empty());  // parse errors never carry a value
    for (const auto& entry : result.entries)
        QVERIFY(entry.line != line);  // the broken line yields no entry
}

void TestDotEnv::reportsEveryErrorAtOnce()
{
    const std::string text = "GOOD=1\n"
                             "DB_POOL_SIZE 20\n"
                             "1BAD=x\n"
                             "ALSO_GOOD='y'\n"
                             "Q='open\n"
                             "=nokey\n"
                             "LAST=\"z\" trailing\n"
                             "END=ok\n";
    const auto result = DotEnvParser::parse(text, kFile);
    QCOMPARE(result.errors.size(), std::size_t(5));
    const std::vector<std::string> locations{"test.env:2", "test.env:3", "test.env:5", "test.env:6", "test.env:7"};
    for (std::size_t i = 0; i < locations.size(); ++i)
        QCOMPARE(qb(result.errors[i].location), qb(locations[i]));
    QCOMPARE(result.entries.size(), std::size_t(3));
    QCOMPARE(qb(result.entries[0].key), QByteArray("GOOD"));
    QCOMPARE(qb(result.entries[1].key), QByteArray("ALSO_GOOD"));
    QCOMPARE(qb(result.entries[2].key), QByteArray("END"));
}

void TestDotEnv::neverEchoesSecrets_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::addRow("password line without =") << QByteArray("POSTGRES_PASSWORD hunter2");
    QTest::addRow("token line without =") << QByteArray("github token hunter2");
    QTest::addRow("unterminated quoted password") << QByteArray("POSTGRES_PASSWORD=\"hunter2");
    QTest::addRow("text after quoted password") << QByteArray("POSTGRES_PASSWORD='hunter' hunter2");
    QTest::addRow("invalid key before a password") << QByteArray("MY-PASSWORD=hunter2");
}

void TestDotEnv::neverEchoesSecrets()
{
    QFETCH(QByteArray, text);

    const auto result = DotEnvParser::parse(text.toStdString(), kFile);
    QCOMPARE(result.errors.size(), std::size_t(1));
    QVERIFY2(!allMessages(result).contains("hunter2"), allMessages(result).constData());
}

void TestDotEnv::skipsContinuationOfMultiLineValue()
{
    // Another application's PEM key in a shared .env: one error, not one per
    // line, and no piece of the key in any message.
    const std::string text = "OTHER_APP_KEY=\"-----BEGIN PRIVATE KEY-----\n"
                             "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
                             "-----END PRIVATE KEY-----\"\n"
                             "DB_POOL_SIZE=20\n";
    const auto result = DotEnvParser::parse(text, kFile);
    QCOMPARE(result.errors.size(), std::size_t(1));
    QCOMPARE(qb(result.errors[0].location), QByteArray("test.env:1"));
    QVERIFY(qb(result.errors[0].message).contains("lines 2-3 look like the rest of it and were skipped"));
    QVERIFY(!allMessages(result).contains("MIIEvQ"));
    QCOMPARE(result.entries.size(), std::size_t(1));
    QCOMPARE(qb(result.entries[0].key), QByteArray("DB_POOL_SIZE"));
    QCOMPARE(result.entries[0].line, 4);
}

void TestDotEnv::parseFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("app.env")).toStdString();
    {
        std::ofstream out(path, std::ios::binary);
        out << "A=1\r\nB 2\r\n";
    }
    const auto result = DotEnvParser::parseFile(path);
    QCOMPARE(result.entries.size(), std::size_t(1));
    QCOMPARE(qb(result.entries[0].value), QByteArray("1"));
    QCOMPARE(result.errors.size(), std::size_t(1));
    QCOMPARE(qb(result.errors[0].location), qb(path + ":2"));
}

void TestDotEnv::unreadableFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string missing = dir.filePath(QStringLiteral("missing.env")).toStdString();

    const auto result = DotEnvParser::parseFile(missing);
    QVERIFY(result.entries.empty());
    QCOMPARE(result.errors.size(), std::size_t(1));
    QCOMPARE(qb(result.errors[0].location), qb(missing));
    QCOMPARE(qb(result.errors[0].message), qb(missing + ": cannot read the file: No such file or directory"));

    const std::string directory = dir.path().toStdString();
    const auto asDirectory = DotEnvParser::parseFile(directory);
    QCOMPARE(asDirectory.errors.size(), std::size_t(1));
    QCOMPARE(qb(asDirectory.errors[0].message), qb(directory + ": cannot read the file: it is a directory"));
}

QTEST_GUILESS_MAIN(TestDotEnv)
#include "tst_dotenv.moc"
