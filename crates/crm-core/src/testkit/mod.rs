//! Test support for stores and hosts: the in-memory store and the store conformance suite.

pub mod memory;

pub use memory::MemoryStore;
