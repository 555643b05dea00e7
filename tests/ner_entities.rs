//! Behaviour of the embedded tagger on real and made-up news text: the seed article's
//! entities (PRODUCT.md), short mentions joining full names, aliases, headlines, and
//! non-English text. These pin what users count, so they use the committed model.

use std::collections::BTreeMap;

use stringer::model::{Entity, EntityType};
use stringer::ner::{Aliases, Tagger, entities, normalise_key};

/// The seed article's six paragraphs, without the page furniture of the scraped copy
/// ("Share.", "Exit mobile version"): the cleaner's golden fixture holds exactly them.
fn seed_article() -> String {
    include_str!("fixtures/clean/seed_article.txt").to_string()
}

fn find<'a>(ents: &'a [Entity], name: &str) -> Option<&'a Entity> {
    ents.iter().find(|e| e.name == name)
}

fn no_aliases() -> Aliases {
    Aliases::new(&BTreeMap::new())
}

#[test]
fn seed_article_entities_are_found_with_their_types() {
    let text = seed_article();
    let ents = entities(Tagger::embedded(), "", &text, Some("en"), &no_aliases());
    let expected = [
        ("Janet Yellen", EntityType::PER),
        ("Antony Blinken", EntityType::PER),
        ("Dmitry Peskov", EntityType::PER),
        ("Xi Jinping", EntityType::PER),
        ("Putin", EntityType::PER),
        ("Hikvision", EntityType::ORG),
        ("Wuhan Global Sensor Technology", EntityType::ORG),
        ("Wuhan Tongsheng Technology", EntityType::ORG),
        ("Wall Street Journal", EntityType::ORG),
        ("China", EntityType::LOC),
        ("Russia", EntityType::LOC),
        ("Ukraine", EntityType::LOC),
        ("Moscow", EntityType::LOC),
        ("Beijing", EntityType::LOC),
        ("Washington", EntityType::LOC),
    ];
    for (name, kind) in expected {
        let e = find(&ents, name).unwrap_or_else(|| panic!("{name} not found in {ents:#?}"));
        assert_eq!(e.kind, kind, "{name}");
        assert_eq!(
            &text[e.first_offset..e.first_offset + name.len()],
            name,
            "offset of {name}"
        );
    }
    // "China’s" is counted as China (possessive split off), in every paragraph.
    assert!(find(&ents, "China").unwrap().mentions >= 10);
    assert_eq!(find(&ents, "Putin").unwrap().mentions, 2);
    // "Treasury Secretary" is a title, not part of the name.
    assert!(ents.iter().all(|e| !e.name.contains("Secretary Janet")));
}

#[test]
fn short_mentions_join_the_full_name_and_lone_surnames_stay() {
    let text = "Treasury Secretary Janet Yellen warned on Tuesday that firms could face sanctions. \
                Yellen said the decision was final. Putin did not comment.";
    let ents = entities(Tagger::embedded(), "", text, Some("en"), &no_aliases());
    let yellen = find(&ents, "Janet Yellen").expect("Janet Yellen");
    assert_eq!((yellen.kind, yellen.mentions), (EntityType::PER, 2));
    assert_eq!(yellen.first_offset, text.find("Janet").unwrap());
    assert!(find(&ents, "Yellen").is_none(), "{ents:#?}");
    // No full name for Putin in this text: the surname stays the entity's name.
    assert_eq!(
        find(&ents, "Putin").map(|e| e.mentions),
        Some(1),
        "{ents:#?}"
    );
}

#[test]
fn a_title_case_headline_is_tagged_with_the_text() {
    let title = "Yellen Warns Chinese Firms Over Support For Moscow";
    let text = "Treasury Secretary Janet Yellen said on Tuesday that Chinese firms helping Russia \
                could face sanctions. Officials in Moscow rejected the warning.";
    let ents = entities(Tagger::embedded(), title, text, Some("en"), &no_aliases());
    let yellen = find(&ents, "Janet Yellen").expect("Janet Yellen");
    assert_eq!(yellen.mentions, 2, "{ents:#?}");
    assert_eq!(
        find(&ents, "Moscow").map(|e| (e.kind, e.mentions)),
        Some((EntityType::LOC, 2))
    );
    // Offsets are into the text, not the title.
    assert_eq!(
        find(&ents, "Moscow").unwrap().first_offset,
        text.find("Moscow").unwrap()
    );
    assert!(ents.iter().all(|e| !e.name.contains("Warns")), "{ents:#?}");
}

#[test]
fn aliases_make_one_entity_of_every_form() {
    let mut map = BTreeMap::new();
    map.insert(
        "United States".to_string(),
        vec!["U.S.".to_string(), "US".to_string(), "USA".to_string()],
    );
    let text = "The U.S. imposed sanctions on Monday. Officials in the United States said more would follow.";
    let ents = entities(
        Tagger::embedded(),
        "",
        text,
        Some("en"),
        &Aliases::new(&map),
    );
    let us: Vec<&Entity> = ents
        .iter()
        .filter(|e| e.key == normalise_key("United States"))
        .collect();
    assert_eq!(us.len(), 1, "{ents:#?}");
    assert_eq!((us[0].name.as_str(), us[0].mentions), ("United States", 2));
    assert_eq!(us[0].first_offset, text.find("U.S.").unwrap());
}

#[test]
fn text_in_another_language_gets_no_entities() {
    let de = "Die Bundesregierung in Berlin hat am Mittwoch beschlossen, die Sanktionen gegen Russland \
              zu verschärfen, teilte Regierungssprecher Steffen Hebestreit mit.";
    assert!(entities(Tagger::embedded(), "", de, Some("de"), &no_aliases()).is_empty());
    assert!(entities(Tagger::embedded(), "", de, None, &no_aliases()).is_empty());
    // Unknown language but English text: tagged.
    let en = "The government in Berlin decided on Wednesday to tighten the sanctions against Russia, a spokesman said.";
    let ents = entities(Tagger::embedded(), "", en, None, &no_aliases());
    assert_eq!(
        find(&ents, "Berlin").map(|e| e.kind),
        Some(EntityType::LOC),
        "{ents:#?}"
    );
}

#[test]
fn keys_match_across_articles() {
    assert_eq!(
        normalise_key("the Wall Street Journal"),
        normalise_key("Wall Street Journal’s")
    );
    assert_eq!(normalise_key("Zürich"), normalise_key("ZURICH"));
    assert_ne!(normalise_key("Georgia"), normalise_key("George"));
}

#[test]
fn the_model_file_round_trips_and_rejects_garbage() {
    let bytes = include_bytes!("../models/ner.bin");
    assert_eq!(Tagger::embedded().to_bytes(), bytes.to_vec());
    assert!(Tagger::from_bytes(b"not a model").is_err());
    assert!(Tagger::from_bytes(&bytes[..bytes.len() / 2]).is_err());
}

#[test]
fn entity_types_print_and_parse_as_conll_names() {
    for k in [
        EntityType::PER,
        EntityType::ORG,
        EntityType::LOC,
        EntityType::MISC,
    ] {
        assert_eq!(k.to_string().parse::<EntityType>(), Ok(k));
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{k}\""));
    }
    assert!("GPE".parse::<EntityType>().is_err());
}
