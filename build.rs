// The message catalogues and migrations are compiled in by macros that do not tell Cargo
// which files they read; without this, editing them would not rebuild the binary.
fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=static");
}
