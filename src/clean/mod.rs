//! PLACEHOLDER until the cleaner of issue 3 lands: keeps <p> text and the <title>.
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CleanPage {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub modified_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub text: String,
}

pub fn clean(html: &[u8], _content_type: Option<&str>, _url: Option<&url::Url>) -> CleanPage {
    let s = String::from_utf8_lossy(html);
    let grab = |open: &str, close: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = &s[..];
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len()..];
            let Some(gt) = after.find('>') else { break };
            let body = &after[gt + 1..];
            let Some(end) = body.find(close) else { break };
            let inner = &body[..end];
            let mut t = String::new();
            let mut tag = false;
            for c in inner.chars() {
                match c {
                    '<' => tag = true,
                    '>' => tag = false,
                    _ if !tag => t.push(c),
                    _ => {}
                }
            }
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() {
                out.push(t);
            }
            rest = &body[end..];
        }
        out
    };
    CleanPage {
        title: grab("<title", "</title>").into_iter().next(),
        text: grab("<p", "</p>").join("\n\n"),
        language: Some("en".into()),
        ..Default::default()
    }
}
