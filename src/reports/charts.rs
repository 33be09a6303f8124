//! Charts drawn on the server as SVG (plotters): an indicator's trend with its target, and
//! bars per site or per theme. Each chart carries its title as an accessible name; pages put
//! the data table behind it next to it. The same drawings go into the PDF reports.

use plotters::prelude::*;

/// Colours of the application's theme.
const INK: RGBColor = RGBColor(0x1f, 0x2a, 0x37);
const LINE: RGBColor = RGBColor(0x1d, 0x4e, 0x89);
const TARGET: RGBColor = RGBColor(0xb4, 0x3c, 0x1e);
const GRID: RGBColor = RGBColor(0xdd, 0xe1, 0xe6);

/// Values in order, each with its label (a period, a site, a theme).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub points: Vec<(String, f64)>,
    pub target: Option<f64>,
    /// The range of the value axis (0–100 for rates, 0–10 for scores), when it is fixed
    pub range: Option<(f64, f64)>,
    /// Appended to values on the axis: `%`, `/10`, `j`…
    pub suffix: String,
}

impl Chart {
    /// The chart in words, for readers who cannot see it: its title, then each value.
    pub fn described(&self) -> String {
        let values: Vec<String> = self
            .points
            .iter()
            .map(|(label, value)| {
                format!(
                    "{label} : {}{}",
                    crate::i18n::format_number(*value, 1),
                    self.suffix
                )
            })
            .collect();
        format!("{}. {}", self.title, values.join(" ; "))
    }

    fn y_range(&self) -> (f64, f64) {
        if let Some(range) = self.range {
            return range;
        }
        let top = self
            .points
            .iter()
            .map(|(_, v)| *v)
            .chain(self.target)
            .fold(0.0_f64, f64::max);
        (0.0, if top <= 0.0 { 1.0 } else { top * 1.15 })
    }
}

/// A trend's value axis fitted to its values and target within `bounds` (0–100 for a
/// rate): a rate moving between 84 % and 90 % reads as a trend, not a flat line at the top
/// of a 0–100 axis. Ends fall on round figures, with room around the values; bars keep
/// their fixed range (a bar's length must start at zero).
pub fn fitted(values: &[f64], target: Option<f64>, bounds: (f64, f64)) -> (f64, f64) {
    let all: Vec<f64> = values.iter().copied().chain(target).collect();
    let (Some(low), Some(high)) = (
        all.iter().copied().reduce(f64::min),
        all.iter().copied().reduce(f64::max),
    ) else {
        return bounds;
    };
    let whole = bounds.1 - bounds.0;
    let margin = ((high - low) * 0.25).max(whole * 0.02);
    let span = (high - low) + 2.0 * margin;
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0]
        .into_iter()
        .map(|s| s * whole / 100.0)
        .find(|s| span / s <= 6.0)
        .unwrap_or(whole / 4.0);
    let start = ((low - margin) / step).floor() * step;
    let end = ((high + margin) / step).ceil() * step;
    (start.max(bounds.0), end.min(bounds.1))
}

const SIZE: (u32, u32) = (640, 260);

fn label(points: &[(String, f64)], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small index"
    )]
    points
        .get(i as usize)
        .map(|(l, _)| l.clone())
        .unwrap_or_default()
}

/// Gives the drawing its accessible name: the chart's title.
fn accessible(svg: &str, title: &str) -> String {
    let escaped = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{escaped}\" class=\"chart\" "),
        1,
    )
    .replacen('>', &format!("><title>{escaped}</title>"), 1)
}

