//! The `bus-contract` command: a thin layer over the library.

// Doc comments in this binary are `--help` text, read in a terminal, not rustdoc.
#![allow(clippy::doc_markdown)]

mod args;
mod cmd;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`bus-contract … | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "error: {e:#}");
            ExitCode::from(cmd::EXIT_ERROR)
        }
    }
}

fn run(cli: &args::Cli) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    // Color is decided once, here, from --color, NO_COLOR (set and not empty, as no-color.org
    // says), TERM=dumb and whether stdout is a terminal.
    let color = match cli.color {
        args::ColorChoice::Always => true,
        args::ColorChoice::Never => false,
        args::ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && io::stdout().is_terminal()
        }
    };
    colored::control::set_override(color);
    match &cli.command {
        args::Command::Check(a) => cmd::check(a, color, &mut out),
        args::Command::Snapshot(a) => cmd::snapshot(a, &mut out),
        args::Command::Generate(a) => cmd::generate(a, &mut out, &mut err),
        args::Command::Match(a) => cmd::match_events(a, color, &mut out, &mut err),
        args::Command::Explain(a) => cmd::explain(a, color, &mut out, &mut err),
        args::Command::Graph(a) => cmd::graph(a, &mut out),
        args::Command::TestPattern(a) => cmd::test_pattern(a, &mut out, &mut err),
        args::Command::Validate(a) => cmd::validate(a, &mut out, &mut err),
        args::Command::Import(a) => cmd::import(a, &mut out, &mut err),
        args::Command::Completions(a) => {
            let mut command = <args::Cli as clap::CommandFactory>::command();
            clap_complete::generate(a.shell, &mut command, "bus-contract", &mut out);
            Ok(ExitCode::SUCCESS)
        }
        args::Command::Man => {
            let command = <args::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
