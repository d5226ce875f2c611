//! Import formats and their detection from the first bytes of a file.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Generic,
    Shopify,
    #[serde(alias = "woo")]
    Woocommerce,
    Json,
    Dummyjson,
    Saleor,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Generic => "generic",
            Format::Shopify => "shopify",
            Format::Woocommerce => "woocommerce",
            Format::Json => "json",
            Format::Dummyjson => "dummyjson",
            Format::Saleor => "saleor",
        }
    }

    /// `auto` is `None`.
    pub fn parse(s: &str) -> Result<Option<Format>, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(None),
            "generic" | "csv" => Ok(Some(Format::Generic)),
            "shopify" => Ok(Some(Format::Shopify)),
            "woocommerce" | "woo" => Ok(Some(Format::Woocommerce)),
            "json" | "jsonl" => Ok(Some(Format::Json)),
            "dummyjson" => Ok(Some(Format::Dummyjson)),
            "saleor" => Ok(Some(Format::Saleor)),
            other => Err(format!(
                "unknown format `{other}`: use auto, generic, shopify, woocommerce, json, dummyjson or saleor"
            )),
        }
    }

    /// Guesses the format from the start of the (UTF-8) text.
    pub fn detect(head: &str) -> Result<Format, String> {
        let t = head.trim_start_matches('\u{feff}').trim_start();
        if t.is_empty() {
            return Err("the file is empty".into());
        }
        if t.starts_with('{') || t.starts_with('[') {
            if t.contains("\"model\"") && t.contains("\"product.") {
                return Ok(Format::Saleor);
            }
            if t.contains("\"discountPercentage\"")
                || t.contains("\"availabilityStatus\"")
                || t.contains("\"thumbnail\"")
            {
                return Ok(Format::Dummyjson);
            }
            return Ok(Format::Json);
        }
        let first = t.lines().next().unwrap_or("");
        let cols: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(crate::csvrow::sniff_delimiter(first))
            .from_reader(first.as_bytes())
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(|c| c.trim().to_ascii_lowercase()).collect())
            .unwrap_or_default();
        let has = |c: &str| cols.iter().any(|x| x == c);
        if has("handle") && (has("variant price") || has("title")) {
            Ok(Format::Shopify)
        } else if has("regular price")
            || has("tarif régulier")
            || (has("type") && has("parent") && (has("name") || has("nom")))
        {
            Ok(Format::Woocommerce)
        } else if has("price") && (has("sku") || has("product_id")) {
            Ok(Format::Generic)
        } else {
            Err(format!(
                "the header `{}` is not a generic, Shopify or WooCommerce catalogue header",
                first.chars().take(120).collect::<String>()
            ))
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn detects_formats() {
        assert_eq!(
            Format::detect("Handle,Title,Body (HTML),Variant Price\n"),
            Ok(Format::Shopify)
        );
        assert_eq!(
            Format::detect("ID,Type,SKU,Name,\"Regular price\",Parent\n"),
            Ok(Format::Woocommerce)
        );
        assert_eq!(
            Format::detect("\u{feff}sku,product_id,title,price\n"),
            Ok(Format::Generic)
        );
        assert_eq!(Format::detect("  [{\"sku\": \"a\"}]"), Ok(Format::Json));
        assert_eq!(
            Format::detect("[{\"id\":1,\"thumbnail\":\"x\"}]"),
            Ok(Format::Dummyjson)
        );
        assert_eq!(
            Format::detect("[{\"model\": \"product.product\"}]"),
            Ok(Format::Saleor)
        );
        assert_eq!(Format::detect("sku;title;price\n"), Ok(Format::Generic));
        assert!(Format::detect("").is_err());
        assert!(Format::detect("name,age\nbob,3\n").is_err());
        assert_eq!(Format::parse("AUTO"), Ok(None));
        assert!(Format::parse("xml").is_err());
    }
}
