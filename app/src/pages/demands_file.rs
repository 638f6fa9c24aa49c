//! The villagers' side of demands (the demands bundle): their own and their village's
//! demands, and the form that files one. The form suggests a class from the words typed,
//! shows open demands like it to join instead, hands complaints about cadres to the
//! private report page, files once however often it is tapped (one idempotency key per
//! form), and keeps what was typed on the phone until it is sent, offline included.

use leptos::{prelude::*, task::spawn_local};
use serde::{Deserialize, Serialize};
use sunlight_api::demand::{self, Demand, DemandClass, DemandSummary, NewDemand};
use uuid::Uuid;

use super::demands::{DemandItem, DemandList, class_name};
use crate::{
    api::{self, Failure},
    components::{FormError, Go, Leave, Page, navigator},
    i18n::{T, t},
    paths,
    session::Session,
    words_demands::{D, dw},
};

/// `/demands`: what I raised or follow, and my village's public demands.
#[component]
pub fn DemandsHome() -> impl IntoView {
    let session = Session::get();
    move || {
        let me = session.0.get().flatten()?;
        let Some(village) = me.village().map(|v| v.region.clone()) else {
            return Some(view! { <Leave path=paths::WORK/> }.into_any());
        };
        Some(
            view! {
                <Page title=t(T::TabDemands)>
                    <p><Go href=paths::DEMAND_NEW class="button big">{dw(D::NewDemand)}</Go></p>
                    <p class="hint">{dw(D::NewDemandHint)}</p>
                    <super::sign::MonthsToSign/>
                    <h2>{dw(D::MyDemands)}</h2>
                    <DemandList url="api/me/demands" empty=dw(D::NoMyDemands)/>
                    <h2>{dw(D::VillageDemands)}</h2>
                    <DemandList url=format!("api/regions/{village}/demands") empty=dw(D::NoVillageDemands)/>
                </Page>
            }
            .into_any(),
        )
    }
}

/// What was typed, kept on the phone until the demand is filed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Draft {
    key: Option<Uuid>,
    text: String,
    class: Option<DemandClass>,
    subcategory: String,
    public: bool,
}

const DRAFT_KEY: &str = "sunlight.demand-draft";

fn draft_key(person: Uuid) -> String {
    format!("{DRAFT_KEY}.{person}")
}

fn load_draft(person: Uuid) -> Option<Draft> {
    let raw = window()
        .local_storage()
        .ok()
        .flatten()?
        .get_item(&draft_key(person))
        .ok()
        .flatten()?;
    serde_json::from_str(&raw).ok()
}

fn save_draft(person: Uuid, d: &Draft) {
    if let (Some(s), Ok(raw)) = (window().local_storage().ok().flatten(), serde_json::to_string(d)) {
        let _ = s.set_item(&draft_key(person), &raw);
    }
}

fn clear_draft(person: Uuid) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.remove_item(&draft_key(person));
    }
}

