//! The metadata hints main-text selection reads (page title, declared `articleBody`); a
//! plain type shared by the selection steps, with no logic of its own.

/// Hints from the page's metadata that help recognise the headline.
#[derive(Default)]
pub struct Hints<'a> {
    pub title: Option<&'a str>,
    /// The schema.org `articleBody` the page declares, if any.
    pub article_body: Option<&'a str>,
}
