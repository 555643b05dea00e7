//! Whitespace and list helpers shared by the metadata readers; they only tidy strings and
//! must not decide which source a field comes from.

pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn push_unique(list: &mut Vec<String>, item: String) {
    let item = collapse(&item);
    if !item.is_empty() && !list.iter().any(|x| x.eq_ignore_ascii_case(&item)) {
        list.push(item);
    }
}
