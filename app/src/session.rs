//! Who is signed in, shared through context.

use leptos::prelude::*;
use sunlight_api::dto::Me;

use crate::api::{self, Failure};

/// The signed-in person: `None` while unknown, `Some(None)` when signed out.
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<Option<Option<Me>>>);

impl Session {
    pub fn get() -> Session {
        expect_context::<Session>()
    }

    /// Asks the server who this is. An offline phone stays "unknown" so the page can say so.
    pub async fn refresh(self) -> Result<(), Failure> {
        match api::get::<Me>("api/me").await {
            Ok(me) => {
                self.0.set(Some(Some(me)));
                Ok(())
            }
            Err(Failure::Server(_)) => {
                self.0.set(Some(None));
                Ok(())
            }
            Err(f) => Err(f),
        }
    }

    pub fn set(self, me: Option<Me>) {
        self.0.set(Some(me));
    }
}
