//! Behaviour of the embedded classifier and of training, on the seed article and texts
//! written here. No timing assertions.

use super::*;
use crate::keyphrases::tests::seed_article;
use crate::model::Category;

fn classify(title: &str, text: &str) -> Option<Category> {
    Classifier::embedded()
        .classify(title, text, Some("en"))
        .map(|(c, _)| c)
}

#[test]
fn seed_article_is_world_news() {
    let (c, p) = Classifier::embedded()
        .classify("", &seed_article(), Some("en"))
        .unwrap();
    assert_eq!(c, Category::World);
    assert!(p > 0.5 && p <= 1.0, "{p}");
}

#[test]
fn clear_cases_of_each_label() {
    let cases = [
        (
            "Late penalty sends United through",
            "The striker scored from the spot in the 89th minute as United beat City 2-1 to reach the cup semi-final. The manager praised his defenders after a tense second half at the stadium.",
            Category::Sport,
        ),
        (
            "Shares slide as bank cuts profit forecast",
            "The bank's shares fell 6% after it warned that annual profits would miss analysts' expectations. Investors worry that higher interest rates and weaker lending will hurt earnings this quarter.",
            Category::Business,
        ),
        (
            "New chip doubles smartphone battery life",
            "The processor uses a smaller manufacturing process and new software to cut power use. Handset makers expect the first phones with the chip next year, and developers can test it with a free toolkit.",
            Category::Technology,
        ),
        (
            "Film star wins best actress award",
            "The actress won the Oscar for her role in the drama, beating four other nominees at the ceremony in Hollywood. The film's director also thanked the cast and the studio.",
            Category::Entertainment,
        ),
        (
            "Ceasefire talks resume as troops pull back",
            "Foreign ministers met in Geneva as the two countries agreed to withdraw troops from the border. The United Nations envoy said refugees could begin to return after months of fighting.",
            Category::World,
        ),
    ];
    for (title, text, want) in cases {
        assert_eq!(classify(title, text), Some(want), "{title}");
    }
}

#[test]
fn non_english_and_empty_text_get_no_category() {
    let c = Classifier::embedded();
    let text = "The striker scored twice as the team won the league title.";
    assert_eq!(c.classify("", text, Some("de")), None);
    assert_eq!(c.classify("", text, Some("fra")), None);
    assert!(c.classify("", text, Some("en")).is_some());
    assert!(c.classify("", text, Some("EN-us")).is_some());
    assert!(c.classify("", text, Some("English")).is_some());
    assert!(c.classify("", text, None).is_some());
    assert_eq!(c.classify("", "", Some("en")), None);
    assert_eq!(c.classify("", "   \n ", None), None);
}

#[test]
fn probabilities_sum_to_one() {
    let p = Classifier::embedded()
        .probabilities("", &seed_article())
        .unwrap();
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
}

#[test]
fn category_names_round_trip() {
    for c in Category::ALL {
        assert_eq!(c.to_string().parse::<Category>(), Ok(c));
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
    }
    assert_eq!("Sport".parse::<Category>(), Ok(Category::Sport));
    assert!("politics".parse::<Category>().is_err());
}

#[test]
fn corrupt_models_are_rejected() {
    let good = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/models/category.bin")).unwrap();
    assert!(Classifier::from_bytes(&good).is_ok());
    let mut flipped = good.clone();
    flipped[100] ^= 0x40;
    assert!(Classifier::from_bytes(&flipped).is_err());
    assert!(Classifier::from_bytes(&good[..good.len() / 2]).is_err());
    assert!(Classifier::from_bytes(b"not a model").is_err());
}

/// A throwaway data directory shaped like `shared/data/topics`, removed on drop.
struct TempData(std::path::PathBuf);

impl Drop for TempData {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn synthetic_data(tag: &str) -> TempData {
    let dir = std::env::temp_dir().join(format!("topics-train-{tag}-{}", std::process::id()));
    let vocab: [(&str, &[&str]); 5] = [
        (
            "world",
            &["minister", "election", "troops", "parliament", "embassy"],
        ),
        (
            "business",
            &["shares", "profits", "investors", "bank", "market"],
        ),
        (
            "technology",
            &["software", "chip", "internet", "computer", "phone"],
        ),
        ("sport", &["match", "goal", "striker", "league", "coach"]),
        (
            "entertainment",
            &["film", "actor", "album", "festival", "award"],
        ),
    ];
    let mut bbc = String::new();
    let mut ag = String::new();
    for (label, words) in vocab {
        for i in 0..12 {
            let a = words[i % 5];
            let b = words[(i + 2) % 5];
            let long = format!("{a} {b} ").repeat(60);
            bbc.push_str(&serde_json::json!({"id": format!("bbc/{label}/{i}"), "label": label, "title": format!("{a} news {i}"), "text": long}).to_string());
            bbc.push('\n');
            if label != "entertainment" {
                ag.push_str(&serde_json::json!({"id": format!("ag_news/test/{label}{i}"), "label": label, "title": format!("{b} today"), "text": format!("{a} and {b} story number {i}")}).to_string());
                ag.push('\n');
            }
        }
    }
    std::fs::create_dir_all(dir.join("topics/bbc")).unwrap();
    std::fs::create_dir_all(dir.join("topics/ag_news")).unwrap();
    std::fs::write(dir.join("topics/bbc/train.jsonl"), bbc).unwrap();
    std::fs::write(dir.join("topics/ag_news/train-from-test.jsonl"), ag).unwrap();
    TempData(dir)
}

#[test]
fn training_is_deterministic_and_learns_separable_data() {
    let data = synthetic_data("det");
    let opts = |out: &str| train::TrainOptions {
        data_dir: data.0.clone(),
        out: data.0.join(out),
        lambdas: vec![1e-3],
        nb_mixes: vec![0.5],
        max_iter: 50,
        ..Default::default()
    };
    let report = train::train(&opts("a.bin")).unwrap();
    train::train(&opts("b.bin")).unwrap();
    let a = std::fs::read(data.0.join("a.bin")).unwrap();
    assert_eq!(
        a,
        std::fs::read(data.0.join("b.bin")).unwrap(),
        "same data, same bytes"
    );
    assert!(report.dev.accuracy() > 0.9, "{report}");
    let c = Classifier::from_bytes(&a).unwrap();
    assert_eq!(
        c.classify("", "the striker scored a goal in the league match", None)
            .map(|r| r.0),
        Some(Category::Sport)
    );
    let r = eval::run(&c, &data.0.join("topics/bbc/train.jsonl")).unwrap();
    assert_eq!(r.n, 60);
    assert!(r.accuracy() > 0.9 && r.macro_f1() > 0.9, "{r}");
}

#[test]
fn unsure_answers_are_other_but_the_best_of_five_stays_available() {
    let c = Classifier::embedded();
    let t = c.other_below();
    assert!(t > 0.3 && t < 0.95, "threshold {t}");
    let mut model = model::Model::from_bytes(include_bytes!("../../models/category.bin")).unwrap();
    model.other_below = 1.0;
    let strict = Classifier::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(strict.other_below(), 1.0);
    let (cat, p) = strict.classify("", &seed_article(), Some("en")).unwrap();
    assert_eq!(cat, Category::Other);
    assert!(p > 0.5, "the confidence is still the best label's: {p}");
    assert_eq!(
        strict.best("", &seed_article()).map(|b| b.0),
        Some(Category::World)
    );
    assert_eq!("other".parse::<Category>(), Ok(Category::Other));
    assert_eq!(Category::Other.to_string(), "other");
}
