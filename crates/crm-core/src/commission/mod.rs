//! Commission (提成, 薪酬管理): the band rules a plan pays by (DESIGN §4.10). This module
//! holds the pure calculation; plans, statements and their approval build on it.

pub mod bands;

pub use bands::{Band, BandBasis, BandMode, Bands};
