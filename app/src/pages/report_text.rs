//! The words for reports' enums and the opening of messages: shared by the reports bundle
//! (the filer) and the workbench (the office).

use sunlight_api::report::{Category, MessageContent, ReportStatus, SubjectLevel};
use sunlight_seal::{Key, unb64, unlock};

use crate::i18n::{T, t};

pub fn category_name(c: Category) -> &'static str {
    t(match c {
        Category::Funds => T::CatFunds,
        Category::Projects => T::CatProjects,
        Category::Assets => T::CatAssets,
        Category::Subsidies => T::CatSubsidies,
        Category::Favouritism => T::CatFavouritism,
        Category::Conduct => T::CatConduct,
        Category::Other => T::CatOther,
    })
}

pub fn subject_level_name(l: SubjectLevel) -> &'static str {
    t(match l {
        SubjectLevel::Village => T::SubjectVillage,
        SubjectLevel::Township => T::SubjectTownship,
        SubjectLevel::County => T::SubjectCounty,
    })
}

pub fn status_name(s: ReportStatus) -> &'static str {
    t(match s {
        ReportStatus::Received => T::StatusReceived,
        ReportStatus::Accepted => T::StatusAccepted,
        ReportStatus::NotAccepted => T::StatusNotAccepted,
        ReportStatus::Investigating => T::StatusInvestigating,
        ReportStatus::Concluded => T::StatusConcluded,
    })
}

pub fn read_message(key: &Key, body: &str) -> String {
    unb64(body)
        .and_then(|b| unlock(key, &b).ok())
        .and_then(|b| serde_json::from_slice::<MessageContent>(&b).ok())
        .map(|m| m.text)
        .unwrap_or_else(|| t(T::CannotDecrypt).to_owned())
}
