//! Admin pages: onboarding (being built).

use super::auth::Admin;
use super::Page;
use crate::state::AppState;
use axum::extract::State;
use minijinja::context;

pub async fn page(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("onboarding.html", Some(&admin), context! {})
}

pub async fn template(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("onboarding.html", Some(&admin), context! {})
}

pub async fn brand(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("onboarding.html", Some(&admin), context! {})
}

