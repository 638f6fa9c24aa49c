//! Every visible string of the client, in Simplified Chinese (the default) and English.
//! A `match` over every key makes a missing translation a compile error.

use leptos::prelude::*;
use sunlight_api::{ErrorCode, RegionLevel, Role, error::FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hans",
            Lang::En => "en",
        }
    }
}

/// The language in force, provided at the root.
pub fn lang() -> Lang {
    use_context::<RwSignal<Lang>>()
        .map(|s| s.get_untracked())
        .unwrap_or(Lang::Zh)
}

/// The words for `key` in the current language.
pub fn t(key: T) -> &'static str {
    key.text(lang())
}

/// Keys of the message table. Both bundles share it; each uses its own part.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    AppName,
    Loading,
    Retry,
    Offline,
    // Sign in, register, reset
    SignIn,
    SignOut,
    Register,
    ResetPassword,
    Mobile,
    Password,
    NewPassword,
    Name,
    InviteCode,
    ResetCode,
    NoAccountYet,
    ForgotPassword,
    BackToSignIn,
    PasswordHint,
    InviteHint,
    ResetHint,
    PasswordChanged,
    // Tabs
    TabDisclosures,
    TabDemands,
    TabReports,
    TabPolls,
    TabMe,
    TabWork,
    // Honest empty states of capabilities not yet open
    DemandsSoon,
    ReportsSoon,
    ComingTitle,
    // Me
    MyRoles,
    Language,
    LargeText,
    LargeTextHint,
    On,
    Off,
    GoToWork,
    GoToVillage,
    // Staff home
    WorkTitle,
    DemandInbox,
    DemandInboxEmpty,
    ReportInbox,
    ReportInboxEmpty,
    Manage,
    ManageHint,
    // Admin
    Subregions,
    Households,
    HouseholdNumber,
    HeadName,
    Members,
    AddHousehold,
    Add,
    ImportCsv,
    ImportHint,
    ImportDone,
    RowN,
    NoHouseholds,
    MoreItems,
    IssueInvite,
    CodeOnce,
    ExpiresAt,
    Invites,
    NoInvites,
    Revoke,
    Revoked,
    Expired,
    Used,
    Accounts,
    NoAccounts,
    CreateStaff,
    Role,
    InitialPassword,
    Create,
    Created,
    IssueResetCode,
    Close,
    NotFoundPage,
    Home,
    PollsTitle,
    NoPolls,
    PollUpcoming,
    PollOpen,
    PollClosed,
    Voted,
    VoteNow,
    Closes,
    Opens,
    ResultsHidden,
    ResultsHiddenLive,
    Turnout,
    Votes,
    PerHousehold,
    PerPerson,
    ChooseUpTo,
    Suggestions,
    ExportCsv,
    ExportXlsx,
    PollDocument,
    AttachDocument,
    NewPoll,
    PollTitle,
    QuestionKind,
    KindSingle,
    KindMultiple,
    KindRating,
    KindText,
    Prompt,
    OptionsOnePerLine,
    MaxChoices,
    DaysOpen,
    LiveResults,
    AllowChange,
    VoteChangeable,
    ChangeVote,
    ThankYou,
    YourSuggestion,
    Categories,
    CategoriesHint,
    Saved,
    AskQuestion,
    YourQuestion,
    Send,
    WaitingAnswer,
    AnswerLabel,
    Questions,
    ImportLedger,
    ImportLedgerHint,
    DownloadTemplate,
    ImportedLines,
    Income,
    Expense,
    Balance,
    ByCategory,
    NoPublished,
    MonthNotPublished,
    NoLines,
    Sealed,
    StatusDraft,
    StatusSubmitted,
    StatusPublished,
    LinePending,
    LineRejected,
    RejectReason,
    DuplicateInvoice,
    AddLine,
    Date,
    Kind,
    Amount,
    Category,
    Counterparty,
    IsPerson,
    InvoiceNo,
    Note,
    Save,
    Delete,
    Edit,
    AttachPhoto,
    PdfWarning,
    Uploading,
    SubmitMonth,
    Approve,
    Reject,
    PublishMonth,
    ReviewQueueTitle,
    QueueEmpty,
    OpenLedger,
    EnterThisMonth,
    OpenQueue,
    PrevYear,
    NextYear,
    Trend,
    Invoice,
    Reviewer,
    Pending,
    Approved,
    Rejected,
    SubmittedAt,
    CloseImage,
    DownloadPdf,
    YearTitle,
}

