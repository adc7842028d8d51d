//! Prints the model a file lowers to: `cargo run -p warden-code --example dump -- FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let src = match std::fs::read(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let Some(lang) = warden_code::ir::Lang::of_path(&path) else {
        eprintln!("{path}: not a Python, JavaScript/TypeScript or Go file");
        std::process::exit(1);
    };
    let parsed = warden_code::lower::parse(lang, &path, &src, Default::default());
    println!("{:#?}", parsed.module);
    for p in &parsed.problems {
        eprintln!("problem: {p}");
    }
}
