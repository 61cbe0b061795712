//! Charts of a cross-tabulation, laid out here and drawn as inline SVG by the stats template:
//! horizontal bars (one variable: e.g. country bars), stacked bars and lines over years (two
//! variables). Only presentation attributes are used, so the strict CSP needs no exception.

use antitrata_domain::stats::CrossTab;

use super::stats_labels::StatsLabels;

/// Colours of the series, distinguishable for the common colour-vision deficiencies (Okabe–Ito).
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#666666",
];
/// The most bars drawn; the table below the chart has every cell.
pub(super) const MAX_BARS: usize = 30;
/// The most series drawn; the smaller ones are drawn together as "other".
const MAX_SERIES: usize = 7;

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 170.0;
const BAR_AREA: f64 = 400.0;
const ROW: f64 = 22.0;
const PLOT_HEIGHT: f64 = 240.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChartKind {
    Bar,
    Stacked,
    Line,
}

impl ChartKind {
    pub(super) fn parse(text: &str) -> Option<ChartKind> {
        match text {
            "bar" => Some(ChartKind::Bar),
            "stacked" => Some(ChartKind::Stacked),
            "line" => Some(ChartKind::Line),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            ChartKind::Bar => "bar",
            ChartKind::Stacked => "stacked",
            ChartKind::Line => "line",
        }
    }
}

/// A laid-out chart: everything in SVG user units.
#[derive(Debug, Default)]
pub(super) struct Chart {
    pub width: f64,
    pub height: f64,
    pub rows: Vec<BarRow>,
    pub lines: Vec<Line>,
    pub x_labels: Vec<Label>,
    pub legend: Vec<LegendItem>,
    /// Some cells are not drawn (more bars than fit).
    pub truncated: bool,
}

#[derive(Debug)]
pub(super) struct BarRow {
    pub label: String,
    pub label_y: f64,
    pub y: f64,
    pub segments: Vec<Segment>,
    pub total: u64,
    pub total_x: f64,
}

#[derive(Debug)]
pub(super) struct Segment {
    pub x: f64,
    pub width: f64,
    pub fill: &'static str,
    pub title: String,
}

#[derive(Debug)]
pub(super) struct Line {
    pub points: String,
    pub stroke: &'static str,
    pub title: String,
}

#[derive(Debug)]
pub(super) struct Label {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

#[derive(Debug)]
pub(super) struct LegendItem {
    pub x: f64,
    pub y: f64,
    pub fill: &'static str,
    pub label: String,
}

/// Words the chart shows, in the page's language.
pub(super) struct Words<'a> {
    pub missing: &'a str,
    pub other: &'a str,
    /// The labels of the variables and their values.
    pub labels: &'a StatsLabels,
}

/// The label of a value of the cross-tab's variable `variable` (by position).
fn label(tab: &CrossTab, variable: usize, value: &Option<String>, words: &Words) -> String {
    match (value, tab.variables.get(variable)) {
        (Some(value), Some(name)) => words.labels.value(name, value),
        (Some(value), None) => value.clone(),
        (None, _) => words.missing.to_owned(),
    }
}

/// Lays out a chart of one or two variables; `None` for three (the table shows those).
pub(super) fn lay_out(tab: &CrossTab, kind: ChartKind, words: &Words) -> Option<Chart> {
    match (tab.variables.len(), kind) {
        (1, ChartKind::Line) | (2, ChartKind::Line) => Some(lines(tab, words)),
        (1, _) => Some(bars(tab, words, false)),
        (2, _) => Some(bars(tab, words, true)),
        _ => None,
    }
}

/// A value of the first variable with the counts of its cells, by value of the second.
type Category = (Option<String>, Vec<(Option<String>, u64)>);

/// The first variable's categories in table order, each with its cells' counts by series.
fn categories(tab: &CrossTab) -> Vec<Category> {
    let mut out: Vec<Category> = Vec::new();
    for cell in &tab.cells {
        let series = cell.values.get(1).cloned().flatten();
        match out.last_mut() {
            Some((value, counts)) if *value == cell.values[0] => counts.push((series, cell.count)),
            _ => out.push((cell.values[0].clone(), vec![(series, cell.count)])),
        }
    }
    out
}

