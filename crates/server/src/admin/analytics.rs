//! Admin pages: analytics (being built).

use super::auth::Admin;
use super::Page;
use crate::state::AppState;
use axum::extract::State;
use minijinja::context;

pub async fn home(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("analytics.html", Some(&admin), context! {})
}

pub async fn page(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("analytics.html", Some(&admin), context! {})
}

pub async fn export(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("analytics.html", Some(&admin), context! {})
}

