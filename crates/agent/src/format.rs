//! Money and dates as a shopper of each language reads them.

use chrono::{Datelike, NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::Lang;

/// `69,90 €` in French, German, Italian and Spanish; `€69.90` in English. Amounts keep the
/// currency's two decimals (`70,00 €`), as shops print them.
pub fn money(amount: Decimal, currency: &str, lang: Lang) -> String {
    let exp = match currency {
        "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
        _ => 2,
    };
    let rounded =
        amount.round_dp_with_strategy(exp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut s = format!("{:.*}", exp as usize, rounded);
    let negative = s.starts_with('-');
    if negative {
        s.remove(0);
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let (group, dec) = match lang {
        Lang::En => (',', '.'),
        Lang::Fr => ('\u{202f}', ','),
        Lang::De | Lang::It | Lang::Es => ('.', ','),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    if let Some(f) = frac {
        grouped.push(dec);
        grouped.push_str(&f);
    }
    let sign = if negative { "-" } else { "" };
    let symbol = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "JPY" => "¥",
        other => other,
    };
    match lang {
        Lang::En if symbol.chars().count() == 1 => format!("{sign}{symbol}{grouped}"),
        Lang::En => format!("{sign}{symbol} {grouped}"),
        _ => format!("{sign}{grouped}\u{a0}{symbol}"),
    }
}

/// A money amount from a decimal string kept in the state; the raw string if unparsable.
pub fn money_str(amount: &str, currency: &str, lang: Lang) -> String {
    amount
        .parse::<Decimal>()
        .map(|d| money(d, currency, lang))
        .unwrap_or_else(|_| format!("{amount} {currency}"))
}

const WEEKDAYS: [[&str; 7]; 5] = [
    [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
    [
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    ],
    [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
];

fn lang_row(lang: Lang) -> usize {
    match lang {
        Lang::Fr => 0,
        Lang::En => 1,
        Lang::De => 2,
        Lang::It => 3,
        Lang::Es => 4,
    }
}

/// `mardi 01/12`, `Tuesday 12/01`… short enough for a quick-reply button.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let day = WEEKDAYS[lang_row(lang)][d.weekday().num_days_from_monday() as usize];
    match lang {
        Lang::En => format!("{day} {}/{}", d.month(), d.day()),
        Lang::De => format!("{day}, {:02}.{:02}.", d.day(), d.month()),
        _ => format!("{day} {:02}/{:02}", d.day(), d.month()),
    }
}

/// `14:30` everywhere but English (`2:30 pm`).
pub fn time(t: NaiveTime, lang: Lang) -> String {
    use chrono::Timelike;
    match lang {
        Lang::En => {
            let (pm, h) = t.hour12();
            format!("{h}:{:02} {}", t.minute(), if pm { "pm" } else { "am" })
        }
        _ => format!("{:02}:{:02}", t.hour(), t.minute()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formats_money_per_language() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(money(d("69.9"), "EUR", Lang::Fr), "69,90\u{a0}€");
        assert_eq!(money(d("69.9"), "EUR", Lang::En), "€69.90");
        assert_eq!(money(d("1234.5"), "EUR", Lang::De), "1.234,50\u{a0}€");
        assert_eq!(money(d("1234.5"), "CHF", Lang::En), "CHF 1,234.50");
        assert_eq!(money(d("0.005"), "EUR", Lang::En), "€0.01");
        assert_eq!(money(d("1500"), "JPY", Lang::En), "¥1,500");
    }

    #[test]
    fn formats_dates_and_times() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(date(d, Lang::Fr), "mardi 01/12");
        assert_eq!(date(d, Lang::En), "Tuesday 12/1");
        let t = NaiveTime::from_hms_opt(14, 30, 0).unwrap();
        assert_eq!(time(t, Lang::En), "2:30 pm");
        assert_eq!(time(t, Lang::De), "14:30");
    }
}