/// The series of the second variable worth a colour of their own, largest first.
fn main_series(tab: &CrossTab) -> Vec<Option<String>> {
    let mut totals: Vec<(Option<String>, u64)> = Vec::new();
    for cell in &tab.cells {
        let series = cell.values.get(1).cloned().flatten();
        match totals.iter_mut().find(|(s, _)| *s == series) {
            Some((_, n)) => *n += cell.count,
            None => totals.push((series, cell.count)),
        }
    }
    totals.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    totals.into_iter().map(|(s, _)| s).collect()
}

/// Which colour a series gets: its own among the largest, the last colour for "other".
fn colour_of(series: &Option<String>, main: &[Option<String>]) -> (usize, bool) {
    match main.iter().take(MAX_SERIES).position(|s| s == series) {
        Some(i) => (i, false),
        None => (MAX_SERIES, true),
    }
}

fn legend(
    tab: &CrossTab,
    main: &[Option<String>],
    words: &Words,
    top: f64,
) -> (Vec<LegendItem>, f64) {
    let mut items = Vec::new();
    let shown = main.len().min(MAX_SERIES);
    for (i, series) in main.iter().take(shown).enumerate() {
        items.push(LegendItem {
            x: 10.0 + (i % 3) as f64 * 210.0,
            y: top + (i / 3) as f64 * 18.0,
            fill: PALETTE[i],
            label: label(tab, 1, series, words),
        });
    }
    if main.len() > MAX_SERIES {
        let i = shown;
        items.push(LegendItem {
            x: 10.0 + (i % 3) as f64 * 210.0,
            y: top + (i / 3) as f64 * 18.0,
            fill: PALETTE[MAX_SERIES],
            label: words.other.to_owned(),
        });
    }
    let rows = items.len().div_ceil(3) as f64;
    (items, rows * 18.0)
}

