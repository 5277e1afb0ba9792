//! The text reader: any bytes, decoded (UTF-8, UTF-16, GB18030) and read.
//! A report must be valid, evaluate and render; an error is fine.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(report) =
        nianbao_reader::read_bytes_as("fuzz.txt", data, Some(nianbao_reader::InputFormat::Text))
    {
        common::check_report(&report);
    }
});
