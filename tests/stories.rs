//! What the news is about, end to end: one wire story printed by three outlets on three hosts
//! (verbatim, under another headline, and with a paragraph added) is one story with three
//! sources, unrelated stories stay apart, `stringer stories --format json` shows it; a page
//! that declares English over German text is stored as German; user topics are stored per
//! article and exported. Every story runs on SQLite and, when `STRINGER_TEST_POSTGRES_URL`
//! is set, on PostgreSQL.

mod common;

use common::{Db, Site, TestDb};
use stringer::store::{ExportFilter, Store};
use wiremock::MockServer;

on_both_backends!(
    one_wire_story_from_three_outlets_is_one_story_with_three_sources,
    two_daemons_storing_copies_at_once_make_no_twin_stories,
    a_german_page_declaring_english_is_stored_as_german,
    topics_are_matched_stored_and_exported,
);

/// A site on its own loopback address, so that its articles have their own source.
async fn site_on(ip: &str) -> Site {
    let listener = std::net::TcpListener::bind(format!("{ip}:0")).expect("bind loopback address");
    Site {
        server: MockServer::builder().listener(listener).start().await,
    }
}

const WIRE: [&str; 3] = [
    "The European Central Bank raised its deposit rate by a quarter point on Thursday, the \
     ninth increase in a row, and said inflation in the euro area would stay too high for too \
     long unless borrowing costs went up once more.",
    "Christine Lagarde told reporters in Frankfurt that the governing council had not decided \
     whether the increase would be the last, and that future decisions would depend on the \
     data on prices, wages and growth in the coming months.",
    "Bond yields in Germany and Italy rose after the announcement while the euro gained against \
     the dollar, as traders moved to price in a longer period of tight money than they had \
     expected at the start of the week.",
];

const EXTRA: &str = "Economists at several banks in London said they now expected the rate \
    to stay at its new level until the middle of next year at the earliest.";

const FOOTBALL: [&str; 3] = [
    "Manchester United came from two goals down to beat Aston Villa three two at Old Trafford \
     on Sunday, with the winning goal scored in the last minute of added time by a substitute.",
    "The manager praised the spirit of his young side after a difficult month in which the \
     club had lost four of its six matches in all competitions and slipped down the table.",
    "The visitors had led through two first-half goals from their captain and looked set for a \
     first league win at the ground in more than thirty years before the late collapse.",
];

const VOLCANO: [&str; 3] = [
    "A volcano in southern Iceland erupted for the third time since December on Saturday, \
     sending lava towards the fishing town of Grindavik, which had been evacuated days before.",
    "Civil protection officials said defensive walls built around the town and a nearby power \
     plant had held so far, and that the Blue Lagoon spa would stay closed until further notice.",
    "Scientists at the Icelandic Met Office said the fissure was about three kilometres long and \
     that the eruption was likely to last for several days, although its intensity had fallen.",
];

async fn outlet(site: &Site, title: &str, paragraphs: &[&str]) -> String {
    site.serve(
        "/story.html",
        "text/html; charset=utf-8",
        common::article_html(title, paragraphs),
    )
    .await;
    site.serve(
        "/feed.xml",
        "application/rss+xml",
        common::rss(&[(title, site.url("/story.html"))]),
    )
    .await;
    site.url("/feed.xml")
}

fn stringer_json(db_url: &str, args: &[&str]) -> serde_json::Value {
    let o = common::stringer_command()
        .env("STRINGER_DATABASE_URL", db_url)
        .args(args)
        .output()
        .expect("run stringer");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON")
}

