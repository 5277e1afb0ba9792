//! # nianbao-reader
//!
//! Turns a report as other tools export it into a [`nianbao_model::Report`].
//! (Work in progress.)

pub mod flattened;
