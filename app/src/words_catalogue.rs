//! The words of the disclosure catalogue (公开目录) in the workbench, in Simplified Chinese
//! and English: only the workbench uses them, so no other bundle carries them.

use sunlight_api::catalogue::{Frequency, Light, Section, Standing};

use crate::i18n::{Lang, lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C {
    Disclosures,
    Completeness,
    Catalogue,
    Queue,
    QueueEmpty,
    NewEntry,
    Item,
    Period,
    PeriodHintMonthly,
    PeriodHintQuarterly,
    PeriodHintYearly,
    PeriodHintEvent,
    EntryTitle,
    EntryBody,
    Create,
    Submit,
    Publish,
    Return,
    ReturnNote,
    ReturnedBecause,
    Files,
    AttachFile,
    NoFiles,
    Draft,
    Submitted,
    Published,
    StillToDo,
    NothingToDo,
    Entries,
    NoEntries,
    Due,
    WriteIt,
    LedgerItem,
    MissingItems,
    NoVillages,
    CountsLine,
    DeadlineDays,
    DeadlineDay,
    Frequency,
    Section,
    Title,
    Remove,
    AddItem,
    SaveCatalogue,
    Saved,
    FromNextMonth,
    DefaultCatalogue,
    PublicPage,
    SealedBy,
    TodoToReview,
    TodoMissing,
    TodoRed,
    Legend,
    RobotTitle,
    RobotHint,
    RobotUrl,
    RobotSet,
    RobotRemove,
    RobotNone,
    Deliveries,
    DeliveryPending,
    DeliverySent,
    DeliveryFailed,
    Attempts,
    Wecom,
    Dingtalk,
}

pub fn cw(key: C) -> &'static str {
    let (zh, en) = match key {
        C::Disclosures => ("公开事项", "Disclosures"),
        C::Completeness => ("公开完成情况", "Disclosure completeness"),
        C::Catalogue => ("公开目录", "Disclosure catalogue"),
        C::Queue => ("公开事项审核", "Disclosures to review"),
        C::QueueEmpty => ("没有待审核的公开事项。", "No disclosures wait for review."),
        C::NewEntry => ("填报公开事项", "Write a disclosure"),
        C::Item => ("公开项目", "Item"),
        C::Period => ("期间", "Period"),
        C::PeriodHintMonthly => ("按月填写，如 2026-03", "A month, e.g. 2026-03"),
        C::PeriodHintQuarterly => ("按季度填写，如 2026-Q1", "A quarter, e.g. 2026-Q1"),
        C::PeriodHintYearly => ("按年填写，如 2026", "A year, e.g. 2026"),
        C::PeriodHintEvent => ("事情发生的日期，如 2026-03-15", "The day it happened, e.g. 2026-03-15"),
        C::EntryTitle => ("标题", "Title"),
        C::EntryBody => ("公开内容", "What is disclosed"),
        C::Create => ("保存草稿", "Save as draft"),
        C::Submit => ("提交镇里审核", "Submit to the township"),
        C::Publish => ("审核通过并公开", "Approve and publish"),
        C::Return => ("退回修改", "Send back"),
        C::ReturnNote => ("退回原因（村里能看到）", "Why (the village sees this)"),
        C::ReturnedBecause => ("镇里退回：", "Sent back by the township: "),
        C::Files => ("照片和文件", "Photos and documents"),
        C::AttachFile => ("拍照或选择文件", "Photo or document"),
        C::NoFiles => ("还没有附件。", "Nothing attached yet."),
        C::Draft => ("草稿", "Draft"),
        C::Submitted => ("待审核", "Waiting for review"),
        C::Published => ("已公开", "Published"),
        C::StillToDo => ("待公开和逾期未公开", "Due and missing"),
        C::NothingToDo => ("到期的事项都已公开。", "Everything due is published."),
        C::Entries => ("本年填报的事项", "This year's entries"),
        C::NoEntries => ("本年还没有填报。", "Nothing written this year yet."),
        C::Due => ("截止", "Due"),
        C::WriteIt => ("填报", "Write it"),
        C::LedgerItem => ("在账目里录入并提交", "Entered and submitted in the accounts"),
        C::MissingItems => ("逾期未公开：", "Missing: "),
        C::NoVillages => ("这里没有村。", "No villages here."),
        C::CountsLine => (
            "按时 {0} · 逾期公开 {1} · 待公开 {2} · 未公开 {3}",
            "On time {0} · late {1} · due {2} · missing {3}",
        ),
        C::DeadlineDays => ("事后几天内", "Days after the event"),
        C::DeadlineDay => ("下期几号前", "Day of the next month"),
        C::Frequency => ("频次", "How often"),
        C::Section => ("类别", "Kind"),
        C::Title => ("名称", "Name"),
        C::Remove => ("移除", "Remove"),
        C::AddItem => ("添加项目", "Add an item"),
        C::SaveCatalogue => ("保存目录", "Save the catalogue"),
        C::Saved => ("已保存，下月起生效。", "Saved: applies from next month."),
        C::FromNextMonth => (
            "修改从下个月起生效；已开始的期间仍按原来的要求计算。",
            "Changes apply from next month; periods already begun keep their rules.",
        ),
        C::DefaultCatalogue => (
            "现在用的是默认目录（27 项）。",
            "The default catalogue (27 items) applies.",
        ),
        C::PublicPage => ("村民看到的公开栏", "The villagers' page"),
        C::SealedBy => ("审核：", "Sealed by "),
        C::TodoToReview => ("公开事项待审核", "Disclosures to review"),
        C::TodoMissing => ("公开事项逾期未公开", "Disclosures missing"),
        C::TodoRed => ("公开亮红灯的村", "Villages in red"),
        C::Legend => (
            "红：有逾期未公开的事项；黄：有逾期公开的，或三天内到期；绿：都按时公开。",
            "Red: something past its deadline is unpublished; yellow: published late, or due within three days; green: all on time.",
        ),
        C::RobotTitle => ("村民群推送", "Post to the village group"),
        C::RobotHint => (
            "在企业微信或钉钉群里添加“群机器人”，把它的 Webhook 地址粘贴到这里：公开账目、更正和公开事项时，群里会自动收到一条消息和链接。只接受企业微信和钉钉的地址。",
            "Add a group robot in the WeCom or DingTalk group and paste its webhook here: publishing accounts, corrections and disclosures then posts a message with a link. Only WeCom and DingTalk addresses are accepted.",
        ),
        C::RobotUrl => ("Webhook 地址", "Webhook address"),
        C::RobotSet => ("已设置：", "Set: "),
        C::RobotRemove => ("停用", "Turn off"),
        C::RobotNone => ("还没有设置群机器人。", "No group robot is set."),
        C::Deliveries => ("最近发到群里的消息", "Recent messages to the group"),
        C::DeliveryPending => ("待发送", "Waiting"),
        C::DeliverySent => ("已发送", "Sent"),
        C::DeliveryFailed => ("发送失败", "Failed"),
        C::Attempts => ("已尝试 {} 次", "{} attempts"),
        C::Wecom => ("企业微信", "WeCom"),
        C::Dingtalk => ("钉钉", "DingTalk"),
    };
    match lang() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

pub fn section_name(s: Section) -> &'static str {
    match (lang(), s) {
        (Lang::Zh, s) => s.title(),
        (Lang::En, Section::Party) => "Party affairs",
        (Lang::En, Section::Village) => "Village affairs",
        (Lang::En, Section::Finance) => "Finances",
    }
}

pub fn frequency_name(f: Frequency) -> &'static str {
    match (lang(), f) {
        (Lang::Zh, f) => f.title(),
        (Lang::En, Frequency::Monthly) => "Monthly",
        (Lang::En, Frequency::Quarterly) => "Quarterly",
        (Lang::En, Frequency::Yearly) => "Yearly",
        (Lang::En, Frequency::Event) => "Per event",
    }
}

pub fn standing_name(s: Standing) -> &'static str {
    match (lang(), s) {
        (Lang::Zh, s) => s.title(),
        (Lang::En, Standing::Missing) => "Missing",
        (Lang::En, Standing::Late) => "Published late",
        (Lang::En, Standing::Due) => "Due",
        (Lang::En, Standing::OnTime) => "On time",
    }
}

pub fn light_name(l: Light) -> &'static str {
    match (lang(), l) {
        (Lang::Zh, l) => l.title(),
        (Lang::En, Light::Red) => "Red",
        (Lang::En, Light::Yellow) => "Yellow",
        (Lang::En, Light::Green) => "Green",
    }
}
