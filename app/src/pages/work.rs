//! The staff home: one card per thing the person's roles let them do.

use leptos::prelude::*;
use sunlight_api::{RegionLevel, Role};

use crate::{
    components::{Go, Page},
    i18n::{T, level_name, role_name, t},
    pages::ledger::{ledger_path, this_month},
    paths,
    session::Session,
    words_catalogue::{C, cw},
    words_demands::{D, dw},
};

#[component]
pub fn Work() -> impl IntoView {
    let me = Session::get().0.get_untracked().flatten();
    view! {
        <Page title=t(T::WorkTitle)>
            <crate::components::TodoList/>
            {me.map(|me| {
                me.grants.into_iter().filter(|g| g.role.is_staff()).map(|g| {
                    let body = match g.role {
                        Role::Admin | Role::Cadre => {
                            let polls = matches!(g.region_level, RegionLevel::Village | RegionLevel::Township);
                            view! {
                                <div class="actions">
                                    <Go href=paths::admin(g.region.as_str()) class="button">{t(T::Manage)}</Go>
                                    {polls.then(|| view! {
                                        <Go href=paths::region_polls(g.region.as_str()) class="button secondary">{t(T::PollsTitle)}</Go>
                                    })}
                                    {(g.role == Role::Cadre).then(|| view! {
                                        <Go href=paths::staff_demands(g.region.as_str(), "held") class="button secondary">{t(T::DemandInbox)}</Go>
                                    })}
                                    {(g.role == Role::Admin).then(|| view! {
                                        <Go href=paths::CALENDAR class="button secondary">{dw(D::Deadlines)}</Go>
                                    })}
                                    {(g.region_level == RegionLevel::Village).then(|| view! {
                                        <Go href=paths::staff_disclosures(g.region.as_str()) class="button secondary">{cw(C::Disclosures)}</Go>
                                    })}
                                    {(g.role == Role::Admin && g.region_level == RegionLevel::County).then(|| view! {
                                        <Go href=paths::catalogue(g.region.as_str()) class="button secondary">{cw(C::Catalogue)}</Go>
                                    })}
                                    {(g.region_level != RegionLevel::Village).then(|| view! {
                                        <Go href=paths::completeness(g.region.as_str()) class="button secondary">{cw(C::Completeness)}</Go>
                                    })}
                                </div>
                                <p class="hint">{t(T::ManageHint)}</p>
                            }.into_any()
                        }
                        Role::Reviewer => view! {
                            <Go href=paths::review(g.region.as_str()) class="button">{t(T::OpenQueue)}</Go>
                            <div class="actions">
                                <Go href=paths::disclosure_queue(g.region.as_str()) class="button secondary">{cw(C::Queue)}</Go>
                                <Go href=paths::completeness(g.region.as_str()) class="button secondary">{cw(C::Completeness)}</Go>
                            </div>
                        }.into_any(),
                        Role::Handler => view! {
                            <div class="actions">
                                <Go href=paths::staff_demands(g.region.as_str(), "held") class="button">{t(T::DemandInbox)}</Go>
                                <Go href=paths::demand_stats(g.region.as_str()) class="button secondary">{dw(D::DemandStats)}</Go>
                            </div>
                        }.into_any(),
                        Role::Inspector => view! {
                            <Go href=paths::office(g.region.as_str()) class="button">{t(T::OpenOffice)}</Go>
                            <p class="hint">{t(T::OpenOfficeHint)}</p>
                            <div class="actions">
                                <Go href=paths::staff_demands(g.region.as_str(), "overdue") class="button secondary">{dw(D::OverdueDemands)}</Go>
                                <Go href=paths::demand_stats(g.region.as_str()) class="button secondary">{dw(D::DemandStats)}</Go>
                                <Go href=paths::completeness(g.region.as_str()) class="button secondary">{cw(C::Completeness)}</Go>
                            </div>
                        }.into_any(),
                        Role::Accountant => view! {
                            <Go href=ledger_path(&g.region, this_month()) class="button">{t(T::EnterThisMonth)}</Go>
                            <p><Go href=paths::ledger(g.region.as_str())>{t(T::OpenLedger)}</Go></p>
                            <Go href=paths::staff_disclosures(g.region.as_str()) class="button secondary">{cw(C::Disclosures)}</Go>
                        }.into_any(),
                        Role::Villager => ().into_any(),
                    };
                    view! {
                        <section class="card">
                            <h2>{role_name(g.role)}</h2>
                            <p class="muted">{g.region_name.clone()}" · "{level_name(g.region_level)}</p>
                            {body}
                        </section>
                    }
                }).collect_view()
            })}
        </Page>
    }
}
