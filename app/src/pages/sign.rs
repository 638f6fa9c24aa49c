//! `/demands/sign/:code/:month`: a member of the village's financial oversight group
//! (民主理财小组) signs a month waiting for the township's review, agreeing or not with
//! what is wrong. The month itself is read on its page (`/ledger/{village}/{month}`, which
//! the server renders for the group while it waits); this page carries only the form.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::ledger::{MonthSignatures, MonthToSign, SignMonth};

use crate::{
    api::{self, Failure},
    components::{ErrorRetry, FormError, Loading, Page},
    router,
    words_demands::{D, dw},
};

/// The months waiting for the signed-in person's signature (nothing when there are none).
#[component]
pub fn MonthsToSign() -> impl IntoView {
    let data = api::Fetch::<Vec<MonthToSign>>::new(|| "api/me/months-to-sign".to_owned());
    move || {
        let list = data.get()?.ok().filter(|l| !l.is_empty())?;
        Some(view! {
            <section class="card">
                <h2>{dw(D::GroupToSign)}</h2>
                <ul class="plain">
                    {list.into_iter().map(|m| view! {
                        <li><a href=format!("ledger/{}/{}", m.village, m.month) rel="external">
                            {m.village_name.clone()}" · "{m.month.to_string()}</a></li>
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}

#[component]
pub fn SignPage() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let month = router::param("month").unwrap_or_default();
    let url = format!("api/regions/{code}/ledger/{month}/signatures");
    let data = api::Fetch::<MonthSignatures>::new(move || url.clone());
    view! {
        <Page title=dw(D::GroupSign)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(s)) => view! { <SignForm s=s/> }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn SignForm(s: MonthSignatures) -> impl IntoView {
    let agree = RwSignal::new(true);
    let opinion = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let signed = RwSignal::new(!s.may_sign);
    let month_page = format!("ledger/{}/{}", s.village, s.month);
    let url = StoredValue::new(format!("api/regions/{}/ledger/{}/signatures", s.village, s.month));
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = SignMonth {
            agree: agree.get_untracked(),
            opinion: opinion.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, MonthSignatures>(&url.get_value(), &req).await {
                Ok(_) => {
                    error.set(None);
                    signed.set(true);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <h2>{s.month.to_string()}</h2>
            <p class="hint">{dw(D::GroupSignHint)}</p>
            <p><a href=month_page.clone() rel="external">{dw(D::GroupReadMonth)}</a></p>
        </section>
        {move || if signed.get() {
            view! { <p class="ok" role="status">{dw(D::GroupSigned)}</p> }.into_any()
        } else {
            view! {
                <form on:submit=send novalidate>
                    <fieldset class="field">
                        <legend>{dw(D::GroupOpinion)}</legend>
                        <label class="choice"><input type="radio" name="agree" prop:checked=move || agree.get()
                            on:change=move |_| agree.set(true)/>" "{dw(D::GroupAgree)}</label>
                        <label class="choice"><input type="radio" name="agree" prop:checked=move || !agree.get()
                            on:change=move |_| agree.set(false)/>" "{dw(D::GroupDisagree)}</label>
                    </fieldset>
                    <div class="field">
                        <label for="sign-opinion">{dw(D::GroupOpinionText)}</label>
                        <textarea id="sign-opinion" rows="4" maxlength="500" prop:value=move || opinion.get()
                            on:input=move |ev| opinion.set(event_target_value(&ev))></textarea>
                    </div>
                    <FormError error=error/>
                    <button type="submit" disabled=move || busy.get()>{dw(D::GroupSignNow)}</button>
                </form>
            }.into_any()
        }}
        <p><a href=month_page rel="external">{dw(D::AskBack)}</a></p>
    }
}
