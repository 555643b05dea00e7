//! robots.txt (RFC 9309) for article pages: a site that asks crawlers to stay out of a path is
//! not fetched there. Rules are fetched once per origin and kept for a day; the rules of at most
//! `CAPACITY` origins are kept (the least recently used go first), so memory does not grow
//! with the number of sites a long run meets.
//!
//! Following RFC 9309 §2.3.1: a robots.txt that does not exist (4xx) allows everything; one that
//! cannot be read (5xx, network error) disallows everything for now, and the article is retried
//! later. Feeds themselves are fetched regardless: a subscription is an explicit request.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use std::time::{Duration, Instant};

use crate::fetch::{FetchError, Http, Outcome, Want};
use crate::model::Validators;

/// How long fetched rules are trusted (RFC 9309 §2.4 suggests at most 24 hours).
const TTL: Duration = Duration::from_secs(24 * 3600);
/// Origins whose rules are kept at once.
const CAPACITY: usize = 10_000;
/// How long an unreachable robots.txt is remembered before it is asked again.
const UNREACHABLE_TTL: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Disallowed,
    /// robots.txt could not be read; try the page again later.
    Unreachable(String),
    /// The private-network guard refused the site: its pages will be refused too.
    Refused(String),
    /// Our own network is down: nothing is known, and nothing is remembered.
    Offline(String),
}

enum Rules {
    AllowAll,
    Parsed(texting_robots::Robot),
    Unreachable(String),
    Refused(String),
    Offline(String),
}

/// The rules of one origin and when they were fetched. The async lock makes concurrent
/// checks of an origin wait for one fetch instead of each fetching robots.txt.
type Slot = Arc<tokio::sync::Mutex<Option<(Instant, Arc<Rules>)>>>;

pub struct Robots {
    agent: String,
    cache: Mutex<LruCache<String, Slot>>,
}

impl Robots {
    /// `user_agent` is the full User-Agent header; its product token (before the first `/`)
    /// is what robots.txt groups are matched against.
    pub fn new(user_agent: &str) -> Robots {
        let agent = user_agent
            .split(['/', ' '])
            .next()
            .filter(|a| !a.is_empty())
            .unwrap_or("Stringer")
            .to_string();
        Robots {
            agent,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CAPACITY).expect("a positive capacity"),
            )),
        }
    }

    pub async fn check(&self, http: &Http, url: &str) -> Verdict {
        self.check_with_delay(http, url).await.0
    }

    /// The verdict, and the site's `Crawl-delay` for us when it allows the page.
    pub async fn check_with_delay(&self, http: &Http, url: &str) -> (Verdict, Option<Duration>) {
        let Ok(robots_url) = texting_robots::get_robots_url(url) else {
            return (Verdict::Allowed, None);
        };
        let slot = self.slot(&robots_url);
        let mut entry = slot.lock().await;
        let fresh = entry.as_ref().filter(|(at, rules)| {
            let ttl = match rules.as_ref() {
                Rules::Unreachable(_) => UNREACHABLE_TTL,
                _ => TTL,
            };
            at.elapsed() < ttl
        });
        let rules = match fresh {
            Some((_, rules)) => rules.clone(),
            None => {
                let rules = Arc::new(self.fetch(http, &robots_url).await);
                if !matches!(*rules, Rules::Offline(_)) {
                    *entry = Some((Instant::now(), rules.clone()));
                }
                rules
            }
        };
        drop(entry);
        let verdict = match rules.as_ref() {
            Rules::AllowAll => Verdict::Allowed,
            Rules::Parsed(robot) if robot.allowed(url) => Verdict::Allowed,
            Rules::Parsed(_) => Verdict::Disallowed,
            Rules::Unreachable(why) => Verdict::Unreachable(why.clone()),
            Rules::Refused(why) => Verdict::Refused(why.clone()),
            Rules::Offline(why) => Verdict::Offline(why.clone()),
        };
        let delay = match rules.as_ref() {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(86_400.0))),
            _ => None,
        };
        (verdict, delay)
    }

    /// The cache slot of an origin's rules, made (and the least recently used dropped) when new.
    fn slot(&self, robots_url: &str) -> Slot {
        let mut cache = self.cache.lock().expect("robots cache lock");
        if let Some(slot) = cache.get(robots_url) {
            return slot.clone();
        }
        let slot = Slot::default();
        cache.put(robots_url.to_string(), slot.clone());
        slot
    }

    /// Origins whose rules are kept now.
    #[cfg(test)]
    fn cached(&self) -> usize {
        self.cache.lock().expect("robots cache lock").len()
    }

    async fn fetch(&self, http: &Http, robots_url: &str) -> Rules {
        match http
            .get(robots_url, Want::Text, &Validators::default())
            .await
        {
            Ok(Outcome::Fetched(f)) => match texting_robots::Robot::new(&self.agent, &f.body) {
                Ok(robot) => Rules::Parsed(robot),
                // Unparseable rules are no rules (RFC 9309 §2.2: parse what can be parsed).
                Err(_) => Rules::AllowAll,
            },
            Ok(Outcome::NotModified { .. }) => Rules::AllowAll,
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                Rules::AllowAll
            }
            // A robots.txt too large to read: RFC 9309 §2.5 says parse the first 500 KiB; we
            // cannot, so be permissive rather than block a whole site.
            Err(FetchError::TooLarge { .. }) => Rules::AllowAll,
            Err(FetchError::Blocked(why)) => Rules::Refused(why),
            Err(FetchError::Offline(why)) => Rules::Offline(why),
            Err(e) => Rules::Unreachable(format!("robots.txt unreachable: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_is_the_product_token() {
        assert_eq!(Robots::new("Stringer/0.1 (self-hosted)").agent, "Stringer");
        assert_eq!(Robots::new("MyBot").agent, "MyBot");
    }

    #[test]
    fn the_rules_of_at_most_capacity_origins_are_kept() {
        let robots = Robots::new("Stringer/0.1");
        let first = robots.slot("https://site0.example/robots.txt");
        for i in 1..CAPACITY + 50 {
            robots.slot(&format!("https://site{i}.example/robots.txt"));
        }
        assert_eq!(robots.cached(), CAPACITY);
        // The first origin was dropped: asking again makes a new slot.
        let again = robots.slot("https://site0.example/robots.txt");
        assert!(!Arc::ptr_eq(&first, &again));
        // A recent one is still the same slot.
        let recent = format!("https://site{}.example/robots.txt", CAPACITY + 40);
        assert!(Arc::ptr_eq(&robots.slot(&recent), &robots.slot(&recent)));
    }

    #[test]
    fn rules_are_matched_for_our_agent() {
        let txt = b"User-agent: *\nDisallow: /private/\n\nUser-agent: Stringer\nDisallow: /no-stringer/\n";
        let robot = texting_robots::Robot::new("Stringer", txt).unwrap();
        assert!(!robot.allowed("https://x.example/no-stringer/a.html"));
        // Our own group replaces the * group.
        assert!(robot.allowed("https://x.example/private/a.html"));
        assert!(robot.allowed("https://x.example/news/a.html"));
    }
}
