//! The cards of a village's 管理 page (the workbench) that belong to its disclosures: the
//! group robot (村民群推送) and the villagers' financial oversight group (民主理财小组).

use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::{ErrorRetry, FormError},
    i18n::{T, t},
    words_catalogue::{C, cw},
};

/// The village's group robot (村民群推送): its cadre pastes the WeCom or DingTalk webhook,
/// and sees what was posted to the group, what failed and why.
#[component]
pub fn RobotCard(code: sunlight_api::RegionCode) -> impl IntoView {
    use sunlight_api::robot::{DeliveryStatus, GroupRobot, Service, SetGroupRobot};
    let url = StoredValue::new(format!("api/regions/{code}/group-robot"));
    let data = api::Fetch::<GroupRobot>::new(move || url.get_value());
    let input = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = SetGroupRobot {
            url: input.get_untracked(),
        };
        spawn_local(async move {
            match api::put::<_, GroupRobot>(&url.get_value(), &req).await {
                Ok(_) => {
                    error.set(None);
                    input.set(String::new());
                    data.refetch();
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let remove = move |_| {
        spawn_local(async move {
            match api::delete::<()>(&url.get_value()).await {
                Ok(()) => data.refetch(),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let service_name = |s: Service| match s {
        Service::Wecom => cw(C::Wecom),
        Service::Dingtalk => cw(C::Dingtalk),
    };
    view! {
        <section class="card">
            <h2>{cw(C::RobotTitle)}</h2>
            <p class="hint" id="robot-hint">{cw(C::RobotHint)}</p>
            {move || data.get().map(|r| match r {
                Err(f) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Ok(r) => view! {
                    {match (r.service, r.masked.clone()) {
                        (Some(s), Some(m)) => view! {
                            <p>{cw(C::RobotSet)}" "<b>{service_name(s)}</b>" "<code>{m}</code>" "
                                <button type="button" class="secondary small" on:click=remove>{cw(C::RobotRemove)}</button></p>
                        }.into_any(),
                        _ => view! { <p class="muted">{cw(C::RobotNone)}</p> }.into_any(),
                    }}
                    {(!r.deliveries.is_empty()).then(|| view! {
                        <h3>{cw(C::Deliveries)}</h3>
                        <ul class="plain deliveries">
                            {r.deliveries.into_iter().map(|d| {
                                let (label, class) = match d.status {
                                    DeliveryStatus::Pending => (cw(C::DeliveryPending), "tag"),
                                    DeliveryStatus::Sent => (cw(C::DeliverySent), "tag ok"),
                                    DeliveryStatus::Failed => (cw(C::DeliveryFailed), "tag bad"),
                                };
                                view! {
                                    <li>
                                        <span class=class>{label}</span>" "
                                        <span class="muted">{d.created_at.china_string()}</span>
                                        {(d.attempts > 1).then(|| view! { " · "<span class="muted">{cw(C::Attempts).replace("{}", &d.attempts.to_string())}</span> })}
                                        {d.last_error.clone().map(|e| view! { <br/><span class="muted">{e}</span> })}
                                        <p class="prose">{d.text.clone()}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                }.into_any(),
            })}
            <form on:submit=save novalidate>
                <div class="field">
                    <label for="robot-url">{cw(C::RobotUrl)}</label>
                    <input id="robot-url" type="url" inputmode="url" autocomplete="off" aria-describedby="robot-hint"
                        prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))/>
                </div>
                <FormError error=error/>
                <button type="submit">{t(T::Save)}</button>
            </form>
        </section>
    }
}

/// The village's financial oversight group (民主理财小组), for its cadre: who sits on it,
/// appointing a villager by their account's mobile number, and removing one.
#[component]
pub fn FinanceGroupCard(code: sunlight_api::RegionCode) -> impl IntoView {
    use sunlight_api::ledger::{Appointment, FinanceGroup};
    let url = StoredValue::new(format!("api/regions/{code}/finance-group"));
    let data = api::Fetch::<FinanceGroup>::new(move || url.get_value());
    let mobile = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let add = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = Appointment {
            mobile: mobile.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, FinanceGroup>(&url.get_value(), &req).await {
                Ok(_) => {
                    error.set(None);
                    mobile.set(String::new());
                    data.refetch();
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let remove = move |user: Uuid| {
        spawn_local(async move {
            match api::delete::<FinanceGroup>(&format!("{}/{user}", url.get_value())).await {
                Ok(_) => data.refetch(),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{cw(C::GroupTitle)}</h2>
            <p class="hint">{cw(C::GroupHint)}</p>
            {move || data.get().map(|g| match g {
                Err(f) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Ok(g) if g.members.is_empty() => view! { <p class="muted">{cw(C::GroupNone)}</p> }.into_any(),
                Ok(g) => view! {
                    <ul class="plain">
                        {g.members.into_iter().map(|m| {
                            let user = m.user;
                            view! {
                                <li class="obligation"><b>{m.name}</b>" "
                                    <button type="button" class="secondary small" on:click=move |_| remove(user)>{cw(C::Remove)}</button></li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
            <form on:submit=add novalidate>
                <div class="field">
                    <label for="group-mobile">{cw(C::GroupMobile)}</label>
                    <input id="group-mobile" type="tel" inputmode="numeric" autocomplete="off"
                        prop:value=move || mobile.get() on:input=move |ev| mobile.set(event_target_value(&ev))/>
                </div>
                <FormError error=error/>
                <button type="submit" class="secondary">{cw(C::GroupAppoint)}</button>
            </form>
        </section>
    }
}
