//! The conversation service shared by handlers: the agent (reply texts loaded once), the
//! industry templates, and per-conversation gates — a lock so two messages of one conversation
//! run one after the other, and a token bucket that answers a flood with 429.
//!
//! A gate lives only while its conversation is active: idle ones are dropped, so memory follows
//! the conversations in flight, not all conversations ever held.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use comptoir_agent::{Agent, ManualPayment, Template};
use comptoir_domain::Tenant;

/// Gates kept before idle ones are swept.
const SWEEP_ABOVE: usize = 4096;
/// Least time between two sweeps.
const SWEEP_EVERY: Duration = Duration::from_secs(5);
/// A gate idle this long is dropped by a sweep.
const IDLE: Duration = Duration::from_secs(120);

/// How fast one conversation may send messages.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Messages per second, sustained.
    pub per_second: f64,
    /// Messages accepted at once after a pause.
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        // A person types far slower; a script looping on one conversation does not.
        RateLimit {
            per_second: 5.0,
            burst: 20.0,
        }
    }
}

struct Gate {
    lock: Arc<tokio::sync::Mutex<()>>,
    tokens: f64,
    last: Instant,
}

#[derive(Default)]
struct Gates {
    by_conversation: HashMap<String, Gate>,
    swept: Option<Instant>,
}

pub struct Conversations {
    agent: OnceLock<Agent>,
    payment: ManualPayment,
    gates: Mutex<Gates>,
    /// Turns computed at once; the others queue (their wait is measured apart), so a turn's
    /// time is its own work, not its share of an overloaded CPU.
    working: tokio::sync::Semaphore,
    builtin: OnceLock<HashMap<String, Arc<Template>>>,
    pub rate: RateLimit,
}

impl Conversations {
    pub fn new(rate: RateLimit) -> Self {
        Conversations {
            agent: OnceLock::new(),
            payment: ManualPayment,
            gates: Mutex::new(Gates::default()),
            working: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            ),
            builtin: OnceLock::new(),
            rate,
        }
    }

    pub fn agent(&self) -> &Agent {
        // The reply texts are compiled in and tested: failing to read them is a build defect.
        self.agent
            .get_or_init(|| Agent::builtin().expect("built-in reply texts are valid"))
    }

    pub fn payment(&self) -> &ManualPayment {
        &self.payment
    }

    fn builtin(&self) -> &HashMap<String, Arc<Template>> {
        self.builtin.get_or_init(|| {
            Template::all_builtin()
                .into_iter()
                .map(|t| (t.id.clone(), Arc::new(t)))
                .collect()
        })
    }

    /// The built-in templates, by id.
    pub fn templates(&self) -> Vec<Arc<Template>> {
        let mut all: Vec<Arc<Template>> = self.builtin().values().cloned().collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    pub fn template_exists(&self, id: &str) -> bool {
        self.builtin().contains_key(id)
    }

    /// The tenant's template (its choice, else the general one).
    pub fn template(&self, tenant: &Tenant) -> Arc<Template> {
        let all = self.builtin();
        all.get(&tenant.settings.template)
            .or_else(|| all.get(comptoir_agent::templates::DEFAULT_TEMPLATE))
            .or_else(|| all.values().next())
            .cloned()
            .expect("at least one built-in template")
    }

    /// Admits one message of a conversation: its lock to hold for the turn, or how long to
    /// wait when it sends too fast.
    pub fn admit(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> Result<Arc<tokio::sync::Mutex<()>>, Duration> {
        let now = Instant::now();
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        // Swept at most every few seconds: a sweep reads every gate.
        if gates.by_conversation.len() > SWEEP_ABOVE
            && gates
                .swept
                .is_none_or(|t| now.duration_since(t) > SWEEP_EVERY)
        {
            gates
                .by_conversation
                .retain(|_, g| now.duration_since(g.last) < IDLE || Arc::strong_count(&g.lock) > 1);
            gates.swept = Some(now);
        }
        let rate = self.rate;
        let gate = gates
            .by_conversation
            .entry(format!("{tenant_id}/{conversation_id}"))
            .or_insert_with(|| Gate {
                lock: Arc::new(tokio::sync::Mutex::new(())),
                tokens: rate.burst,
                last: now,
            });
        let elapsed = now.duration_since(gate.last).as_secs_f64();
        gate.tokens = (gate.tokens + elapsed * rate.per_second).min(rate.burst);
        gate.last = now;
        if gate.tokens < 1.0 {
            let wait = (1.0 - gate.tokens) / rate.per_second.max(1e-6);
            return Err(Duration::from_secs_f64(wait));
        }
        gate.tokens -= 1.0;
        Ok(Arc::clone(&gate.lock))
    }

    /// Drops a gate admitted for a conversation that turned out not to exist, so made-up ids
    /// cost no memory.
    pub fn forget(&self, tenant_id: &str, conversation_id: &str) {
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        let key = format!("{tenant_id}/{conversation_id}");
        if gates
            .by_conversation
            .get(&key)
            .is_some_and(|g| Arc::strong_count(&g.lock) <= 2)
        {
            gates.by_conversation.remove(&key);
        }
    }

    /// Gates held now (memory accounting in benchmarks).
    pub fn active(&self) -> usize {
        self.gates
            .lock()
            .map(|g| g.by_conversation.len())
            .unwrap_or(0)
    }

    /// A place among the turns computed at once.
    pub async fn work(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.working
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_refused_with_a_wait_and_other_conversations_are_not() {
        let c = Conversations::new(RateLimit {
            per_second: 5.0,
            burst: 3.0,
        });
        for _ in 0..3 {
            assert!(c.admit("t", "a").is_ok());
        }
        let wait = c.admit("t", "a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200));
        assert!(c.admit("t", "b").is_ok());
        assert!(
            c.admit("u", "a").is_ok(),
            "another tenant's id shares nothing"
        );
    }
}