fn bars(tab: &CrossTab, words: &Words, stacked: bool) -> Chart {
    let mut categories = categories(tab);
    let truncated = categories.len() > MAX_BARS;
    if truncated {
        // Keep the largest, in table order.
        let mut totals: Vec<u64> = categories
            .iter()
            .map(|(_, c)| c.iter().map(|(_, n)| n).sum())
            .collect();
        totals.sort_unstable_by(|a, b| b.cmp(a));
        let threshold = totals[MAX_BARS - 1];
        let mut kept = 0;
        categories.retain(|(_, c)| {
            let keep = kept < MAX_BARS && c.iter().map(|(_, n)| n).sum::<u64>() >= threshold;
            kept += usize::from(keep);
            keep
        });
    }
    let max = categories
        .iter()
        .map(|(_, c)| c.iter().map(|(_, n)| n).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let main = if stacked {
        main_series(tab)
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for (i, (value, counts)) in categories.iter().enumerate() {
        let y = 6.0 + i as f64 * ROW;
        let mut x = LABEL_WIDTH;
        let mut segments = Vec::new();
        for (series, count) in counts {
            let width = *count as f64 / max * BAR_AREA;
            let (colour, other) = if stacked {
                colour_of(series, &main)
            } else {
                (0, false)
            };
            let name = if stacked && other {
                format!("{}: {}", words.other, label(tab, 1, series, words))
            } else if stacked {
                label(tab, 1, series, words)
            } else {
                label(tab, 0, value, words)
            };
            segments.push(Segment {
                x,
                width,
                fill: PALETTE[colour],
                title: format!("{name}: {count}"),
            });
            x += width;
        }
        rows.push(BarRow {
            label: shorten(&label(tab, 0, value, words)),
            label_y: y + 14.0,
            y,
            segments,
            total: counts.iter().map(|(_, n)| n).sum(),
            total_x: x + 4.0,
        });
    }
    let bottom = 12.0 + rows.len() as f64 * ROW;
    let (legend, legend_height) = if stacked {
        legend(tab, &main, words, bottom + 4.0)
    } else {
        (Vec::new(), 0.0)
    };
    Chart {
        width: WIDTH,
        height: bottom + legend_height + 10.0,
        rows,
        legend,
        truncated,
        ..Chart::default()
    }
}

fn lines(tab: &CrossTab, words: &Words) -> Chart {
    let categories = categories(tab);
    let xs = categories.len().max(2) - 1;
    let step = (WIDTH - 80.0) / xs as f64;
    let main = if tab.variables.len() == 2 {
        main_series(tab)
    } else {
        vec![None]
    };
    let shown: Vec<Option<String>> = main.iter().take(MAX_SERIES).cloned().collect();
    let mut series_counts: Vec<Vec<u64>> = vec![vec![0; categories.len()]; shown.len() + 1];
    for (x, (_, counts)) in categories.iter().enumerate() {
        for (series, count) in counts {
            let slot = if tab.variables.len() == 1 {
                0
            } else {
                shown
                    .iter()
                    .position(|s| s == series)
                    .unwrap_or(shown.len())
            };
            series_counts[slot][x] += count;
        }
    }
    let max = series_counts
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut lines = Vec::new();
    for (slot, counts) in series_counts.iter().enumerate() {
        if counts.iter().all(|&n| n == 0) {
            continue;
        }
        let points: Vec<String> = counts
            .iter()
            .enumerate()
            .map(|(x, &n)| {
                format!(
                    "{:.1},{:.1}",
                    50.0 + x as f64 * step,
                    10.0 + PLOT_HEIGHT - n as f64 / max * PLOT_HEIGHT
                )
            })
            .collect();
        let name = match shown.get(slot) {
            Some(series) if tab.variables.len() == 2 => label(tab, 1, series, words),
            Some(_) => words.labels.variable(&tab.variables[0]),
            None => words.other.to_owned(),
        };
        lines.push(Line {
            points: points.join(" "),
            stroke: PALETTE[slot.min(MAX_SERIES)],
            title: name,
        });
    }
    let every = categories.len().div_ceil(12).max(1);
    let x_labels = categories
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (value, _))| Label {
            x: 50.0 + i as f64 * step,
            y: PLOT_HEIGHT + 28.0,
            text: shorten(&label(tab, 0, value, words)),
        })
        .collect();
    let (legend, legend_height) = if tab.variables.len() == 2 {
        legend(tab, &main, words, PLOT_HEIGHT + 44.0)
    } else {
        (Vec::new(), 0.0)
    };
    Chart {
        width: WIDTH,
        height: PLOT_HEIGHT + 50.0 + legend_height,
        lines,
        x_labels,
        legend,
        ..Chart::default()
    }
}

