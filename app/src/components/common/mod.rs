//! Components shared by the pages.

mod crisis_box;
mod language_switch;
mod load_status;
mod progress_bar;
mod radio_group;

pub use crisis_box::CrisisBox;
pub use language_switch::LanguageSwitch;
pub use load_status::{Load, LoadStatus};
pub use progress_bar::ProgressBar;
pub use radio_group::{Choice, RadioGroup};