impl T {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            T::AppName => ("阳光村务", "Sunlight Village Affairs"),
            T::Loading => ("正在加载…", "Loading…"),
            T::Retry => ("重试", "Try again"),
            T::Offline => (
                "网络已断开，恢复后会自动重试。",
                "You are offline. We will retry when the network is back.",
            ),
            T::SignIn => ("登录", "Sign in"),
            T::SignOut => ("退出登录", "Sign out"),
            T::Register => ("注册", "Register"),
            T::ResetPassword => ("重设密码", "Reset password"),
            T::Mobile => ("手机号", "Mobile number"),
            T::Password => ("密码", "Password"),
            T::NewPassword => ("新密码", "New password"),
            T::Name => ("姓名", "Name"),
            T::InviteCode => ("邀请码", "Invite code"),
            T::ResetCode => ("重设码", "Reset code"),
            T::NoAccountYet => (
                "还没有账号？用邀请码注册",
                "No account yet? Register with an invite code",
            ),
            T::ForgotPassword => ("忘记密码？", "Forgot your password?"),
            T::BackToSignIn => ("返回登录", "Back to sign in"),
            T::PasswordHint => ("至少 8 位", "At least 8 characters"),
            T::InviteHint => (
                "邀请码由村干部发给您的家庭，例如 ABCD-EFGH。",
                "Your village cadre gives your household an invite code, e.g. ABCD-EFGH.",
            ),
            T::ResetHint => (
                "请到村委会找村干部当面领取重设码。",
                "Ask your village cadre in person for a reset code.",
            ),
            T::PasswordChanged => (
                "密码已重设，请用新密码登录。",
                "Password changed. Sign in with the new one.",
            ),
            T::TabDisclosures => ("公开", "Disclosures"),
            T::TabDemands => ("诉求", "Demands"),
            T::TabReports => ("举报", "Reports"),
            T::TabPolls => ("投票", "Polls"),
            T::TabMe => ("我的", "Me"),
            T::TabWork => ("工作台", "Work"),
            T::ComingTitle => ("功能建设中", "Not open yet"),
            T::DemandsSoon => (
                "开通后，您可以在这里向村里提出诉求，并查看每一步办理记录。",
                "Once open, you can raise demands with the village here and follow every step.",
            ),
            T::ReportsSoon => (
                "开通后，您可以在这里向纪检监察机关实名或匿名举报，内容加密，村干部无法查看。",
                "Once open, you can report to the discipline inspection office here, by name or anonymously, encrypted so no village cadre can read it.",
            ),
            T::MyRoles => ("我的身份", "My roles"),
            T::Language => ("语言 / Language", "语言 / Language"),
            T::LargeText => ("大字模式", "Large text"),
            T::LargeTextHint => (
                "字更大，按钮更大，方便阅读和点击。",
                "Bigger text and buttons, easier to read and tap.",
            ),
            T::On => ("开", "On"),
            T::Off => ("关", "Off"),
            T::GoToWork => ("进入工作台", "Open my work"),
            T::GoToVillage => ("回到本村公开", "Back to my village"),
            T::WorkTitle => ("工作台", "Work"),
            T::DemandInbox => ("诉求办理", "Demands to handle"),
            T::DemandInboxEmpty => (
                "诉求功能开通后，需要您办理的诉求会出现在这里。",
                "Once demands open, the ones you handle appear here.",
            ),
            T::ReportInbox => ("举报受理", "Reports"),
            T::ReportInboxEmpty => (
                "举报功能开通后，本机关收到的加密举报会出现在这里。",
                "Once reports open, encrypted reports to your office appear here.",
            ),
            T::Manage => ("管理", "Manage"),
            T::ManageHint => ("农户、邀请码和账号", "Households, invite codes and accounts"),
            T::Subregions => ("下级区域", "Regions below"),
            T::Households => ("农户", "Households"),
            T::HouseholdNumber => ("户号", "Household no."),
            T::HeadName => ("户主姓名", "Head of household"),
            T::Members => ("已注册", "Registered"),
            T::AddHousehold => ("添加农户", "Add a household"),
            T::Add => ("添加", "Add"),
            T::ImportCsv => ("从 CSV 文件导入", "Import from a CSV file"),
            T::ImportHint => (
                "第一行为表头：户号,户主姓名。支持 UTF-8 和 GBK（Excel 另存为 CSV）。有任何一行出错则全部不导入。",
                "First line is the header: 户号,户主姓名. UTF-8 or GBK (Excel's CSV). If any row is wrong, nothing is imported.",
            ),
            T::ImportDone => ("已导入农户：", "Households imported: "),
            T::RowN => ("第 {} 行", "Row {}"),
            T::NoHouseholds => ("本村还没有登记农户。", "No households registered in this village yet."),
            T::MoreItems => ("加载更多", "Load more"),
            T::IssueInvite => ("发邀请码", "Issue invite code"),
            T::CodeOnce => (
                "请抄下此码交给农户，它只显示这一次：",
                "Write this code down for the household; it is shown only once:",
            ),
            T::ExpiresAt => ("有效期至", "Expires"),
            T::Invites => ("邀请码", "Invite codes"),
            T::NoInvites => ("还没有发过邀请码。", "No invite codes issued yet."),
            T::Revoke => ("作废", "Revoke"),
            T::Revoked => ("已作废", "Revoked"),
            T::Expired => ("已过期", "Expired"),
            T::Used => ("已用", "Used"),
            T::Accounts => ("账号", "Accounts"),
            T::NoAccounts => ("这里还没有账号。", "No accounts here yet."),
            T::CreateStaff => ("新建工作人员账号", "Create a staff account"),
            T::Role => ("角色", "Role"),
            T::InitialPassword => ("初始密码", "Initial password"),
            T::Create => ("创建", "Create"),
            T::Created => ("已创建", "Created"),
            T::IssueResetCode => ("发重设码", "Issue reset code"),
            T::Close => ("关闭", "Close"),
            T::NotFoundPage => ("页面不存在。", "This page does not exist."),
            T::Home => ("首页", "Home"),
            T::PollsTitle => ("投票与征求意见", "Polls and suggestions"),
            T::NoPolls => ("目前没有投票。", "No polls right now."),
            T::PollUpcoming => ("未开始", "Not open yet"),
            T::PollOpen => ("进行中", "Open"),
            T::PollClosed => ("已结束", "Closed"),
            T::Voted => ("已投票", "Voted"),
            T::VoteNow => ("投票", "Vote"),
            T::Closes => ("截止", "Closes"),
            T::Opens => ("开始", "Opens"),
            T::ResultsHidden => ("结果将在投票结束后公布。", "Results are shown after the poll closes."),
            T::ResultsHiddenLive => ("投票人数达到 5 人后显示结果。", "Results show once five have voted."),
            T::Turnout => ("参与", "Turnout"),
            T::Votes => ("票", "votes"),
            T::PerHousehold => ("每户一票", "One vote per household"),
            T::PerPerson => ("每人一票", "One vote per person"),
            T::ChooseUpTo => ("最多选 {} 项", "Choose up to {}"),
            T::Suggestions => ("意见建议", "Suggestions"),
            T::ExportCsv => ("导出结果（CSV）", "Export results (CSV)"),
            T::ExportXlsx => ("导出结果（Excel）", "Export results (Excel)"),
            T::PollDocument => ("附件：方案资料", "Attached document"),
            T::AttachDocument => ("上传方案资料（照片或 PDF）", "Attach a document (photo or PDF)"),
            T::NewPoll => ("发起投票", "Start a poll"),
            T::PollTitle => ("标题", "Title"),
            T::QuestionKind => ("题型", "Kind of question"),
            T::KindSingle => ("单选", "Single choice"),
            T::KindMultiple => ("多选", "Multiple choice"),
            T::KindRating => ("评分（1–5）", "Rating (1–5)"),
            T::KindText => ("意见建议", "Suggestions"),
            T::Prompt => ("问题", "Question"),
            T::OptionsOnePerLine => ("选项（每行一个）", "Choices (one per line)"),
            T::MaxChoices => ("最多可选", "At most"),
            T::DaysOpen => ("投票天数", "Days open"),
            T::LiveResults => ("投票中显示结果", "Show results while open"),
            T::AllowChange => ("允许改票", "Allow changing a vote"),
            T::VoteChangeable => ("可在截止前改票。", "You may change your vote before it closes."),
            T::ChangeVote => ("改票", "Change my vote"),
            T::ThankYou => ("投票成功，谢谢！", "Thank you for voting!"),
            T::YourSuggestion => ("您的意见（可不填）", "Your suggestion (optional)"),
            T::Categories => ("账目科目", "Ledger categories"),
            T::CategoriesHint => (
                "本县各村记账时可选的科目，每行一个。",
                "The categories villages of this county may use, one per line.",
            ),
            T::Saved => ("已保存", "Saved"),
            T::AskQuestion => ("对这笔账提问", "Ask about this line"),
            T::YourQuestion => ("您的问题（不显示您的名字）", "Your question (your name is not shown)"),
            T::Send => ("提交", "Send"),
            T::WaitingAnswer => ("等待报账员回答", "Waiting for the accountant's answer"),
            T::AnswerLabel => ("回答", "Answer"),
            T::Questions => ("提问与答复", "Questions and answers"),
            T::ImportLedger => ("从 Excel 或 CSV 文件导入", "Import from an Excel or CSV file"),
            T::ImportLedgerHint => (
                "第一行为表头：日期,收支,金额,科目,收付款方（还可有：是否个人,发票号,备注）。有任何一行出错则全部不导入。Excel 中的金额四舍五入到分。",
                "The first line is the header: 日期,收支,金额,科目,收付款方 (and optionally 是否个人,发票号,备注). If any row is wrong, nothing is imported. Excel amounts are rounded to the fen.",
            ),
            T::DownloadTemplate => ("下载模板", "Download the template"),
            T::ImportedLines => ("已导入笔数：", "Lines imported: "),
            T::Income => ("收入", "Income"),
            T::Expense => ("支出", "Expenses"),
            T::Balance => ("结余", "Balance"),
            T::ByCategory => ("支出构成", "Spending by category"),
            T::NoPublished => ("本年还没有公开的账目。", "No accounts published this year yet."),
            T::MonthNotPublished => (
                "这个月的账目还没有公开。",
                "This month's accounts are not published yet.",
            ),
            T::NoLines => ("这个月还没有录入账目。", "No lines entered for this month yet."),
            T::Sealed => ("已审核", "Reviewed"),
            T::StatusDraft => ("录入中", "Being entered"),
            T::StatusSubmitted => ("待审核", "Awaiting review"),
            T::StatusPublished => ("已公开", "Published"),
            T::LinePending => ("待审核", "Awaiting review"),
            T::LineRejected => ("被退回", "Sent back"),
            T::RejectReason => ("退回原因", "Why it was sent back"),
            T::DuplicateInvoice => ("本县内有相同发票号", "Same invoice number elsewhere in the county"),
            T::AddLine => ("录入一笔", "Enter a line"),
            T::Date => ("日期", "Date"),
            T::Kind => ("收支", "In or out"),
            T::Amount => ("金额（元）", "Amount (yuan)"),
            T::Category => ("科目", "Category"),
            T::Counterparty => ("收付款方", "Paid to / received from"),
            T::IsPerson => (
                "收付款方是个人（公开时隐去名字中间的字）",
                "The counterparty is a private person (name masked when disclosed)",
            ),
            T::InvoiceNo => ("发票号", "Invoice no."),
            T::Note => ("备注", "Note"),
            T::Save => ("保存", "Save"),
            T::Delete => ("删除", "Delete"),
            T::Edit => ("修改", "Edit"),
            T::AttachPhoto => ("拍照或选择发票", "Photo or file of the invoice"),
            T::PdfWarning => (
                "PDF 文件会原样保存，其中的作者等信息不会被清除。",
                "PDF files are kept as they are; their author and other details are not removed.",
            ),
            T::Uploading => ("正在上传…", "Uploading…"),
            T::SubmitMonth => ("提交乡镇审核", "Submit for township review"),
            T::Approve => ("审核通过并盖章", "Approve and seal"),
            T::Reject => ("退回", "Send back"),
            T::PublishMonth => ("公开本月账目", "Publish this month"),
            T::ReviewQueueTitle => ("待审核账目", "Accounts to review"),
            T::QueueEmpty => ("没有等待审核的账目。", "Nothing is waiting for review."),
            T::OpenLedger => ("查看本村账目", "The village accounts"),
            T::EnterThisMonth => ("录入本月账目", "Enter this month's accounts"),
            T::OpenQueue => ("打开审核队列", "Open the review queue"),
            T::PrevYear => ("上一年", "Previous year"),
            T::NextYear => ("下一年", "Next year"),
            T::Trend => ("每月收支", "Month by month"),
            T::Invoice => ("发票", "Invoice"),
            T::Reviewer => ("审核人", "Reviewer"),
            T::Pending => ("待审", "pending"),
            T::Approved => ("已通过", "approved"),
            T::Rejected => ("已退回", "sent back"),
            T::SubmittedAt => ("提交于", "Submitted"),
            T::CloseImage => ("关闭图片", "Close picture"),
            T::DownloadPdf => ("下载 PDF", "Download PDF"),
            T::YearTitle => ("{} 年账目", "Accounts of {}"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

pub fn role_name(role: Role) -> &'static str {
    let (zh, en) = match role {
        Role::Villager => ("村民", "Villager"),
        Role::Accountant => ("报账员", "Accountant"),
        Role::Cadre => ("村干部", "Village cadre"),
        Role::Reviewer => ("驻村审核干部", "Township reviewer"),
        Role::Handler => ("承办部门", "Handling office"),
        Role::Inspector => ("纪检监察", "Discipline inspector"),
        Role::Admin => ("管理员", "Administrator"),
    };
    pick(zh, en)
}

pub fn level_name(level: RegionLevel) -> &'static str {
    let (zh, en) = match level {
        RegionLevel::City => ("市", "City"),
        RegionLevel::County => ("县（区）", "County"),
        RegionLevel::Township => ("乡镇", "Township"),
        RegionLevel::Village => ("村", "Village"),
    };
    pick(zh, en)
}