/// Long category names are cut so they fit beside the bars; the table has them whole.
fn shorten(text: &str) -> String {
    const MAX: usize = 26;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use antitrata_domain::Lang;
    use antitrata_domain::stats::{Cell, CrossTab};

    use super::*;
    use crate::i18n::Tr;

    fn tab(variables: &[&str], cells: &[(&[Option<&str>], u64)]) -> CrossTab {
        CrossTab {
            variables: variables.iter().map(|v| (*v).to_owned()).collect(),
            cells: cells
                .iter()
                .map(|(values, count)| Cell {
                    values: values.iter().map(|v| v.map(str::to_owned)).collect(),
                    count: *count,
                })
                .collect(),
            total: cells.iter().map(|(_, n)| n).sum(),
        }
    }

    fn english() -> StatsLabels {
        StatsLabels::new(Tr::new(Lang::En), &[])
    }

    fn words(labels: &StatsLabels) -> Words<'_> {
        Words {
            missing: "missing",
            other: "other",
            labels,
        }
    }

    #[test]
    fn bars_are_proportional_and_missing_is_labelled() {
        let t = tab(&["citizenship"], &[(&[Some("MX")], 50), (&[None], 100)]);
        let chart = lay_out(&t, ChartKind::Bar, &words(&english())).unwrap();
        assert_eq!(chart.rows.len(), 2);
        assert_eq!(chart.rows[1].label, "missing");
        assert!((chart.rows[0].segments[0].width - BAR_AREA / 2.0).abs() < 1e-9);
        assert!((chart.rows[1].segments[0].width - BAR_AREA).abs() < 1e-9);
        assert!(chart.legend.is_empty());
        assert!(chart.rows.iter().all(|r| r.segments[0].fill == PALETTE[0]));
    }

    #[test]
    fn stacked_bars_colour_series_and_group_small_ones_as_other() {
        let mut cells: Vec<(Vec<Option<&str>>, u64)> = Vec::new();
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for (i, name) in names.iter().enumerate() {
            cells.push((vec![Some("2016"), Some(name)], 100 - i as u64));
        }
        let borrowed: Vec<(&[Option<&str>], u64)> =
            cells.iter().map(|(v, n)| (v.as_slice(), *n)).collect();
        let t = tab(&["year", "kind"], &borrowed);
        let chart = lay_out(&t, ChartKind::Stacked, &words(&english())).unwrap();
        assert_eq!(chart.rows.len(), 1);
        assert_eq!(chart.rows[0].segments.len(), 9);
        assert_eq!(chart.rows[0].total, t.total);
        // Seven series of their own, then "other".
        assert_eq!(chart.legend.len(), 8);
        assert_eq!(chart.legend[7].label, "other");
        assert_eq!(chart.rows[0].segments[8].fill, PALETTE[MAX_SERIES]);
        let end = chart.rows[0].segments[8].x + chart.rows[0].segments[8].width;
        assert!((end - (LABEL_WIDTH + BAR_AREA)).abs() < 1e-9);
    }

    #[test]
    fn lines_run_over_the_first_variable() {
        let t = tab(
            &["year", "gender"],
            &[
                (&[Some("2015"), Some("Female")], 10),
                (&[Some("2015"), Some("Male")], 5),
                (&[Some("2016"), Some("Female")], 20),
            ],
        );
        let chart = lay_out(&t, ChartKind::Line, &words(&english())).unwrap();
        assert_eq!(chart.lines.len(), 2);
        assert_eq!(chart.lines[0].title, "Female");
        // The highest point touches the top of the plot, zero the bottom.
        assert_eq!(chart.lines[0].points, "50.0,130.0 610.0,10.0");
        assert_eq!(chart.lines[1].points, "50.0,190.0 610.0,250.0");
        assert_eq!(chart.x_labels.len(), 2);
    }

    #[test]
    fn the_chart_shows_labels_in_the_page_language_not_codes() {
        let spanish = StatsLabels::new(Tr::new(Lang::Es), &[]);
        let t = tab(
            &["gender", "isSexualExploit"],
            &[
                (&[Some("Female"), Some("1")], 3),
                (&[Some("Male"), Some("0")], 1),
                (&[None, Some("1")], 1),
            ],
        );
        let chart = lay_out(&t, ChartKind::Stacked, &words(&spanish)).unwrap();
        let rows: Vec<&str> = chart.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(rows, ["Mujer", "Hombre", "missing"]);
        let legend: Vec<&str> = chart.legend.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(legend, ["Sí", "No"]);
        assert_eq!(chart.rows[0].segments[0].title, "Sí: 3");

        let ages = tab(
            &["ageBroad"],
            &[(&[Some("0--8")], 2), (&[Some("9--17")], 1)],
        );
        let line = lay_out(&ages, ChartKind::Line, &words(&spanish)).unwrap();
        assert_eq!(line.lines[0].title, "Edad (tramo)");
        let x: Vec<&str> = line.x_labels.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(x, ["0\u{2013}8", "9\u{2013}17"]);
    }

    #[test]
    fn many_categories_keep_the_largest_bars() {
        let names: Vec<String> = (0..40).map(|i| format!("c{i:02}")).collect();
        let cells: Vec<(Vec<Option<&str>>, u64)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (vec![Some(n.as_str())], i as u64 + 1))
            .collect();
        let borrowed: Vec<(&[Option<&str>], u64)> =
            cells.iter().map(|(v, n)| (v.as_slice(), *n)).collect();
        let chart = lay_out(&tab(&["c"], &borrowed), ChartKind::Bar, &words(&english())).unwrap();
        assert!(chart.truncated);
        assert_eq!(chart.rows.len(), MAX_BARS);
        assert_eq!(chart.rows[0].label, "c10");
        assert!(
            lay_out(
                &tab(&["a", "b", "c"], &[]),
                ChartKind::Bar,
                &words(&english())
            )
            .is_none()
        );
    }
}
