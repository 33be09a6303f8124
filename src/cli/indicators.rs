//! `qualitrack indicators import FILE --organisation ID|SIREN`: the same checks as the
//! import page; every refused line is listed; nothing is written if one is wrong (unless
//! `--keep-valid`); a progress bar while values are written.

use anyhow::bail;

use super::commands::with_connection;
use crate::auth::OrgScope;
use crate::config::Settings;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::history::Actor;
use crate::models::organisation;
use crate::services::indicators::{check_file, write_checked};

pub fn import(
    settings: &Settings,
    file: &std::path::Path,
    organisation: &str,
    keep_valid: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let origin = format!(
        "command line: {}",
        file.file_name().unwrap_or_default().to_string_lossy()
    );
    let bar = indicatif::ProgressBar::hidden();
    let outcome = with_connection(settings, |conn| {
        let found = organisation::find_by_key(conn, &OrgScope::All, organisation)?;
        let checked = check_file(conn, &found.id, &bytes)
            .map_err(|invalid| AppError::BadRequest(i18n::invalid(Lang::En, &invalid)))?;
        if dry_run {
            return Ok((found.name, checked, None));
        }
        bar.set_length(u64::try_from(checked.values.len()).unwrap_or(0));
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} values")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let written = write_checked(
            conn,
            &Actor::system("command line"),
            &found.id,
            &origin,
            &checked,
            keep_valid,
            &mut |done| bar.set_position(u64::try_from(done).unwrap_or(0)),
        )?;
        Ok((found.name, checked, written))
    })?;
    bar.finish_and_clear();
    let (name, checked, written) = outcome;
    for error in &checked.errors {
        let column = error
            .column
            .as_ref()
            .map(|(i, n)| format!(", column {i} ({n})"))
            .unwrap_or_default();
        eprintln!(
            "line {}{column}: {}",
            error.line,
            i18n::invalid(Lang::En, &error.invalid)
        );
    }
    println!(
        "{name}: {} lines read ({}), {} valid, {} refused",
        checked.lines,
        checked.encoding,
        checked.values.len(),
        checked.errors.len()
    );
    match written {
        Some(w) => println!(
            "{} values added, {} changed, {} unchanged",
            w.inserted, w.updated, w.unchanged
        ),
        None if dry_run => println!("dry run: nothing written"),
        None => bail!("nothing written: correct the lines above, or use --keep-valid"),
    }
    Ok(())
}
