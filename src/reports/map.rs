//! The map of France by region, each region shaded by a rate (a share of organismes), drawn as
//! SVG on the server to be embedded inline under a strict CSP: colours come from classes styled
//! in `static/css/app.css`. The drawing is vendored in `assets/maps/` (origin, licence, recipe).

use std::fmt::Write as _;

/// The regions' shapes: `code<TAB>inset box or -<TAB>path d`, after a `size` line.
const DRAWING: &str = include_str!("../../assets/maps/regions.tsv");

/// The credit the map's licences ask for (CC BY 4.0 for MapSVG's drawing).
pub const ATTRIBUTION_FR: &str =
    "Fond de carte : MapSVG (CC BY 4.0), Natural Earth (domaine public) ; simplifié";

/// One region's figure, already localised by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionShade {
    /// INSEE region code, as in `crate::domain::region::REGIONS`
    pub code: String,
    pub name: String,
    /// 0–100; `None` when the region has no organisme
    pub rate: Option<f64>,
    /// What a reader hears or sees on hover: `Bretagne : 42,0 % (21 organismes sur 50)`
    pub label: String,
    /// The drill-down page; the region is a link when set
    pub href: Option<String>,
}

/// The words around the map, localised by the caller.
#[derive(Debug, Clone, Copy)]
pub struct MapText<'a> {
    /// Prefix of the ids inside the drawing, a plain token unique on the page (`map` gives
    /// `map-title`, `map-desc`, `map-none`)
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// The five classes of the rate, lowest first: `0–20 %`, `20–40 %`…
    pub legend: &'a [String; 5],
    /// The swatch of regions without organisme
    pub none_label: &'a str,
    /// Usually [`ATTRIBUTION_FR`]
    pub attribution: &'a str,
}

/// A drawn region: its code, its inset box `[x, y, width, height]` (overseas regions) and
/// its outline.
struct Shape {
    code: &'static str,
    inset: Option<[u32; 4]>,
    d: &'static str,
}

fn numbers<const N: usize>(text: &str) -> [u32; N] {
    let mut out = [0; N];
    for (slot, n) in out.iter_mut().zip(text.split(' ')) {
        *slot = n.parse().expect("a number in assets/maps/regions.tsv");
    }
    out
}

/// The drawing's width and height, and its shapes in the order they are drawn (and tabbed
/// through). The file is part of the binary and checked by the tests: reading it cannot fail.
fn drawing() -> ([u32; 2], Vec<Shape>) {
    let mut size = [0; 2];
    let mut shapes = Vec::new();
    for line in DRAWING.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        match (fields.next(), fields.next(), fields.next()) {
            (Some("size"), Some(s), None) => size = numbers(s),
            (Some(code), Some(inset), Some(d)) => shapes.push(Shape {
                code,
                inset: (inset != "-").then(|| numbers(inset)),
                d,
            }),
            _ => panic!("malformed line in assets/maps/regions.tsv: {line}"),
        }
    }
    (size, shapes)
}

fn domain_name(code: &str) -> &'static str {
    crate::domain::Region::by_code(code).map_or("", |r| r.name)
}

const CLASSES: [&str; 5] = ["map-c0", "map-c1", "map-c2", "map-c3", "map-c4"];
const NONE: &str = "map-none";

/// The class of a rate: five equal classes of 20 points, `map-none` without a rate.
pub fn class_of(rate: Option<f64>) -> &'static str {
    match rate {
        Some(r) if !r.is_nan() => {
            CLASSES[[20.0, 40.0, 60.0, 80.0].iter().filter(|t| r >= **t).count()]
        }
        _ => NONE,
    }
}

/// Text made safe for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

// Layout below the regions, in the drawing's units (half-pixels of the source map, so a
// 1 516-unit-wide drawing shown ~760 px wide has text of about 14 px).
const FONT: u32 = 28;
const ROW: u32 = 48;
const SWATCH: u32 = 32;

