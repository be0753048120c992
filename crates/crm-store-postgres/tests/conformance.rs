//! The store conformance suite of `crm_core::testkit`, run against PostgreSQL (one fresh
//! schema per case, dropped when the case passes).

mod common;

crm_core::crm_store_conformance_tests!(common::fresh_store, common::drop_store);
