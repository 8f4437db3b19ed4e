//! Dates and sizes as a French or English reader expects them.

use time::{OffsetDateTime, UtcOffset};

use super::i18n::Lang;

/// A date for a list row: the time today, else the day.
pub fn short_date(ts: i64, now: i64, offset: UtcOffset) -> String {
    let Ok(d) = OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let d = d.to_offset(offset);
    let today = OffsetDateTime::from_unix_timestamp(now)
        .map(|n| n.to_offset(offset).date())
        .unwrap_or(d.date());
    if d.date() == today {
        format!("{:02}:{:02}", d.hour(), d.minute())
    } else {
        format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
    }
}

/// A full date for the reader.
pub fn long_date(ts: i64, offset: UtcOffset, lang: Lang) -> String {
    let Ok(d) = OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let d = d.to_offset(offset);
    match lang {
        Lang::Fr => format!(
            "{:02}/{:02}/{} à {:02}:{:02}",
            d.day(),
            u8::from(d.month()),
            d.year(),
            d.hour(),
            d.minute()
        ),
        Lang::En => format!(
            "{}-{:02}-{:02} {:02}:{:02}",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute()
        ),
    }
}

/// A size in bytes, kB or MB (decimal units, one decimal).
pub fn size(bytes: u64, lang: Lang) -> String {
    let (value, unit) = if bytes >= 1_000_000 {
        (bytes as f64 / 1_000_000.0, "MB")
    } else if bytes >= 1_000 {
        (bytes as f64 / 1_000.0, "kB")
    } else {
        return match lang {
            Lang::Fr => format!("{bytes} o"),
            Lang::En => format!("{bytes} B"),
        };
    };
    let s = format!("{value:.1}");
    match lang {
        Lang::Fr => format!("{} {}", s.replace('.', ","), unit.replace('B', "o")),
        Lang::En => format!("{s} {unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sizes() {
        let utc = UtcOffset::UTC;
        // 2024-03-05 14:07 UTC
        let ts = 1_709_647_620;
        assert_eq!(short_date(ts, ts + 60, utc), "14:07");
        assert_eq!(short_date(ts, ts + 86_400 * 3, utc), "05/03/2024");
        assert_eq!(long_date(ts, utc, Lang::Fr), "05/03/2024 à 14:07");
        assert_eq!(size(10_000_000, Lang::Fr), "10,0 Mo");
        assert_eq!(size(2_500, Lang::En), "2.5 kB");
        assert_eq!(size(12, Lang::Fr), "12 o");
    }
}
