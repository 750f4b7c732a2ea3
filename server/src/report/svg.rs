//! Small inline SVG charts for the printable report: stacked band bars, prevalence
//! dots with interval whiskers, and a prevalence line across waves.
//!
//! Only presentation attributes (`fill`, `stroke`, …), never `style`: the page's
//! Content-Security-Policy allows stylesheets from the server only. Every text is
//! escaped.

use std::fmt::Write;

/// Escapes a text for XML and HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal, without trailing zeros.
pub fn num(x: f64) -> String {
    let s = format!("{:.1}", if x.is_finite() { x } else { 0.0 });
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A linear map from a domain of values onto a range of coordinates; values outside
/// the domain are clamped to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// Lowest and highest value.
    pub domain: (f64, f64),
    /// Their coordinates.
    pub range: (f64, f64),
}

impl Scale {
    /// The coordinate of `value`.
    pub fn at(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 || !value.is_finite() {
            return r0;
        }
        let t = ((value - d0) / (d1 - d0)).clamp(0.0, 1.0);
        r0 + t * (r1 - r0)
    }
}

/// The top of a share axis: the next multiple of 10 % at or above `max` (at least
/// 10 %, at most 100 %).
pub fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.1 {
        return 0.1;
    }
    ((max * 10.0 - 1e-9).ceil() / 10.0).min(1.0)
}

/// Tick values of a share axis from 0 to `top` (a multiple of 10 %): at most six,
/// every 5, 10, 20, 25 or 50 %, else every 10 %.
pub fn ticks(top: f64) -> Vec<f64> {
    let fits = |step: f64| {
        let count = top / step;
        count <= 5.0 + 1e-9 && (count - count.round()).abs() < 1e-9
    };
    let step = [0.05, 0.1, 0.2, 0.25, 0.5].into_iter().find(|s| fits(*s)).unwrap_or(0.1);
    let count = (top / step + 1e-9).floor() as usize;
    (0..=count).map(|i| (i as f64 * step * 1000.0).round() / 1000.0).collect()
}

/// Fill colours of `k` ordered bands, lowest (green) to highest (dark red), each with
/// whether text on it should be white.
pub fn band_colors(k: usize) -> Vec<(&'static str, bool)> {
    const PALETTE: [(&str, bool); 7] = [
        ("#1a9850", true),
        ("#91cf60", false),
        ("#d9ef8b", false),
        ("#fee08b", false),
        ("#fc8d59", false),
        ("#d73027", true),
        ("#a50026", true),
    ];
    match k {
        0 => vec![],
        1 => vec![PALETTE[0]],
        _ => (0..k).map(|i| PALETTE[(i * 6 + (k - 1) / 2) / (k - 1)]).collect(),
    }
}

/// A rectangle, with a tooltip when `title` is given.
pub fn rect(x: f64, y: f64, width: f64, height: f64, fill: &str, title: Option<&str>) -> String {
    let open = format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
        num(x),
        num(y),
        num(width.max(0.0)),
        num(height.max(0.0)),
        escape(fill)
    );
    match title {
        Some(t) => format!("{open}><title>{}</title></rect>", escape(t)),
        None => format!("{open}/>"),
    }
}

/// A text at (x, y); `anchor` is `start`, `middle` or `end`.
pub fn text(x: f64, y: f64, anchor: &str, size: u32, fill: &str, s: &str) -> String {
    format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>",
        num(x),
        num(y),
        escape(s)
    )
}

/// One segment of a stacked bar: its share, colour, whether its label is white, and
/// tooltip.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Share between 0 and 1.
    pub share: f64,
    /// Fill.
    pub fill: &'static str,
    /// White text on it.
    pub dark: bool,
    /// Tooltip.
    pub title: String,
}

/// A horizontal stacked bar from `scale`'s 0 to the sum of the shares, at `y`, with
/// the percentage written on each segment wide enough for it.
pub fn stacked_bar(scale: Scale, y: f64, height: f64, segments: &[Segment]) -> String {
    let mut out = String::new();
    let mut start = 0.0;
    for segment in segments {
        let end = start + segment.share.max(0.0);
        let (x0, x1) = (scale.at(start), scale.at(end));
        if x1 > x0 {
            out.push_str(&rect(x0, y, x1 - x0, height, segment.fill, Some(&segment.title)));
            if x1 - x0 >= 30.0 {
                let color = if segment.dark { "#fff" } else { "#111" };
                let label = format!("{:.0}%", segment.share * 100.0);
                out.push_str(&text((x0 + x1) / 2.0, y + height / 2.0 + 3.5, "middle", 10, color, &label));
            }
        }
        start = end;
    }
    out
}