/// The map as an inline `<svg>`: every drawn region with its class, its label as `<title>` and,
/// when it has one, its link; the inset boxes of the overseas regions; the legend; the credit.
/// Regions missing from `shades` are drawn as without organisme, named after the domain's list;
/// shades of codes that are not drawn are ignored.
pub fn regions_svg(shades: &[RegionShade], text: &MapText) -> String {
    let ([width, height], drawn) = drawing();
    let legend_top = height + ROW / 2;
    let total = legend_top + 3 * ROW;
    let id = xml(text.id);
    let mut svg = String::with_capacity(DRAWING.len() + 4096);
    // role="group", not "img": an image's children (the links) would be hidden from
    // assistive technologies.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {total}\" class=\"map\" \
         role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        xml(text.title),
        xml(text.description),
    );
    // Regions without organisme are hatched so that they differ from the lowest class by more
    // than a hue; a fill that references an id cannot live in the shared stylesheet.
    let _ = write!(
        svg,
        "<defs><pattern id=\"{id}-none\" width=\"12\" height=\"12\" \
         patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"12\" height=\"12\" fill=\"#ffffff\"/>\
         <path d=\"M0 0v12\" stroke=\"#767676\" stroke-width=\"4\"/></pattern></defs>"
    );
    let hatch = format!(" fill=\"url(#{id}-none)\"");
    let fill = |class: &str| if class == NONE { hatch.as_str() } else { "" };

    // Inset frames and names are decoration: the regions' titles already name them.
    svg.push_str("<g class=\"map-insets\" aria-hidden=\"true\">");
    for shape in &drawn {
        let Some([x, y, w, h]) = shape.inset else {
            continue;
        };
        let name = shades
            .iter()
            .find(|s| s.code == shape.code)
            .map_or(domain_name(shape.code), |s| s.name.as_str());
        let _ = write!(
            svg,
            "<rect class=\"map-inset\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"26\">{}</text>",
            x + 10,
            y + 32,
            xml(name),
        );
    }

    svg.push_str("</g><g class=\"map-regions\">");
    for shape in &drawn {
        let shade = shades.iter().find(|s| s.code == shape.code);
        let class = class_of(shade.and_then(|s| s.rate));
        let label = xml(shade.map_or(domain_name(shape.code), |s| s.label.as_str()));
        let inner = format!(
            "<title>{label}</title><path{} d=\"{}\"/>",
            fill(class),
            shape.d
        );
        let _ = match shade.and_then(|s| s.href.as_deref()) {
            Some(href) => write!(
                svg,
                "<a class=\"map-region {class}\" href=\"{}\">{inner}</a>",
                xml(href)
            ),
            None => write!(
                svg,
                "<g class=\"map-region {class}\" role=\"img\">{inner}</g>"
            ),
        };
    }

    // Two rows of three: the five classes, then the regions without organisme.
    svg.push_str("</g><g class=\"map-legend\">");
    let labels = text
        .legend
        .iter()
        .map(String::as_str)
        .chain([text.none_label]);
    for (i, (class, label)) in (0_u32..).zip(CLASSES.into_iter().chain([NONE]).zip(labels)) {
        let x = 12 + (i % 3) * (width / 3);
        let y = legend_top + (i / 3) * ROW;
        let _ = write!(
            svg,
            "<rect class=\"map-swatch {class}\"{} x=\"{x}\" y=\"{y}\" width=\"{SWATCH}\" \
             height=\"{SWATCH}\"/><text x=\"{}\" y=\"{}\" font-size=\"{FONT}\">{}</text>",
            fill(class),
            x + SWATCH + 12,
            y + SWATCH - 6,
            xml(label),
        );
    }
    let _ = write!(
        svg,
        "</g><text class=\"map-attribution\" x=\"12\" y=\"{}\" font-size=\"22\">{}</text></svg>",
        total - 14,
        xml(text.attribution),
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::REGIONS;

    fn shade(code: &str, rate: Option<f64>) -> RegionShade {
        RegionShade {
            code: code.to_owned(),
            name: format!("Région {code}"),
            rate,
            label: format!("Label {code}"),
            href: Some(format!("/federation/regions/{code}")),
        }
    }

    fn render(shades: &[RegionShade]) -> String {
        let legend = ["0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"].map(String::from);
        regions_svg(
            shades,
            &MapText {
                id: "map",
                title: "Part des organismes labellisés",
                description: "Carte des régions",
                legend: &legend,
                none_label: "Aucun organisme",
                attribution: ATTRIBUTION_FR,
            },
        )
    }

    #[test]
    fn every_region_is_drawn_once() {
        let (_, shapes) = drawing();
        let mut drawn: Vec<_> = shapes.iter().map(|s| s.code).collect();
        let mut expected: Vec<_> = REGIONS.iter().map(|r| r.code).collect();
        drawn.sort_unstable();
        expected.sort_unstable();
        assert_eq!(drawn, expected);
        for region in REGIONS {
            let shape = shapes.iter().find(|s| s.code == region.code).unwrap();
            // Written unescaped into the SVG: only path syntax may be there.
            assert!(
                shape.d.starts_with('M')
                    && shape.d.ends_with('z')
                    && shape.d.chars().all(|c| "Mlz- 0123456789".contains(c)),
                "{}",
                region.name
            );
            assert_eq!(shape.inset.is_some(), region.overseas, "{}", region.name);
        }
        let all: Vec<_> = REGIONS.iter().map(|r| shade(r.code, Some(50.0))).collect();
        let svg = render(&all);
        for region in REGIONS {
            let link = format!("href=\"/federation/regions/{}\"", region.code);
            assert_eq!(svg.matches(&link).count(), 1, "{}", region.name);
        }
    }

    #[test]
    fn rates_fall_in_five_equal_classes() {
        assert_eq!(class_of(Some(0.0)), "map-c0");
        assert_eq!(class_of(Some(19.99)), "map-c0");
        assert_eq!(class_of(Some(20.0)), "map-c1");
        assert_eq!(class_of(Some(59.9)), "map-c2");
        assert_eq!(class_of(Some(80.0)), "map-c4");
        assert_eq!(class_of(Some(100.0)), "map-c4");
        assert_eq!(class_of(None), "map-none");
        assert_eq!(class_of(Some(f64::NAN)), "map-none");
    }

    #[test]
    fn regions_carry_their_class_label_and_link() {
        let svg = render(&[shade("53", Some(42.0)), shade("04", None)]);
        assert!(svg.contains(
            "<a class=\"map-region map-c2\" href=\"/federation/regions/53\"><title>Label 53</title>"
        ));
        assert!(svg.contains("<a class=\"map-region map-none\" href=\"/federation/regions/04\">"));
        // Not in the shades: no link, named after the domain's list, hatched.
        assert!(svg.contains(
            "<g class=\"map-region map-none\" role=\"img\"><title>Corse</title>\
             <path fill=\"url(#map-none)\""
        ));
        assert!(svg.contains(">Région 04</text>") && svg.contains(">Guadeloupe</text>"));
    }

    #[test]
    fn text_is_escaped() {
        let mut nasty = shade("11", Some(10.0));
        nasty.label = "<script>alert(\"x\")</script> & co".into();
        nasty.name = "<b>Île</b>".into();
        nasty.href = Some("/r?a=1&b=\"2\"><script>".into());
        let legend = ["<0", "a&b", "\"", "'", ">"].map(String::from);
        let svg = regions_svg(
            &[
                nasty,
                RegionShade {
                    code: "01".into(),
                    name: "<i>".into(),
                    ..shade("01", None)
                },
            ],
            &MapText {
                id: "m\"x",
                title: "<title>",
                description: "a & b",
                legend: &legend,
                none_label: "<none>",
                attribution: "&",
            },
        );
        assert!(!svg.contains("<script") && !svg.contains("<b>") && !svg.contains("<i>"));
        assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"));
        assert!(svg.contains("href=\"/r?a=1&amp;b=&quot;2&quot;&gt;&lt;script&gt;\""));
        assert!(svg.contains("id=\"m&quot;x-title\""));
        assert!(svg.contains(">&lt;none&gt;</text>") && svg.contains(">a&amp;b</text>"));
        well_formed(&svg);
    }

    #[test]
    fn fits_a_strict_csp_and_a_page() {
        let all: Vec<_> = REGIONS.iter().map(|r| shade(r.code, Some(50.0))).collect();
        let svg = render(&all);
        assert!(!svg.contains("style=") && !svg.contains("<style") && !svg.contains("<script"));
        assert!(svg.starts_with("<svg ") && svg.contains("role=\"group\""));
        assert!(!svg.contains("role=\"img\" aria-labelledby"));
        assert!(svg.len() < 60_000, "{} bytes", svg.len());
        well_formed(&svg);
    }

    /// A small well-formedness check (no XML parser among the dependencies): tags balance,
    /// attributes are quoted, and every `&` starts an entity.
    fn well_formed(svg: &str) {
        for (i, _) in svg.match_indices('&') {
            let entity = &svg[i..svg[i..].find(';').map_or(svg.len(), |e| i + e + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                "stray & at {i}"
            );
        }
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let end = start + rest[start..].find('>').expect("unclosed tag");
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            let name = tag
                .trim_start_matches('/')
                .split([' ', '/'])
                .next()
                .unwrap_or_default();
            if let Some(closing) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(closing.trim()), "misnested </{closing}>");
            } else if !tag.ends_with('/') {
                open.push(name);
            }
            rest = &rest[end + 1..];
        }
        assert!(open.is_empty(), "unclosed: {open:?}");
    }
}
