//! Feed lists as OPML, the format every feed reader imports and exports.
//!
//! Import reads feeds at any depth; a feed's tags are the folders it sits in plus its
//! `category` attribute (comma-separated, RFC-less but universal practice). Export writes a flat
//! list with the tags in `category`, so an export imports back to the same feeds and tags.
//! Pure conversion: no database, no files.

use crate::config::check_feed_url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub tags: Vec<String>,
}

/// The feeds of an OPML document. Outlines whose `xmlUrl` is not an http(s) URL are reported
/// in the second list (with the reason) and skipped.
pub fn parse(xml: &str) -> Result<(Vec<Subscription>, Vec<String>), String> {
    let doc = opml::OPML::from_str(xml).map_err(|e| format!("not an OPML document: {e}"))?;
    let mut feeds = Vec::new();
    let mut problems = Vec::new();
    walk(
        &doc.body.outlines,
        &mut Vec::new(),
        &mut feeds,
        &mut problems,
    );
    Ok((feeds, problems))
}

fn walk(
    outlines: &[opml::Outline],
    folders: &mut Vec<String>,
    feeds: &mut Vec<Subscription>,
    problems: &mut Vec<String>,
) {
    for outline in outlines {
        if let Some(xml_url) = outline.xml_url.as_deref().filter(|u| !u.trim().is_empty()) {
            let url = match check_feed_url(xml_url) {
                Ok(url) => url,
                Err(why) => {
                    problems.push(why);
                    continue;
                }
            };
            let mut tags: Vec<String> = folders.clone();
            if let Some(category) = &outline.category {
                for tag in category.split(',') {
                    let tag = tag.trim().trim_matches('/').trim();
                    if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
                        tags.push(tag.to_string());
                    }
                }
            }
            let title = outline
                .title
                .clone()
                .or_else(|| Some(outline.text.clone()))
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            feeds.push(Subscription {
                url,
                title,
                site_url: outline.html_url.clone().filter(|u| !u.trim().is_empty()),
                tags,
            });
        } else {
            let folder = outline.text.trim().to_string();
            let pushed = !folder.is_empty();
            if pushed {
                folders.push(folder);
            }
            walk(&outline.outlines, folders, feeds, problems);
            if pushed {
                folders.pop();
            }
        }
    }
}

/// An OPML 2.0 document listing `feeds`.
pub fn render(feeds: &[Subscription]) -> Result<String, String> {
    let mut doc = opml::OPML::default();
    if let Some(head) = doc.head.as_mut() {
        head.title = Some("Stringer feeds".into());
    }
    for feed in feeds {
        let title = feed.title.clone().unwrap_or_else(|| feed.url.clone());
        doc.body.outlines.push(opml::Outline {
            text: title.clone(),
            title: Some(title),
            r#type: Some("rss".into()),
            xml_url: Some(feed.url.clone()),
            html_url: feed.site_url.clone(),
            category: (!feed.tags.is_empty()).then(|| feed.tags.join(",")),
            ..opml::Outline::default()
        });
    }
    let xml = doc.to_string().map_err(|e| e.to_string())?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NESTED: &str = r#"<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline text="Example World" type="rss" xmlUrl="https://a.example/world.xml" htmlUrl="https://a.example/"/>
    <outline text="Europe"><outline text="EU desk" xmlUrl="https://b.example/eu.rss" category="politics, /eu"/></outline>
  </outline>
  <outline text="Broken" xmlUrl="ftp://nope/feed"/>
</body></opml>"#;

    #[test]
    fn folders_and_categories_become_tags() {
        let (feeds, problems) = parse(NESTED).unwrap();
        assert_eq!(feeds.len(), 2);
        assert_eq!(feeds[0].url, "https://a.example/world.xml");
        assert_eq!(feeds[0].tags, vec!["World"]);
        assert_eq!(feeds[0].site_url.as_deref(), Some("https://a.example/"));
        assert_eq!(feeds[1].tags, vec!["World", "Europe", "politics", "eu"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("ftp://nope/feed"));
    }

    #[test]
    fn render_then_parse_round_trips() {
        let (feeds, _) = parse(NESTED).unwrap();
        let xml = render(&feeds).unwrap();
        let (again, problems) = parse(&xml).unwrap();
        assert!(problems.is_empty());
        assert_eq!(again, feeds);
    }

    #[test]
    fn not_opml_is_an_error() {
        assert!(parse("<rss/>").is_err());
        assert!(parse("plain text").is_err());
    }
}
