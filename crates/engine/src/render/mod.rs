//! Rendering of findings: human (miette), JSON and SARIF.