/// A horizontal interval whisker at `y` from `low` to `high` with end caps of half
/// height `cap`.
pub fn whisker(scale: Scale, y: f64, low: f64, high: f64, cap: f64) -> String {
    let (a, b) = (num(scale.at(low)), num(scale.at(high)));
    let (c0, c1, y) = (num(y - cap), num(y + cap), num(y));
    format!("<path d=\"M{a} {y}H{b}M{a} {c0}V{c1}M{b} {c0}V{c1}\" stroke=\"#333\" stroke-width=\"1.5\" fill=\"none\"/>")
}

/// A vertical interval whisker at `x` from `low` to `high` (on a vertical `scale`)
/// with end caps of half width `cap`.
pub fn vertical_whisker(scale: Scale, x: f64, low: f64, high: f64, cap: f64) -> String {
    let (a, b) = (num(scale.at(low)), num(scale.at(high)));
    let (x0, x1, x) = (num(x - cap), num(x + cap), num(x));
    format!("<path d=\"M{x} {a}V{b}M{x0} {a}H{x1}M{x0} {b}H{x1}\" stroke=\"#333\" stroke-width=\"1.5\" fill=\"none\"/>")
}

/// A dot, with a tooltip.
pub fn dot(cx: f64, cy: f64, r: f64, title: &str) -> String {
    format!(
        "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#1f4e79\"><title>{}</title></circle>",
        num(cx),
        num(cy),
        num(r),
        escape(title)
    )
}

/// A rough width of a text in pixels: CJK and other wide characters one em, the rest
/// 0.6 em.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 }).sum::<f64>() * size
}

/// What a chart shows for a row: a value, or only a note (`<10` for a suppressed
/// group, `–` when there is nothing to draw).
#[derive(Clone, Debug, PartialEq)]
pub enum Mark<T> {
    /// Draw this.
    Value(T),
    /// Write this instead.
    Note(String),
}

/// A labelled row of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartRow<T> {
    /// Row label.
    pub label: String,
    /// What to draw.
    pub mark: Mark<T>,
}

/// A share with its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Share.
    pub share: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

const WIDTH: f64 = 640.0;
const ROW: f64 = 24.0;
const BAR: f64 = 16.0;
const FONT: u32 = 11;

fn open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" font-size=\"{FONT}\"><title>{}</title>",
        escape(title),
        w = num(width),
        h = num(height)
    )
}

fn label_width<T>(rows: &[ChartRow<T>]) -> f64 {
    let widest = rows.iter().map(|r| text_width(&r.label, f64::from(FONT))).fold(0.0, f64::max);
    (widest + 12.0).clamp(60.0, 220.0)
}

/// A horizontal share axis under the plot: ticks, grid lines and percentages.
fn share_axis(out: &mut String, scale: Scale, grid_top: f64, y: f64) {
    for tick in ticks(scale.domain.1) {
        let x = num(scale.at(tick));
        let _ = write!(out, "<path d=\"M{x} {}V{}\" stroke=\"#ddd\" stroke-width=\"1\"/>", num(grid_top), num(y));
        out.push_str(&text(scale.at(tick), y + 13.0, "middle", 10, "#555", &format!("{:.0}%", tick * 100.0)));
    }
}

/// Stacked band bars, one per row, with a legend of the bands on top.
pub fn band_chart(title: &str, bands: &[String], rows: &[ChartRow<Vec<Segment>>]) -> String {
    let label_w = label_width(rows);
    let colors = band_colors(bands.len());
    // The legend, flowing over as many lines as it needs.
    let mut legend = String::new();
    let (mut x, mut line) = (label_w, 0.0);
    for (band, (fill, _)) in bands.iter().zip(&colors) {
        let w = 14.0 + text_width(band, f64::from(FONT)) + 14.0;
        if x + w > WIDTH && x > label_w {
            x = label_w;
            line += 1.0;
        }
        let y = 4.0 + line * 16.0;
        legend.push_str(&rect(x, y, 10.0, 10.0, fill, None));
        legend.push_str(&text(x + 14.0, y + 9.0, "start", FONT, "#111", band));
        x += w;
    }
    let top = 4.0 + (line + 1.0) * 16.0 + 6.0;
    let scale = Scale { domain: (0.0, 1.0), range: (label_w, WIDTH - 20.0) };
    let plot_h = ROW * rows.len() as f64;
    let height = top + plot_h + 20.0;

    let mut out = open(WIDTH, height, title);
    out.push_str(&legend);
    share_axis(&mut out, scale, top, top + plot_h);
    for (i, row) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        out.push_str(&text(label_w - 6.0, y + ROW / 2.0 + 4.0, "end", FONT, "#111", &row.label));
        match &row.mark {
            Mark::Value(segments) => out.push_str(&stacked_bar(scale, y + (ROW - BAR) / 2.0, BAR, segments)),
            Mark::Note(note) => out.push_str(&text(label_w + 4.0, y + ROW / 2.0 + 4.0, "start", FONT, "#555", note)),
        }
    }
    out.push_str("</svg>");
    out
}

