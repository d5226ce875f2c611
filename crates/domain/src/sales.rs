//! What the agent collects besides orders: leads (contact requests, quotes, handovers,
//! back-in-stock notices) and appointments.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadKind {
    /// A shopper who left contact details to be called back.
    Lead,
    /// A quote the agent wrote; details hold its lines and total.
    Quote,
    /// A conversation handed over to a person.
    Handoff,
    /// "Tell me when it is back in stock."
    BackInStock,
}

impl LeadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadKind::Lead => "lead",
            LeadKind::Quote => "quote",
            LeadKind::Handoff => "handoff",
            LeadKind::BackInStock => "back_in_stock",
        }
    }

    pub fn parse(s: &str) -> Option<LeadKind> {
        Some(match s {
            "lead" => LeadKind::Lead,
            "quote" => LeadKind::Quote,
            "handoff" => LeadKind::Handoff,
            "back_in_stock" => LeadKind::BackInStock,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewLead {
    pub kind: LeadKind,
    pub conversation_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Kind-specific details as JSON (quote lines, the sku awaited, the reason of a handover).
    pub details: String,
    /// 0–100: how likely the lead is to buy, from what the conversation showed.
    pub score: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lead {
    pub id: String,
    pub kind: LeadKind,
    pub conversation_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub details: String,
    pub score: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAppointment {
    pub conversation_id: Option<String>,
    /// UTC ms.
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub id: String,
    pub conversation_id: Option<String>,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `booked` or `cancelled`.
    pub status: String,
    pub created_at: i64,
}
