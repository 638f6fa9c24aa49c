//! Sign in, register with an invite code, reset a password with a code.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    InviteCode, Mobile, Password, PersonName,
    dto::{Me, Register as RegisterBody, ResetPassword, SignIn as SignInBody},
};

use crate::{
    api::{self, Failure},
    components::{Field, FormError, Go, navigator},
    i18n::{T, t},
    paths,
    session::Session,
};

/// Where a signed-in person lands.
pub fn landing(me: &Me) -> &'static str {
    if me.village().is_some() {
        paths::HOME
    } else {
        paths::WORK
    }
}

#[component]
fn AuthFrame(title: T, children: Children) -> impl IntoView {
    view! {
        <header class="bar"><h1>{t(T::AppName)}</h1></header>
        <main class="content narrow">
            <h2>{t(title)}</h2>
            {children()}
        </main>
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let mobile = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let navigate = navigator();
    let session = Session::get();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let body = SignInBody {
            mobile: mobile.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(e) = Mobile::parse(&body.mobile) {
            error.set(Some(e.into()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, Me>("api/session", &body).await {
                Ok(me) => {
                    let to = landing(&me);
                    session.set(Some(me));
                    navigate(to);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <AuthFrame title=T::SignIn>
            <form on:submit=submit novalidate>
                <Field id="mobile" label=T::Mobile value=mobile kind="tel" autocomplete="username" inputmode="numeric"/>
                <Field id="password" label=T::Password value=password kind="password" autocomplete="current-password"/>
                <FormError error=error/>
                <button type="submit" disabled=move || busy.get()>{t(T::SignIn)}</button>
            </form>
            <p><Go href=paths::REGISTER>{t(T::NoAccountYet)}</Go></p>
            <p><Go href=paths::RESET>{t(T::ForgotPassword)}</Go></p>
            // Someone sent the main link, with no account, must still be able to report.
            <p><Go href=paths::REPORT>{t(T::ReportWithoutAccount)}</Go></p>
        </AuthFrame>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let mobile = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let navigate = navigator();
    let session = Session::get();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let body = RegisterBody {
            invite_code: code.get_untracked(),
            name: name.get_untracked(),
            mobile: mobile.get_untracked(),
            password: password.get_untracked(),
        };
        let checked = InviteCode::parse_field(&body.invite_code, "invite_code")
            .and(PersonName::parse(&body.name).map(|_| ()))
            .and(Mobile::parse(&body.mobile).map(|_| ()))
            .and(Password::parse(&body.password).map(|_| ()));
        if let Err(e) = checked {
            error.set(Some(e.into()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, Me>("api/registrations", &body).await {
                Ok(me) => {
                    session.set(Some(me));
                    navigate(paths::HOME);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <AuthFrame title=T::Register>
            <form on:submit=submit novalidate>
                <Field id="invite" label=T::InviteCode value=code hint=T::InviteHint autocomplete="off"/>
                <Field id="name" label=T::Name value=name autocomplete="name"/>
                <Field id="mobile" label=T::Mobile value=mobile kind="tel" autocomplete="username" inputmode="numeric"/>
                <Field id="password" label=T::Password value=password kind="password" autocomplete="new-password" hint=T::PasswordHint/>
                <FormError error=error/>
                <button type="submit" disabled=move || busy.get()>{t(T::Register)}</button>
            </form>
            <p><Go href=paths::LOGIN>{t(T::BackToSignIn)}</Go></p>
        </AuthFrame>
    }
}

#[component]
pub fn Reset() -> impl IntoView {
    let mobile = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let body = ResetPassword {
            mobile: mobile.get_untracked(),
            code: code.get_untracked(),
            password: password.get_untracked(),
        };
        let checked = Mobile::parse(&body.mobile)
            .map(|_| ())
            .and(InviteCode::parse(&body.code).map(|_| ()))
            .and(Password::parse(&body.password).map(|_| ()));
        if let Err(e) = checked {
            error.set(Some(e.into()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, ()>("api/password-resets", &body).await {
                Ok(()) => {
                    error.set(None);
                    done.set(true);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <AuthFrame title=T::ResetPassword>
            <Show when=move || !done.get() fallback=|| view! { <p class="ok" role="status">{t(T::PasswordChanged)}</p> }>
                <p class="hint">{t(T::ResetHint)}</p>
                <form on:submit=submit novalidate>
                    <Field id="mobile" label=T::Mobile value=mobile kind="tel" autocomplete="username" inputmode="numeric"/>
                    <Field id="code" label=T::ResetCode value=code autocomplete="off"/>
                    <Field id="password" label=T::NewPassword value=password kind="password" autocomplete="new-password" hint=T::PasswordHint/>
                    <FormError error=error/>
                    <button type="submit" disabled=move || busy.get()>{t(T::ResetPassword)}</button>
                </form>
            </Show>
            <p><Go href=paths::LOGIN>{t(T::BackToSignIn)}</Go></p>
        </AuthFrame>
    }
}