/// A trend line with its points and, when set, the target as a dashed line.
pub fn trend_svg(chart: &Chart) -> String {
    let mut svg = String::new();
    if chart.points.is_empty() {
        return svg;
    }
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let (low, high) = chart.y_range();
        #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
        let last = (chart.points.len().max(2) - 1) as f64;
        let drawn = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.3..last + 0.3, low..high)
            .and_then(|mut plot| {
                plot.configure_mesh()
                    .light_line_style(GRID)
                    .bold_line_style(GRID)
                    .axis_style(INK)
                    .x_labels(chart.points.len().min(12))
                    .x_label_formatter(&|x| label(&chart.points, *x))
                    .y_label_formatter(&|y| {
                        format!("{}{}", crate::i18n::format_number(*y, 0), chart.suffix)
                    })
                    .label_style(("sans-serif", 12).into_font().color(&INK))
                    .draw()?;
                if let Some(target) = chart.target {
                    plot.draw_series(DashedLineSeries::new(
                        [(-0.3, target), (last + 0.3, target)],
                        6,
                        4,
                        TARGET.stroke_width(2),
                    ))?;
                }
                #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
                let line: Vec<(f64, f64)> = chart
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, (_, v))| (i as f64, *v))
                    .collect();
                plot.draw_series(LineSeries::new(line.clone(), LINE.stroke_width(2)))?;
                plot.draw_series(line.into_iter().map(|p| Circle::new(p, 3, LINE.filled())))?;
                root.present()
            });
        if drawn.is_err() {
            return String::new();
        }
    }
    accessible(&svg, &chart.title)
}

/// Bars, one per label, with the target as a dashed line.
pub fn bars_svg(chart: &Chart) -> String {
    let mut svg = String::new();
    if chart.points.is_empty() {
        return svg;
    }
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let (low, high) = chart.y_range();
        // Counts (organismes, findings) are ticked in whole numbers: an axis of 0 to 1.15
        // would otherwise read 0, 0, 0, 1, 1.
        let whole = chart.points.iter().all(|(_, v)| v.fract() == 0.0);
        let high = if whole { high.ceil().max(1.0) } else { high };
        let ticks = if whole {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a whole, positive count of ticks"
            )]
            let counted = (high - low.floor()) as usize + 1;
            counted.min(6)
        } else {
            6
        };
        #[expect(clippy::cast_precision_loss, reason = "a few dozen bars")]
        let count = chart.points.len() as f64;
        let drawn = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.5..count - 0.5, low..high)
            .and_then(|mut plot| {
                plot.configure_mesh()
                    .disable_x_mesh()
                    .light_line_style(GRID)
                    .bold_line_style(GRID)
                    .axis_style(INK)
                    .x_labels(chart.points.len())
                    .x_label_formatter(&|x| label(&chart.points, *x))
                    .y_labels(ticks)
                    // Grid lines at the ticks only: the lines between said nothing.
                    .max_light_lines(0)
                    .y_label_formatter(&|y| {
                        let decimals = usize::from(y.fract().abs() > 1e-9);
                        format!(
                            "{}{}",
                            crate::i18n::format_number(*y, decimals),
                            chart.suffix
                        )
                    })
                    .label_style(("sans-serif", 12).into_font().color(&INK))
                    .draw()?;
                #[expect(clippy::cast_precision_loss, reason = "a few dozen bars")]
                plot.draw_series(chart.points.iter().enumerate().map(|(i, (_, v))| {
                    let x = i as f64;
                    Rectangle::new([(x - 0.35, low), (x + 0.35, *v)], LINE.filled())
                }))?;
                if let Some(target) = chart.target {
                    plot.draw_series(DashedLineSeries::new(
                        [(-0.5, target), (count - 0.5, target)],
                        6,
                        4,
                        TARGET.stroke_width(2),
                    ))?;
                }
                root.present()
            });
        if drawn.is_err() {
            return String::new();
        }
    }
    accessible(&svg, &chart.title)
}

