//! `caducee`: the desktop client (no subcommand) and the command-line interface.

mod app;
mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
