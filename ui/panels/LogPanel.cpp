#include "panels/LogPanel.hpp"

#include "common/Logging.hpp"
#include "panels/LogSink.hpp"
#include "panels/LogTableModel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace pulse::ui {

LogPanel::LogPanel(std::shared_ptr<LogSink> sink, QWidget* parent)
    : QWidget(parent)
    , m_sink(std::move(sink))
    , m_model(new LogTableModel(LogTableModel::kDefaultCapacity, this))
    , m_filter(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("logPanel"));
    m_filter->setSourceModel(m_model);
    m_filter->setFilterKeyColumn(LogTableModel::LevelColumn);
    m_filter->setFilterRole(LogTableModel::LevelRole);

    m_levelCombo = new QComboBox(this);
    m_levelCombo->setObjectName(QStringLiteral("logLevelCombo"));
    m_levelCombo->setToolTip(QStringLiteral("Show records at this level and above. The loggers emit down to this "
                                            "level from now on; stderr and the log file keep their own level."));
    for (const auto level : {spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
             spdlog::level::err, spdlog::level::critical})
        m_levelCombo->addItem(LogTableModel::levelWord(level), static_cast<int>(level));
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            setMinimumLevel(static_cast<spdlog::level::level_enum>(m_levelCombo->itemData(index).toInt()));
    });

    m_follow = new QCheckBox(QStringLiteral("Follow newest"), this);
    m_follow->setObjectName(QStringLiteral("logFollowCheck"));
    m_follow->setChecked(true);

    auto* clearButton = new QPushButton(QStringLiteral("Clear"), this);
    clearButton->setObjectName(QStringLiteral("logClearButton"));
    connect(clearButton, &QPushButton::clicked, this, &LogPanel::clear);

    m_dropped = new QLabel(this);
    m_dropped->setObjectName(QStringLiteral("logDroppedLabel"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(QStringLiteral("Level:"), this));
    bar->addWidget(m_levelCombo);
    bar->addWidget(m_follow);
    bar->addStretch(1);
    bar->addWidget(m_dropped);
    bar->addWidget(clearButton);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("logTable"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setColumnWidth(LogTableModel::TimeColumn, 110);
    m_view->setColumnWidth(LogTableModel::LevelColumn, 90);
    m_view->setColumnWidth(LogTableModel::LoggerColumn, 90);
    m_view->setColumnWidth(LogTableModel::ThreadColumn, 70);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    m_levelCombo->setCurrentIndex(m_levelCombo->findData(static_cast<int>(spdlog::level::info)));

    m_timer = new QTimer(this);
    m_timer->setInterval(kDrainInterval);
    m_timer->setTimerType(Qt::CoarseTimer);
    connect(m_timer, &QTimer::timeout, this, &LogPanel::drainNow);
    m_timer->start();
}

LogPanel::~LogPanel() = default;

void LogPanel::setMinimumLevel(spdlog::level::level_enum level)
{
    m_minimumLevel = level;
    // Records below the loggers' level are never made: ask for them.
    pulse::setExtraSinksLevel(level);
    const int index = m_levelCombo->findData(static_cast<int>(level));
    if (index >= 0 && index != m_levelCombo->currentIndex())
        m_levelCombo->setCurrentIndex(index); // comes back here once, with the same level
    // The level's number and every one above it, up to critical (5).
    m_filter->setFilterRegularExpression(QRegularExpression(
        QStringLiteral("^[%1-%2]$").arg(static_cast<int>(level)).arg(static_cast<int>(spdlog::level::critical))));
}

void LogPanel::drainNow()
{
    if (!m_sink)
        return;
    auto records = m_sink->drain();
    if (const std::uint64_t dropped = m_sink->dropped(); dropped > 0)
        m_dropped->setText(QStringLiteral("%1 records dropped (the panel fell behind)").arg(dropped));
    if (records.empty())
        return;
    const bool follow = m_follow->isChecked();
    m_model->appendRecords(std::move(records));
    if (follow)
        m_view->scrollToBottom();
}

void LogPanel::clear()
{
    m_model->clear();
}

} // namespace pulse::ui
