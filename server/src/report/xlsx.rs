//! A report as an Excel workbook: one sheet per instrument (the CSV's columns, numbers
//! as numbers, shares as percentages), the service indicators of roll-ups, and a notes
//! sheet with the scope, the methods and the comparisons.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use instruments::wire::report::{InstrumentSection, Report};

use super::csv::{service_table, table, Table, Value};
use super::labels::{self, Lang};

struct Formats {
    heading: Format,
    title: Format,
    count: Format,
    share: Format,
    mean: Format,
    alpha: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            heading: Format::new().set_bold().set_text_wrap(),
            title: Format::new().set_bold().set_font_size(14),
            count: Format::new().set_num_format("0"),
            share: Format::new().set_num_format("0.0%"),
            mean: Format::new().set_num_format("0.00"),
            alpha: Format::new().set_num_format("0.000"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// The report as an XLSX workbook.
///
/// # Errors
/// What `rust_xlsxwriter` reports (none expected for a well-formed report).
pub fn report_xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut names: Vec<String> = vec![labels::notes(lang).to_owned()];
    for section in &report.instruments {
        let name = sheet_name(&section.instrument, &names);
        names.push(name.clone());
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        instrument_sheet(sheet, report, section, lang, &formats)?;
    }
    if let Some(service) = service_table(report, lang) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(labels::service(lang), &names))?;
        table_sheet(sheet, &service, &formats)?;
    }
    let notes = workbook.add_worksheet();
    notes.set_name(labels::notes(lang))?;
    notes_sheet(notes, report, lang, &formats)?;
    workbook.save_to_buffer()
}

/// A valid sheet name from an instrument id, unlike any of `taken` (case-insensitively).
fn sheet_name(id: &str, taken: &[String]) -> String {
    let clean: String = id.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).collect();
    let clean = clean.trim_matches('\'');
    let base: String = if clean.is_empty() { "sheet".to_owned() } else { clean.chars().take(25).collect() };
    let free = |name: &str| !taken.iter().any(|t| t.to_lowercase() == name.to_lowercase());
    if free(&base) {
        return base;
    }
    (2..).map(|i| format!("{base} ({i})")).find(|name| free(name)).unwrap_or(base)
}

fn instrument_sheet(
    sheet: &mut Worksheet,
    report: &Report,
    section: &InstrumentSection,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    table_sheet(sheet, &table(report, &[section], lang), f)
}

/// A table on a sheet: headings frozen with the group columns, numbers formatted.
fn table_sheet(sheet: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    for (col, heading) in table.headings.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, heading, &f.heading)?;
        let width = match col as usize {
            0 => 24.0,
            c if c <= table.group_columns => 14.0,
            _ => 12.0,
        };
        sheet.set_column_width(col, width)?;
    }
    sheet.set_row_height(0, 48)?;
    sheet.set_freeze_panes(1, 1 + table.group_columns as u16)?;
    for (i, row) in table.rows.iter().enumerate() {
        let r = 1 + i as u32;
        for (col, value) in row.iter().enumerate() {
            let col = col as u16;
            match value {
                Value::Blank => {}
                Value::Text(s) => {
                    sheet.write_string(r, col, s)?;
                }
                Value::Count(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &f.count)?;
                }
                Value::Share(x) => {
                    sheet.write_number_with_format(r, col, *x, &f.share)?;
                }
                Value::Mean(x) => {
                    sheet.write_number_with_format(r, col, *x, &f.mean)?;
                }
                Value::Alpha(x) => {
                    sheet.write_number_with_format(r, col, *x, &f.alpha)?;
                }
            }
        }
    }
    Ok(())
}

