//! A report as one CSV table in long format: one line per instrument × row.
//!
//! Written for Excel: UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting,
//! and text cells that would start a formula prefixed with `'`. A suppressed row shows
//! `<k` under n and nothing else.
//!
//! The column model ([`table`]) is shared with the XLSX renderer. Organization and
//! platform reports add, after a blank line, the service indicators ([`service_table`]).

use instruments::wire::report::{Cell, InstrumentSection, LevelService, Report, ServiceCell};

use super::labels::{self, Lang};

/// One cell of the table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// Nothing.
    Blank,
    /// Text (names, group values, `<k`).
    Text(String),
    /// A count.
    Count(u64),
    /// A proportion between 0 and 1.
    Share(f64),
    /// A mean score.
    Mean(f64),
    /// Cronbach's alpha.
    Alpha(f64),
}

/// Headings and rows, ready to write.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    /// Column headings.
    pub headings: Vec<String>,
    /// How many columns after the instrument column are group columns.
    pub group_columns: usize,
    /// Rows, each as long as `headings`.
    pub rows: Vec<Vec<Value>>,
}

/// The table of some sections: instrument, group columns, n, not scorable, count and
/// share per band (bands with the same label share columns), positive, prevalence
/// and interval, mean and interval, alpha and its n, subscale means, and critical when
/// any row has it.
pub(crate) fn table(report: &Report, sections: &[&InstrumentSection], lang: Lang) -> Table {
    let keys = labels::ordered_keys(report, sections.iter().flat_map(|s| s.rows.iter().map(|r| &r.group)));
    let band_columns = band_columns(sections, lang);
    let critical =
        sections.iter().flat_map(|s| &s.rows).any(|r| matches!(&r.cell, Cell::Shown(f) if f.critical.is_some()));
    let marked = sections.iter().flat_map(|s| &s.rows).any(|r| matches!(&r.cell, Cell::Shown(f) if f.marked > 0));

    let mut headings = vec![labels::instrument(lang).to_owned()];
    headings.extend(keys.iter().map(|k| labels::group_key(report, k, lang)));
    headings.push(labels::n(lang).to_owned());
    headings.push(labels::not_scorable(lang).to_owned());
    for band in &band_columns {
        headings.push(labels::band_count(band, lang));
        headings.push(labels::band_share(band, lang));
    }
    headings.extend(
        [
            labels::positive(lang),
            labels::prevalence(lang),
            labels::prevalence_low(lang),
            labels::prevalence_high(lang),
            labels::mean(lang),
            labels::mean_low(lang),
            labels::mean_high(lang),
            labels::alpha(lang),
            labels::alpha_n(lang),
        ]
        .map(str::to_owned),
    );
    // Subscale means, one column per subscale id of any section (none for PHQ-9, GAD-7).
    let mut subscales: Vec<&String> = Vec::new();
    for id in sections.iter().flat_map(|s| &s.subscales) {
        if !subscales.contains(&id) {
            subscales.push(id);
        }
    }
    headings.extend(subscales.iter().map(|id| match lang {
        Lang::Zh => format!("分量表 {id} 均分"),
        Lang::En => format!("Subscale {id} mean"),
    }));
    if critical {
        headings.push(labels::critical(lang).to_owned());
    }
    if marked {
        headings.push(labels::marked(lang).to_owned());
        headings.push(labels::prevalence_with_marked(lang).to_owned());
    }

    let mut rows = Vec::new();
    for section in sections {
        let title = labels::instrument_title(section, lang);
        // Where each of the section's bands goes among the band columns.
        let band_at: Vec<usize> = section
            .bands
            .iter()
            .map(|b| band_columns.iter().position(|c| *c == band_label(b, lang)).unwrap_or_default())
            .collect();
        for row in &section.rows {
            let mut line = vec![Value::Text(title.clone())];
            line.extend(
                keys.iter()
                    .map(|k| Value::Text(row.group.get(k).cloned().unwrap_or_else(|| labels::all(lang).to_owned()))),
            );
            let mut figures = vec![Value::Blank; headings.len() - line.len()];
            match &row.cell {
                Cell::Suppressed { below } => figures[0] = Value::Text(labels::below(*below)),
                Cell::Shown(f) => {
                    figures[0] = Value::Count(f.n);
                    figures[1] = Value::Count(f.not_scorable);
                    for (share, at) in f.bands.iter().zip(&band_at) {
                        figures[2 + 2 * at] = Value::Count(share.count);
                        figures[3 + 2 * at] = share.share.map_or(Value::Blank, Value::Share);
                    }
                    let mut rest = 2 + 2 * band_columns.len();
                    let mut put = |value: Option<Value>| {
                        figures[rest] = value.unwrap_or(Value::Blank);
                        rest += 1;
                    };
                    put(f.positive.as_ref().map(|p| Value::Count(p.count)));
                    put(f.positive.as_ref().map(|p| Value::Share(p.share)));
                    put(f.positive.as_ref().map(|p| Value::Share(p.low)));
                    put(f.positive.as_ref().map(|p| Value::Share(p.high)));
                    put(f.mean.as_ref().map(|m| Value::Mean(m.mean)));
                    put(f.mean.as_ref().and_then(|m| m.low).map(Value::Mean));
                    put(f.mean.as_ref().and_then(|m| m.high).map(Value::Mean));
                    put(f.alpha.as_ref().map(|a| Value::Alpha(a.value)));
                    put(f.alpha.as_ref().map(|a| Value::Count(a.n)));
                    for id in &subscales {
                        let at = section.subscales.iter().position(|s| s == *id);
                        put(at.and_then(|i| f.subscales.get(i)).and_then(Option::as_ref).map(|m| Value::Mean(m.mean)));
                    }
                    if critical {
                        put(f.critical.map(Value::Count));
                    }
                    if marked {
                        put(Some(Value::Count(f.marked)));
                        put(f.positive_with_marked.as_ref().map(|p| Value::Share(p.share)));
                    }
                }
            }
            line.extend(figures);
            rows.push(line);
        }
    }
    Table { headings, group_columns: keys.len(), rows }
}

