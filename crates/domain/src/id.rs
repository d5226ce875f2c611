//! Opaque, unguessable identifiers: a readable prefix and 20 random base32 characters (100 bits).

use rand::Rng;

const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A new random id such as `prod_k3x9…`; never sequential, so safe in public URLs.
pub fn new_id(prefix: &str) -> String {
    let mut rng = rand::thread_rng();
    let mut s = String::with_capacity(prefix.len() + 21);
    s.push_str(prefix);
    s.push('_');
    for _ in 0..20 {
        s.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = super::new_id("prod");
        let b = super::new_id("prod");
        assert!(a.starts_with("prod_"));
        assert_eq!(a.len(), 25);
        assert_ne!(a, b);
    }
}
