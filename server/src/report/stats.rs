//! Statistical formulas of the reports (written once, tested against published examples).
