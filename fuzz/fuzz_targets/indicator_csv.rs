//! Any bytes given as a file of indicator values are either refused whole or read into
//! lines and located errors: never a panic, every line and error numbered within the file
//! (after the header), every column named among the file's, every value a finite number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualitrack::domain::indicators::csv_file::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = parse(data) else { return };
    // The parser ends lines on '\n', '\r\n' and a lone '\r'; a line can be no further.
    let last_line = data
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count()
        + 1;
    for line in &parsed.lines {
        assert!(
            (2..=last_line).contains(&line.line),
            "line {} of {last_line}",
            line.line
        );
        assert!(!line.indicator.is_empty());
        for value in [line.value, line.numerator, line.denominator]
            .into_iter()
            .flatten()
        {
            assert!(value.is_finite(), "{value}");
        }
    }
    for error in &parsed.errors {
        assert!(
            (2..=last_line).contains(&error.line),
            "error on line {} of {last_line}",
            error.line
        );
        if let Some((at, name)) = &error.column {
            assert_eq!(parsed.column(name).map(|(i, _)| i), Some(*at));
        }
    }
});
