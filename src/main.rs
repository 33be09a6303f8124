fn main() -> std::process::ExitCode {
    qualitrack::cli::main()
}
