//! JSON report input (`extract --format json` output read back): a report
//! that passes validation must evaluate and render without panicking.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(report) =
        nianbao_reader::read_bytes_as("fuzz.json", data, Some(nianbao_reader::InputFormat::Json))
    {
        common::check_report(&report);
    }
});
