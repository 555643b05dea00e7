//! `eval::run` on a small CoNLL file: every token line gets the predicted tag appended, the
//! blank and -DOCSTART- lines keep their place, and the score is the one the written
//! predictions give under `score_ner.py`'s rules (re-derived here from the file).

use std::collections::BTreeSet;

use stringer::ner::conll::spans;
use stringer::ner::{Tagger, eval};

const SAMPLE: &str = "-DOCSTART- -X- O O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
to TO I-VP O
boycott VB I-VP O
British JJ I-NP I-MISC
lamb NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- O O

BRUSSELS NNP I-NP I-LOC
1996-08-22 CD I-NP O
";

#[test]
fn predictions_are_appended_and_scored_like_the_referee() {
    let dir = std::env::temp_dir().join(format!("stringer-ner-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("sample.txt");
    let output = dir.join("pred.txt");
    std::fs::write(&input, SAMPLE).unwrap();
    let score = eval::run(Tagger::embedded(), &input, Some(&output)).unwrap();
    let written = std::fs::read_to_string(&output).unwrap();
    let (ins, outs): (Vec<&str>, Vec<&str>) = (SAMPLE.lines().collect(), written.lines().collect());
    assert_eq!(ins.len(), outs.len());
    let (mut gold, mut pred) = (Vec::new(), Vec::new());
    let (mut tp, mut n_gold, mut n_pred) = (0, 0, 0);
    let mut flush = |gold: &mut Vec<String>, pred: &mut Vec<String>| {
        let g: BTreeSet<_> = spans(gold).into_iter().collect();
        let p: BTreeSet<_> = spans(pred).into_iter().collect();
        tp += g.intersection(&p).count();
        n_gold += g.len();
        n_pred += p.len();
        gold.clear();
        pred.clear();
    };
    for (i, o) in ins.iter().zip(&outs) {
        if i.is_empty() || i.starts_with("-DOCSTART-") {
            assert!(o.is_empty() || o.starts_with(i));
            flush(&mut gold, &mut pred);
            continue;
        }
        let cols: Vec<&str> = o.split(' ').collect();
        assert_eq!(cols.len(), 5, "{o}");
        assert!(o.starts_with(i));
        gold.push(cols[3].to_string());
        pred.push(cols[4].to_string());
    }
    flush(&mut gold, &mut pred);
    assert_eq!(n_gold, 5);
    let p = tp as f64 / n_pred as f64;
    let r = tp as f64 / n_gold as f64;
    assert!((score.precision - p).abs() < 1e-12 && (score.recall - r).abs() < 1e-12);
    assert!((score.f1 - 2.0 * p * r / (p + r)).abs() < 1e-12);
    // The tagger gets this classic sentence right.
    assert!(score.f1 > 0.8, "{score}");
    std::fs::remove_dir_all(&dir).ok();
}