fn band_label(band: &instruments::wire::report::BandHeading, lang: Lang) -> String {
    labels::text(&band.label, lang).unwrap_or(&band.id).to_owned()
}

/// The band columns of some sections, by label: a label met again shares its column;
/// a new one goes right after the previous band of its section.
fn band_columns(sections: &[&InstrumentSection], lang: Lang) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for section in sections {
        let mut at = 0;
        for band in &section.bands {
            let label = band_label(band, lang);
            match columns.iter().position(|c| *c == label) {
                Some(found) if found >= at => at = found + 1,
                Some(_) => {}
                None => {
                    columns.insert(at, label);
                    at += 1;
                }
            }
        }
    }
    columns
}

/// The service indicators as a table (shared with XLSX and HTML): per row its
/// every-level line, then one line per level; a hidden row is one line with `<k`
/// under screened and nothing else. `None` when the report has none.
pub(crate) fn service_table(report: &Report, lang: Lang) -> Option<Table> {
    let service = report.service.as_ref()?;
    let mut headings = vec![labels::group_key(report, group_key(service), lang)];
    headings.extend(labels::service_headings(lang).iter().map(|h| (*h).to_owned()));
    let mut rows = Vec::new();
    for row in &service.rows {
        let group = Value::Text(labels::group(report, &row.group, lang));
        match &row.cell {
            ServiceCell::Suppressed { below } => {
                let mut line = vec![group, Value::Blank, Value::Text(labels::below(*below))];
                line.resize(headings.len(), Value::Blank);
                rows.push(line);
            }
            ServiceCell::Shown(f) => {
                let name = |l: &LevelService| match &l.level {
                    None => labels::all_levels(lang).to_owned(),
                    Some(id) => service
                        .levels
                        .iter()
                        .find(|s| &s.id == id)
                        .and_then(|s| labels::text(&s.label, lang))
                        .unwrap_or(id)
                        .to_owned(),
                };
                for l in std::iter::once(&f.total).chain(&f.levels) {
                    let mean = |x: Option<f64>| x.map_or(Value::Blank, Value::Mean);
                    rows.push(vec![
                        group.clone(),
                        Value::Text(name(l)),
                        Value::Count(f.screened),
                        Value::Count(l.warnings),
                        mean(l.per_thousand),
                        Value::Count(l.contact_due),
                        Value::Count(l.contacted_in_time),
                        l.contacted_in_time_share.map_or(Value::Blank, Value::Share),
                        mean(l.median_minutes_to_contact),
                        Value::Count(l.referrals),
                        Value::Count(l.referrals_confirmed),
                        Value::Count(l.closed),
                        Value::Count(l.lifted),
                        mean(l.median_days_open),
                    ]);
                }
            }
        }
    }
    Some(Table { headings, group_columns: 1, rows })
}

