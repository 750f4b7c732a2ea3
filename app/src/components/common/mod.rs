//! Components shared by the pages.

#[cfg(not(feature = "staff"))]
mod crisis_box;
mod language_switch;
mod load_status;
#[cfg(not(feature = "staff"))]
mod progress_bar;
#[cfg(not(feature = "staff"))]
mod radio_group;

#[cfg(not(feature = "staff"))]
pub use crisis_box::CrisisBox;
pub use language_switch::LanguageSwitch;
pub use load_status::{Load, LoadStatus};
#[cfg(not(feature = "staff"))]
pub use progress_bar::ProgressBar;
#[cfg(not(feature = "staff"))]
pub use radio_group::{Choice, RadioGroup};
