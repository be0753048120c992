//! Test support for stores and hosts: the in-memory store, the store conformance suite
//! (`crm_store_conformance_tests!`), a ready-made two-tenant org, and sample records.

pub mod agenda_oracle;
pub mod assignment_stress;
pub mod conformance;
pub mod fixture;
pub mod interrupted_import;
pub mod memory;
pub mod samples;
pub mod scope_oracle;
pub mod stress;

pub use memory::MemoryStore;
