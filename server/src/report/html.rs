//! A report as a printable, self-contained HTML page: per instrument a table of its
//! rows and inline SVG charts; the methods at the end.
//!
//! No scripts and no inline styles (the Content-Security-Policy is
//! `style-src 'self'`): the look comes from `/report.css` (`app/static/report.css`).
//! Every text is escaped.

use std::fmt::Write;

use instruments::wire::report::{Cell, Figures, InstrumentSection, Report, Row, Scope};

use super::csv::{service_table, Table, Value};
use super::labels::{self, Lang};
use super::svg::{self, escape, ChartRow, Estimate, Mark, Segment};

/// The report as an HTML page.
pub fn report_html(report: &Report, lang: Lang) -> String {
    let title = labels::report_title(lang);
    let scope = labels::scope(&report.scope, lang);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — {}</title><link rel=\"stylesheet\" href=\"/report.css\"></head>\n<body><main class=\"report\">\n",
        lang.locale(),
        escape(title),
        escape(&scope)
    );
    let _ = write!(
        out,
        "<header><h1>{}</h1><p class=\"scope\">{}</p><p class=\"day\">{}</p>",
        escape(title),
        escape(&scope),
        escape(&labels::generated_on(&report.generated_on, lang))
    );
    let summary = labels::summary(report, lang);
    if !summary.is_empty() {
        out.push_str("<dl class=\"summary\">");
        for (label, value) in summary {
            let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(&label), escape(&value));
        }
        out.push_str("</dl>");
    }
    out.push_str("</header>\n");
    for section in &report.instruments {
        instrument(&mut out, report, section, lang);
    }
    if let Some(table) = service_table(report, lang) {
        service(&mut out, &table, lang);
    }
    let _ = write!(out, "<section class=\"methods\"><h2>{}</h2><ol>", escape(labels::notes(lang)));
    for paragraph in labels::methods(report.min_group_size, lang) {
        let _ = write!(out, "<li>{}</li>", escape(&paragraph));
    }
    out.push_str("</ol></section>\n</main></body></html>\n");
    out
}

