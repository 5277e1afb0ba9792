//! Recovery of table rows whose cells ran together (see issue 9).
