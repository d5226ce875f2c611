//! Admin pages: sales (being built).

use super::auth::Admin;
use super::Page;
use crate::state::AppState;
use axum::extract::State;
use minijinja::context;

pub async fn orders(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("orders.html", Some(&admin), context! {})
}

pub async fn order_status(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("orders.html", Some(&admin), context! {})
}

pub async fn leads(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin.views.page("orders.html", Some(&admin), context! {})
}

