//! The span of time a report covers: `[from_ms, to_ms)` in UTC milliseconds, and the
//! merchant's calendar days it spans in their time zone.

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// The longest period [`Period::from_dates`] accepts, in days (two years and a day).
pub const MAX_PERIOD_DAYS: u64 = 731;

/// A half-open span `[from_ms, to_ms)` of UTC milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
}

/// The dashboard's ready-made periods, each ending with today (included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    Last7Days,
    Last30Days,
    Last90Days,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Last7Days, Preset::Last30Days, Preset::Last90Days];

    pub fn days(self) -> u32 {
        match self {
            Preset::Last7Days => 7,
            Preset::Last30Days => 30,
            Preset::Last90Days => 90,
        }
    }

    /// `7d`, `30d`, `90d`: for query strings.
    pub fn slug(self) -> &'static str {
        match self {
            Preset::Last7Days => "7d",
            Preset::Last30Days => "30d",
            Preset::Last90Days => "90d",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.slug() == s.trim())
    }
}

/// Why dates did not make a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PeriodError {
    /// Not a `YYYY-MM-DD` date.
    BadDate { value: String },
    /// The end date is before the start date.
    EndBeforeStart,
    /// More than [`MAX_PERIOD_DAYS`] days.
    TooLong { days: u64 },
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodError::BadDate { value } => write!(f, "`{value}` is not a YYYY-MM-DD date"),
            PeriodError::EndBeforeStart => f.write_str("the end date is before the start date"),
            PeriodError::TooLong { days } => write!(
                f,
                "{days} days is longer than the {MAX_PERIOD_DAYS} days a report may cover"
            ),
        }
    }
}

impl std::error::Error for PeriodError {}

/// The UTC instant the local day `date` starts in `tz` (its first existing local time when
/// midnight falls in a DST gap).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> i64 {
    for hour in 0..24 {
        for minute in [0, 30] {
            let Some(t) = NaiveTime::from_hms_opt(hour, minute, 0) else {
                continue;
            };
            if let Some(dt) = tz.from_local_datetime(&date.and_time(t)).earliest() {
                return dt.timestamp_millis();
            }
        }
    }
    // No zone skips a whole day's half hours; keep a sane answer all the same.
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

/// The local calendar date of a UTC instant, `None` when out of chrono's range.
pub fn local_date(ms: i64, tz: Tz) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|d| d.with_timezone(&tz).date_naive())
}

/// `YYYY-MM-DD HH:MM` in `tz`, empty when out of range.
pub fn local_time(ms: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn parse_date(s: &str) -> Result<NaiveDate, PeriodError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| PeriodError::BadDate {
        value: s.chars().take(40).collect(),
    })
}

impl Period {
    pub fn new(from_ms: i64, to_ms: i64) -> Period {
        Period { from_ms, to_ms }
    }

