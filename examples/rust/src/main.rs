//! Prints "Hello Docker" and exits: the smoke check compares output and exit code.
fn main() {
    println!("Hello Docker");
}