fn instrument(out: &mut String, report: &Report, section: &InstrumentSection, lang: Lang) {
    let _ = write!(
        out,
        "<section class=\"instrument\"><h2>{} <span class=\"version\">{}</span></h2>",
        escape(&labels::instrument_title(section, lang)),
        escape(&section.version)
    );
    if let Some(rule) = section.cut_off.as_ref().and_then(|t| labels::text(t, lang)) {
        let _ = write!(out, "<p class=\"cut-off\">{}</p>", escape(&labels::cut_off(rule, lang)));
    }
    table(out, report, section, lang);

    let row_label = |row: &Row| labels::group(report, &row.group, lang);
    if !section.bands.is_empty() && !section.rows.is_empty() {
        let bands: Vec<String> = section.bands.iter().map(|b| band_label(b, lang)).collect();
        let colors = svg::band_colors(bands.len());
        let rows: Vec<ChartRow<Vec<Segment>>> = section
            .rows
            .iter()
            .map(|row| {
                let label = row_label(row);
                let mark = match &row.cell {
                    Cell::Suppressed { below } => Mark::Note(labels::below(*below)),
                    Cell::Shown(f) if f.bands.iter().any(|b| b.share.is_some()) => Mark::Value(
                        f.bands
                            .iter()
                            .zip(bands.iter().zip(&colors))
                            .map(|(share, (band, (fill, dark)))| Segment {
                                share: share.share.unwrap_or_default(),
                                fill,
                                dark: *dark,
                                title: format!(
                                    "{label}: {band} {} ({})",
                                    labels::percent(share.share.unwrap_or_default(), 1),
                                    share.count
                                ),
                            })
                            .collect(),
                    ),
                    Cell::Shown(_) => Mark::Note("–".to_owned()),
                };
                ChartRow { label, mark }
            })
            .collect();
        figure(out, labels::distribution(lang), &svg::band_chart(labels::distribution(lang), &bands, &rows));
    }

    let has_prevalence = section.rows.iter().any(|r| matches!(&r.cell, Cell::Shown(f) if f.positive.is_some()));
    if has_prevalence {
        let estimates: Vec<ChartRow<Estimate>> = section
            .rows
            .iter()
            .map(|row| {
                let mark = match &row.cell {
                    Cell::Suppressed { below } => Mark::Note(labels::below(*below)),
                    Cell::Shown(f) => match &f.positive {
                        Some(p) => Mark::Value(Estimate { share: p.share, low: p.low, high: p.high }),
                        None => Mark::Note("–".to_owned()),
                    },
                };
                ChartRow { label: row_label(row), mark }
            })
            .collect();
        figure(out, labels::prevalence_chart(lang), &svg::prevalence_chart(labels::prevalence_chart(lang), &estimates));
        if matches!(report.scope, Scope::Trend { .. }) {
            let waves: Vec<ChartRow<Estimate>> = section
                .rows
                .iter()
                .zip(estimates)
                .map(|(row, e)| ChartRow { label: row.group.get("wave").cloned().unwrap_or(e.label), mark: e.mark })
                .collect();
            figure(out, labels::trend_chart(lang), &svg::trend_chart(labels::trend_chart(lang), &waves));
        }
    }

    if let Some(comparison) = &section.comparison {
        if comparison.chi_square.is_some() || !comparison.differences.is_empty() {
            let _ = write!(out, "<h3>{}</h3><ul class=\"comparisons\">", escape(labels::comparisons(lang)));
            for d in &comparison.differences {
                let _ = write!(out, "<li>{}</li>", escape(&labels::difference_text(report, d, lang)));
            }
            if let Some(test) = &comparison.chi_square {
                let _ = write!(out, "<li>{}</li>", escape(&labels::chi_square_text(test, lang)));
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</section>\n");
}

/// The service indicators: the shared table, a hidden row's `<k` and nothing else.
fn service(out: &mut String, table: &Table, lang: Lang) {
    let _ = write!(out, "<section class=\"service\"><h2>{}</h2>", escape(labels::service(lang)));
    out.push_str("<table class=\"rows\"><thead><tr>");
    for (i, heading) in table.headings.iter().enumerate() {
        let class = if i <= table.group_columns { "group" } else { "num" };
        let _ = write!(out, "<th scope=\"col\" class=\"{class}\">{}</th>", escape(heading));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &table.rows {
        let class = if row.get(1) == Some(&Value::Blank) { "suppressed" } else { "shown" };
        let _ = write!(out, "<tr class=\"{class}\">");
        for (i, value) in row.iter().enumerate() {
            let text = match value {
                Value::Blank => String::new(),
                Value::Text(s) => s.clone(),
                Value::Count(n) => n.to_string(),
                Value::Share(x) => labels::percent(*x, 1),
                Value::Mean(x) | Value::Alpha(x) => format!("{x:.1}"),
            };
            if i < table.group_columns {
                let _ = write!(out, "<th scope=\"row\" class=\"group\">{}</th>", escape(&text));
            } else {
                let class = if i == table.group_columns { "group" } else { "num" };
                let _ = write!(out, "<td class=\"{class}\">{}</td>", escape(&text));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

fn figure(out: &mut String, caption: &str, svg: &str) {
    let _ = write!(out, "<figure class=\"chart\"><figcaption>{}</figcaption>{svg}</figure>", escape(caption));
}

fn band_label(band: &instruments::wire::report::BandHeading, lang: Lang) -> String {
    labels::text(&band.label, lang).unwrap_or(&band.id).to_owned()
}

/// The section's rows: group columns, n, not scorable, each band as "count · share",
/// positive, rate, interval, mean with interval, alpha (n), critical when any.
fn table(out: &mut String, report: &Report, section: &InstrumentSection, lang: Lang) {
    let keys = labels::ordered_keys(report, section.rows.iter().map(|r| &r.group));
    let critical = section.rows.iter().any(|r| matches!(&r.cell, Cell::Shown(f) if f.critical.is_some()));
    let marked = section.rows.iter().any(|r| matches!(&r.cell, Cell::Shown(f) if f.marked > 0));
    let mut headings: Vec<String> = keys.iter().map(|k| labels::group_key(report, k, lang)).collect();
    headings.push(labels::n(lang).to_owned());
    headings.push(labels::not_scorable(lang).to_owned());
    headings.extend(section.bands.iter().map(|b| band_label(b, lang)));
    headings.extend(
        [
            labels::positive(lang),
            labels::prevalence(lang),
            labels::interval(lang),
            labels::mean(lang),
            labels::interval(lang),
            labels::alpha(lang),
        ]
        .map(str::to_owned),
    );
    if critical {
        headings.push(labels::critical(lang).to_owned());
    }
    if marked {
        headings.push(labels::marked(lang).to_owned());
        headings.push(labels::prevalence_with_marked(lang).to_owned());
    }
    let figures = headings.len() - keys.len();

    out.push_str("<table class=\"rows\"><thead><tr>");
    for (i, heading) in headings.iter().enumerate() {
        let class = if i < keys.len() { "group" } else { "num" };
        let _ = write!(out, "<th scope=\"col\" class=\"{class}\">{}</th>", escape(heading));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &section.rows {
        let class = if matches!(row.cell, Cell::Suppressed { .. }) { "suppressed" } else { "shown" };
        let _ = write!(out, "<tr class=\"{class}\">");
        for key in &keys {
            let value = row.group.get(key).map_or(labels::all(lang), String::as_str);
            let _ = write!(out, "<th scope=\"row\" class=\"group\">{}</th>", escape(value));
        }
        let cells: Vec<String> = match &row.cell {
            Cell::Suppressed { below } => {
                let mut cells = vec![String::new(); figures];
                cells[0] = labels::below(*below);
                cells
            }
            Cell::Shown(f) => shown_cells(f, section.bands.len(), critical, marked),
        };
        for cell in cells {
            let _ = write!(out, "<td class=\"num\">{}</td>", escape(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>");
}

fn shown_cells(f: &Figures, bands: usize, critical: bool, marked: bool) -> Vec<String> {
    let pct = |x: f64| labels::percent(x, 1);
    let mut cells = vec![f.n.to_string(), f.not_scorable.to_string()];
    for i in 0..bands {
        cells.push(match f.bands.get(i) {
            Some(b) => match b.share {
                Some(s) => format!("{} · {}", b.count, pct(s)),
                None => b.count.to_string(),
            },
            None => String::new(),
        });
    }
    match &f.positive {
        Some(p) => {
            cells.push(p.count.to_string());
            cells.push(pct(p.share));
            cells.push(format!("{}–{}", pct(p.low), pct(p.high)));
        }
        None => cells.extend([String::new(), String::new(), String::new()]),
    }
    match &f.mean {
        Some(m) => {
            cells.push(format!("{:.2}", m.mean));
            cells.push(match (m.low, m.high) {
                (Some(low), Some(high)) => format!("{low:.2}–{high:.2}"),
                _ => String::new(),
            });
        }
        None => cells.extend([String::new(), String::new()]),
    }
    cells.push(f.alpha.as_ref().map(|a| format!("{:.3} (n\u{a0}=\u{a0}{})", a.value, a.n)).unwrap_or_default());
    if critical {
        cells.push(f.critical.map(|c| c.to_string()).unwrap_or_default());
    }
    if marked {
        // n ≥ k > 0 in a shown cell.
        cells.push(format!("{} · {}", f.marked, pct(f.marked as f64 / f.n.max(1) as f64)));
        cells.push(f.positive_with_marked.as_ref().map(|p| pct(p.share)).unwrap_or_default());
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::sample_report;

    fn charts(html: &str) -> Vec<&str> {
        html.split("<svg").skip(1).map(|s| s.split("</svg>").next().unwrap()).collect()
    }

    #[test]
    fn no_scripts_no_inline_styles() {
        for lang in [Lang::En, Lang::Zh] {
            let html = report_html(&sample_report(), lang);
            assert!(!html.contains("style="), "inline style");
            assert!(!html.contains("<style"), "style element");
            assert!(!html.contains("<script"), "script");
            assert!(!html.contains("javascript:"));
            assert!(html.contains("<link rel=\"stylesheet\" href=\"/report.css\">"));
            assert!(html.starts_with("<!doctype html>"));
        }
    }

    #[test]
    fn one_svg_per_chart() {
        let html = report_html(&sample_report(), Lang::En);
        // Band distribution and prevalence.
        assert_eq!(html.matches("<svg").count(), 2);
        assert_eq!(html.matches("<figure").count(), 2);

        let mut trend = sample_report();
        trend.scope = Scope::Trend { codes: vec!["a".to_owned(), "b".to_owned()], organization_id: 1 };
        let html = report_html(&trend, Lang::En);
        assert_eq!(html.matches("<svg").count(), 3);

        let mut no_rule = sample_report();
        for row in &mut no_rule.instruments[0].rows {
            if let Cell::Shown(f) = &mut row.cell {
                f.positive = None;
            }
        }
        assert_eq!(report_html(&no_rule, Lang::En).matches("<svg").count(), 1);
    }

    #[test]
    fn names_are_escaped() {
        let mut report = sample_report();
        report.instruments[0].rows[1].group.insert("grade".to_owned(), "<b>7</b>".to_owned());
        for lang in [Lang::En, Lang::Zh] {
            let html = report_html(&report, lang);
            assert!(!html.contains("<2026>") && !html.contains("<筛查>"));
            assert!(html.contains("&lt;2026&gt;") || html.contains("&lt;筛查&gt;"));
            assert!(!html.contains("<b>"));
            assert!(html.contains("&lt;b&gt;7&lt;/b&gt;"));
        }
    }

    #[test]
    fn suppressed_rows_get_a_label_and_no_bar() {
        let html = report_html(&sample_report(), Lang::En);
        let bands = charts(&html)[0];
        // Five legend swatches and five segments for each of the two shown rows.
        assert_eq!(bands.matches("<rect").count(), 5 + 2 * 5);
        assert_eq!(bands.matches("<title>All: ").count(), 5);
        assert_eq!(bands.matches("<title>Grade 7: ").count(), 5);
        assert!(!bands.contains("<title>Grade 8") && !bands.contains("<title>Grade 9"));
        assert_eq!(bands.matches(">&lt;10</text>").count(), 2);
        let dots = charts(&html)[1];
        assert_eq!(dots.matches("<circle").count(), 2);
        assert_eq!(dots.matches(">&lt;10</text>").count(), 2);
    }

    #[test]
    fn table_rows_carry_the_same_data() {
        let html = report_html(&sample_report(), Lang::En);
        assert!(html.contains(
            "<tr class=\"shown\"><th scope=\"row\" class=\"group\">7</th><td class=\"num\">45</td>\
             <td class=\"num\">0</td><td class=\"num\">27 · 60.0%</td>"
        ));
        assert!(html.contains("<td class=\"num\">11.2%–33.8%</td>"));
        let suppressed = "<tr class=\"suppressed\"><th scope=\"row\" class=\"group\">8</th>\
             <td class=\"num\">&lt;10</td>";
        let at = html.find(suppressed).expect("suppressed row");
        let row = &html[at..at + html[at..].find("</tr>").unwrap()];
        // Nothing but the group value and <10.
        let digits: String = row.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits, "810");
        assert_eq!(row.matches("<td class=\"num\"></td>").count(), 12);
    }

    #[test]
    fn chinese_page() {
        let html = report_html(&sample_report(), Lang::Zh);
        assert!(html.contains("<html lang=\"zh-Hans\">"));
        assert!(html.contains("<h1>心理健康筛查报告</h1>"));
        assert!(html.contains("筛查阳性标准：总分 ≥ 10"));
        assert!(html.contains("年级 7 与 其余显示的组合计 相比：阳性率差 −5.0 个百分点"));
    }
}