/// A small trend without axes, beside figures that already say it (hidden from screen
/// readers for that reason).
pub fn sparkline_svg(chart: &Chart) -> String {
    let mut svg = String::new();
    if chart.points.len() < 2 {
        return svg;
    }
    {
        let root = SVGBackend::with_string(&mut svg, (120, 28)).into_drawing_area();
        let (low, high) = chart.y_range();
        #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
        let last = (chart.points.len() - 1) as f64;
        let drawn = ChartBuilder::on(&root)
            .margin(3)
            .build_cartesian_2d(0.0..last, low..high)
            .and_then(|mut plot| {
                if let Some(target) = chart.target {
                    plot.draw_series(DashedLineSeries::new(
                        [(0.0, target), (last, target)],
                        3,
                        2,
                        TARGET.stroke_width(1),
                    ))?;
                }
                #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
                let line = chart
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, (_, v))| (i as f64, *v));
                plot.draw_series(LineSeries::new(line, LINE.stroke_width(2)))?;
                root.present()
            });
        if drawn.is_err() {
            return String::new();
        }
    }
    svg.replacen(
        "<svg ",
        "<svg aria-hidden=\"true\" focusable=\"false\" class=\"sparkline\" ",
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "Taux de décroché <2025>".into(),
            points: vec![
                ("2025-01".into(), 80.5),
                ("2025-02".into(), 86.0),
                ("2025-03".into(), 91.2),
            ],
            target: Some(85.0),
            range: Some((0.0, 100.0)),
            suffix: " %".into(),
        }
    }

    #[test]
    fn a_trend_is_an_accessible_svg_with_its_labels() {
        let svg = trend_svg(&chart());
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"Taux de décroché &lt;2025&gt;\""),
            "{}",
            &svg[..200]
        );
        assert!(svg.contains("<title>Taux de décroché &lt;2025&gt;</title>"));
        assert!(svg.contains("\n2025-02\n"), "period labels are text");
        assert!(svg.contains("<circle"), "each value is marked");
        assert!(
            !svg.contains("style="),
            "no inline style: the page's CSP forbids it"
        );
    }

    #[test]
    fn bars_draw_one_rectangle_per_value_and_nothing_draws_nothing() {
        let svg = bars_svg(&chart());
        assert!(svg.matches("<rect").count() >= 3);
        assert!(svg.contains("\n2025-03\n"));
        let named = Chart {
            points: vec![("<script>&\"".into(), 3.0)],
            ..chart()
        };
        assert!(!bars_svg(&named).contains("<script>"), "labels are escaped");
        assert!(sparkline_svg(&chart()).starts_with("<svg aria-hidden=\"true\""));
        let empty = Chart {
            points: Vec::new(),
            ..chart()
        };
        assert!(trend_svg(&empty).is_empty() && bars_svg(&empty).is_empty());
    }

    /// The texts of the drawing's labels, in order.
    fn labels(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
            .filter_map(|rest| rest.split_once("</text>").map(|(l, _)| l.trim().to_owned()))
            .collect()
    }

    #[test]
    fn counts_are_ticked_in_whole_numbers_each_once() {
        let counts = Chart {
            points: vec![("a".into(), 1.0), ("b".into(), 0.0), ("c".into(), 1.0)],
            target: None,
            range: None,
            suffix: String::new(),
            ..chart()
        };
        let ticks: Vec<String> = labels(&bars_svg(&counts))
            .into_iter()
            .filter(|l| l.parse::<f64>().is_ok())
            .collect();
        assert_eq!(ticks, ["0", "1", "2"]);
        let many = Chart {
            points: vec![("a".into(), 25.0), ("b".into(), 13.0)],
            ..counts
        };
        let ticks: Vec<String> = labels(&bars_svg(&many))
            .into_iter()
            .filter(|l| l.parse::<f64>().is_ok())
            .collect();
        assert!(
            ticks.len() <= 7 && ticks.contains(&"0".to_owned()),
            "{ticks:?}"
        );
        let mut unique = ticks.clone();
        unique.dedup();
        assert_eq!(unique, ticks, "no tick twice");
    }

    #[test]
    fn a_trend_axis_fits_its_values_on_round_figures_within_its_bounds() {
        let (low, high) = fitted(&[84.2, 86.0, 89.9], Some(90.0), (0.0, 100.0));
        assert!((80.0..=84.0).contains(&low), "{low}");
        assert!((90.0..=95.0).contains(&high), "{high}");
        assert!(low.fract().abs() < 1e-9, "a round figure: {low}");
        // Near the bounds it stops at them; a single value still gets room.
        assert!((fitted(&[99.5], Some(98.0), (0.0, 100.0)).1 - 100.0).abs() < 1e-9);
        let (a, b) = fitted(&[7.5], None, (0.0, 10.0));
        assert!(a < 7.5 && b > 7.5);
        let (a, b) = fitted(&[], None, (0.0, 100.0));
        assert!(
            a.abs() < 1e-9 && (b - 100.0).abs() < 1e-9,
            "no values: the bounds"
        );
    }
}