/// A dot per row at its share with the interval as a whisker, the share written on
/// the right.
pub fn prevalence_chart(title: &str, rows: &[ChartRow<Estimate>]) -> String {
    let label_w = label_width(rows);
    let max =
        rows.iter().filter_map(|r| if let Mark::Value(e) = &r.mark { Some(e.high) } else { None }).fold(0.0, f64::max);
    let scale = Scale { domain: (0.0, nice_max(max)), range: (label_w, WIDTH - 60.0) };
    let top = 6.0;
    let plot_h = ROW * rows.len() as f64;
    let mut out = open(WIDTH, top + plot_h + 20.0, title);
    share_axis(&mut out, scale, top, top + plot_h);
    for (i, row) in rows.iter().enumerate() {
        let y = top + ROW * i as f64 + ROW / 2.0;
        out.push_str(&text(label_w - 6.0, y + 4.0, "end", FONT, "#111", &row.label));
        match &row.mark {
            Mark::Value(e) => {
                let tip = format!("{:.1}% ({:.1}–{:.1}%)", e.share * 100.0, e.low * 100.0, e.high * 100.0);
                out.push_str(&whisker(scale, y, e.low, e.high, 4.0));
                out.push_str(&dot(scale.at(e.share), y, 4.0, &tip));
                out.push_str(&text(WIDTH - 4.0, y + 4.0, "end", FONT, "#111", &format!("{:.1}%", e.share * 100.0)));
            }
            Mark::Note(note) => out.push_str(&text(label_w + 4.0, y + 4.0, "start", FONT, "#555", note)),
        }
    }
    out.push_str("</svg>");
    out
}

