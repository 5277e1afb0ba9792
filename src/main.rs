//! `nianbao`: the command line. Each sub-command lives in its own module and
//! owns its arguments; this file only dispatches and maps errors to exit codes
//! (0 clean, 1 findings, 2 bad usage / unreadable input / invalid rules).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod check;
mod config;
mod diff;
mod extract;
mod inputs;
mod review;
mod rules_cmd;
mod serve;

/// Lint China's annual government information disclosure reports
/// (政府信息公开工作年度报告).
#[derive(Parser)]
#[command(name = "nianbao", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check reports against the template's rules and print findings.
    Check(check::Args),
    /// Compare a body's report with last year's: repeated narrative per
    /// section and every table cell's change.
    Diff(diff::Args),
    /// Read reports and print every table cell (TSV, CSV or JSON).
    Extract(extract::Args),
    /// Validate, list and test rule files.
    Rules(rules_cmd::Args),
    /// Record a reviewer's decisions on findings (confirm, dismiss with a
    /// reason) in a review file that `check --review` applies.
    Review(review::Args),
    /// Serve a local web page to check reports in a browser (127.0.0.1).
    Serve(serve::Args),
}

// Batch checking allocates many small, short-lived strings per report;
// mimalloc serves them faster than glibc's malloc (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for bad usage, unreadable input or invalid rules.
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Review(args) => review::run(args),
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