async fn one_wire_story_from_three_outlets_is_one_story_with_three_sources(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let a = site_on("127.0.0.2").await;
    let b = site_on("127.0.0.3").await;
    let c = site_on("127.0.0.4").await;
    let d = site_on("127.0.0.5").await;
    let with_extra = [WIRE[0], WIRE[1], WIRE[2], EXTRA];
    let feeds = vec![
        outlet(&a, "ECB raises rates again", &WIRE).await,
        outlet(&b, "Eurozone borrowing costs climb to record", &WIRE).await,
        outlet(&c, "ECB raises rates again", &with_extra).await,
        outlet(&d, "United stun Villa with late winner", &FOOTBALL).await,
    ];
    let volcano = site_on("127.0.0.6").await;
    let mut feeds = feeds;
    feeds.push(outlet(&volcano, "Iceland volcano erupts again", &VOLCANO).await);
    let cfg = common::with_feeds(common::config(&tdb.url), &feeds);
    let store = tdb.store().await;
    let summary = common::once(&cfg, &store).await;
    assert_eq!(summary.articles_stored, 5, "{summary:?}");

    let stories = stringer_json(
        &tdb.url,
        &["stories", "--format", "json", "--window", "3650d"],
    );
    let stories = stories.as_array().expect("an array");
    assert_eq!(stories.len(), 3, "{stories:#?}");
    let wire = &stories[0];
    assert_eq!(wire["articles"], 3, "{wire:#}");
    let mut sources: Vec<&str> = wire["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    sources.sort_unstable();
    assert_eq!(sources, ["127.0.0.2", "127.0.0.3", "127.0.0.4"]);
    assert!(wire["id"].is_string() && wire["first_seen"].as_str().unwrap().ends_with('Z'));
    for other in &stories[1..] {
        assert_eq!(other["articles"], 1, "{other:#}");
    }
    let urls: Vec<&str> = wire["article_urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(urls.contains(&a.url("/story.html").as_str()), "{urls:?}");

    // The verbatim copy and the one under another headline are exact duplicates of the first.
    let rows = store
        .export_page(0, &ExportFilter::default(), 100)
        .await
        .unwrap();
    let duplicates = rows.iter().filter(|r| r.duplicate_of.is_some()).count();
    assert_eq!(duplicates, 1, "one of the two identical texts is the copy");
    store.close().await;
    tdb.drop_db().await;
}

async fn a_german_page_declaring_english_is_stored_as_german(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    let paragraphs = [
        "Die Bundesregierung hat am Mittwoch neue Regeln für den Export von Rüstungsgütern \
         beschlossen. Nach Angaben des Wirtschaftsministeriums sollen Genehmigungen künftig \
         strenger geprüft werden, vor allem bei Lieferungen in Länder außerhalb der Union.",
        "Kritiker aus der Opposition bemängelten, dass die Kooperation mit der Industrie zu eng \
         bleibe. Die Unterlagen stünden der Öffentlichkeit nicht zur Verfügung, hieß es.",
        "Der Bundestag soll sich nach der Sommerpause mit dem Entwurf befassen. Eine Mehrheit \
         gilt als sicher, weil die Koalition die Pläne schon im Frühjahr angekündigt hatte.",
    ];
    // common::article_html declares lang="en".
    site.serve(
        "/de.html",
        "text/html; charset=utf-8",
        common::article_html("Neue Regeln für Rüstungsexporte", &paragraphs),
    )
    .await;
    site.serve(
        "/feed.xml",
        "application/rss+xml",
        common::rss(&[("Rüstungsexporte", site.url("/de.html"))]),
    )
    .await;
    let cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    let store = tdb.store().await;
    common::once(&cfg, &store).await;
    let export = export_lines(&tdb.url);
    assert_eq!(export.len(), 1);
    let article = &export[0];
    assert_eq!(article["language"], "de", "{article:#}");
    assert!(article["language_confidence"].as_f64().unwrap() >= 0.5);
    assert_eq!(
        article["entities"],
        serde_json::json!([]),
        "no English entities"
    );
    store.close().await;
    tdb.drop_db().await;
}

fn export_lines(db_url: &str) -> Vec<serde_json::Value> {
    let o = common::stringer_command()
        .env("STRINGER_DATABASE_URL", db_url)
        .args(["articles", "export"])
        .output()
        .expect("run stringer");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

async fn topics_are_matched_stored_and_exported(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let site = Site::start().await;
    site.serve(
        "/ecb.html",
        "text/html; charset=utf-8",
        common::article_html("ECB raises rates again", &WIRE),
    )
    .await;
    site.serve(
        "/football.html",
        "text/html; charset=utf-8",
        common::article_html("United stun Villa", &FOOTBALL),
    )
    .await;
    let items = vec![
        ("ECB", site.url("/ecb.html")),
        ("Football", site.url("/football.html")),
    ];
    site.serve("/feed.xml", "application/rss+xml", common::rss(&items))
        .await;
    let mut cfg = common::with_feeds(common::config(&tdb.url), &[site.url("/feed.xml")]);
    cfg.topics.insert(
        "rates".into(),
        toml::from_str(r#"any = ["interest rate", "borrowing cost", "deposit rate"]"#).unwrap(),
    );
    cfg.topics.insert(
        "test-feeds".into(),
        toml::from_str(
            r#"tags = ["test"]
none = ["goal"]"#,
        )
        .unwrap(),
    );
    cfg.validate("test").unwrap();
    let store: Store = tdb.store().await;
    common::once(&cfg, &store).await;
    let export = export_lines(&tdb.url);
    let topics = |url: &str| {
        export
            .iter()
            .find(|a| a["url"] == url)
            .map(|a| a["topics"].clone())
            .unwrap()
    };
    assert_eq!(
        topics(&site.url("/ecb.html")),
        serde_json::json!(["rates", "test-feeds"])
    );
    assert_eq!(topics(&site.url("/football.html")), serde_json::json!([]));

    // `stringer topics test` shows the same from the command line, with what matched.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("topics.toml");
    std::fs::write(
        &config,
        "[topics.rates]\nany = [\"interest rate\", \"deposit rate\"]\n",
    )
    .unwrap();
    let o = common::stringer_command()
        .env("STRINGER_DATABASE_URL", &tdb.url)
        .arg("--config")
        .arg(&config)
        .args(["topics", "test", "rates"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(printed.contains(&site.url("/ecb.html")), "{printed}");
    assert!(printed.contains("deposit rate"), "{printed}");
    assert!(
        printed.contains("1 of 2 stored articles match"),
        "{printed}"
    );
    store.close().await;
    tdb.drop_db().await;
}

async fn two_daemons_storing_copies_at_once_make_no_twin_stories(db: Db) {
    let Some(tdb) = TestDb::new(db).await else {
        return;
    };
    let mut sites = Vec::new();
    let mut feeds = Vec::new();
    for i in 2..8 {
        let site = site_on(&format!("127.0.1.{i}")).await;
        feeds.push(outlet(&site, "ECB raises rates again", &WIRE).await);
        sites.push(site);
    }
    let mut cfg = common::with_feeds(common::config(&tdb.url), &feeds);
    // Two articles in flight per run, so both runs store copies at the same time.
    cfg.articles.concurrency = 1;
    cfg.pipeline.channel_capacity = 1;
    let store = tdb.store().await;
    common::sync_feeds(&cfg, &store).await;
    // The feeds were polled already: both runs find the six copies pending.
    let feed_id = store.list_feeds().await.unwrap()[0].id;
    let entries: Vec<_> = sites
        .iter()
        .map(|site| stringer::model::NewEntry {
            guid: None,
            url: site.url("/story.html"),
            canonical_url: site.url("/story.html"),
            title: None,
            published_at: None,
        })
        .collect();
    assert_eq!(
        store.insert_entries(feed_id, &entries).await.unwrap().new,
        6
    );
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let cfg = cfg.clone();
            tokio::spawn(async move {
                let store = Store::connect(&cfg.database.url, 4).await.unwrap();
                let summary = common::once(&cfg, &store).await;
                store.close().await;
                summary.articles_stored
            })
        })
        .collect();
    let mut stored = 0;
    for run in runs {
        stored += run.await.unwrap();
    }
    assert_eq!(stored, 6);
    let stories = stringer_json(
        &tdb.url,
        &["stories", "--format", "json", "--window", "3650d"],
    );
    let stories = stories.as_array().unwrap();
    assert_eq!(stories.len(), 1, "{stories:#?}");
    assert_eq!(stories[0]["articles"], 6);
    assert_eq!(stories[0]["sources"].as_array().unwrap().len(), 6);
    store.close().await;
    tdb.drop_db().await;
}
