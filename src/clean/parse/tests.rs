//! Tree-shape tests for the tokenizer and tree builder; they read the parsed tree only.

use super::super::dom::{Document, NodeId, Tag};
use super::parse;

fn outline(doc: &Document, id: NodeId, out: &mut String) {
    for c in doc.children(id) {
        match doc.tag(c) {
            Tag::Text => out.push_str(doc.text(c)),
            _ => {
                out.push('<');
                out.push_str(doc.name(c));
                out.push('>');
                outline(doc, c, out);
                out.push_str("</>");
            }
        }
    }
}

fn tree(html: &str) -> String {
    let doc = parse(html.to_string());
    let mut s = String::new();
    outline(&doc, 0, &mut s);
    s
}

#[test]
fn implied_end_tags() {
    assert_eq!(tree("<p>a<p>b<div>c</div>"), "<p>a</><p>b</><div>c</>");
    assert_eq!(tree("<ul><li>a<li>b</ul>x"), "<ul><li>a</><li>b</></>x");
    assert_eq!(
        tree("<table><tr><td>a<td>b<tr><td>c</table>"),
        "<table><tr><td>a</><td>b</></><tr><td>c</></></>"
    );
}

#[test]
fn raw_text_and_comments() {
    assert_eq!(
        tree("<script>if (a<b) x='</div>'</script>t"),
        "<script>if (a<b) x='</div>'</>t"
    );
    assert_eq!(tree("a<!-- <p>hidden</p> -->b"), "ab");
    assert_eq!(tree("<title>A &amp; B</title>"), "<title>A & B</>");
    assert_eq!(tree("1 < 2 <3"), "1 < 2 <3");
}

#[test]
fn stray_and_misnested_end_tags() {
    assert_eq!(tree("<div><b>x</div>y</b>z"), "<div><b>x</></>yz");
    assert_eq!(tree("<div><p>a</span>b</p></div>"), "<div><p>ab</></>");
    assert_eq!(
        tree("<svg><path/><title>t</title></svg>after"),
        "<svg><path></><title>t</></>after"
    );
}

#[test]
fn attributes() {
    let doc = parse(r#"<a HREF="/x?a=1&amp;b=2" data-x=y class='c d' hidden>t</a>"#.into());
    let a = doc.elements(Tag::A).next().unwrap();
    assert_eq!(doc.attr(a, "href"), Some("/x?a=1&b=2"));
    assert_eq!(doc.attr(a, "data-x"), Some("y"));
    assert_eq!(doc.attr(a, "class"), Some("c d"));
    assert_eq!(doc.attr(a, "hidden"), Some(""));
    assert_eq!(doc.node(0).end as usize, doc.nodes.len() - 1);
}