/// Prevalence across waves, oldest first: dots with vertical whiskers, joined by a
/// line between consecutive shown waves.
pub fn trend_chart(title: &str, points: &[ChartRow<Estimate>]) -> String {
    let (left, right, top, bottom) = (48.0, 16.0, 10.0, 36.0);
    let height = 240.0;
    let max = points
        .iter()
        .filter_map(|r| if let Mark::Value(e) = &r.mark { Some(e.high) } else { None })
        .fold(0.0, f64::max);
    let y_scale = Scale { domain: (0.0, nice_max(max)), range: (height - bottom, top) };
    let step = (WIDTH - left - right) / points.len().max(1) as f64;
    let x_at = |i: usize| left + step * (i as f64 + 0.5);

    let mut out = open(WIDTH, height, title);
    for tick in ticks(y_scale.domain.1) {
        let y = y_scale.at(tick);
        let _ = write!(
            out,
            "<path d=\"M{} {}H{}\" stroke=\"#ddd\" stroke-width=\"1\"/>",
            num(left),
            num(y),
            num(WIDTH - right)
        );
        out.push_str(&text(left - 6.0, y + 4.0, "end", 10, "#555", &format!("{:.0}%", tick * 100.0)));
    }
    // The line, broken where a wave is not shown.
    let mut run: Vec<String> = Vec::new();
    let mut lines = String::new();
    let mut flush = |run: &mut Vec<String>| {
        if run.len() > 1 {
            let _ = write!(
                lines,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"2\"/>",
                run.join(" ")
            );
        }
        run.clear();
    };
    for (i, point) in points.iter().enumerate() {
        match &point.mark {
            Mark::Value(e) => run.push(format!("{},{}", num(x_at(i)), num(y_scale.at(e.share)))),
            Mark::Note(_) => flush(&mut run),
        }
    }
    flush(&mut run);
    out.push_str(&lines);
    for (i, point) in points.iter().enumerate() {
        let x = x_at(i);
        match &point.mark {
            Mark::Value(e) => {
                let tip = format!("{:.1}% ({:.1}–{:.1}%)", e.share * 100.0, e.low * 100.0, e.high * 100.0);
                out.push_str(&vertical_whisker(y_scale, x, e.low, e.high, 4.0));
                out.push_str(&dot(x, y_scale.at(e.share), 4.0, &tip));
            }
            Mark::Note(note) => out.push_str(&text(x, height - bottom - 6.0, "middle", FONT, "#555", note)),
        }
        out.push_str(&text(x, height - bottom + 16.0, "middle", FONT, "#111", &point.label));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("年级 7"), "年级 7");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn scale_maps_and_clamps() {
        let s = Scale { domain: (0.0, 0.5), range: (100.0, 600.0) };
        assert_eq!(s.at(0.0), 100.0);
        assert_eq!(s.at(0.25), 350.0);
        assert_eq!(s.at(0.5), 600.0);
        assert_eq!(s.at(2.0), 600.0);
        assert_eq!(s.at(-1.0), 100.0);
        let flipped = Scale { domain: (0.0, 1.0), range: (200.0, 0.0) };
        assert_eq!(flipped.at(0.25), 150.0);
        assert_eq!(Scale { domain: (1.0, 1.0), range: (5.0, 9.0) }.at(1.0), 5.0);
    }

    #[test]
    fn nice_axes() {
        assert_eq!(nice_max(0.0), 0.1);
        assert_eq!(nice_max(0.33), 0.4);
        assert_eq!(nice_max(0.3), 0.3);
        assert_eq!(nice_max(1.2), 1.0);
        assert_eq!(ticks(0.1), [0.0, 0.05, 0.1]);
        assert_eq!(ticks(0.4).len(), 5);
        assert_eq!(ticks(1.0), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(0.3), [0.0, 0.1, 0.2, 0.3]);
        assert_eq!(ticks(0.7).len(), 8);
    }

    #[test]
    fn colors_run_from_first_to_last() {
        let five = band_colors(5);
        assert_eq!(five.len(), 5);
        assert_eq!(five[0].0, "#1a9850");
        assert_eq!(five[4].0, "#a50026");
        assert_eq!(band_colors(7).len(), 7);
        assert_eq!(band_colors(2), [("#1a9850", true), ("#a50026", true)]);
    }

    #[test]
    fn bar_segments_tile_the_scale() {
        let s = Scale { domain: (0.0, 1.0), range: (0.0, 200.0) };
        let seg = |share, title: &str| Segment { share, fill: "#000", dark: true, title: title.to_owned() };
        let bar = stacked_bar(s, 0.0, 10.0, &[seg(0.5, "a"), seg(0.0, "empty"), seg(0.25, "<b>")]);
        assert_eq!(bar.matches("<rect").count(), 2);
        assert!(bar.contains("x=\"0\" y=\"0\" width=\"100\""));
        assert!(bar.contains("x=\"100\" y=\"0\" width=\"50\""));
        assert!(bar.contains("<title>&lt;b&gt;</title>"));
        assert!(bar.contains(">50%</text>"));
        assert!(!bar.contains("empty"));
    }

    #[test]
    fn whiskers_span_the_interval() {
        let s = Scale { domain: (0.0, 1.0), range: (0.0, 100.0) };
        assert_eq!(
            whisker(s, 10.0, 0.2, 0.4, 3.0),
            "<path d=\"M20 10H40M20 7V13M40 7V13\" stroke=\"#333\" stroke-width=\"1.5\" fill=\"none\"/>"
        );
        let v = Scale { domain: (0.0, 1.0), range: (100.0, 0.0) };
        assert_eq!(
            vertical_whisker(v, 50.0, 0.2, 0.4, 3.0),
            "<path d=\"M50 80V60M47 80H53M47 60H53\" stroke=\"#333\" stroke-width=\"1.5\" fill=\"none\"/>"
        );
    }

    #[test]
    fn charts_draw_only_shown_rows() {
        let shown = ChartRow {
            label: "Grade <7>".to_owned(),
            mark: Mark::Value(vec![Segment { share: 1.0, fill: "#1a9850", dark: true, title: "x".to_owned() }]),
        };
        let hidden = ChartRow { label: "Grade 8".to_owned(), mark: Mark::Note("<10".to_owned()) };
        let svg = band_chart("Bands", &["Minimal".to_owned()], &[shown, hidden]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        // One legend swatch, one bar segment.
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Grade &lt;7&gt;") && svg.contains(">&lt;10</text>"));

        let e = Estimate { share: 0.2, low: 0.1, high: 0.3 };
        let rows = [
            ChartRow { label: "a".to_owned(), mark: Mark::Value(e) },
            ChartRow { label: "b".to_owned(), mark: Mark::Note("<10".to_owned()) },
            ChartRow { label: "c".to_owned(), mark: Mark::Value(e) },
            ChartRow { label: "d".to_owned(), mark: Mark::Value(e) },
        ];
        let dots = prevalence_chart("Prevalence", &rows);
        assert_eq!(dots.matches("<circle").count(), 3);
        let trend = trend_chart("Trend", &rows);
        assert_eq!(trend.matches("<circle").count(), 3);
        // Broken at the suppressed wave: only c–d are joined.
        assert_eq!(trend.matches("<polyline").count(), 1);
    }

    #[test]
    fn text_widths_count_wide_characters() {
        assert_eq!(text_width("ab", 10.0), 12.0);
        assert_eq!(text_width("年级", 10.0), 20.0);
    }
}