fn notes_sheet(sheet: &mut Worksheet, report: &Report, lang: Lang, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 90)?;
    for col in 2..6 {
        sheet.set_column_width(col, 12)?;
    }
    let mut r = 0u32;
    sheet.write_string_with_format(r, 0, labels::report_title(lang), &f.title)?;
    r += 1;
    sheet.write_string(r, 0, labels::scope(&report.scope, lang))?;
    r += 1;
    sheet.write_string(r, 0, labels::generated_on(&report.generated_on, lang))?;
    r += 1;
    for (label, value) in labels::summary(report, lang) {
        sheet.write_string(r, 0, label)?;
        sheet.write_string(r, 1, value)?;
        r += 1;
    }
    r += 1;
    for section in &report.instruments {
        if let Some(rule) = section.cut_off.as_ref().and_then(|t| labels::text(t, lang)) {
            sheet.write_string(r, 0, labels::instrument_title(section, lang))?;
            sheet.write_string(r, 1, labels::cut_off(rule, lang))?;
            r += 1;
        }
    }
    r += 1;
    sheet.write_string_with_format(r, 0, labels::notes(lang), &f.heading)?;
    r += 1;
    for (i, paragraph) in labels::methods(report.min_group_size, lang).into_iter().enumerate() {
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string_with_format(r, 1, paragraph, &f.wrap)?;
        r += 1;
    }

    r += 1;
    sheet.write_string_with_format(r, 0, labels::comparisons(lang), &f.heading)?;
    r += 1;
    let headings = [
        labels::instrument(lang),
        labels::compared(lang),
        labels::against(lang),
        labels::difference(lang),
        labels::prevalence_low(lang),
        labels::prevalence_high(lang),
    ];
    for (col, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(r, col as u16, *heading, &f.heading)?;
    }
    r += 1;
    for section in &report.instruments {
        let title = labels::instrument_title(section, lang);
        for d in section.comparison.iter().flat_map(|c| &c.differences) {
            sheet.write_string(r, 0, &title)?;
            sheet.write_string(r, 1, labels::group(report, &d.a, lang))?;
            let b = if d.b.is_empty() { labels::rest(lang).to_owned() } else { labels::group(report, &d.b, lang) };
            sheet.write_string(r, 2, b)?;
            sheet.write_number_with_format(r, 3, d.difference, &f.share)?;
            sheet.write_number_with_format(r, 4, d.low, &f.share)?;
            sheet.write_number_with_format(r, 5, d.high, &f.share)?;
            r += 1;
        }
    }

    r += 1;
    sheet.write_string_with_format(r, 0, labels::chi_square(lang), &f.heading)?;
    r += 1;
    for (col, heading) in [labels::instrument(lang), "χ²", labels::df(lang), labels::p_value(lang)].iter().enumerate()
    {
        sheet.write_string_with_format(r, col as u16, *heading, &f.heading)?;
    }
    r += 1;
    for section in &report.instruments {
        if let Some(test) = section.comparison.as_ref().and_then(|c| c.chi_square.as_ref()) {
            sheet.write_string(r, 0, labels::instrument_title(section, lang))?;
            sheet.write_number_with_format(r, 1, test.statistic, &f.mean)?;
            sheet.write_number_with_format(r, 2, test.df as f64, &f.count)?;
            sheet.write_number_with_format(r, 3, test.p_value, &f.alpha)?;
            r += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::sample_report;

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn workbook_is_a_zip_with_a_sheet_per_instrument_and_notes() {
        for lang in [Lang::En, Lang::Zh] {
            let bytes = report_xlsx(&sample_report(), lang).unwrap();
            assert!(bytes.starts_with(b"PK\x03\x04"), "ZIP signature");
            assert!(bytes.len() > 4000, "{} bytes", bytes.len());
            assert!(contains(&bytes, "xl/workbook.xml"));
            assert!(contains(&bytes, "xl/worksheets/sheet1.xml"));
            assert!(contains(&bytes, "xl/worksheets/sheet2.xml"));
            assert!(!contains(&bytes, "xl/worksheets/sheet3.xml"));
        }
    }

    #[test]
    fn two_instruments_make_three_sheets() {
        let mut report = sample_report();
        let mut gad = report.instruments[0].clone();
        gad.instrument = "gad7".to_owned();
        report.instruments.push(gad);
        let bytes = report_xlsx(&report, Lang::En).unwrap();
        assert!(contains(&bytes, "xl/worksheets/sheet3.xml"));
        assert!(!contains(&bytes, "xl/worksheets/sheet4.xml"));
    }

    #[test]
    fn same_or_odd_instrument_ids_still_make_valid_sheets() {
        let mut report = sample_report();
        let mut copy = report.instruments[0].clone();
        copy.instrument = "PHQ9".to_owned();
        report.instruments.push(copy);
        let mut odd = report.instruments[0].clone();
        odd.instrument = "'a/b:c[d]*e?' and a very long name indeed".to_owned();
        report.instruments.push(odd);
        let mut notes = report.instruments[0].clone();
        notes.instrument = "notes".to_owned();
        report.instruments.push(notes);
        assert!(report_xlsx(&report, Lang::En).is_ok());
        assert_eq!(sheet_name("phq9", &["Notes".to_owned(), "PHQ9".to_owned()]), "phq9 (2)");
        assert_eq!(sheet_name("a/b", &[]), "a_b");
    }
}
