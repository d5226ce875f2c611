//! Offline multilingual understanding for Comptoir: language identification, normalisation,
//! intent classification and entity extraction in fr, en, de, it and es. Pure computation: no
//! I/O, no async; callers hand it text, a reference time and the tenant's catalogue terms.

pub mod cache;
pub mod classifier;
pub mod dataset;
pub mod engine;
pub mod entities;
pub mod eval;
pub mod features;
pub mod lang;
pub mod language;
pub mod normalize;

pub use engine::{Engine, Request, Understanding};
pub use lang::Lang;
