//! `/demands/ask/:id?title=…&back=…`: a villager asks about a published entry (a
//! project's stage or a catalogue entry) from its server-rendered page, which names the
//! entry and itself in the link. The question is shown under the entry without the
//! asker's name; the village answers it there.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::ledger::Text;

use crate::{
    api::{self, Failure},
    components::{FormError, Page},
    router,
    words_demands::{D, dw},
};

/// The page to go back to: one of the reading pages the server renders, nothing else.
fn back_link() -> String {
    router::query("back")
        .filter(|b| {
            (b.starts_with("projects/") || b.starts_with("disclosures/"))
                && b.chars().all(|c| c.is_ascii_alphanumeric() || "/-#".contains(c))
        })
        .unwrap_or_else(|| "./".to_owned())
}

#[component]
pub fn AskPage() -> impl IntoView {
    let id = router::param("id").unwrap_or_default();
    let title = router::query("title").unwrap_or_default();
    let back = back_link();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let url = StoredValue::new(format!("api/disclosures/{id}/questions"));
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = Text {
            text: text.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            // The answer (the entry with its questions) is not shown here: the page it is on
            // shows it.
            match api::post::<_, serde::de::IgnoredAny>(&url.get_value(), &req).await {
                Ok(_) => {
                    error.set(None);
                    sent.set(true);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <Page title=dw(D::AskTitle)>
            {(!title.is_empty()).then(|| view! { <h2>{title}</h2> })}
            {move || if sent.get() {
                view! { <p class="ok" role="status">{dw(D::AskSent)}</p> }.into_any()
            } else {
                view! {
                    <form on:submit=send novalidate>
                        <p class="hint">{dw(D::AskHint)}</p>
                        <div class="field">
                            <label for="ask-text">{dw(D::AskLabel)}</label>
                            <textarea id="ask-text" rows="4" maxlength="300" prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        </div>
                        <FormError error=error/>
                        <button type="submit" disabled=move || busy.get()>{dw(D::AskSend)}</button>
                    </form>
                }.into_any()
            }}
            <p><a href=back rel="external">{dw(D::AskBack)}</a></p>
        </Page>
    }
}
