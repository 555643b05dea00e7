//! The `stringer` binary: everything is in the library; see `stringer::cli`.

fn main() -> std::process::ExitCode {
    stringer::cli::main()
}