/// Words for an error code from the server.
pub fn error_text(code: ErrorCode) -> &'static str {
    let (zh, en) = match code {
        ErrorCode::BadRequest => (
            "请求格式有误，请刷新页面后重试。",
            "The request was malformed. Reload and try again.",
        ),
        ErrorCode::Invalid => ("填写的内容有误。", "Something you entered is not valid."),
        ErrorCode::NotSignedIn => ("请先登录。", "Please sign in."),
        ErrorCode::Forbidden => ("您没有权限做这件事。", "You may not do this."),
        ErrorCode::NotFound => ("找不到该内容。", "Not found."),
        ErrorCode::Conflict => ("已经存在。", "It already exists."),
        ErrorCode::WrongState => (
            "当前状态下不能这样操作，请刷新后再看。",
            "This cannot be done in the current state. Reload and look again.",
        ),
        ErrorCode::PollNotOpen => ("投票还没有开始。", "The poll has not opened yet."),
        ErrorCode::PollClosed => ("投票已经结束。", "The poll has closed."),
        ErrorCode::AlreadyVoted => (
            "您（或您家）已经投过票了。",
            "You (or your household) have voted already.",
        ),
        ErrorCode::NotEligible => (
            "您不在这次投票的名单中（名单在投票开始时确定）。",
            "You are not on this poll's list of voters (fixed when it opened).",
        ),
        ErrorCode::RateLimited => (
            "尝试次数太多，请稍后再试。",
            "Too many attempts. Please wait and try again.",
        ),
        ErrorCode::BadCredentials => ("手机号或密码不正确。", "Mobile number or password is wrong."),
        ErrorCode::InviteInvalid => (
            "邀请码无效、已用完、已作废或已过期。",
            "The invite code is not valid, used up, revoked or expired.",
        ),
        ErrorCode::ResetCodeInvalid => ("重设码无效或已过期。", "The reset code is not valid or has expired."),
        ErrorCode::CsrfRejected => (
            "请求被拒绝，请刷新页面后重试。",
            "The request was refused. Reload and try again.",
        ),
        ErrorCode::TooLarge => (
            "文件太大，请选择 15 MB 以内的文件。",
            "The file is too large: at most 15 MB.",
        ),
        ErrorCode::HeicUnsupported => (
            "暂不支持 HEIC 格式的照片。请在手机相机设置中选择“兼容性最佳”，或直接用相机拍照上传。",
            "HEIC photos are not supported. Set the camera to \"Most Compatible\" or take the photo from this page.",
        ),
        ErrorCode::UnsupportedFile => (
            "只能上传 JPEG、PNG、WebP 图片或 PDF 文件。",
            "Only JPEG, PNG or WebP pictures and PDF files can be uploaded.",
        ),
        ErrorCode::DamagedFile => (
            "文件已损坏或无法识别，请重新拍照或选择其他文件。",
            "The file is damaged or cannot be read. Take the photo again or choose another file.",
        ),
        ErrorCode::Internal => (
            "服务器出错了，请稍后再试。",
            "Something went wrong on the server. Please try later.",
        ),
    };
    pick(zh, en)
}

