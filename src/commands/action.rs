//! `shiplight action`: the GitHub Action's entry point. Workflow commands go to stdout, where
//! the runner reads them.

use super::block_on;
use crate::action::{self, Inputs, Runner};
use crate::exit;
use crate::report::render;

pub fn main() -> i32 {
    let inputs = match Inputs::from_env() {
        Ok(i) => i,
        Err(e) => {
            println!("::error::{}", render::escape_data(&e.to_string()));
            return exit::USAGE;
        }
    };
    let runner = Runner::from_process();
    match block_on(action::run(&inputs, &runner)) {
        Ok(Ok(outcome)) => {
            for line in action::log_lines(&outcome) {
                println!("{line}");
            }
            outcome.exit_code
        }
        Ok(Err(e)) => {
            println!("::error::{}", render::escape_data(&e.to_string()));
            e.exit_code()
        }
        Err(code) => code,
    }
}
