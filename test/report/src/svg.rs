//! The report's figure as SVG: every operation and flow with a v1 figure as bars (v1, our
//! Solidity mirrors, our Stylus programs uncached and cached), and register and conclude gas over
//! participants and over sub-channels.

use crate::markdown::thousands;
use crate::measure::Gas;
use crate::table::Measurements;
use std::fmt::Write;

const W: f64 = 460.0;
const H: f64 = 260.0;
const PAD: f64 = 56.0;

/// The three series: colour, dash pattern, name.
const SERIES: [(&str, &str, &str); 3] = [
    ("#1f77b4", "", "Solidity"),
    ("#d62728", "6 3", "Stylus"),
    ("#2ca02c", "2 3", "Stylus, cached"),
];

fn pick(g: &Gas, i: usize) -> u64 {
    [g.solidity, g.stylus, g.cached][i]
}

/// A line chart at `(x0, y0)` of `points` (x label, register, conclude); `which` selects
/// register (0) or conclude (1).
fn chart(
    s: &mut String,
    x0: f64,
    y0: f64,
    title: &str,
    xlabel: &str,
    points: &[(usize, Gas, Gas)],
    which: usize,
) {
    let values: Vec<u64> = points
        .iter()
        .flat_map(|(_, r, c)| {
            let g = if which == 0 { r } else { c };
            (0..3).map(move |i| pick(g, i))
        })
        .collect();
    let max = values.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
    let (xmin, xmax) = (
        points.first().map_or(0, |p| p.0) as f64,
        points.last().map_or(1, |p| p.0) as f64,
    );
    let px = |x: f64| x0 + PAD + (x - xmin) / (xmax - xmin).max(1.0) * (W - PAD - 16.0);
    let py = |y: f64| y0 + H - 36.0 - y / max * (H - 70.0);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" font-size="13" font-weight="bold">{title}</text>"#,
        x0 + PAD,
        y0 + 18.0
    );
    // Axes and grid.
    let _ = writeln!(
        s,
        r##"<line x1="{a}" y1="{b}" x2="{c}" y2="{b}" stroke="#444"/><line x1="{a}" y1="{b}" x2="{a}" y2="{d}" stroke="#444"/>"##,
        a = px(xmin),
        b = py(0.0),
        c = px(xmax),
        d = py(max)
    );
    for t in 0..=4 {
        let v = max / 1.1 * t as f64 / 4.0;
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"##,
            px(xmin),
            px(xmax),
            px(xmin) - 4.0,
            py(v) + 3.0,
            thousands(v as u64),
            y = py(v)
        );
    }
    for (x, _, _) in points {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{x}</text>"#,
            px(*x as f64),
            py(0.0) + 14.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">{xlabel}</text>"#,
        px((xmin + xmax) / 2.0),
        py(0.0) + 30.0
    );
    for (i, (colour, dash, _)) in SERIES.iter().enumerate() {
        let path: Vec<String> = points
            .iter()
            .map(|(x, r, c)| {
                let g = if which == 0 { r } else { c };
                format!("{:.1},{:.1}", px(*x as f64), py(pick(g, i) as f64))
            })
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" points="{}"/>"#,
            path.join(" ")
        );
    }
}

/// Horizontal bars at `y0`: per row with a v1 figure, v1 and our three.
fn bars(s: &mut String, y0: f64, m: &Measurements) -> f64 {
    let rows: Vec<_> = m.rows.iter().filter(|r| r.v1.is_some()).collect();
    let max = rows
        .iter()
        .flat_map(|r| {
            [
                r.v1.unwrap_or(0),
                r.gas.solidity,
                r.gas.stylus,
                r.gas.cached,
            ]
        })
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let label_w = 400.0;
    let bar_w = 2.0 * W - label_w - 90.0;
    let colours = ["#7f7f7f", SERIES[0].0, SERIES[1].0, SERIES[2].0];
    let names = ["Perun v1", SERIES[0].2, SERIES[1].2, SERIES[2].2];
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" font-size="13" font-weight="bold">gas per operation and flow</text>"#,
        PAD,
        y0 + 18.0
    );
    for (i, name) in names.iter().enumerate() {
        let x = PAD + 150.0 * i as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{}" width="14" height="8" fill="{}"/><text x="{}" y="{}" font-size="11">{name}</text>"#,
            y0 + 28.0,
            colours[i],
            x + 18.0,
            y0 + 36.0
        );
    }
    let mut y = y0 + 50.0;
    for r in &rows {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + 14.0,
            r.operation.replace('&', "&amp;")
        );
        for (i, v) in [
            r.v1.unwrap_or(0),
            r.gas.solidity,
            r.gas.stylus,
            r.gas.cached,
        ]
        .into_iter()
        .enumerate()
        {
            let w = v as f64 / max * bar_w;
            let _ = writeln!(
                s,
                r#"<rect x="{label_w}" y="{:.1}" width="{w:.1}" height="6" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="8">{}</text>"#,
                y + 7.0 * i as f64,
                colours[i],
                label_w + w + 3.0,
                y + 7.0 * i as f64 + 6.0,
                thousands(v)
            );
        }
        y += 34.0;
    }
    y
}

/// The figure.
pub fn figure(m: &Measurements) -> String {
    let mut body = String::new();
    let bottom = bars(&mut body, 0.0, m);
    let top = bottom + 10.0;
    let c = &m.curves;
    chart(
        &mut body,
        0.0,
        top,
        "register gas by participants",
        "participants",
        &c.participants,
        0,
    );
    chart(
        &mut body,
        W,
        top,
        "conclude gas by participants",
        "participants",
        &c.participants,
        1,
    );
    chart(
        &mut body,
        0.0,
        top + H,
        "register gas by sub-channels",
        "sub-channels (2 participants)",
        &c.sub_channels,
        0,
    );
    chart(
        &mut body,
        W,
        top + H,
        "conclude gas by sub-channels",
        "sub-channels (2 participants)",
        &c.sub_channels,
        1,
    );
    let legend = top + 2.0 * H + 14.0;
    for (i, (colour, dash, name)) in SERIES.iter().enumerate() {
        let x = PAD + 170.0 * i as f64;
        let _ = writeln!(
            body,
            r#"<line x1="{x}" y1="{legend}" x2="{}" y2="{legend}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{}" y="{}" font-size="11">{name}</text>"#,
            x + 28.0,
            x + 34.0,
            legend + 4.0
        );
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif">"#,
        2.0 * W,
        legend + 20.0
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    s.push_str(&body);
    let _ = writeln!(s, "</svg>");
    s
}
