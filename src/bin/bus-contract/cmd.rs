//! One function per subcommand: arguments in, one library call, output out.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bus_contract::{CheckConfig, Event, EventError, NumericProfile, Options, Pattern, Workspace};

use crate::args::{
    CheckArgs, Format, LimitArgs, Profile, SnapshotArgs, TestPatternArgs, ValidateArgs,
};

/// Exit code for usage, I/O and input errors.
pub const EXIT_ERROR: u8 = 2;

fn options(limits: &LimitArgs) -> Options {
    let nonzero = |n: usize| (n > 0).then_some(n);
    Options::default()
        .max_pattern_size(nonzero(limits.max_pattern_size))
        .max_wildcard_complexity(nonzero(limits.max_wildcard_complexity))
        .numeric_profile(match limits.numeric_profile {
            Profile::F64 => NumericProfile::F64,
            Profile::Legacy5e9 => NumericProfile::Legacy5e9,
        })
        .array_consistency(!limits.no_array_consistency)
        .unicode_case_quirks(!limits.no_unicode_case_quirks)
}

/// Reads an argument that is inline text or `file://PATH`, as the AWS CLI does.
fn read_arg(arg: &str, what: &str) -> Result<Vec<u8>> {
    match arg.strip_prefix("file://") {
        Some(path) => {
            std::fs::read(path).with_context(|| format!("cannot read the {what} file {path}"))
        }
        None => Ok(arg.as_bytes().to_vec()),
    }
}

pub fn test_pattern(
    args: &TestPatternArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    let pattern_bytes = read_arg(&args.event_pattern, "pattern")?;
    let pattern_text = match std::str::from_utf8(&pattern_bytes) {
        Ok(t) => t,
        Err(e) => {
            writeln!(
                err,
                "InvalidEventPatternException: Event pattern is not valid. Reason: the pattern is not valid UTF-8 \
                 (first bad byte at offset {})",
                e.valid_up_to()
            )?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let pattern = match Pattern::parse_with(pattern_text, &options(&args.limits)) {
        Ok(p) => p,
        Err(e) => {
            writeln!(err, "{}: {e}", e.code())?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let event_bytes = read_arg(&args.event, "event")?;
    let invalid = |err: &mut dyn Write, hint: &str| -> Result<ExitCode> {
        writeln!(err, "ValidationException: Parameter Event is not valid.")?;
        writeln!(err, "hint: {hint}")?;
        Ok(ExitCode::from(EXIT_ERROR))
    };
    let event = match Event::from_slice(&event_bytes) {
        Ok(e) => e,
        Err(EventError::NotAnObject) => return invalid(err, "the event must be a JSON object"),
        Err(e) => return invalid(err, &e.to_string()),
    };
    if !args.lenient {
        let missing = event.missing_envelope_fields();
        if !missing.is_empty() {
            return invalid(
                err,
                &format!(
                    "the event lacks the envelope field{} {}; TestEventPattern requires id, account, source, \
                     time, region and detail-type (--lenient accepts any JSON object)",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
            );
        }
    }
    let result = pattern.matches_event(&event);
    writeln!(out, "{{\"Result\": {result}}}")?;
    Ok(ExitCode::SUCCESS)
}

pub fn validate(
    args: &ValidateArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    let options = options(&args.limits);
    let mut invalid = 0;
    let mut unreadable = 0;
    for file in &args.files {
        match validate_one(file, &options) {
            Ok(None) => writeln!(out, "{}: valid", file.display())?,
            Ok(Some(problem)) => {
                invalid += 1;
                writeln!(out, "{}:{problem}", file.display())?;
            }
            Err(e) => {
                unreadable += 1;
                writeln!(err, "error: {e:#}")?;
            }
        }
    }
    let total = args.files.len();
    writeln!(
        out,
        "{} of {total} pattern{} valid",
        total - invalid - unreadable,
        if total == 1 { "" } else { "s" }
    )?;
    Ok(if unreadable > 0 {
        ExitCode::from(EXIT_ERROR)
    } else if invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `None` when valid; otherwise `line:column: message`.
fn validate_one(file: &Path, options: &Options) -> Result<Option<String>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Some(format!(
                " invalid: not UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            )));
        }
    };
    Ok(match Pattern::parse_with(text, options) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "{}:{}: invalid: {}: {e}",
            e.line(),
            e.column(),
            e.code()
        )),
    })
}

pub fn check(args: &CheckArgs, color: bool, out: &mut impl Write) -> Result<ExitCode> {
    let workspace = Workspace::load(&args.dir)
        .with_context(|| format!("cannot load the workspace {}", args.dir.display()))?;
    let mut config = CheckConfig::default();
    if let Some(env) = &args.env {
        config = config.environment(env.clone());
    }
    let report = workspace.check(&config);
    match args.format {
        Format::Human => report.write_human(out, color)?,
        Format::Json => report.write_json(out)?,
        Format::Junit => report.write_junit(out, &workspace.service_names())?,
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn snapshot(args: &SnapshotArgs, out: &mut impl Write) -> Result<ExitCode> {
    let workspace = Workspace::load(&args.dir)
        .with_context(|| format!("cannot load the workspace {}", args.dir.display()))?;
    let path = workspace
        .write_snapshot()
        .context("cannot write the routing snapshot")?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    writeln!(out, "wrote {}", args.dir.join(name).display())?;
    Ok(ExitCode::SUCCESS)
}
