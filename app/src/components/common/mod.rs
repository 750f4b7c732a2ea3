//! Components shared by the pages.

mod crisis_box;
mod language_switch;
mod progress_bar;
mod radio_group;

pub use crisis_box::CrisisBox;
pub use language_switch::LanguageSwitch;
pub use progress_bar::ProgressBar;
pub use radio_group::{Choice, RadioGroup};
