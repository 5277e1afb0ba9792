//! Rule evaluation: owned by the rules work (see crate docs).
