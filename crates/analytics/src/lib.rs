//! What the agent earns, computed from what conversations and orders already record: pure
//! functions over plain facts (no I/O), and the SVG charts the admin shows.
