//! Tenant satisfaction surveys: the common-core themes (DOMAIN.md §5.1, regional cores and
//! the usual dimensions), the scales results are given in, a wave compared with the one
//! before, and the CSV file of results (`theme;site;valeur;repondants`).

use super::Invalid;
use super::enums::text_enum;
use super::indicators::parse_number;

text_enum!(
    /// The themes surveys share, global satisfaction first.
    Theme, "survey-theme", {
        Global => "global",
        Cleanliness => "proprete",
        Equipment => "equipements",
        Requests => "reclamations",
        Communication => "communication",
        Surroundings => "cadre-de-vie",
        MoveIn => "entree",
        Home => "logement",
        RentCharges => "loyer-charges",
    }
);

text_enum!(
    /// How results are given: a mark out of 10, a mean on a four-point scale (1 very
    /// dissatisfied to 4 very satisfied), or the share of satisfied tenants.
    Scale, "survey-scale", {
        Score10 => "score10",
        FourPoint => "four_point",
        Percent => "percent",
    }
);

impl Scale {
    pub fn check(self, value: f64) -> Result<f64, Invalid> {
        let (low, high) = match self {
            Scale::Score10 => (0.0, 10.0),
            Scale::FourPoint => (1.0, 4.0),
            Scale::Percent => (0.0, 100.0),
        };
        if value.is_finite() && (low..=high).contains(&value) {
            Ok(value)
        } else {
            Err(Invalid::new("err-value-range")
                .arg("min", format!("{low}").replace('.', ","))
                .arg("max", format!("{high}").replace('.', ",")))
        }
    }

    /// The unit charts and figures use for it.
    pub fn unit(self) -> &'static str {
        match self {
            Scale::Score10 => "score10",
            Scale::FourPoint => "count",
            Scale::Percent => "percent",
        }
    }
}

/// A theme as people write it: its code, or its French label without accents or case.
pub fn parse_theme(raw: &str) -> Result<Theme, Invalid> {
    let text = deunicode::deunicode(raw.trim()).to_lowercase();
    let found = Theme::parse(&text).ok().or(match text.as_str() {
        "satisfaction globale" | "globale" => Some(Theme::Global),
        "proprete des parties communes" => Some(Theme::Cleanliness),
        "fonctionnement des equipements" => Some(Theme::Equipment),
        "traitement des reclamations" | "traitement des demandes" => Some(Theme::Requests),
        "information" | "information et communication" => Some(Theme::Communication),
        "cadre de vie" | "quartier" => Some(Theme::Surroundings),
        "entree dans les lieux" | "conditions d'entree dans les lieux" => Some(Theme::MoveIn),
        "qualite du logement" => Some(Theme::Home),
        "loyer et charges" | "loyer" => Some(Theme::RentCharges),
        _ => None,
    });
    found.ok_or_else(|| Invalid::new("err-unknown-theme").arg("value", raw.trim()))
}

/// One line of a results file.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultLine {
    pub line: usize,
    pub theme: Theme,
    pub site: String,
    pub value: f64,
    pub respondents: Option<i32>,
}

/// Reads a results file (UTF-8 or Windows-1252, `;` or `,`); every error with its line.
pub fn parse_results(bytes: &[u8], scale: Scale) -> Result<Vec<ResultLine>, Vec<(usize, Invalid)>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
    // Lone '\r' ends records for the reader, which counts lines on '\n' only: as in the
    // indicator files, without this every line of an old Mac export would be "line 1".
    .replace("\r\n", "\n")
    .replace('\r', "\n");
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let names: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|n| deunicode::deunicode(n.trim()).to_lowercase())
            .collect(),
        Err(_) => return Err(vec![(1, Invalid::new("err-csv-unreadable"))]),
    };
    let column = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let (Some(theme_at), Some(value_at)) =
        (column(&["theme", "thème"]), column(&["valeur", "value"]))
    else {
        return Err(vec![(
            1,
            Invalid::new("err-csv-missing-column").arg("column", "theme, valeur"),
        )]);
    };
    let site_at = column(&["site"]);
    let respondents_at = column(&["repondants", "respondents"]);
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else {
            errors.push((0, Invalid::new("err-csv-unreadable")));
            continue;
        };
        let line = record
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").trim();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let theme = parse_theme(get(Some(theme_at)));
        let value = parse_number(get(Some(value_at))).and_then(|v| scale.check(v));
        let respondents = match get(respondents_at) {
            "" => Ok(None),
            // A count of people: "-3" parses as an `i32` but is no number of respondents.
            raw => raw
                .parse::<i32>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or_else(|| Invalid::new("err-number").arg("value", raw)),
        };
        match (theme, value, respondents) {
            (Ok(theme), Ok(value), Ok(respondents)) => lines.push(ResultLine {
                line,
                theme,
                site: get(site_at).to_owned(),
                value,
                respondents,
            }),
            (theme, value, respondents) => {
                for invalid in [theme.err(), value.err(), respondents.err()]
                    .into_iter()
                    .flatten()
                {
                    errors.push((line, invalid));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_are_read_by_code_or_french_label() {
        assert_eq!(parse_theme("proprete").unwrap(), Theme::Cleanliness);
        assert_eq!(
            parse_theme("Propreté des parties communes").unwrap(),
            Theme::Cleanliness
        );
        assert_eq!(
            parse_theme(" Satisfaction globale ").unwrap(),
            Theme::Global
        );
        assert_eq!(parse_theme("Météo").unwrap_err().key, "err-unknown-theme");
    }

    #[test]
    fn lines_ended_by_a_lone_carriage_return_are_numbered() {
        let lines =
            parse_results(b"theme;valeur\rglobale;7\rproprete;6,5\r", Scale::Score10).unwrap();
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), vec![2, 3]);
        let errors =
            parse_results(b"theme;valeur\rglobale;7\rmeteo;5", Scale::Score10).unwrap_err();
        assert_eq!(errors[0].0, 3);
    }

    #[test]
    fn results_are_checked_against_their_scale_line_by_line() {
        let file = "thème;site;valeur;répondants\nglobale;;7,8;1200\npropreté des parties communes;Agence Nord;6,9;300\n";
        let lines = parse_results(file.as_bytes(), Scale::Score10).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[1].theme, lines[1].line, lines[1].respondents),
            (Theme::Cleanliness, 3, Some(300))
        );
        let wrong = "theme;valeur\nglobale;78\nmeteo;5\n";
        let errors = parse_results(wrong.as_bytes(), Scale::Score10).unwrap_err();
        assert_eq!(
            errors.iter().map(|(l, e)| (*l, e.key)).collect::<Vec<_>>(),
            vec![(2, "err-value-range"), (3, "err-unknown-theme")]
        );
        assert!(parse_results("theme;valeur\nglobale;78\n".as_bytes(), Scale::Percent).is_ok());
        assert_eq!(
            parse_results(b"theme;valeur;repondants\nglobale;7;-3\n", Scale::Score10)
                .unwrap_err()
                .iter()
                .map(|(l, e)| (*l, e.key))
                .collect::<Vec<_>>(),
            vec![(2, "err-number")]
        );
        assert_eq!(
            Scale::FourPoint.check(0.5).unwrap_err().key,
            "err-value-range"
        );
    }
}