/// The group key of the service rows (`campaign` or `organization`).
fn group_key(service: &instruments::wire::report::ServiceIndicators) -> &str {
    service.rows.iter().find_map(|r| r.group.keys().next()).map_or("organization", String::as_str)
}

/// The report as CSV.
pub fn report_csv(report: &Report, lang: Lang) -> String {
    let sections: Vec<&InstrumentSection> = report.instruments.iter().collect();
    let table = table(report, &sections, lang);
    let mut out = String::from('\u{feff}');
    write_line(&mut out, table.headings.iter().map(|h| text_field(h)));
    for row in &table.rows {
        write_line(&mut out, row.iter().map(field));
    }
    if let Some(service) = service_table(report, lang) {
        out.push_str("\r\n");
        write_line(&mut out, service.headings.iter().map(|h| text_field(h)));
        for row in &service.rows {
            write_line(&mut out, row.iter().map(field));
        }
    }
    out
}

fn write_line(out: &mut String, fields: impl Iterator<Item = String>) {
    out.push_str(&fields.collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
}

/// A value as a CSV field.
fn field(value: &Value) -> String {
    match value {
        Value::Blank => String::new(),
        Value::Text(s) => text_field(s),
        Value::Count(n) => n.to_string(),
        Value::Share(x) => format!("{x:.4}"),
        Value::Mean(x) => format!("{x:.2}"),
        Value::Alpha(x) => format!("{x:.3}"),
    }
}

/// A text as a CSV field: `'` before a leading formula character, then quoted when it
/// holds a comma, quote or line break.
fn text_field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::sample_report;

    fn lines(csv: &str) -> Vec<&str> {
        let body = csv.strip_prefix('\u{feff}').expect("byte-order mark");
        assert!(body.ends_with("\r\n"));
        assert!(!body.replace("\r\n", "").contains('\n'), "bare LF");
        body.strip_suffix("\r\n").unwrap().split("\r\n").collect()
    }

    #[test]
    fn english_lines_exactly() {
        let csv = report_csv(&sample_report(), Lang::En);
        assert_eq!(
            lines(&csv),
            [
                "Instrument,Grade,n,Not scorable,Minimal count,Minimal share,Mild count,Mild share,\
                 Moderate count,Moderate share,Moderately severe count,Moderately severe share,\
                 Severe count,Severe share,Positive screens,Positive rate,Positive rate 95% CI low,\
                 Positive rate 95% CI high,Mean total,Mean 95% CI low,Mean 95% CI high,Cronbach's alpha,Alpha n",
                "PHQ-9,All,120,2,59,0.5000,30,0.2542,17,0.1441,8,0.0678,4,0.0339,29,0.2500,0.1800,0.3300,\
                 6.50,5.75,7.25,0.875,110",
                "PHQ-9,7,45,0,27,0.6000,9,0.2000,6,0.1333,2,0.0444,1,0.0222,9,0.2000,0.1125,0.3375,\
                 5.25,4.50,6.00,0.813,44",
                "PHQ-9,8,<10,,,,,,,,,,,,,,,,,,,,",
                "PHQ-9,9,<10,,,,,,,,,,,,,,,,,,,,",
            ]
        );
    }

    #[test]
    fn chinese_headings_exactly() {
        let csv = report_csv(&sample_report(), Lang::Zh);
        assert_eq!(
            lines(&csv)[0],
            "量表,年级,人数,无法计分,无或极轻微人数,无或极轻微占比,轻度人数,轻度占比,中度人数,中度占比,\
             中重度人数,中重度占比,重度人数,重度占比,筛查阳性人数,阳性率,阳性率95%置信区间下限,\
             阳性率95%置信区间上限,总分均值,均值95%置信区间下限,均值95%置信区间上限,克隆巴赫α系数,α系数样本量"
        );
        assert_eq!(lines(&csv)[1].split(',').nth(1), Some("全体"));
    }

    #[test]
    fn suppressed_rows_carry_no_digit_but_k() {
        for lang in [Lang::En, Lang::Zh] {
            let csv = report_csv(&sample_report(), lang);
            let suppressed: Vec<&str> = lines(&csv).into_iter().filter(|l| l.contains("<10")).collect();
            assert_eq!(suppressed.len(), 2);
            for line in suppressed {
                let cells: Vec<&str> = line.split(',').collect();
                assert_eq!(cells.len(), 23);
                assert_eq!(cells[2], "<10");
                for cell in &cells[3..] {
                    assert!(!cell.chars().any(|c| c.is_ascii_digit()), "{line}");
                    assert!(cell.is_empty(), "{line}");
                }
            }
        }
    }

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(text_field("plain"), "plain");
        assert_eq!(text_field("a,b"), "\"a,b\"");
        assert_eq!(text_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(text_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(text_field("+1"), "'+1");
        assert_eq!(text_field("-x"), "'-x");
        assert_eq!(text_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_field("=a,b"), "\"'=a,b\"");
        // Numbers are written as numbers, never guarded.
        assert_eq!(field(&Value::Mean(-1.5)), "-1.50");
    }

    #[test]
    fn group_values_are_guarded_text() {
        let mut report = sample_report();
        let section = &mut report.instruments[0];
        section.rows[1].group.insert("grade".to_owned(), "=1+1".to_owned());
        let csv = report_csv(&report, Lang::En);
        assert!(lines(&csv)[2].starts_with("PHQ-9,'=1+1,45,"));
    }

    #[test]
    fn bands_with_the_same_label_share_columns() {
        let report = sample_report();
        let mut gad = report.instruments[0].clone();
        gad.bands.remove(3); // no "moderately severe"
        gad.bands[0].label.insert(instruments::Locale::parse("en").unwrap(), "None".to_owned());
        let phq = &report.instruments[0];
        assert_eq!(
            band_columns(&[&gad, phq], Lang::En),
            ["Minimal", "None", "Mild", "Moderate", "Moderately severe", "Severe"]
        );
        assert_eq!(
            band_columns(&[phq, &gad], Lang::En),
            ["None", "Minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
        );
    }

    #[test]
    fn critical_column_only_when_present() {
        let mut report = sample_report();
        if let Cell::Shown(f) = &mut report.instruments[0].rows[0].cell {
            f.critical = Some(3);
        }
        let csv = report_csv(&report, Lang::En);
        let lines = lines(&csv);
        assert!(lines[0].ends_with(",Alpha n,Critical flags"));
        assert!(lines[1].ends_with(",0.875,110,3"));
        assert!(lines[2].ends_with(",0.813,44,"));
        assert!(lines[3].ends_with("<10,,,,,,,,,,,,,,,,,,,,,"));
    }
}

#[cfg(test)]
mod subscale_tests {
    use instruments::wire::report::{Cell, Mean};

    use super::*;

    #[test]
    fn subscale_means_get_a_column_each_and_stay_empty_for_suppressed_rows() {
        let mut report = labels::sample_report();
        let section = &mut report.instruments[0];
        section.subscales = vec!["internalizing".into()];
        for row in &mut section.rows {
            if let Cell::Shown(f) = &mut row.cell {
                f.subscales = vec![Some(Mean { n: 40, mean: 2.5, low: None, high: None })];
            }
        }
        let csv = report_csv(&report, Lang::En);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].ends_with(",Subscale internalizing mean"), "{}", lines[0]);
        assert!(lines[1].ends_with(",2.50"), "{}", lines[1]);
        assert!(lines.iter().filter(|l| l.contains("<10")).all(|l| l.ends_with(',')), "{csv}");
    }
}
