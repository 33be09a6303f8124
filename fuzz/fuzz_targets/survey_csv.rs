//! Any bytes given as a file of survey results, on every scale, are either read into lines
//! whose values lie within the scale or refused with errors numbered within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualitrack::domain::survey::{Scale, parse_results};

fuzz_target!(|data: &[u8]| {
    // The parser ends lines on '\n', '\r\n' and a lone '\r'; a line can be no further.
    let last_line = data
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count()
        + 1;
    for scale in [Scale::Score10, Scale::FourPoint, Scale::Percent] {
        match parse_results(data, scale) {
            Ok(lines) => {
                for line in lines {
                    assert!(
                        (2..=last_line).contains(&line.line),
                        "line {} of {last_line}",
                        line.line
                    );
                    assert_eq!(scale.check(line.value).ok(), Some(line.value));
                    assert!(
                        line.respondents.is_none_or(|n| n >= 0),
                        "{:?}",
                        line.respondents
                    );
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                for (line, _) in errors {
                    assert!(
                        (1..=last_line).contains(&line),
                        "error on line {line} of {last_line}"
                    );
                }
            }
        }
    }
});
