//! Errors that stop a command (a bad question, a bad configuration), rendered for
//! people with miette: the message, the code, the help, and the source where known.

use miette::{GraphicalReportHandler, GraphicalTheme};

/// A diagnostic as text for stderr.
pub fn render(e: &dyn miette::Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    match handler.render_report(&mut out, e) {
        Ok(()) => out,
        Err(_) => format!("error: {e}\n"),
    }
}
