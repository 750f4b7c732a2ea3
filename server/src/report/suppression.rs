//! Small-cell and complementary suppression.
