//! Admin pages: inbox (being built).

use super::auth::Admin;
use super::Page;
use crate::state::AppState;
use axum::extract::State;
use minijinja::context;

pub async fn list(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

pub async fn live(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

pub async fn conversation(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

pub async fn turns(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

pub async fn take_over(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

pub async fn message(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

pub async fn hand_back(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("inbox.html", Some(&admin), context! {})
}

