//! 举报: filing a private report and following it up with the receipt code. This bundle
//! needs no account and sends no cookie. Everything the filer writes is encrypted here, in
//! the phone, before it leaves: the server sees routing fields and ciphertext only.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    RegionCode,
    report::{
        Category, Challenge, FileHeader, Filed, Identity, MessageContent, NewMessage, NewReport, OfficeKeyInfo, Party,
        Place, PowAnswer, ReceiptView, ReportContent, SubjectLevel,
    },
};
use sunlight_seal::{Key, Receipt, b64, lock, lock_key, new_key, pack, pow_solve, seal_key, unb64, unlock, unlock_key};

use crate::{
    api::{self, Failure},
    // `Page` shows no tab bar here: this bundle never asks who is signed in.
    components::{Empty, ErrorRetry, FormError, Go, Loading, Page, ReportEntry},
    i18n::{T, t},
    pages::report_text::{category_name, read_message, status_name, subject_level_name},
    paths,
    seal,
};

/// The receipt code of a report just filed on this phone, kept in memory only, so that
/// "follow up" opens without typing it.
#[derive(Clone, Copy)]
pub struct JustFiled(pub RwSignal<Option<String>>);

/// Inside WeChat's mini-program web-view (its user agent says `miniProgram`) WeChat knows
/// whose WeChat it is, so a report filed there sits beside a WeChat identity. The report
/// pages say so and give their address to open in the phone's own browser instead (the
/// shell never opens them, but the tab bar inside the web-view can).
#[component]
pub fn OutsideWeChat(children: Children) -> impl IntoView {
    let window = web_sys::window();
    let inside = window
        .as_ref()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.contains("miniProgram"));
    if !inside {
        return children().into_any();
    }
    let address = window.and_then(|w| w.location().href().ok()).unwrap_or_default();
    let (title, why, copy) = match crate::i18n::lang() {
        crate::i18n::Lang::Zh => (
            "请在浏览器中举报",
            "为保护举报人，举报不在微信小程序里进行：微信知道是谁在用这个小程序，举报和微信身份放在一起，就不再是匿名的。",
            "请长按复制下面的地址，粘贴到手机自带的浏览器里打开：",
        ),
        crate::i18n::Lang::En => (
            "Report from a browser",
            "To protect whoever reports, reports are not filed inside the WeChat mini-program: WeChat knows whose WeChat it is, and a report next to a WeChat identity is no longer anonymous.",
            "Copy this address and open it in your phone's own browser:",
        ),
    };
    view! {
        <Page title=title.to_owned()>
            <section class="card" role="alert">
                <p>{why}</p>
                <p class="muted">{copy}</p>
                <p><input class="copy" readonly aria-label=title value=address/></p>
            </section>
        </Page>
    }
    .into_any()
}

/// The start: what a report is, who will read it, and the two ways on.
#[component]
pub fn Intro() -> impl IntoView {
    view! {
        <Page title=t(T::ReportTitle)>
            <ReportEntry/>
            <p class="muted">{t(T::ReportNoAccount)}</p>
            <p><Go href=paths::HOME>{t(T::BackToApp)}</Go></p>
        </Page>
    }
}

