use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// RFC 3339 in UTC with whole seconds and a `Z`: `2015-09-27T14:30:00Z`.
pub fn format_timestamp(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A written timestamp: any UTC offset, stored in UTC with fractions dropped.
/// A bare date is refused; a frontend must say which moment it means.
pub fn parse_timestamp(text: &str) -> Result<NaiveDateTime, String> {
    use chrono::Timelike;
    let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| {
        "must be an RFC 3339 timestamp with a time and offset, like 2015-09-27T14:30:00Z".to_owned()
    })?;
    // chrono keeps a leap second (`23:59:60`) as a nanosecond count past
    // one second; no stored moment can hold it.
    if parsed.nanosecond() >= 1_000_000_000 {
        return Err("must not be a leap second (:60)".to_owned());
    }
    let utc = parsed.with_timezone(&Utc).naive_utc();
    within_years(utc)?;
    Ok(utc.with_nanosecond_zero())
}

/// The years a stored moment may fall in: four digits, as RFC 3339 writes
/// them, and nothing before 1000, which no newsroom publishes in.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

fn within_years(t: NaiveDateTime) -> Result<NaiveDateTime, String> {
    use chrono::Datelike;
    if YEARS.contains(&t.year()) {
        Ok(t)
    } else {
        Err(format!(
            "must fall in the years {} to {} (UTC)",
            YEARS.start(),
            YEARS.end()
        ))
    }
}

/// A query bound: a timestamp, or a `YYYY-MM-DD` date meaning midnight UTC.
/// The date is taken in exactly that shape: chrono alone would also read
/// `2020-1-1` or `+2020-01-01`, which the contract does not name.
pub fn parse_timestamp_or_date(text: &str) -> Result<NaiveDateTime, String> {
    let invalid = || "must be an RFC 3339 timestamp or a YYYY-MM-DD date".to_owned();
    if text.len() == 10 {
        let shaped = text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        if !shaped {
            return Err(invalid());
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid())?;
        return within_years(date.and_hms_opt(0, 0, 0).expect("midnight exists"));
    }
    parse_timestamp(text).map_err(|e| match e.starts_with("must fall") {
        true => e,
        false => invalid(),
    })
}

/// The current moment at the precision we store.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().with_nanosecond_zero()
}

trait WholeSeconds {
    fn with_nanosecond_zero(self) -> Self;
}

impl WholeSeconds for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc_and_fractions_dropped() {
        let t = parse_timestamp("2015-09-27T16:30:00.789+02:00").unwrap();
        assert_eq!(format_timestamp(t), "2015-09-27T14:30:00Z");
    }

    #[test]
    fn a_bare_date_is_not_a_timestamp() {
        assert!(parse_timestamp("2015-09-27").is_err());
    }

    #[test]
    fn a_query_bound_is_exactly_a_timestamp_or_a_padded_date() {
        for bad in [
            "2020-1-1",
            "2020-01-1",
            "+2020-01-01",
            "2020-01-01T10:00",
            "2020/01/01",
            "2020-02-30",
        ] {
            assert!(parse_timestamp_or_date(bad).is_err(), "{bad}");
        }
        assert!(parse_timestamp_or_date("2020-01-01T10:00:00+01:00").is_ok());
    }

    #[test]
    fn leap_seconds_and_years_outside_1000_to_9999_are_refused() {
        assert!(parse_timestamp("2016-12-31T23:59:60Z").is_err());
        assert!(parse_timestamp("0000-01-01T00:00:00Z").is_err());
        assert!(parse_timestamp("0999-12-31T23:59:59Z").is_err());
        assert!(parse_timestamp("1000-01-01T00:00:00Z").is_ok());
        assert!(parse_timestamp_or_date("0000-01-01").is_err());
        assert!(parse_timestamp_or_date("-2026-01-01").is_err());
    }

    #[test]
    fn a_query_date_means_midnight_utc() {
        let t = parse_timestamp_or_date("2015-09-27").unwrap();
        assert_eq!(format_timestamp(t), "2015-09-27T00:00:00Z");
    }
}
