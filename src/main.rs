fn main() -> std::process::ExitCode {
    copse::cli::main()
}
