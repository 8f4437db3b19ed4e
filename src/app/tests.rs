//! Headless interface tests.
