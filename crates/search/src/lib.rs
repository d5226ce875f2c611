//! Product search and recommendations for one tenant's catalogue, in memory.
//!
//! Pure computation: callers hand it catalogue entries (from the store) and queries; it never
//! touches a database or the network. The server keeps one [`SearchIndex`] per tenant, rebuilt
//! from the database at start and updated product by product after each write.

pub mod analysis;
pub mod eval;
mod index;
mod recommend;
mod search;
mod spell;

pub use analysis::{Analyzer, Attributes};
pub use index::SearchIndex;
pub use recommend::{RecommendRequest, Recommendation, Recommendations};
pub use search::{
    Explain, Filters, Hit, Interpretation, ScoreParts, SearchRequest, SearchResults, Session,
    Trait, WantedAttributes,
};
