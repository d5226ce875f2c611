//! The REST API, version 1.

pub mod conversations;
pub mod dto;
pub mod imports;
pub mod keys;
pub mod nlu;
pub mod orders;
pub mod products;
pub mod search;
pub mod settings;
pub mod tenant;
