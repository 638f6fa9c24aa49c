//! Who is signed in, shared through context.

use leptos::prelude::*;
use sunlight_api::dto::{Me, SessionState};

use crate::api::{self, Failure};

/// The signed-in person: `None` while unknown, `Some(None)` when signed out.
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<Option<Option<Me>>>);

impl Session {
    pub fn get() -> Session {
        expect_context::<Session>()
    }

    /// Asks the server who this is (nobody is an answer, not a refused request). An
    /// offline phone stays "unknown" so the page can say so.
    pub async fn refresh(self) -> Result<(), Failure> {
        let state = api::get::<SessionState>("api/session").await?;
        self.0.set(Some(state.me));
        Ok(())
    }

    pub fn set(self, me: Option<Me>) {
        self.0.set(Some(me));
    }
}