    /// From the start of `from` to the end of `to` (inclusive), local days in `tz`.
    pub fn from_dates(from: &str, to: &str, tz: Tz) -> Result<Period, PeriodError> {
        let (from, to) = (parse_date(from)?, parse_date(to)?);
        if to < from {
            return Err(PeriodError::EndBeforeStart);
        }
        let days = u64::try_from((to - from).num_days()).unwrap_or(u64::MAX) + 1;
        if days > MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong { days });
        }
        let end = to.succ_opt().ok_or(PeriodError::TooLong { days })?;
        Ok(Period {
            from_ms: start_of_day(from, tz),
            to_ms: start_of_day(end, tz),
        })
    }

    /// The `days` local days ending with the day of `now_ms` (today included).
    pub fn last_days(days: u32, now_ms: i64, tz: Tz) -> Period {
        let today = local_date(now_ms, tz).unwrap_or_default();
        let first = today
            .checked_sub_days(Days::new(u64::from(days.max(1)) - 1))
            .unwrap_or(today);
        let end = today.succ_opt().unwrap_or(today);
        Period {
            from_ms: start_of_day(first, tz),
            to_ms: start_of_day(end, tz),
        }
    }

    /// A preset ending today.
    pub fn preset(preset: Preset, now_ms: i64, tz: Tz) -> Period {
        Period::last_days(preset.days(), now_ms, tz)
    }

    /// Length in milliseconds (0 for an empty or inverted period).
    pub fn len_ms(&self) -> i64 {
        self.to_ms.saturating_sub(self.from_ms).max(0)
    }

    pub fn contains(&self, ms: i64) -> bool {
        self.from_ms <= ms && ms < self.to_ms
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        Period {
            from_ms: self.from_ms.saturating_sub(self.len_ms()),
            to_ms: self.from_ms,
        }
    }

    /// Like [`Period::previous`], but for a period of whole local days the same number of
    /// local days before, so a daylight-saving change between the two does not shift the
    /// previous period's days by an hour. Prefer it for the dashboard.
    pub fn previous_in(&self, tz: Tz) -> Period {
        let whole_days = match (local_date(self.from_ms, tz), local_date(self.to_ms, tz)) {
            (Some(f), Some(t))
                if start_of_day(f, tz) == self.from_ms && start_of_day(t, tz) == self.to_ms =>
            {
                Some((f, (t - f).num_days()))
            }
            _ => None,
        };
        match whole_days {
            Some((first, n)) if n > 0 => match first.checked_sub_days(Days::new(n as u64)) {
                Some(start) => Period {
                    from_ms: start_of_day(start, tz),
                    to_ms: self.from_ms,
                },
                None => self.previous(),
            },
            _ => self.previous(),
        }
    }

    /// The local dates the period touches in `tz`, first to last, at most `cap` of them (the
    /// first ones).
    pub fn local_days(&self, tz: Tz, cap: usize) -> Vec<NaiveDate> {
        let mut days = Vec::new();
        if self.to_ms <= self.from_ms {
            return days;
        }
        let (Some(first), Some(last)) =
            (local_date(self.from_ms, tz), local_date(self.to_ms - 1, tz))
        else {
            return days;
        };
        let mut d = first;
        while d <= last && days.len() < cap {
            days.push(d);
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        days
    }

    /// First and last local dates (inclusive) as `YYYY-MM-DD`, for display.
    pub fn dates(&self, tz: Tz) -> (String, String) {
        let show = |ms: i64| {
            local_date(ms, tz)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        if self.to_ms <= self.from_ms {
            return (show(self.from_ms), show(self.from_ms));
        }
        (show(self.from_ms), show(self.to_ms - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn dates_make_whole_local_days() {
        let p = Period::from_dates("2026-03-01", "2026-03-07", Paris).unwrap();
        assert_eq!(p.from_ms, ms("2026-03-01T00:00:00+01:00"));
        assert_eq!(p.to_ms, ms("2026-03-08T00:00:00+01:00"));
        assert_eq!(p.local_days(Paris, 1000).len(), 7);
        assert_eq!(
            p.dates(Paris),
            ("2026-03-01".to_string(), "2026-03-07".to_string())
        );
        let one = Period::from_dates("2026-03-01", "2026-03-01", Paris).unwrap();
        assert_eq!(one.len_ms(), 86_400_000);
    }

    #[test]
    fn bad_dates_are_errors() {
        assert_eq!(
            Period::from_dates("2026-13-01", "2026-03-01", Paris),
            Err(PeriodError::BadDate {
                value: "2026-13-01".into()
            })
        );
        assert_eq!(
            Period::from_dates("2026-03-02", "2026-03-01", Paris),
            Err(PeriodError::EndBeforeStart)
        );
        assert!(matches!(
            Period::from_dates("2000-01-01", "2026-03-01", Paris),
            Err(PeriodError::TooLong { .. })
        ));
        assert!(!PeriodError::EndBeforeStart.to_string().is_empty());
    }

    #[test]
    fn presets_end_today_and_previous_is_just_before() {
        let now = ms("2026-03-31T10:00:00+02:00");
        let p = Period::preset(Preset::Last7Days, now, Paris);
        assert_eq!(p.from_ms, ms("2026-03-25T00:00:00+01:00"));
        assert_eq!(p.to_ms, ms("2026-04-01T00:00:00+02:00"));
        // DST started on 2026-03-29: this week is an hour short.
        assert_eq!(p.len_ms(), 7 * 86_400_000 - 3_600_000);
        let prev = p.previous();
        assert_eq!(prev.to_ms, p.from_ms);
        assert_eq!(prev.len_ms(), p.len_ms());
        // By calendar: the 7 days before, from midnight.
        let prev = p.previous_in(Paris);
        assert_eq!(prev.from_ms, ms("2026-03-18T00:00:00+01:00"));
        assert_eq!(prev.to_ms, p.from_ms);
        assert_eq!(prev.local_days(Paris, 100).len(), 7);
        assert_eq!(
            Period::preset(Preset::Last90Days, now, Paris)
                .local_days(Paris, 1000)
                .len(),
            90
        );
        assert_eq!(Preset::parse("30d"), Some(Preset::Last30Days));
        // A period that is not whole days: previous_in is previous.
        let odd = Period::new(1_000, 5_000);
        assert_eq!(odd.previous_in(Paris), Period::new(-3_000, 1_000));
    }

    #[test]
    fn odd_periods_do_not_panic() {
        for p in [
            Period::new(10, 0),
            Period::new(i64::MIN, i64::MAX),
            Period::new(i64::MAX - 1, i64::MAX),
        ] {
            let _ = p.local_days(Paris, 10);
            let _ = p.previous();
            let _ = p.previous_in(Paris);
            let _ = p.dates(Paris);
        }
        assert!(Period::new(10, 0).local_days(Paris, 10).is_empty());
        assert_eq!(Period::new(10, 0).len_ms(), 0);
    }
}
