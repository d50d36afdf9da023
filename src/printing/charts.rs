//! Charts as SVG, for people who would rather look than read: a line per series over months
//! or years, a target as a dashed line, BA's suppressed cells marked where a value is missing
//! (never drawn as 0). Drawn with `plotters`; text stays text for the viewer to render.

use plotters::prelude::*;

/// One line of a chart: its label and its points (x, value), a None value marked as missing.
pub struct Line {
    pub label: String,
    pub points: Vec<(i32, Option<f64>)>,
}

/// One panel: a caption, the lines, and a target to draw across (if any).
pub struct Panel {
    pub caption: String,
    pub lines: Vec<Line>,
    pub target: Option<f64>,
    /// The x range, inclusive (months 1–12, or years).
    pub x: (i32, i32),
    /// How an x value is labelled.
    pub x_label: fn(i32) -> String,
}

const WIDTH: u32 = 720;
const PANEL_HEIGHT: u32 = 280;
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];
const TARGET: RGBColor = RGBColor(214, 39, 40);

/// The y range of a panel: its values and target, with a margin; a flat range widened.
fn y_range(panel: &Panel) -> (f64, f64) {
    let values = panel
        .lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, v)| *v))
        .chain(panel.target);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs().max(1e-6) * 0.01);
    (lo - pad, hi + pad)
}

/// The runs of known values, which are joined; a missing value breaks the line.
fn runs(points: &[(i32, Option<f64>)]) -> Vec<Vec<(i32, f64)>> {
    let mut runs = vec![Vec::new()];
    for (x, v) in points {
        match v {
            Some(v) => runs.last_mut().expect("one run at least").push((*x, *v)),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (lo, hi) = y_range(panel);
    let (x0, x1) = panel.x;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.caption, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, lo..hi)?;
    let label = panel.x_label;
    chart
        .configure_mesh()
        .x_labels(usize::try_from(x1 - x0 + 1).unwrap_or(12).min(12))
        .x_label_formatter(&|x| label(*x))
        .draw()?;
    if let Some(t) = panel.target {
        let dashes = (x0..=x1).map(|x| (x, t)).collect::<Vec<_>>();
        chart
            .draw_series(DashedLineSeries::new(dashes, 6, 4, TARGET.stroke_width(2)))?
            .label("Ziel")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], TARGET));
    }
    for (i, line) in panel.lines.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        for r in runs(&line.points) {
            chart.draw_series(LineSeries::new(r.clone(), color.stroke_width(2)))?;
            chart.draw_series(r.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
        }
        let missing = line.points.iter().filter(|(_, v)| v.is_none());
        chart
            .draw_series(missing.map(|(x, _)| {
                Cross::new((*x, lo + (hi - lo) * 0.04), 5, TARGET.stroke_width(2))
            }))?;
        chart
            .draw_series(std::iter::empty::<Circle<(i32, f64), i32>>())?
            .label(&line.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK.mix(0.3))
        .background_style(WHITE.mix(0.9))
        .draw()?;
    Ok(())
}

/// The panels one under another, as an SVG document.
pub fn svg(title: &str, panels: &[Panel]) -> String {
    let mut out = String::new();
    let height = 40 + PANEL_HEIGHT * u32::try_from(panels.len().max(1)).unwrap_or(1);
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let drawn = (|| -> Result<(), DrawingAreaErrorKind<_>> {
            root.fill(&WHITE)?;
            let root = root.titled(title, ("sans-serif", 20))?;
            let areas = root.split_evenly((panels.len().max(1), 1));
            for (area, panel) in areas.iter().zip(panels) {
                draw_panel(area, panel)?;
            }
            root.present()
        })();
        if let Err(e) = drawn {
            tracing::warn!(error = %e, "a chart could not be drawn");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k3() -> Panel {
        Panel {
            caption: "k3 Veränderung des Bestands an Langzeitleistungsbeziehenden".into(),
            lines: vec![Line {
                label: "06432".into(),
                points: (1..=12)
                    .map(|m| (m, (m != 7).then(|| 0.97 + f64::from(m) * 0.001)))
                    .collect(),
            }],
            target: Some(0.9975),
            x: (1, 12),
            x_label: |m| format!("{m:02}"),
        }
    }

    #[test]
    fn a_panel_shows_its_line_its_target_and_the_missing_month() {
        let svg = svg("Ziel und Ist", &[k3()]);
        if let Ok(dir) = std::env::var("ZV_CHART_DIR") {
            std::fs::write(format!("{dir}/k3.svg"), &svg).unwrap();
        }
        assert!(svg.starts_with("<svg") && svg.contains("Ziel und Ist"));
        assert!(svg.contains("k3 Veränderung des Bestands"));
        // The line in two runs, broken at July (plus its legend sample); July marked with a
        // cross in the target's red; the target dashed across in red.
        let blue = svg
            .matches(r##"<polyline fill="none" opacity="1" stroke="#1F77B4""##)
            .count();
        assert_eq!(blue, 3, "two runs and the legend sample");
        let cross = svg
            .matches(r##"<line opacity="1" stroke="#D62728" stroke-width="2""##)
            .count();
        assert_eq!(cross, 2, "one cross of two strokes");
        assert!(
            svg.matches(r##"stroke="#D62728""##).count() > 20,
            "the target dashed"
        );
    }
}
