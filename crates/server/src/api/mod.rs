//! The REST API, version 1.

pub mod dto;
pub mod imports;
pub mod keys;
pub mod nlu;
pub mod products;
pub mod search;
pub mod tenant;
