//! Charts drawn on the server as inline SVG: no JavaScript, prints well, and reads on a phone.

use wushe_app::volunteering::hours::Month;

use crate::i18n::Tr;

/// A bar chart of hours by month, with the hours over each bar and the month under it; `tr` says the unit.
pub fn hours_by_month(months: &[Month], title: &str, tr: &Tr) -> String {
    if months.is_empty() {
        return String::new();
    }
    let (w, h, pad, foot) = (640.0_f64, 220.0_f64, 24.0_f64, 28.0_f64);
    let max = months.iter().map(|m| m.hours).fold(1.0_f64, f64::max);
    let slot = (w - 2.0 * pad) / months.len() as f64;
    let bar = (slot * 0.7).max(2.0);
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    for (i, m) in months.iter().enumerate() {
        let x = pad + i as f64 * slot + (slot - bar) / 2.0;
        let bh = ((m.hours.max(0.0) / max) * (h - foot - pad)).max(0.0);
        let y = h - foot - bh;
        out.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="#0b62d6"><title>{} {}</title></rect>"##,
            m.month,
            tr.count("n-hours", m.hours)
        ));
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
            x + bar / 2.0,
            (y - 4.0).max(10.0),
            m.hours
        ));
        out.push_str(&format!(
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#667085">{}</text>"##,
            x + bar / 2.0,
            h - 8.0,
            &m.month[2..]
        ));
    }
    out.push_str("</svg>");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_month_scaled_to_the_highest() {
        let m = |month: &str, hours: f64| Month {
            month: month.into(),
            minutes: (hours * 60.0) as i64,
            hours,
            records: 1,
        };
        let svg = hours_by_month(
            &[m("2026-01", 10.0), m("2026-02", 5.0)],
            "服务时长 <月>",
            &Tr::new(crate::i18n::Lang::Zh),
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("26-01") && svg.contains("26-02"));
        assert!(svg.contains("&lt;月>"));
        assert!(svg.contains(r#"height="168.0""#), "{svg}");
        assert!(svg.contains(r#"height="84.0""#));
        assert!(svg.contains("10小时"), "{svg}");
        assert_eq!(
            hours_by_month(&[], "x", &Tr::new(crate::i18n::Lang::En)),
            ""
        );
    }
}
