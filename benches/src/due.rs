//! due