/// One level of the place picker: a select filled with the children of `parent`.
#[component]
fn PlaceSelect(
    label: T,
    parent: Signal<Option<Option<RegionCode>>>,
    value: RwSignal<Option<Place>>,
    id: &'static str,
) -> impl IntoView {
    let data = LocalResource::new(move || {
        let parent = parent.get();
        async move {
            match parent {
                None => Ok(Vec::new()),
                Some(None) => api::get::<Vec<Place>>("api/report-places").await,
                Some(Some(code)) => api::get::<Vec<Place>>(&format!("api/report-places?parent={code}")).await,
            }
        }
    });
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(places)) => {
                    let options = places.clone();
                    let empty = places.is_empty();
                    view! {
                        <select id=id disabled=empty on:change=move |ev| {
                            let code = event_target_value(&ev);
                            value.set(options.iter().find(|p| p.code.as_str() == code).cloned());
                        }>
                            <option value="" selected=move || value.get().is_none()>{t(T::Choose)}</option>
                            {places.into_iter().map(|p| {
                                let code = p.code.to_string();
                                let selected = code.clone();
                                view! { <option value=code selected=move || value.get().is_some_and(|v| v.code.as_str() == selected)>{p.name}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// The office a report about a cadre of `level` goes to, and those above it.
fn eligible(offices: &[OfficeKeyInfo], level: SubjectLevel) -> Vec<OfficeKeyInfo> {
    let min = level.office_level().significant_digits();
    offices
        .iter()
        .filter(|o| o.level.significant_digits() <= min)
        .cloned()
        .collect()
}

/// The form. The receipt code and idempotency key are made once per form, so sending
/// again after a network failure files the report once.
#[component]
pub fn NewReportPage() -> impl IntoView {
    let just_filed = expect_context::<JustFiled>();
    let receipt = StoredValue::new(Receipt::generate(&mut seal::fill));
    let content_key = StoredValue::new(new_key(&mut seal::fill));
    let idempotency_key = StoredValue::new(seal::random_uuid());

    let anonymous = RwSignal::new(true);
    let name = RwSignal::new(String::new());
    let id_card = RwSignal::new(String::new());
    let mobile = RwSignal::new(String::new());
    let subject_name = RwSignal::new(String::new());
    let subject_post = RwSignal::new(String::new());
    let level = RwSignal::new(SubjectLevel::Village);
    let city = RwSignal::new(None::<Place>);
    let county = RwSignal::new(None::<Place>);
    let township = RwSignal::new(None::<Place>);
    let village = RwSignal::new(None::<Place>);
    let category = RwSignal::new(None::<Category>);
    let text = RwSignal::new(String::new());
    let files = RwSignal::new(Vec::<(FileHeader, Vec<u8>)>::new());
    let office = RwSignal::new(None::<RegionCode>);
    let progress = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Failure>);
    let filed = RwSignal::new(None::<(Filed, String, bool)>);
    let busy = RwSignal::new(false);

    // Choosing a higher level clears what was below it.
    Effect::new(move |_| {
        let _ = city.get();
        county.set(None);
    });
    Effect::new(move |_| {
        let _ = county.get();
        township.set(None);
    });
    Effect::new(move |_| {
        let _ = township.get();
        village.set(None);
    });

    let offices = LocalResource::new(move || {
        let v = village.get();
        async move {
            match v {
                Some(v) => api::get::<Vec<OfficeKeyInfo>>(&format!("api/report-offices?village={}", v.code))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    // The default office: one level above the cadre, or the nearest above that whose key
    // this browser proves.
    Effect::new(move |_| {
        let lvl = level.get();
        if let Some(Ok(Some(list))) = offices.get() {
            office.set(
                eligible(&list, lvl)
                    .into_iter()
                    .filter(|o| seal::key_standing(o) == seal::KeyStanding::Proven)
                    .max_by_key(|o| o.level.significant_digits())
                    .map(|o| o.code),
            );
        }
    });

    let pick_files = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(list) = input.files() else { return };
        let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        spawn_local(async move {
            progress.set(Some(t(T::PreparingFiles).to_owned()));
            for f in chosen {
                if files.with_untracked(|v| v.len()) >= sunlight_api::report::MAX_FILES as usize {
                    break;
                }
                if let Some(e) = seal::evidence(f).await {
                    if e.1.len() + 4096 > sunlight_api::report::MAX_FILE_BYTES {
                        error.set(Some(Failure::Server(sunlight_api::ErrorBody::new(
                            sunlight_api::ErrorCode::TooLarge,
                            "",
                        ))));
                        continue;
                    }
                    files.update(|v| v.push(e));
                }
            }
            progress.set(None);
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let Some(v) = village.get_untracked() else {
            error.set(Some(Failure::invalid(
                "village",
                sunlight_api::error::FieldError::Required,
            )));
            return;
        };
        let Some(cat) = category.get_untracked() else {
            error.set(Some(Failure::invalid(
                "category",
                sunlight_api::error::FieldError::Required,
            )));
            return;
        };
        let content = ReportContent {
            identity: (!anonymous.get_untracked()).then(|| Identity {
                name: name.get_untracked().trim().to_owned(),
                id_card: id_card.get_untracked().trim().to_uppercase(),
                mobile: mobile.get_untracked().trim().to_owned(),
            }),
            subject_name: subject_name.get_untracked().trim().to_owned(),
            subject_post: subject_post.get_untracked().trim().to_owned(),
            subject_level: level.get_untracked(),
            village: v.code.clone(),
            village_name: v.name.clone(),
            category: cat,
            text: text.get_untracked().trim().to_owned(),
        };
        if let Err(e) = content.validate() {
            error.set(Some(e.into()));
            return;
        }
        let Some(Ok(Some(list))) = offices.get_untracked() else {
            return;
        };
        let Some(target) = office
            .get_untracked()
            .and_then(|c| list.into_iter().find(|o| o.code == c))
        else {
            error.set(Some(Failure::invalid(
                "office",
                sunlight_api::error::FieldError::Required,
            )));
            return;
        };
        // Sealed only to a key this browser proves, whatever the server's list says.
        if seal::key_standing(&target) != seal::KeyStanding::Proven {
            error.set(Some(Failure::invalid(
                "office",
                sunlight_api::error::FieldError::NotListed,
            )));
            return;
        }
        let (Some(key_id), Some(public)) = (target.key_id, target.public_key.as_deref().and_then(unb64)) else {
            error.set(Some(Failure::invalid(
                "office",
                sunlight_api::error::FieldError::NotListed,
            )));
            return;
        };
        let Ok(public) = <[u8; 32]>::try_from(public) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let receipt = receipt.get_value();
            let key: Key = content_key.get_value();
            progress.set(Some(t(T::Encrypting).to_owned()));
            seal::breathe().await;
            let result: Result<Filed, Failure> = async {
                let challenge: Challenge = api::post("api/report-challenges", &serde_json::json!({})).await?;
                let nonce = pow_solve(&challenge.challenge, challenge.bits);
                let plain = serde_json::to_vec(&content).unwrap_or_default();
                let body = NewReport {
                    idempotency_key: idempotency_key.get_value(),
                    office: target.code.clone(),
                    key_id,
                    sealed_key: b64(&seal_key(&public, &key, &mut seal::fill)),
                    filer_key: b64(&lock_key(&receipt.key(), &key, &mut seal::fill)),
                    body: b64(&lock(&key, &plain, &mut seal::fill)),
                    lookup: receipt.lookup(),
                    pow: PowAnswer {
                        challenge: challenge.challenge,
                        nonce,
                    },
                };
                progress.set(Some(t(T::Sending).to_owned()));
                api::post("api/reports", &body).await
            }
            .await;
            let done = match result {
                Ok(done) => done,
                Err(f) => {
                    error.set(Some(f));
                    progress.set(None);
                    busy.set(false);
                    return;
                }
            };
            // The evidence follows, each file locked under the same key.
            let all = files.get_untracked();
            let mut complete = true;
            let header = seal::receipt_header(&receipt);
            for (i, (h, bytes)) in all.iter().enumerate() {
                progress.set(Some(format!("{} {}/{}", t(T::UploadingEvidence), i + 1, all.len())));
                let packed = pack(&serde_json::to_vec(h).unwrap_or_default(), bytes);
                let locked = lock(&key, &packed, &mut seal::fill);
                if api::upload_bytes::<serde_json::Value>("api/report-receipt/files", (header.0, &header.1), &locked)
                    .await
                    .is_err()
                {
                    complete = false;
                }
            }
            progress.set(None);
            just_filed.0.set(Some(receipt.display()));
            filed.set(Some((done, receipt.display(), complete)));
            busy.set(false);
        });
    };

    move || {
        if let Some((done, code, complete)) = filed.get() {
            return view! { <Filed done=done code=code complete=complete/> }.into_any();
        }
        view! {
            <Page title=t(T::ReportStart)>
                <form class="report" on:submit=submit novalidate>
                    <fieldset class="card">
                        <legend>{t(T::HowToReport)}</legend>
                        <label class="choice"><input type="radio" name="mode" prop:checked=move || anonymous.get() on:change=move |_| anonymous.set(true)/>" "{t(T::Anonymous)}</label>
                        <p class="hint">{t(T::AnonymousHint)}</p>
                        <label class="choice"><input type="radio" name="mode" prop:checked=move || !anonymous.get() on:change=move |_| anonymous.set(false)/>" "{t(T::RealName)}</label>
                        <p class="hint">{t(T::RealNameHint)}</p>
                        <Show when=move || !anonymous.get()>
                            <crate::components::Field id="rn-name" label=T::Name value=name autocomplete="name"/>
                            <crate::components::Field id="rn-id" label=T::IdCard value=id_card autocomplete="off"/>
                            <crate::components::Field id="rn-mobile" label=T::Mobile value=mobile kind="tel" autocomplete="tel" inputmode="tel"/>
                        </Show>
                    </fieldset>
                    <fieldset class="card">
                        <legend>{t(T::Subject)}</legend>
                        <crate::components::Field id="subject-name" label=T::SubjectName value=subject_name autocomplete="off"/>
                        <crate::components::Field id="subject-post" label=T::SubjectPost value=subject_post autocomplete="off" hint=T::SubjectPostHint/>
                        <p class="legend">{t(T::SubjectLevel)}</p>
                        {SubjectLevel::ALL.into_iter().map(|l| view! {
                            <label class="choice"><input type="radio" name="level" prop:checked=move || level.get() == l on:change=move |_| level.set(l)/>" "{subject_level_name(l)}</label>
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="card">
                        <legend>{t(T::WhichVillage)}</legend>
                        <PlaceSelect id="place-city" label=T::LevelCity parent=Signal::derive(|| Some(None)) value=city/>
                        <PlaceSelect id="place-county" label=T::LevelCounty parent=Signal::derive(move || city.get().map(|c| Some(c.code))) value=county/>
                        <PlaceSelect id="place-township" label=T::LevelTownship parent=Signal::derive(move || county.get().map(|c| Some(c.code))) value=township/>
                        <PlaceSelect id="place-village" label=T::LevelVillage parent=Signal::derive(move || township.get().map(|c| Some(c.code))) value=village/>
                    </fieldset>
                    <fieldset class="card">
                        <legend>{t(T::WhatHappened)}</legend>
                        <div class="field">
                            <label for="category">{t(T::ReportCategory)}</label>
                            <select id="category" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                category.set(Category::ALL.into_iter().find(|c| format!("{c:?}") == v));
                            }>
                                <option value="" selected=move || category.get().is_none()>{t(T::Choose)}</option>
                                {Category::ALL.into_iter().map(|c| view! { <option value=format!("{c:?}")>{category_name(c)}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="report-text">{t(T::ReportText)}</label>
                            <textarea id="report-text" rows="8" maxlength="5000" aria-describedby="report-text-hint"
                                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <p class="hint" id="report-text-hint">{t(T::ReportTextHint)}" "{move || format!("{}/5000", text.with(|s| s.chars().count()))}</p>
                        </div>
                    </fieldset>
                    <fieldset class="card">
                        <legend>{t(T::Evidence)}</legend>
                        <p class="hint">{t(T::EvidenceHint)}</p>
                        <label class="button secondary" for="evidence">{t(T::AddEvidence)}</label>
                        <input id="evidence" class="hidden-file" type="file" multiple accept="image/*,application/pdf,*/*" on:change=pick_files/>
                        <ul class="plain">
                            {move || files.get().into_iter().enumerate().map(|(i, (h, bytes))| view! {
                                <li>
                                    {h.name.clone()}" · "{format!("{} KB", bytes.len() / 1024 + 1)}
                                    {if h.reencoded {
                                        view! { <span class="tag ok">{t(T::MetadataRemoved)}</span> }.into_any()
                                    } else {
                                        view! { <p class="notice">{t(T::MetadataKept)}</p> }.into_any()
                                    }}
                                    <button type="button" class="secondary" on:click=move |_| files.update(|v| { v.remove(i); })>{t(T::Delete)}</button>
                                </li>
                            }).collect_view()}
                        </ul>
                    </fieldset>
                    <fieldset class="card">
                        <legend>{t(T::ReceivingOffice)}</legend>
                        {move || match (village.get(), offices.get()) {
                            (None, _) => view! { <p class="hint">{t(T::ChooseVillageFirst)}</p> }.into_any(),
                            (_, None) => view! { <Loading/> }.into_any(),
                            (_, Some(Err(f))) => view! { <ErrorRetry failure=f retry=move |_| offices.refetch()/> }.into_any(),
                            (_, Some(Ok(None))) => ().into_any(),
                            (_, Some(Ok(Some(list)))) => {
                                let list = eligible(&list, level.get());
                                view! {
                                    <p class="hint">{t(T::OfficeHint)}</p>
                                    {list.into_iter().map(|o| {
                                        let code = o.code.clone();
                                        let code2 = o.code.clone();
                                        let standing = seal::key_standing(&o);
                                        let ready = standing == seal::KeyStanding::Proven;
                                        let not_ready = standing == seal::KeyStanding::NotReady;
                                        let why = match standing {
                                            seal::KeyStanding::RootChanged => Some(t(T::FilerRootChanged)),
                                            seal::KeyStanding::Unproven => Some(t(T::FilerKeyUnproven)),
                                            _ => None,
                                        }.map(|w| view! { <p class="error" role="alert">{w}</p> });
                                        view! {
                                            <label class="choice">
                                                <input type="radio" name="office" disabled=!ready
                                                    prop:checked=move || office.get().as_ref() == Some(&code)
                                                    on:change=move |_| office.set(Some(code2.clone()))/>
                                                " "{o.name.clone()}{t(T::InspectionOffice)}
                                                {not_ready.then(|| view! { <span class="muted">" · "{t(T::OfficeNotReady)}</span> })}
                                            </label>
                                            {why}
                                            {ready.then(|| view! {
                                                {o.fingerprint.clone().map(|f| view! { <p class="hint fingerprint">{t(T::OfficeFingerprint)}" "{f}</p> })}
                                                {seal::root_fingerprint(&o).map(|f| view! { <p class="hint fingerprint">{t(T::RootFingerprint)}" "{f}</p> })}
                                            })}
                                        }
                                    }).collect_view()}
                                }.into_any()
                            }
                        }}
                    </fieldset>
                    <FormError error=error/>
                    {move || progress.get().map(|p| view! { <p class="muted" role="status" aria-live="polite">{p}</p> })}
                    <button type="submit" class="big" disabled=move || busy.get()>{t(T::EncryptAndSend)}</button>
                    <p class="hint">{t(T::EncryptHint)}</p>
                </form>
                <p><Go href=paths::REPORT>{t(T::Back)}</Go></p>
            </Page>
        }
        .into_any()
    }
}

/// The receipt, shown once.
#[component]
fn Filed(done: Filed, code: String, complete: bool) -> impl IntoView {
    let noted = RwSignal::new(false);
    view! {
        <Page title=t(T::ReportFiled)>
            <section class="card">
                <p>{t(T::FiledTo)}" "{done.office_name.clone()}{t(T::InspectionOffice)}" · "{done.filed_at.china_string()}</p>
                <h2>{t(T::YourReceipt)}</h2>
                <p class="code receipt" aria-label=t(T::YourReceipt)>{code}</p>
                <p class="notice">{t(T::ReceiptOnce)}</p>
                {(!complete).then(|| view! { <p class="error" role="alert">{t(T::SomeEvidenceFailed)}</p> })}
                <label class="choice"><input type="checkbox" prop:checked=move || noted.get() on:change=move |ev| noted.set(event_target_checked(&ev))/>" "{t(T::ReceiptNoted)}</label>
            </section>
            <Show when=move || noted.get()>
                <p><Go href=paths::REPORT_FOLLOW class="button big">{t(T::ReportFollow)}</Go></p>
            </Show>
        </Page>
    }
}

/// An opened report as the filer sees it.
#[derive(Clone)]
struct Opened {
    receipt: Receipt,
    key: Key,
    view: ReceiptView,
    content: ReportContent,
}

fn open_receipt(receipt: &Receipt, view: ReceiptView) -> Option<Opened> {
    let key = unlock_key(&receipt.key(), &unb64(&view.filer_key)?).ok()?;
    let content = serde_json::from_slice(&unlock(&key, &unb64(&view.body)?).ok()?).ok()?;
    Some(Opened {
        receipt: receipt.clone(),
        key,
        view,
        content,
    })
}

/// Following up: the code, then status, the thread, and ways to add to it.
#[component]
pub fn Follow() -> impl IntoView {
    let just_filed = expect_context::<JustFiled>();
    let code = RwSignal::new(just_filed.0.get_untracked().unwrap_or_default());
    let opened = RwSignal::new(None::<Opened>);
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let load = move || {
        error.set(None);
        let Some(receipt) = Receipt::parse(&code.get_untracked()) else {
            error.set(Some(Failure::invalid(
                "receipt",
                sunlight_api::error::FieldError::BadFormat,
            )));
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let header = seal::receipt_header(&receipt);
            match api::get_with::<ReceiptView>("api/report-receipt", (header.0, &header.1)).await {
                Ok(v) => match open_receipt(&receipt, v) {
                    Some(o) => opened.set(Some(o)),
                    None => error.set(Some(Failure::invalid(
                        "receipt",
                        sunlight_api::error::FieldError::BadFormat,
                    ))),
                },
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    if !code.get_untracked().is_empty() {
        load();
    }
    move || {
        match opened.get() {
        Some(o) => view! { <Thread opened=o reload=Callback::new(move |_| load())/> }.into_any(),
        None => view! {
            <Page title=t(T::ReportFollow)>
                <form on:submit=move |ev| { ev.prevent_default(); load(); }>
                    <crate::components::Field id="receipt" label=T::YourReceipt value=code autocomplete="off" hint=T::ReceiptHint/>
                    <FormError error=error/>
                    <button type="submit" class="big" disabled=move || busy.get()>{t(T::Query)}</button>
                </form>
                <p><Go href=paths::REPORT>{t(T::Back)}</Go></p>
            </Page>
        }
        .into_any(),
    }
    }
}

#[component]
fn Thread(opened: Opened, reload: Callback<()>) -> impl IntoView {
    let Opened {
        receipt,
        key,
        view: v,
        content,
    } = opened;
    let reply = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let progress = RwSignal::new(None::<String>);
    let header = seal::receipt_header(&receipt);
    let header2 = header.clone();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reply.get_untracked().trim().to_owned();
        if text.is_empty() {
            error.set(Some(Failure::invalid(
                "text",
                sunlight_api::error::FieldError::Required,
            )));
            return;
        }
        let header = header.clone();
        spawn_local(async move {
            let body = lock(
                &key,
                &serde_json::to_vec(&MessageContent { text }).unwrap_or_default(),
                &mut seal::fill,
            );
            match api::post_with::<_, serde_json::Value>(
                "api/report-receipt/messages",
                (header.0, &header.1),
                &NewMessage { body: b64(&body) },
            )
            .await
            {
                Ok(_) => reload.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let add = move |ev: leptos::ev::Event| {
        let Some(file) = crate::components::chosen_file(&ev) else {
            return;
        };
        let header = header2.clone();
        spawn_local(async move {
            progress.set(Some(t(T::UploadingEvidence).to_owned()));
            if let Some((h, bytes)) = seal::evidence(file).await {
                let locked = lock(
                    &key,
                    &pack(&serde_json::to_vec(&h).unwrap_or_default(), &bytes),
                    &mut seal::fill,
                );
                match api::upload_bytes::<serde_json::Value>("api/report-receipt/files", (header.0, &header.1), &locked)
                    .await
                {
                    Ok(_) => reload.run(()),
                    Err(f) => error.set(Some(f)),
                }
            }
            progress.set(None);
        });
    };
    let status = v.status;
    view! {
        <Page title=t(T::ReportFollow)>
            <section class="card">
                <p class="stamp">{status_name(status)}</p>
                {v.case_number.clone().map(|c| view! { <p>{t(T::CaseNumber)}" "<b>{c}</b></p> })}
                <p class="muted">{v.office_name.clone()}{t(T::InspectionOffice)}" · "{t(T::FiledAt)}" "{v.filed_at.china_string()}</p>
            </section>
            <section class="card">
                <h2>{t(T::YourReport)}</h2>
                <p>{content.subject_name.clone()}" · "{content.subject_post.clone()}" · "{content.village_name.clone()}</p>
                <p class="muted">{category_name(content.category)}" · "{if content.identity.is_some() { t(T::RealName) } else { t(T::Anonymous) }}</p>
                <p class="prose">{content.text.clone()}</p>
                <p class="muted">{t(T::EvidenceCount).replace("{}", &v.files.len().to_string())}</p>
            </section>
            <section class="card">
                <h2>{t(T::Messages)}</h2>
                {if v.messages.is_empty() {
                    view! { <Empty text=t(T::NoMessages)/> }.into_any()
                } else {
                    view! {
                        <ul class="qa">
                            {v.messages.iter().map(|m| {
                                let who = if m.from == Party::Office { t(T::FromOffice) } else { t(T::FromMe) };
                                view! { <li><b>{who}</b>" · "<span class="muted">{m.at.china_string()}</span><p>{read_message(&key, &m.body)}</p></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <form on:submit=send>
                    <div class="field">
                        <label for="reply">{t(T::AddMessage)}</label>
                        <textarea id="reply" rows="3" maxlength="2000" prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit">{t(T::Send)}</button>
                </form>
                <label class="button secondary" for="more-evidence">{t(T::AddEvidence)}</label>
                <input id="more-evidence" class="hidden-file" type="file" accept="image/*,application/pdf,*/*" on:change=add/>
                {move || progress.get().map(|p| view! { <p class="muted" role="status">{p}</p> })}
                <FormError error=error/>
            </section>
            <p><Go href=paths::REPORT>{t(T::Back)}</Go></p>
        </Page>
    }
}
