//! Runnable tours of the crm engine; see `tour.rs`.
