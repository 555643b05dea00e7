//! The rule that links a new article to a story. In order: an earlier article with the same
//! text makes it a duplicate in that article's story; else the most similar earlier text with
//! a shingle similarity of at least [`NEAR`] makes it a near-duplicate in that story; else an
//! earlier article of the time window that shares rare names and keyphrases puts it in that
//! article's story; else it starts a story of its own. Ties go to the earliest article, so the
//! outcome depends only on what is stored and in what order.

use super::signature::similarity;

/// Shingle similarity from which a text is a near-duplicate of another.
pub const NEAR: f32 = 0.5;

/// An entity is rare in the window when at most this share of its articles mention it (a
/// country or a head of state named everywhere says little about which event it is).
pub const RARE_SHARE: f64 = 0.1;

/// What the new article brings to the decision.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub signature: Option<Vec<u32>>,
    /// Articles stored in the time window (the denominator of rarity).
    pub window_articles: i64,
}

/// An earlier article the store found that may belong with the new one.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub article_id: i64,
    pub story_id: i64,
    /// Same normalised text (equal content hash).
    pub same_text: bool,
    pub signature: Option<Vec<u32>>,
    /// Entities both articles mention, each with how many articles of the window mention it.
    pub shared_entities: Vec<i64>,
    /// Keyphrases both articles have.
    pub shared_keyphrases: usize,
}

/// Where the new article goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A copy of `of`'s text: a duplicate, in its story.
    Duplicate { of: i64, story: i64 },
    /// A near-duplicate of an article of `story`.
    Near { story: i64 },
    /// The same event as an article of `story`, by shared rare names and keyphrases.
    Event { story: i64 },
    /// A story of its own.
    New,
}

pub fn link(probe: &Probe, candidates: &[Candidate]) -> Link {
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by_key(|c| c.article_id);
    if let Some(c) = sorted.iter().find(|c| c.same_text) {
        return Link::Duplicate {
            of: c.article_id,
            story: c.story_id,
        };
    }
    if let Some(story) = nearest(probe, &sorted) {
        return Link::Near { story };
    }
    match sorted.iter().find(|c| same_event(probe, c)) {
        Some(c) => Link::Event { story: c.story_id },
        None => Link::New,
    }
}

/// The story of the most similar earlier text at or above [`NEAR`].
fn nearest(probe: &Probe, sorted: &[&Candidate]) -> Option<i64> {
    let mine = probe.signature.as_deref()?;
    let mut best: Option<(f32, i64)> = None;
    for c in sorted {
        let Some(theirs) = c.signature.as_deref() else {
            continue;
        };
        let s = similarity(mine, theirs);
        if s >= NEAR && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, c.story_id));
        }
    }
    best.map(|(_, story)| story)
}

/// Whether a name that `df` of the window's `total` articles mention is rare there (at most
/// [`RARE_SHARE`] of them, and always when three articles or fewer mention it).
pub fn is_rare(df: i64, total: i64) -> bool {
    (df as f64) <= (total.max(1) as f64 * RARE_SHARE).max(3.0)
}

/// Two rare names in common and two keyphrases, or three rare names.
fn same_event(probe: &Probe, c: &Candidate) -> bool {
    let rare = c
        .shared_entities
        .iter()
        .filter(|&&df| is_rare(df, probe.window_articles))
        .count();
    rare >= 3 || (rare >= 2 && c.shared_keyphrases >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: i64, story: i64) -> Candidate {
        Candidate {
            article_id: id,
            story_id: story,
            ..Default::default()
        }
    }

    #[test]
    fn duplicates_then_near_duplicates_then_events_then_new() {
        let sig: Vec<u32> = (0..64).collect();
        let probe = Probe {
            signature: Some(sig.clone()),
            window_articles: 100,
        };
        let mut near = cand(5, 50);
        near.signature = Some(
            sig.iter()
                .map(|v| if v % 3 == 0 { 999 } else { *v })
                .collect(),
        );
        let mut copy = cand(7, 70);
        copy.same_text = true;
        let mut event = cand(3, 30);
        event.shared_entities = vec![2, 4, 90];
        event.shared_keyphrases = 2;
        let all = [near.clone(), copy.clone(), event.clone()];
        assert_eq!(link(&probe, &all), Link::Duplicate { of: 7, story: 70 });
        assert_eq!(
            link(&probe, &[near, event.clone()]),
            Link::Near { story: 50 }
        );
        assert_eq!(link(&probe, &[event.clone()]), Link::Event { story: 30 });
        let mut common = event;
        common.shared_entities = vec![2, 90, 95];
        assert_eq!(
            link(&probe, &[common]),
            Link::New,
            "one rare name is not enough"
        );
        assert_eq!(link(&probe, &[]), Link::New);
    }
}
