//! Admin pages: settings (being built).

use super::auth::Admin;
use super::Page;
use crate::state::AppState;
use axum::extract::State;
use minijinja::context;

pub async fn templates_page(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn save_templates(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn page(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn save_shop(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn save_branding(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn create_key(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn revoke_key(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn add_user(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

pub async fn remove_user(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("settings.html", Some(&admin), context! {})
}

