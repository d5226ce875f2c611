//! HTML descriptions (Shopify's `Body (HTML)`, WooCommerce's) turned into clean text: tags
//! dropped, block ends and `<br>` as line breaks, entities decoded, whitespace collapsed.
//! Script and style contents are dropped whole.

/// Raw description HTML past this size is refused before it is converted: no shop writes a
/// 16 MB description, and converting one would cost several copies of it in memory. (The
/// limit is generous because markup, inline styles and embedded `data:` images can dwarf the
/// text; the clean text has its own, smaller limit in the domain.)
pub const MAX_HTML_BYTES: usize = 16 << 20;

/// [`to_text`], refusing sources larger than [`MAX_HTML_BYTES`] with the reason.
pub fn to_text_checked(html: &str) -> Result<String, String> {
    if html.len() > MAX_HTML_BYTES {
        return Err(format!(
            "description is longer than {} MB ({:.1} MB)",
            MAX_HTML_BYTES >> 20,
            html.len() as f64 / (1u64 << 20) as f64
        ));
    }
    Ok(to_text(html))
}

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
            rest = match find_close(rest, &name) {
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

/// Position of the closing `</name` (any case) in `s`, without copying `s`: a description full
/// of `<script>` tags must not cost a lower-cased copy of the rest of the text per tag.
fn find_close(s: &str, name: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find("</") {
        let at = from + i;
        let tag = &bytes[at + 2..];
        if tag.len() >= name.len() && tag[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(at);
        }
        from = at + 2;
    }
    None
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
        assert_eq!(to_text("a<SCRIPT>x</Script >b<style>"), "ab");
        assert_eq!(to_text("<style>é</a></STYLE>ok"), "ok");
    }
}
