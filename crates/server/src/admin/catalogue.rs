//! Admin pages: catalogue (being built).

use super::auth::Admin;
use super::Page;
use crate::state::AppState;
use axum::extract::State;
use minijinja::context;

pub async fn list(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("catalogue.html", Some(&admin), context! {})
}

pub async fn import(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("catalogue.html", Some(&admin), context! {})
}

pub async fn edit_page(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("catalogue.html", Some(&admin), context! {})
}

pub async fn save(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("catalogue.html", Some(&admin), context! {})
}

