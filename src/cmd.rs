//! One function per subcommand: arguments in, one library call, output out.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use std::io::IsTerminal;

use bus_contract::{
    CheckConfig, Event, EventError, Matcher, NumericProfile, Options, Pattern, Replay, Scratch,
    Tally, Workspace,
};

use bus_contract::RuleState;

use crate::args::{
    CheckArgs, ExplainArgs, Format, GenerateArgs, GraphArgs, GraphFormat, ImportCommandArgs,
    LimitArgs, MatchArgs, MatchFormat, Profile, SnapshotArgs, TestPatternArgs, ValidateArgs,
    WorkspaceArgs,
};

/// Loads the workspace (`dir`, else --workspace, else the current directory): a registry, or
/// a service repo on its registry (--registry, or `registry:` in its bus-contract.yaml), with
/// the rules of `--import` and the `--parameter` values.
fn load(dir: Option<&Path>, args: &WorkspaceArgs) -> Result<Workspace> {
    let dir = args.workspace.dir(dir);
    let mut workspace = match &args.registry {
        None => Workspace::load(&dir)
            .with_context(|| format!("cannot load the workspace {}", dir.display()))?,
        Some(registry) => {
            anyhow::ensure!(
                dir.is_dir(),
                "cannot load the service repo {}: not a directory",
                dir.display()
            );
            let base = if registry.as_os_str() == "bellyfed" {
                Workspace::bellyfed()
            } else {
                let base = Workspace::load(registry)
                    .with_context(|| format!("cannot load the registry {}", registry.display()))?;
                anyhow::ensure!(
                    !base.is_service_repo(),
                    "{} is a service repo (its {} names a registry), not a registry",
                    registry.display(),
                    bus_contract::CONFIG_FILE
                );
                base
            };
            base.service(&dir)
        }
    };
    let imports = &args.imports;
    if !imports.parameters.is_empty() {
        workspace = workspace.parameters(imports.parameters.iter().cloned());
    }
    Ok(workspace.imports(&imports.imports))
}

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
    let dialect = args.dialect;
    if dialect != bus_contract::Dialect::EventBridge {
        return test_filters(args, dialect, out, err);
    }
    anyhow::ensure!(
        args.event_pattern.len() == 1,
        "an EventBridge rule has one event pattern; --event-pattern is repeated only for the filters of --dialect pipes or lambda-*"
    );
    let pattern_bytes = read_arg(&args.event_pattern[0], "pattern")?;
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
    let event = match Event::from_slice(&event_bytes).and_then(Event::into_delivered) {
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
    Ok(if args.exit_code && !result {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `test-pattern --dialect pipes|lambda-*`: the filters, ORed, against one source record.
fn test_filters(
    args: &TestPatternArgs,
    dialect: bus_contract::Dialect,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    let mut texts = Vec::new();
    for p in &args.event_pattern {
        let bytes = read_arg(p, "pattern")?;
        match String::from_utf8(bytes) {
            Ok(t) => texts.push(t),
            Err(_) => {
                writeln!(
                    err,
                    "InvalidParameterValueException: Invalid filter pattern definition."
                )?;
                writeln!(err, "hint: the filter is not valid UTF-8")?;
                return Ok(ExitCode::from(EXIT_ERROR));
            }
        }
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let filters = match dialect.filters(&texts) {
        Ok(f) => f,
        Err(e) => {
            writeln!(err, "{e}")?;
            writeln!(err, "hint: {}", e.reason)?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let record = match Event::from_slice(&read_arg(&args.event, "event")?) {
        Ok(r) => r,
        Err(e) => {
            writeln!(
                err,
                "ValidationException: the record is not valid: {e} (the record as {} hands it to the function)",
                dialect.name()
            )?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let result = filters.matches(&record);
    writeln!(out, "{{\"Result\": {result}}}")?;
    Ok(if args.exit_code && !result {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn validate(
    args: &ValidateArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    let options = options(&args.limits);
    let mut invalid = 0;
    let mut unreadable = 0;
    let dialect = args.dialect;
    for file in &args.files {
        let verdict = if dialect == bus_contract::Dialect::EventBridge {
            validate_one(file, &options)
        } else {
            validate_filter(file, dialect)
        };
        match verdict {
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

/// `None` when the file is a valid filter of `dialect`; otherwise ` invalid: CODE: message
/// (reason)`.
fn validate_filter(file: &Path, dialect: bus_contract::Dialect) -> Result<Option<String>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(Some(" invalid: not UTF-8".into()));
    };
    Ok(dialect
        .filters(&[text])
        .err()
        .map(|e| format!(" invalid: {}", e.explained())))
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
    let workspace = load(args.dir.as_deref(), &args.workspace)?;
    // A gate over nothing, or over an environment the workspace does not have, must not
    // pass: both are usage errors.
    if let Some(why) = workspace.nothing_to_check() {
        anyhow::bail!("{why}");
    }
    let mut config = CheckConfig::default()
        .cases(args.cases)
        .seed(args.seed)
        .deny_warnings(args.deny == Some(crate::args::Deny::Warnings));
    for (code, level) in &args.severities {
        config = config.severity(*code, *level);
    }
    if let Some(env) = &args.env {
        if let Some(why) = workspace.unknown_environment(env) {
            anyhow::bail!("{why}");
        }
        config = config.environment(env.clone());
    }
    let report = workspace.check(&config);
    // Report files first: a file that cannot be written is an error before anything is
    // printed.
    for (format, path) in &args.outputs {
        let mut text = Vec::new();
        render(&report, &workspace, *format, false, args.quiet, &mut text)?;
        std::fs::write(path, text)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    render(&report, &workspace, args.format, color, args.quiet, out)?;
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn render(
    report: &bus_contract::Report,
    workspace: &Workspace,
    format: Format,
    color: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Human if quiet => report.write_findings(out, color)?,
        Format::Human => report.write_human(out, color)?,
        Format::Json => report.write_json(out)?,
        Format::Junit => report.write_junit(out, &workspace.service_names())?,
        Format::Sarif => report.write_sarif(out)?,
        Format::Github => report.write_github(out)?,
    }
    Ok(())
}

pub fn snapshot(args: &SnapshotArgs, out: &mut impl Write) -> Result<ExitCode> {
    let dir = args.workspace.dir(args.dir.as_deref());
    let workspace = Workspace::load(&dir)
        .with_context(|| format!("cannot load the workspace {}", dir.display()))?;
    anyhow::ensure!(
        !workspace.is_service_repo(),
        "{} is a service repo: the routing snapshot is the registry's, written in the registry",
        dir.display()
    );
    let path = workspace
        .write_snapshot()
        .context("cannot write the routing snapshot")?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    writeln!(out, "wrote {}", dir.join(name).display())?;
    Ok(ExitCode::SUCCESS)
}

pub fn generate(
    args: &GenerateArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    use bus_contract::strategy;

    let workspace = load(None, &args.workspace)?;
    let strategy = if let Some(event) = &args.event {
        match workspace.event_instances(event) {
            Ok(s) => s,
            Err(why) => {
                writeln!(err, "error: {why}")?;
                return Ok(ExitCode::from(EXIT_ERROR));
            }
        }
    } else {
        let name = args.rule.as_deref().unwrap_or_default();
        let Some(rule) = workspace.rule(name) else {
            writeln!(err, "error: {}", no_rule(&workspace, name))?;
            return Ok(ExitCode::from(EXIT_ERROR));
        };
        let Some(pattern) = usable(&rule, name, err)? else {
            return Ok(ExitCode::from(EXIT_ERROR));
        };
        let Some((s, basis)) = workspace.rule_events(&rule, pattern, args.near_miss, args.seed)
        else {
            writeln!(
                err,
                "error: rule {name} cannot be missed by one condition, so it has no near misses"
            )?;
            return Ok(ExitCode::from(EXIT_ERROR));
        };
        if basis == bus_contract::Basis::PatternAlone {
            writeln!(
                err,
                "note: no event rule {name} expects has a schema the pattern can match, so these events are built from the pattern alone (they need not be valid events of any producer)"
            )?;
        }
        s
    };
    let events = match strategy::sample(&strategy, args.count, args.seed) {
        Ok(e) => e,
        Err(e) => {
            writeln!(err, "error: could not generate {} events: {e}", args.count)?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    for e in events {
        writeln!(out, "{}", serde_json::to_string(&e)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a file argument, or standard input for `-`.
fn read_input(file: &str) -> Result<Vec<u8>> {
    if file == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .context("cannot read standard input")?;
        Ok(buf)
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {file}"))
    }
}

pub fn match_events(
    args: &MatchArgs,
    color: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    if args.dialect != bus_contract::Dialect::EventBridge {
        return match_filters(args, out, err);
    }
    // The rules: the workspace's, or pattern files named by their paths.
    let mut builder = Matcher::builder();
    let mut buses = Vec::new();
    if args.patterns.is_empty() {
        let rules = load(None, &args.workspace)?.rule_set()?;
        let (disabled, unresolved) = (rules.disabled, rules.unresolved);
        builder = rules.builder;
        buses = rules.buses;
        if disabled + unresolved > 0 {
            writeln!(
                err,
                "note: not matched: {disabled} disabled rule{} and {unresolved} rule{} with unresolved values (`bus-contract check` lists them)",
                if disabled == 1 { "" } else { "s" },
                if unresolved == 1 { "" } else { "s" },
            )?;
        }
    } else {
        for (name, text) in pattern_files(&args.patterns)? {
            let pattern =
                Pattern::parse(&text).with_context(|| format!("{name} is not a valid pattern"))?;
            builder.add(name, pattern)?;
        }
        anyhow::ensure!(
            args.bus.is_none(),
            "--bus needs the workspace's rules, which know their buses; pattern files do not"
        );
    }
    builder.stop_early(!args.validate).validate(args.validate);
    let matcher = builder.build()?;

    let (reader, size): (Box<dyn std::io::BufRead + Send>, Option<u64>) = if args.file == "-" {
        (
            Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin())),
            None,
        )
    } else {
        let f = std::fs::File::open(&args.file)
            .with_context(|| format!("cannot read {}", args.file))?;
        let size = f.metadata().ok().map(|m| m.len());
        (
            Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            size,
        )
    };
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = size.map_or_else(
            indicatif::ProgressBar::new_spinner,
            indicatif::ProgressBar::new,
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });

    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut scratch = Scratch::default();
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        usize::from,
    );
    let mut replay = Replay::new(&matcher, &mut scratch, reader).jobs(jobs);
    if args.patterns.is_empty() {
        replay = replay.buses(buses, args.bus.clone());
    }
    // What stopped the replay, when it was not reading.
    let mut failed: Option<anyhow::Error> = None;
    let tally = replay.for_each(|event| {
        let shown = match &event.outcome {
            Err(e) => writeln!(err, "{}:{}: {e}", args.file, event.line).map_err(Into::into),
            Ok(hits) if !args.summary => print_hits(&matcher, event, hits, args, color, &mut out),
            Ok(_) => Ok(()),
        };
        if let Err(e) = shown {
            failed = Some(e);
            return Err(std::io::Error::other("stopped"));
        }
        if let Some(bar) = &progress {
            if event.events_read % 4096 == 0 {
                bar.set_position(event.bytes_read);
                bar.set_message(format!("{} events", event.events_read));
            }
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let tally = tally.with_context(|| format!("cannot read {}", args.file))?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if args.summary {
        print_summary(&matcher, &tally, args.format, &mut out)?;
    }
    out.flush()?;
    Ok(if tally.bad > 0 {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

/// The files a `--patterns` glob names, each read as text: (name, text).
fn pattern_files(globs: &[String]) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for g in globs {
        let before = files.len();
        for path in glob::glob(g).with_context(|| format!("invalid glob {g}"))? {
            let path = path.with_context(|| format!("cannot read a match of {g}"))?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            files.push((path.display().to_string(), text));
        }
        anyhow::ensure!(files.len() > before, "no pattern file matches {g}");
    }
    Ok(files)
}

/// `match --dialect D`: each pattern file as one filter of that service, each JSON line as a
/// record (or an SNS message), matched by the reference matcher.
fn match_filters(args: &MatchArgs, out: &mut impl Write, err: &mut impl Write) -> Result<ExitCode> {
    use std::io::BufRead as _;
    let dialect = args.dialect;
    anyhow::ensure!(
        !args.patterns.is_empty(),
        "--dialect {} needs --patterns: the workspace's rules are EventBridge rules",
        dialect.name()
    );
    anyhow::ensure!(
        args.bus.is_none(),
        "--bus applies to EventBridge rules only"
    );
    let mut filters = Vec::new();
    for (name, text) in pattern_files(&args.patterns)? {
        let f = dialect
            .filters(&[&text])
            .map_err(|e| anyhow::anyhow!("{name}: {e} ({})", e.reason))?;
        filters.push((name, f));
    }
    let reader: Box<dyn std::io::BufRead> = if args.file == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(&args.file)
            .with_context(|| format!("cannot read {}", args.file))?;
        Box::new(std::io::BufReader::new(f))
    };
    let start = std::time::Instant::now();
    let mut out = std::io::BufWriter::new(out);
    let (mut events, mut bad) = (0u64, 0u64);
    let mut counts = vec![0u64; filters.len()];
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", args.file))?;
        if line.trim().is_empty() {
            continue;
        }
        events += 1;
        let record = match Event::parse(&line) {
            Ok(r) => r,
            Err(e) => {
                bad += 1;
                writeln!(err, "{}:{}: {e}", args.file, i + 1)?;
                continue;
            }
        };
        let hits: Vec<&str> = filters
            .iter()
            .enumerate()
            .filter(|(_, (_, f))| f.matches(&record))
            .map(|(k, (name, _))| {
                counts[k] += 1;
                name.as_str()
            })
            .collect();
        if args.summary {
            continue;
        }
        match args.format {
            MatchFormat::Json => {
                writeln!(out, "{}", serde_json::json!({"line": i + 1, "rules": hits}))?;
            }
            MatchFormat::Human => {
                let n = hits.len();
                writeln!(
                    out,
                    "line {}: {n} filter{}",
                    i + 1,
                    if n == 1 { "" } else { "s" }
                )?;
                for h in hits {
                    writeln!(out, "  {h}")?;
                }
            }
        }
    }
    if args.summary {
        let elapsed = start.elapsed().as_secs_f64();
        let rules: serde_json::Map<String, serde_json::Value> = filters
            .iter()
            .zip(&counts)
            .map(|((name, _), n)| (name.clone(), (*n).into()))
            .collect();
        match args.format {
            MatchFormat::Json => writeln!(
                out,
                "{}",
                serde_json::json!({"events": events, "elapsed_seconds": elapsed, "rules": rules})
            )?,
            MatchFormat::Human => {
                for ((name, _), n) in filters.iter().zip(&counts) {
                    writeln!(out, "{name}  {n}")?;
                }
                writeln!(out, "{events} records in {elapsed:.3} s")?;
            }
        }
    }
    out.flush()?;
    Ok(if bad > 0 {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

/// `match --summary`: each rule's hits, then the events and the rate.
fn print_summary(
    matcher: &Matcher,
    tally: &Tally,
    format: MatchFormat,
    out: &mut impl Write,
) -> Result<()> {
    let elapsed = tally.elapsed.as_secs_f64();
    let rate = tally.events_per_second();
    let name = |i: usize| matcher.name(bus_contract::PatternId(i as u32));
    match format {
        MatchFormat::Json => {
            let rules: serde_json::Map<String, serde_json::Value> = tally
                .per_rule
                .iter()
                .enumerate()
                .map(|(i, n)| (name(i).to_string(), (*n).into()))
                .collect();
            let summary = serde_json::json!({
                "events": tally.events,
                "elapsed_seconds": elapsed,
                "events_per_second": rate,
                "rules": rules,
            });
            writeln!(out, "{summary}")?;
        }
        MatchFormat::Human => {
            let width = (0..matcher.len()).map(|i| name(i).len()).max().unwrap_or(0);
            for (i, count) in tally.per_rule.iter().enumerate() {
                writeln!(out, "{:width$}  {count}", name(i))?;
            }
            writeln!(
                out,
                "{} events in {elapsed:.3} s: {rate:.0} events/s",
                tally.events
            )?;
        }
    }
    Ok(())
}

/// One event's line of `match` output: the rules it hit.
fn print_hits(
    matcher: &Matcher,
    replayed: &bus_contract::Replayed<'_>,
    hits: &[bus_contract::PatternId],
    args: &MatchArgs,
    color: bool,
    out: &mut impl Write,
) -> Result<()> {
    let line = replayed.line;
    let names: Vec<&str> = hits.iter().map(|&id| matcher.name(id)).collect();
    match args.format {
        MatchFormat::Json => {
            let mut o = serde_json::json!({"line": line, "rules": names});
            if let Some(bus) = replayed.bus {
                o["bus"] = bus.into();
            }
            writeln!(out, "{o}")?;
        }
        MatchFormat::Human => {
            let parsed = Event::from_slice(replayed.event)
                .and_then(Event::into_delivered)
                .ok();
            let field = |k: &str| match parsed.as_ref().and_then(|e| e.value().get(k)) {
                Some(bus_contract::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => "-".into(),
            };
            let count = format!(
                "{} rule{}",
                names.len(),
                if names.len() == 1 { "" } else { "s" }
            );
            let count = if color && names.is_empty() {
                format!("\u{1b}[33m{count}\u{1b}[0m")
            } else {
                count
            };
            let on = replayed
                .bus
                .map_or_else(String::new, |b| format!(" on {b}"));
            writeln!(
                out,
                "line {line}: {} {}{on}: {count}",
                field("source"),
                field("detail-type")
            )?;
            for n in names {
                writeln!(out, "  {n}")?;
            }
        }
    }
    Ok(())
}

pub fn explain(
    args: &ExplainArgs,
    color: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    let ad_hoc;
    let workspace;
    let (pattern, name) = if let Some(text) = &args.pattern {
        let bytes = read_arg(text, "pattern")?;
        let text = String::from_utf8(bytes).context("the pattern is not UTF-8")?;
        ad_hoc = match Pattern::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                writeln!(err, "{}: {e}", e.code())?;
                return Ok(ExitCode::from(EXIT_ERROR));
            }
        };
        (&ad_hoc, "the pattern".to_string())
    } else {
        let name = args.rule.as_deref().unwrap_or_default();
        workspace = load(None, &args.workspace)?;
        let Some(rule) = workspace.rule(name) else {
            writeln!(err, "error: {}", no_rule(&workspace, name))?;
            return Ok(ExitCode::from(EXIT_ERROR));
        };
        let Some(pattern) = usable(&rule, name, err)? else {
            return Ok(ExitCode::from(EXIT_ERROR));
        };
        (pattern, format!("{}/{}", rule.service, rule.name))
    };
    if args.file == "-" && std::io::stdin().is_terminal() {
        writeln!(
            err,
            "reading the event from standard input (end with Ctrl-D; or give a FILE)"
        )?;
    }
    let input = read_input(&args.file)?;
    let event = match Event::from_slice(&input).and_then(Event::into_delivered) {
        Ok(e) => e,
        Err(e) => {
            writeln!(err, "error: {}: {e}", args.file)?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let explanation = pattern.explain(&event);
    write!(out, "{}", explanation.to_text(&name, color))?;
    Ok(if args.exit_code && !explanation.matches {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn graph(args: &GraphArgs, out: &mut impl Write) -> Result<ExitCode> {
    let workspace = load(None, &args.workspace)?;
    match args.format {
        GraphFormat::Mermaid => write!(out, "{}", workspace.graph_mermaid())?,
        GraphFormat::Dot => write!(out, "{}", workspace.graph_dot())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Why a rule named on the command line is not found, with the nearest name.
fn no_rule(workspace: &Workspace, name: &str) -> String {
    match workspace.nearest_rule(name) {
        Some(n) => format!("no rule named {name} (did you mean `{n}`?)"),
        None => format!("no rule named {name} (write rule or service/rule)"),
    }
}

/// The pattern of a rule named on the command line, or why there is none. A disabled rule's
/// pattern is usable, with a note.
fn usable<'w>(
    rule: &bus_contract::Rule<'w>,
    name: &str,
    err: &mut impl Write,
) -> Result<Option<&'w Pattern>> {
    match (rule.state, rule.pattern) {
        (RuleState::Unresolved, _) => {
            writeln!(
                err,
                "error: rule {name} holds values that cannot be resolved offline; `bus-contract check` lists them (--parameter KEY=VALUE sets a parameter)"
            )?;
            Ok(None)
        }
        (_, None) => {
            writeln!(
                err,
                "error: the pattern of rule {name} is invalid; `bus-contract check` says why"
            )?;
            Ok(None)
        }
        (state, Some(p)) => {
            if state == RuleState::Disabled {
                writeln!(
                    err,
                    "note: rule {name} is DISABLED: EventBridge does not match it; this is its pattern as if enabled"
                )?;
            }
            Ok(Some(p))
        }
    }
}

pub fn import(
    args: &ImportCommandArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode> {
    let parameters: std::collections::BTreeMap<String, String> =
        args.parameters.iter().cloned().collect();
    let mut all = bus_contract::import::Imported::default();
    let mut unreadable = false;
    for file in &args.files {
        if !file.exists() {
            writeln!(err, "error: {} does not exist", file.display())?;
            unreadable = true;
            continue;
        }
        let imported = bus_contract::import::import(file, &file.display().to_string(), &parameters);
        for p in &imported.problems {
            writeln!(
                err,
                "error: {}{}: {}",
                p.file,
                place(&p.location),
                p.message
            )?;
            unreadable = true;
        }
        for w in imported.unread.iter().chain(&imported.warnings) {
            writeln!(
                err,
                "warning: {}{}: {}",
                w.file,
                place(&w.location),
                w.message
            )?;
        }
        for r in &imported.rules {
            for n in r.unresolved.iter().chain(&r.warnings) {
                writeln!(
                    err,
                    "note: {}{} ({}): {}",
                    n.file,
                    place(&n.location),
                    r.origin,
                    n.message
                )?;
            }
        }
        for f in &imported.filters {
            for n in &f.unresolved {
                writeln!(
                    err,
                    "note: {}{} ({}): {}",
                    n.file,
                    place(&n.location),
                    f.origin,
                    n.message
                )?;
            }
        }
        all.extend(imported);
    }
    let (rules, filters) = (&all.rules, &all.filters);
    let service = args.service.clone().unwrap_or_else(|| {
        args.files
            .first()
            .map(|f| bus_contract::import::default_service(f))
            .unwrap_or_default()
    });
    // A failed import prints no contract: `> contracts/x.yaml` must not overwrite a real one
    // with a partial or empty one.
    if unreadable {
        writeln!(
            err,
            "nothing printed: fix the errors above and import again"
        )?;
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    write!(
        out,
        "{}",
        bus_contract::import::to_contract_yaml(&service, &all)
    )?;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(
        err,
        "{} rule{} and {} filter{} imported",
        rules.len(),
        plural(rules.len()),
        filters.len(),
        plural(filters.len())
    )?;
    Ok(ExitCode::SUCCESS)
}

fn place(location: &bus_contract::Location) -> String {
    match location.to_string() {
        l if l.is_empty() => String::new(),
        l if l.starts_with('/') => format!(" {l}"),
        l => format!(":{l}"),
    }
}
