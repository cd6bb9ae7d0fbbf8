use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = iampath::cli::Cli::parse();
    ExitCode::from(iampath::run::run(&cli))
}