pub fn reason_text(reason: FieldError) -> &'static str {
    let (zh, en) = match reason {
        FieldError::Required => ("不能为空", "is required"),
        FieldError::TooLong => ("太长", "is too long"),
        FieldError::TooShort => ("太短", "is too short"),
        FieldError::BadFormat => ("格式不正确", "is not in the right format"),
        FieldError::Duplicate => ("重复", "is a duplicate"),
        FieldError::WrongLevel => ("不适用于此级区域", "does not fit this level of region"),
        FieldError::OutOfRange => ("超出范围", "is out of range"),
        FieldError::NotInRegion => ("不在本区域", "is outside this region"),
        FieldError::NotListed => ("不在本县的科目表中", "is not in the county's list"),
    };
    pick(zh, en)
}

/// The label of a field name the server reports.
pub fn field_label(field: &str) -> &'static str {
    let (zh, en) = match field {
        "mobile" => ("手机号", "Mobile number"),
        "password" => ("密码", "Password"),
        "name" => ("姓名", "Name"),
        "invite_code" | "code" => ("邀请码/重设码", "Code"),
        "number" => ("户号", "Household no."),
        "head_name" => ("户主姓名", "Head of household"),
        "role" => ("角色", "Role"),
        "max_uses" => ("可用人数", "People"),
        "valid_days" => ("有效天数", "Days"),
        "csv" | "file" => ("文件", "File"),
        "date" => ("日期", "Date"),
        "kind" => ("收支", "In or out"),
        "amount" => ("金额", "Amount"),
        "category" => ("科目", "Category"),
        "counterparty" => ("收付款方", "Counterparty"),
        "invoice_no" => ("发票号", "Invoice no."),
        "note" => ("备注", "Note"),
        "reason" => ("退回原因", "Reason"),
        "text" => ("内容", "Text"),
        "categories" => ("科目表", "Categories"),
        "options" => ("选项", "Choices"),
        "answers" => ("回答", "Answers"),
        "rating" => ("评分", "Rating"),
        "title" => ("标题", "Title"),
        "prompt" => ("问题", "Question"),
        "max_choices" => ("最多可选", "At most"),
        "closes_at" => ("截止时间", "Closing time"),
        "villages" => ("参与的村", "Villages"),
        "questions" => ("问题", "Questions"),
        "token" => ("改票凭证", "Ballot token"),
        "region" => ("区域", "Region"),
        "row" => ("该行", "Row"),
        _ => ("内容", "Value"),
    };
    pick(zh, en)
}

fn pick(zh: &'static str, en: &'static str) -> &'static str {
    match lang() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_template_has_one_slot() {
        for l in [Lang::Zh, Lang::En] {
            assert_eq!(T::RowN.text(l).matches("{}").count(), 1);
        }
    }
}
