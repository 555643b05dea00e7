//! BILOU labels over the four entity types: label ids, entity spans and the conversions
//! between them, and which label may follow which. It must not score or decode anything.

use crate::model::EntityType;

/// O plus B/I/L/U for each of the four types.
pub const N_LABELS: usize = 17;
const TYPES: [EntityType; 4] = [
    EntityType::PER,
    EntityType::ORG,
    EntityType::LOC,
    EntityType::MISC,
];

/// Position of a token inside an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pos {
    B = 0,
    I = 1,
    L = 2,
    U = 3,
}

pub fn label(kind: EntityType, pos: Pos) -> u8 {
    1 + 4 * kind as u8 + pos as u8
}

pub fn kind_of(label: u8) -> Option<EntityType> {
    if label == 0 {
        None
    } else {
        Some(TYPES[((label - 1) / 4) as usize])
    }
}

fn pos_of(label: u8) -> Option<u8> {
    if label == 0 {
        None
    } else {
        Some((label - 1) % 4)
    }
}

/// An entity span over token indices `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: EntityType,
}

/// BILOU labels for entity spans over `n` tokens.
pub fn labels_from_spans(spans: &[Span], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for s in spans {
        if s.end - s.start == 1 {
            out[s.start] = label(s.kind, Pos::U);
            continue;
        }
        for (i, l) in out.iter_mut().enumerate().take(s.end).skip(s.start) {
            let pos = if i == s.start {
                Pos::B
            } else if i + 1 == s.end {
                Pos::L
            } else {
                Pos::I
            };
            *l = label(s.kind, pos);
        }
    }
    out
}

/// Entity spans of a BILOU label sequence (which Viterbi keeps well formed).
pub fn spans_from_labels(labels: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &l) in labels.iter().enumerate() {
        let (Some(kind), Some(pos)) = (kind_of(l), pos_of(l)) else {
            start = None;
            continue;
        };
        match pos {
            3 => out.push(Span {
                start: i,
                end: i + 1,
                kind,
            }),
            0 => start = Some(i),
            2 => {
                if let Some(s) = start.take() {
                    out.push(Span {
                        start: s,
                        end: i + 1,
                        kind,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether label `b` may follow label `a` (`None` = sentence start/end).
pub fn allowed(a: Option<u8>, b: Option<u8>) -> bool {
    let open = |l: Option<u8>| l.and_then(|l| pos_of(l).filter(|&p| p <= 1).map(|_| kind_of(l)));
    match (open(a), b) {
        (Some(kind), Some(b)) => kind_of(b) == kind && matches!(pos_of(b), Some(1) | Some(2)),
        (Some(_), None) => false,
        (None, Some(b)) => matches!(pos_of(b), None | Some(0) | Some(3)),
        (None, None) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilou_round_trips_spans() {
        let spans = vec![
            Span {
                start: 0,
                end: 2,
                kind: EntityType::PER,
            },
            Span {
                start: 3,
                end: 4,
                kind: EntityType::LOC,
            },
            Span {
                start: 4,
                end: 7,
                kind: EntityType::ORG,
            },
        ];
        let labels = labels_from_spans(&spans, 8);
        assert_eq!(spans_from_labels(&labels), spans);
    }

    /// Labels that may precede each label under BILOU (at most 9: O, L-*, U-* before O, B-*,
    /// U-*; B-t, I-t before I-t, L-t), so Viterbi skips the forbidden pairs.
    const PREDECESSORS: ([[u8; 9]; N_LABELS], [usize; N_LABELS]) = {
        let mut list = [[0u8; 9]; N_LABELS];
        let mut len = [0usize; N_LABELS];
        let mut b = 0;
        while b < N_LABELS {
            let mut a = 0;
            while a < N_LABELS {
                // Same rule as `allowed`, in const form.
                let a_open = a != 0 && (a - 1) % 4 <= 1;
                let ok = if a_open {
                    b != 0 && (b - 1) / 4 == (a - 1) / 4 && ((b - 1) % 4 == 1 || (b - 1) % 4 == 2)
                } else {
                    b == 0 || (b - 1) % 4 == 0 || (b - 1) % 4 == 3
                };
                if ok {
                    list[b][len[b]] = a as u8;
                    len[b] += 1;
                }
                a += 1;
            }
            b += 1;
        }
        (list, len)
    };

    #[test]
    fn predecessor_table_matches_the_bilou_rule() {
        for b in 0..N_LABELS as u8 {
            let expected: Vec<u8> = (0..N_LABELS as u8)
                .filter(|&a| allowed(Some(a), Some(b)))
                .collect();
            let (list, len) = (&PREDECESSORS.0[b as usize], PREDECESSORS.1[b as usize]);
            assert_eq!(&list[..len], expected.as_slice());
        }
    }
}
