//! Orders (secret key): the list, one order, and the merchant moving it on (paid, cancelled).

use axum::extract::State;
use axum::Json;
use comptoir_domain::{Customer, OrderStatus, PlacedOrder, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::dto::rfc3339;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineOut {
    pub product_id: String,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: String,
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerOut {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderOut {
    pub id: String,
    /// awaiting_payment, paid, expired, cancelled.
    pub status: String,
    pub lines: Vec<OrderLineOut>,
    pub total: String,
    pub currency: String,
    pub payment_method: String,
    pub customer: Option<CustomerOut>,
    pub conversation_id: Option<String>,
    /// RFC 3339 (UTC): when an unpaid reservation lapses.
    pub expires_at: Option<String>,
    pub created_at: String,
}

impl From<PlacedOrder> for OrderOut {
    fn from(o: PlacedOrder) -> Self {
        OrderOut {
            id: o.id,
            status: o.status.as_str().into(),
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLineOut {
                    product_id: l.product_id,
                    sku: l.sku,
                    quantity: l.quantity,
                    unit_price: l.unit_price.normalize().to_string(),
                    currency: l.currency.as_str().into(),
                })
                .collect(),
            total: o.total.normalize().to_string(),
            currency: o.currency.as_str().into(),
            payment_method: o.payment_method,
            customer: o.customer.map(
                |Customer {
                     name,
                     email,
                     phone,
                     address,
                 }| CustomerOut {
                    name,
                    email,
                    phone,
                    address,
                },
            ),
            conversation_id: o.conversation_id,
            expires_at: o.expires_at.map(rfc3339),
            created_at: rfc3339(o.created_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<OrderOut>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/orders", tag = "orders", params(OrdersQuery),
    security(("bearer" = [])),
    responses((status = 200, body = OrderList), (status = 403, body = Problem)))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<OrdersQuery>,
) -> ApiResult<Json<OrderList>> {
    auth.require(Scope::OrdersRead)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "between 1 and 200"));
    }
    let page = st
        .store
        .list_orders(&auth.tenant.id, q.cursor.as_deref(), limit)
        .await?;
    Ok(Json(OrderList {
        items: page.items.into_iter().map(OrderOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    security(("bearer" = [])),
    responses((status = 200, body = OrderOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<OrderOut>> {
    auth.require(Scope::OrdersRead)?;
    let o = st
        .store
        .order(&auth.tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    Ok(Json(o.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderPatch {
    /// `paid` (payment received) or `cancelled` (gives the stock back).
    pub status: String,
}

#[utoipa::path(patch, path = "/v1/orders/{id}", tag = "orders", request_body = OrderPatch,
    params(("id" = String, Path, description = "Order id")),
    security(("bearer" = [])),
    responses((status = 200, body = OrderOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<OrderPatch>,
) -> ApiResult<Json<OrderOut>> {
    auth.require(Scope::Admin)?;
    let to = match OrderStatus::parse(&patch.status) {
        Some(s @ (OrderStatus::Paid | OrderStatus::Cancelled)) => s,
        _ => return Err(ApiError::invalid("status", "`paid` or `cancelled`")),
    };
    let o = st
        .store
        .set_order_status(&auth.tenant.id, &id, to)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    Ok(Json(o.into()))
}