/// A random version-4 id from the browser's generator: the form's idempotency key.
fn random_key() -> Uuid {
    let mut bytes = [0u8; 16];
    let _ = window().crypto().map(|c| c.get_random_values_with_u8_array(&mut bytes));
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// `/demands/new`: the form.
#[component]
pub fn NewDemandPage() -> impl IntoView {
    let session = Session::get();
    move || {
        let me = session.0.get().flatten()?;
        let village = me.village().map(|v| v.region.clone())?;
        Some(view! { <Page title=dw(D::NewDemand)><DemandForm person=me.id village=village.to_string()/></Page> })
    }
}

#[component]
fn DemandForm(person: Uuid, village: String) -> impl IntoView {
    let saved = load_draft(person).unwrap_or_default();
    let key = saved.key.unwrap_or_else(random_key);
    let text = RwSignal::new(saved.text.clone());
    let class = RwSignal::new(saved.class);
    let sub = RwSignal::new(saved.subcategory.clone());
    // Once the villager picks a class, the suggestion stops changing it.
    let picked = RwSignal::new(saved.class.is_some());
    let public = RwSignal::new(saved.public || saved.key.is_none());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let waiting = RwSignal::new(false);
    let photos = RwSignal::new(Vec::<web_sys::File>::new());
    let voice = RwSignal::new(None::<crate::voice::Recording>);
    // Filed, but a photo or the recording did not go up: sending again retries those
    // (the idempotency key finds the same demand).
    let filed = RwSignal::new(None::<Uuid>);
    let similar = RwSignal::new(Vec::<DemandSummary>::new());
    let online = expect_context::<ReadSignal<bool>>();
    let go = navigator();

    let keep = move || {
        save_draft(
            person,
            &Draft {
                key: Some(key),
                text: text.get_untracked(),
                class: class.get_untracked(),
                subcategory: sub.get_untracked(),
                public: public.get_untracked(),
            },
        )
    };
    // The suggestion and the similar demands follow the text.
    let village_for_similar = village.clone();
    Effect::new(move |_| {
        let typed = text.get();
        if !picked.get_untracked()
            && let Some((c, s)) = demand::suggest(&typed)
        {
            class.set(Some(c));
            sub.set(s.to_owned());
        }
        if typed.chars().count() < 4 {
            similar.set(Vec::new());
            return;
        }
        let url = format!(
            "api/regions/{village_for_similar}/demands/similar?text={}",
            js_sys::encode_uri_component(&typed)
        );
        spawn_local(async move {
            if let Ok(list) = api::get::<Vec<DemandSummary>>(&url).await
                && text.get_untracked() == typed
            {
                similar.set(list);
            }
        });
    });

    let submit = {
        let go = go.clone();
        let village = village.clone();
        move || {
            let Some(c) = class.get_untracked() else {
                error.set(Some(
                    sunlight_api::error::Invalid::new("class", sunlight_api::error::FieldError::Required).into(),
                ));
                return;
            };
            keep();
            busy.set(true);
            error.set(None);
            let body = NewDemand {
                text: text.get_untracked(),
                class: c,
                subcategory: sub.get_untracked(),
                public: public.get_untracked(),
                idempotency_key: key,
            };
            let url = format!("api/regions/{village}/demands");
            let go = go.clone();
            spawn_local(async move {
                match api::post::<_, Demand>(&url, &body).await {
                    Ok(d) => {
                        waiting.set(false);
                        let id = d.summary.id;
                        let mut failed = None;
                        let mut left = Vec::new();
                        for file in photos.get_untracked() {
                            let (blob, kind) = crate::photo::prepare(file.clone()).await;
                            if let Err(f) = api::upload::<sunlight_api::ledger::Attachment>(
                                &format!("api/demands/{id}/photos"),
                                blob,
                                &kind,
                            )
                            .await
                            {
                                left.push(file);
                                failed = Some(f);
                            }
                        }
                        photos.set(left);
                        if let Some(r) = voice.get_untracked() {
                            match api::upload::<Demand>(&format!("api/demands/{id}/voice"), r.blob.clone(), &r.mime)
                                .await
                            {
                                Ok(_) => voice.set(None),
                                Err(f) => failed = Some(f),
                            }
                        }
                        match failed {
                            None => {
                                clear_draft(person);
                                go(&paths::demand(&id));
                            }
                            Some(f) => {
                                filed.set(Some(id));
                                error.set(Some(f));
                            }
                        }
                    }
                    // Kept on the phone and sent when the network is back.
                    Err(Failure::Offline) => waiting.set(true),
                    Err(f) => error.set(Some(f)),
                }
                busy.set(false);
            });
        }
    };
    let retry = submit.clone();
    Effect::new(move |_| {
        if online.get() && waiting.get_untracked() && !busy.get_untracked() {
            retry();
        }
    });

    let on_file = move |ev: leptos::ev::Event| {
        if let Some(f) = crate::components::chosen_file(&ev) {
            photos.update(|v| {
                if v.len() < demand::MAX_PHOTOS {
                    v.push(f)
                }
            });
        }
    };
    let report = move || class.get() == Some(DemandClass::Petition);
    let submit_click = submit.clone();
    view! {
        <form class="stack" on:submit=move |ev| { ev.prevent_default(); submit_click(); }>
            <div class="field">
                <label for="demand-text">{dw(D::DemandText)}</label>
                <textarea id="demand-text" rows=5 maxlength=demand::TEXT_MAX.to_string()
                    prop:value=move || text.get()
                    on:input=move |ev| { text.set(event_target_value(&ev)); keep(); }></textarea>
                <p class="hint">{dw(D::DemandTextHint)}</p>
            </div>
            {move || (!similar.get().is_empty()).then(|| view! {
                <section class="card similar" aria-live="polite">
                    <h2>{dw(D::SimilarDemands).replace("{}", &similar.get().len().to_string())}</h2>
                    <p class="hint">{dw(D::SimilarHint)}</p>
                    <ul class="months demands">
                        {similar.get().into_iter().map(|d| view! { <DemandItem d=d/> }).collect_view()}
                    </ul>
                </section>
            })}
            <div class="field">
                <label for="demand-class">{dw(D::DemandClassLabel)}</label>
                <select id="demand-class" on:change=move |ev| {
                    let c = DemandClass::parse(&event_target_value(&ev));
                    picked.set(true);
                    class.set(c);
                    sub.set(c.map(|c| c.subcategories()[0].to_owned()).unwrap_or_default());
                    keep();
                }>
                    <option value="" selected=move || class.get().is_none()>{t(T::Choose)}</option>
                    {DemandClass::ALL.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=move || class.get() == Some(c)>{class_name(c)}</option>
                    }).collect_view()}
                </select>
                {move || (!picked.get() && class.get().is_some()).then(|| view! { <p class="hint">{dw(D::ClassSuggested)}</p> })}
            </div>
            {move || class.get().filter(|c| !c.is_report()).map(|c| view! {
                <div class="field">
                    <label for="demand-sub">{dw(D::DemandSubLabel)}</label>
                    <select id="demand-sub" on:change=move |ev| { sub.set(event_target_value(&ev)); keep(); }>
                        {c.subcategories().iter().map(|s| view! {
                            <option value=*s selected=move || sub.get() == *s>{*s}</option>
                        }).collect_view()}
                    </select>
                </div>
            })}
            {move || if report() {
                view! {
                    <section class="card notice" role="alert">
                        <p>{dw(D::DemandIsReport)}</p>
                        <p><Go href=paths::REPORT_NEW class="button big">{t(T::ReportStart)}</Go></p>
                    </section>
                }.into_any()
            } else {
                view! {
                    <fieldset class="field">
                        <legend>{dw(D::WhoSees)}</legend>
                        <label class="choice"><input type="radio" name="public" prop:checked=move || public.get()
                            on:change=move |_| { public.set(true); keep(); }/>{dw(D::PublicChoice)}</label>
                        <label class="choice"><input type="radio" name="public" prop:checked=move || !public.get()
                            on:change=move |_| { public.set(false); keep(); }/>{dw(D::PrivateChoice)}</label>
                    </fieldset>
                    <p>
                        <label class="button secondary" for="demand-photos">{dw(D::AddPhoto)}</label>
                        <input id="demand-photos" class="hidden-file" type="file" accept="image/*" on:change=on_file/>
                        " "{move || {
                            let n = photos.get().len();
                            (n > 0).then(|| dw(D::PhotosChosen).replace("{}", &n.to_string()))
                        }}
                    </p>
                    <crate::voice::VoiceRecorder recording=voice/>
                    {move || waiting.get().then(|| view! { <p class="banner" role="status">{dw(D::DemandWaiting)}</p> })}
                    <FormError error=error/>
                    {move || filed.get().map(|id| view! {
                        <p class="notice" role="status">{dw(D::FiledButFiles)}" "
                            <Go href=paths::demand(&id)>{dw(D::OpenFiled)}</Go></p>
                    })}
                    <button type="submit" class="big" disabled=move || busy.get() || waiting.get()>
                        {move || if busy.get() { t(T::Sending) } else { dw(D::SendDemand) }}
                    </button>
                }.into_any()
            }}
        </form>
    }
}
