//! HTML descriptions (Shopify's `Body (HTML)`, WooCommerce's) turned into clean text: tags
//! dropped, block ends and `<br>` as line breaks, entities decoded, whitespace collapsed.
//! Script and style contents are dropped whole.

/// Clean text of an HTML fragment. Plain text passes through (with entities decoded).
pub fn to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        // A `<` not followed by a tag name is text ("3 < 5").
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if !starts_tag {
            out.push('<');
            rest = after;
            continue;
        }
        let Some(end) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &after[end + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&close) {
                Some(i) => {
                    let r = &rest[i..];
                    r.find('>').map_or("", |j| &r[j + 1..])
                }
                None => "",
            };
            continue;
        }
        match name.as_str() {
            "br" | "p" | "div" | "li" | "ul" | "ol" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5"
            | "h6" | "table" | "section" | "article" | "blockquote" => out.push('\n'),
            "td" | "th" => out.push(' '),
            _ => {}
        }
        if name == "li" && !tag.starts_with('/') {
            out.push_str("- ");
        }
    }
    out.push_str(rest);
    collapse(&html_escape::decode_html_entities(&out))
}

/// Collapses runs of spaces within lines and drops blank lines.
fn collapse(s: &str) -> String {
    s.replace('\u{a0}', " ")
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty() && l != "-")
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn strips_tags_and_decodes_entities() {
        assert_eq!(to_text("<p>Black floor lamp</p>"), "Black floor lamp");
        assert_eq!(
            to_text(
                "<h6><span>Description</span></h6>\n<p>Soft&nbsp;suede &amp; oak.<br>Seats 2.</p>"
            ),
            "Description\nSoft suede & oak.\nSeats 2."
        );
        assert_eq!(to_text("<ul><li>one</li><li>two</li></ul>"), "- one\n- two");
        assert_eq!(to_text("3 < 5 and caf&eacute;"), "3 < 5 and café");
        assert_eq!(
            to_text("<script>alert(1)</script>ok<style>p{}</style>"),
            "ok"
        );
        assert_eq!(to_text("plain   text"), "plain text");
        assert_eq!(to_text("<p>unclosed"), "unclosed");
        assert_eq!(to_text("<b"), "");
    }
}
