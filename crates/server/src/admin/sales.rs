//! Orders (the list, marking paid, cancelling) and leads with the coming appointments: what
//! the agent collected, for the shop's owner and agents.

use super::auth::Admin;
use super::views::url_encode;
use super::{AdminError, Page};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use axum::Form;
use comptoir_domain::{now_ms, OrderStatus, PlacedOrder};
use minijinja::{context, Value};
use serde::Deserialize;

/// Orders per page.
const PAGE_SIZE: u32 = 50;
/// With a status filter: orders read per store page, and pages read at most per screen.
const FILTER_PAGE: u32 = 200;
const FILTER_PAGES: usize = 10;
/// Leads shown (newest first).
const LEADS_SHOWN: u32 = 200;
/// Appointments shown: from now to this many days ahead.
const APPOINTMENT_DAYS: i64 = 60;

const STATUSES: [OrderStatus; 4] = [
    OrderStatus::AwaitingPayment,
    OrderStatus::Paid,
    OrderStatus::Expired,
    OrderStatus::Cancelled,
];

fn status_label(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::AwaitingPayment => "awaiting payment",
        OrderStatus::Paid => "paid",
        OrderStatus::Expired => "expired",
        OrderStatus::Cancelled => "cancelled",
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct OrdersQuery {
    cursor: Option<String>,
    status: Option<String>,
}

/// A status filter as given: `None` for all.
fn status_filter(s: Option<&str>) -> Result<Option<OrderStatus>, AdminError> {
    match s.map(str::trim) {
        None | Some("") | Some("all") => Ok(None),
        Some(s) => OrderStatus::parse(s).map(Some).ok_or_else(|| {
            AdminError::new(
                StatusCode::BAD_REQUEST,
                "Unknown order status: use awaiting_payment, paid, expired or cancelled.",
            )
        }),
    }
}

fn order_row(o: &PlacedOrder) -> Value {
    let lines: Vec<String> = o
        .lines
        .iter()
        .map(|l| format!("{} × {}", l.quantity, l.sku))
        .collect();
    let customer = o.customer.as_ref();
    context! {
        id => &o.id,
        created_at => o.created_at,
        expires_at => o.expires_at,
        customer_name => customer.and_then(|c| c.name.as_deref()),
        customer_email => customer.and_then(|c| c.email.as_deref()),
        customer_phone => customer.and_then(|c| c.phone.as_deref()),
        lines => lines.join(", "),
        items => o.lines.iter().map(|l| l.quantity).sum::<i64>(),
        total_minor => o.currency.to_minor(o.total).ok(),
        total => o.total.normalize().to_string(),
        currency => o.currency.as_str(),
        payment_method => &o.payment_method,
        status => o.status.as_str(),
        status_label => status_label(o.status),
        conversation_id => &o.conversation_id,
        can_pay => o.status.can_become(OrderStatus::Paid),
        can_cancel => o.status.can_become(OrderStatus::Cancelled),
    }
}

/// `GET /admin/orders?status=&cursor=`: newest first.
pub async fn orders(
    State(st): State<AppState>,
    admin: Admin,
    Query(q): Query<OrdersQuery>,
) -> Page {
    let tenant = admin.shop()?;
    let filter = status_filter(q.status.as_deref())?;
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    if cursor.is_some_and(|c| c.len() > 200 || c.chars().any(|ch| ch.is_control())) {
        return Err(AdminError::new(
            StatusCode::BAD_REQUEST,
            "This page link is not valid (cursor).",
        ));
    }
    let (rows, next_cursor) = match filter {
        None => {
            let page = st.store.list_orders(&tenant.id, cursor, PAGE_SIZE).await?;
            (
                page.items.iter().map(order_row).collect::<Vec<_>>(),
                page.next_cursor,
            )
        }
        Some(want) => {
            // The store lists every status: read whole pages until a screenful matches.
            let mut rows = Vec::new();
            let mut next = cursor.map(str::to_string);
            for _ in 0..FILTER_PAGES {
                let page = st
                    .store
                    .list_orders(&tenant.id, next.as_deref(), FILTER_PAGE)
                    .await?;
                rows.extend(
                    page.items
                        .iter()
                        .filter(|o| o.status == want)
                        .map(order_row),
                );
                next = page.next_cursor;
                if next.is_none() || rows.len() >= PAGE_SIZE as usize {
                    break;
                }
            }
            (rows, next)
        }
    };
    let status_text = filter.map(OrderStatus::as_str).unwrap_or("");
    let next_url = next_cursor.map(|c| {
        let mut url = format!("/admin/orders?cursor={}", url_encode(&c));
        if !status_text.is_empty() {
            url.push_str(&format!("&status={status_text}"));
        }
        url
    });
    let statuses: Vec<Value> = STATUSES
        .iter()
        .map(|s| context! { value => s.as_str(), label => status_label(*s) })
        .collect();
    st.admin.views.page(
        "orders.html",
        Some(&admin),
        context! {
            nav => "orders",
            orders => rows,
            status => status_text,
            statuses,
            next_url,
            paged => cursor.is_some(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    status: Option<String>,
    /// The list's status filter, to go back to it.
    filter: Option<String>,
}

/// `POST /admin/orders/{id}/status`: `paid` (payment received) or `cancelled` (the stock goes
/// back), as the API allows; owners and agents.
pub async fn order_status(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Page {
    admin.check_csrf(f.csrf.as_deref())?;
    let tenant = admin.shop()?;
    let to = match f.status.as_deref().and_then(OrderStatus::parse) {
        Some(s @ (OrderStatus::Paid | OrderStatus::Cancelled)) => s,
        _ => {
            return Err(AdminError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "An order can be marked paid or cancelled.",
            ))
        }
    };
    let Some(current) = st.store.order(&tenant.id, &id).await? else {
        return Err(AdminError::not_found("Order"));
    };
    if !current.status.can_become(to) {
        return Err(AdminError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "This order is {}: it cannot be marked {}.",
                status_label(current.status),
                status_label(to)
            ),
        ));
    }
    let o = st
        .store
        .set_order_status(&tenant.id, &id, to)
        .await?
        .ok_or_else(|| AdminError::not_found("Order"))?;
    tracing::info!(order = %o.id, status = o.status.as_str(), "order status changed in the admin");
    let flash = format!("Order {} is now {}.", o.id, status_label(o.status));
    let mut to = "/admin/orders".to_string();
    if let Ok(Some(s)) = status_filter(f.filter.as_deref()) {
        to.push_str(&format!("?status={}", s.as_str()));
    }
    Ok(super::views::redirect_with_flash(&to, &flash))
}

/// `GET /admin/leads`: the leads the agent collected, newest first, and the appointments of
/// the coming days.
pub async fn leads(State(st): State<AppState>, admin: Admin) -> Page {
    let tenant = admin.shop()?;
    let leads: Vec<Value> = st
        .store
        .list_leads(&tenant.id, LEADS_SHOWN)
        .await?
        .iter()
        .map(|l| {
            context! {
                id => &l.id,
                kind => l.kind.as_str(),
                kind_label => l.kind.as_str().replace('_', " "),
                name => &l.name,
                email => &l.email,
                phone => &l.phone,
                details => &l.details,
                score => l.score,
                created_at => l.created_at,
                conversation_id => &l.conversation_id,
            }
        })
        .collect();
    let now = now_ms();
    let appointments: Vec<Value> = st
        .store
        .appointments(&tenant.id, now, now + APPOINTMENT_DAYS * 24 * 3600 * 1000)
        .await?
        .iter()
        .map(|a| {
            context! {
                id => &a.id,
                starts_at => a.starts_at,
                duration_minutes => a.duration_minutes,
                name => &a.name,
                email => &a.email,
                phone => &a.phone,
                status => &a.status,
                conversation_id => &a.conversation_id,
            }
        })
        .collect();
    st.admin.views.page(
        "leads.html",
        Some(&admin),
        context! {
            nav => "leads",
            leads,
            appointments,
            days => APPOINTMENT_DAYS,
            shown => LEADS_SHOWN,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filters() {
        assert_eq!(status_filter(None).unwrap(), None);
        assert_eq!(status_filter(Some("all")).unwrap(), None);
        assert_eq!(
            status_filter(Some("paid")).unwrap(),
            Some(OrderStatus::Paid)
        );
        assert!(status_filter(Some("shipped")).is_err());
    }
}
