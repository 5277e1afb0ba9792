//! The inputs of `check` and `extract`: files named on the command line,
//! directories searched for report files, standard input. They are listed
//! once, in output order, and read one at a time.
//!
//! A batch can be a whole province (100 000 reports in one directory), so
//! the list must not weigh on peak memory. The files found below a
//! directory are sorted a few thousand at a time as the walk goes, each
//! sorted run kept front-coded ([`SortedRun`], ~7 bytes a report for names
//! like `000123.txt`), and the runs are merged as the inputs are handed out.
//! Nothing the size of the whole list is ever allocated, even for a moment
//! (a transient list is not given back to the system before the checking
//! threads grow: it would add to the peak).
//!
//! This module knows paths, names and bytes; it knows nothing of reports.

use nianbao_engine::render::STDIN_NAME;
use nianbao_engine::InputFailure;
use std::io::Read;
use std::path::{Path, PathBuf};

fn io_failure(message: String) -> InputFailure {
    InputFailure {
        code: "nianbao::io".to_string(),
        message,
        help: None,
    }
}

/// One input to check, as [`Inputs::iter`] hands it out with its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Stdin,
    /// A path named on the command line, or found with a name that is not
    /// UTF-8: index in [`Inputs::paths`].
    Path(u32),
    /// A file found below a directory argument: its name is its path.
    Found,
    /// A path that yielded nothing to check: index in [`Inputs::failed`].
    Failed(u32),
}

/// A stretch of the list: one input, or what a directory walk found.
enum Entry {
    One(Input),
    Walked(u32),
}

/// Every input, in output order, compactly.
#[derive(Default)]
pub(crate) struct Inputs {
    entries: Vec<Entry>,
    len: usize,
    /// Directories given on the command line.
    roots: Vec<String>,
    walked: Vec<Walked>,
    paths: Vec<PathBuf>,
    failed: Vec<(String, InputFailure)>,
}

impl Inputs {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The inputs in output order, each with the name shown in output.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Input, String)> + '_ {
        self.entries.iter().flat_map(move |entry| {
            let (one, walked) = match entry {
                Entry::One(input) => (Some((*input, self.name(*input))), None),
                Entry::Walked(i) => (None, self.walked.get(*i as usize).map(|w| self.merge(w))),
            };
            one.into_iter().chain(walked.into_iter().flatten())
        })
    }

    fn push_entry(&mut self, entry: Entry, len: usize) {
        self.entries.push(entry);
        self.len += len;
    }

    fn push(&mut self, input: Input) {
        self.push_entry(Entry::One(input), 1);
    }

    fn push_path(&mut self, path: PathBuf) {
        self.push(Input::Path(self.paths.len() as u32));
        self.paths.push(path);
    }

    fn push_failed(&mut self, name: String, failure: InputFailure) {
        self.push(Input::Failed(self.failed.len() as u32));
        self.failed.push((name, failure));
    }

    /// The name shown in output of an input that is not [`Input::Found`]
    /// (whose name comes with it from [`Inputs::iter`]).
    fn name(&self, input: Input) -> String {
        match input {
            Input::Stdin => STDIN_NAME.to_string(),
            Input::Failed(i) => self
                .failed
                .get(i as usize)
                .map_or_else(String::new, |(n, _)| n.clone()),
            Input::Path(i) => self
                .paths
                .get(i as usize)
                .map_or_else(String::new, |p| p.display().to_string()),
            Input::Found => String::new(),
        }
    }

    pub(crate) fn has_stdin(&self) -> bool {
        self.entries.iter().any(|e| matches!(e, Entry::One(Input::Stdin)))
    }

    /// What `walked` found, in path order: its sorted runs and its other
    /// inputs merged, smallest path first.
    fn merge<'a>(&'a self, walked: &'a Walked) -> impl Iterator<Item = (Input, String)> + 'a {
        let root = self.roots.get(walked.root as usize).map_or("", String::as_str);
        let mut cursors: Vec<RunCursor<'a>> = walked.runs.iter().map(RunCursor::new).collect();
        let mut heads = std::collections::BinaryHeap::new();
        for (source, cursor) in cursors.iter_mut().enumerate() {
            if let Some(name) = cursor.advance() {
                heads.push(Head {
                    below: name.to_vec(),
                    source,
                });
            }
        }
        let mut others = walked.others.iter().enumerate().peekable();
        std::iter::from_fn(move || {
            let other_first = match (others.peek(), heads.peek()) {
                (Some((_, (below, _))), Some(head)) => path_order(below.as_bytes(), &head.below).is_le(),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if other_first {
                let (_, (_, input)) = others.next()?;
                return Some((*input, self.name(*input)));
            }
            let head = heads.pop()?;
            let mut name = Vec::with_capacity(root.len() + head.below.len());
            name.extend_from_slice(root.as_bytes());
            name.extend_from_slice(&head.below);
            if let Some(next) = cursors.get_mut(head.source).and_then(RunCursor::advance) {
                heads.push(Head {
                    below: next.to_vec(),
                    source: head.source,
                });
            }
            // The names were `str`s below a UTF-8 root.
            let name = String::from_utf8(name)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            Some((Input::Found, name))
        })
    }
}

/// What the walk of one directory argument found.
struct Walked {
    /// Index in [`Inputs::roots`].
    root: u32,
    /// The files' paths below the root, in sorted runs.
    runs: Vec<SortedRun>,
    /// Walk errors and names that are not UTF-8, sorted by their path below
    /// the root (empty where it is not UTF-8).
    others: Vec<(String, Input)>,
}

/// Names found in a row while walking, at most this many sorted at once.
const RUN: usize = 4096;

/// Names in path order, front-coded: each is stored as the number of bytes
/// it shares with the one before and the bytes that follow. Sorted names
/// of a corpus share most of their bytes (`…/000123.txt`, `…/000124.txt`).
/// Read in order only ([`RunCursor`]).
struct SortedRun {
    /// Per name: shared length and rest length (LEB128), then the rest.
    bytes: Vec<u8>,
}

impl SortedRun {
    /// `names` front-coded in path order.
    fn new(mut names: Vec<&str>) -> SortedRun {
        names.sort_unstable_by(|a, b| path_order(a.as_bytes(), b.as_bytes()));
        let mut bytes = Vec::new();
        let mut previous: &[u8] = &[];
        for name in names {
            let name = name.as_bytes();
            let shared = previous.iter().zip(name).take_while(|(a, b)| a == b).count();
            let rest = name.get(shared..).unwrap_or_default();
            push_leb128(&mut bytes, shared);
            push_leb128(&mut bytes, rest.len());
            bytes.extend_from_slice(rest);
            previous = name;
        }
        bytes.shrink_to_fit();
        SortedRun { bytes }
    }
}

/// Names found since the last sorted run, one after the other: one buffer
/// reused for every run of a walk.
#[derive(Default)]
struct Unsorted {
    names: String,
    /// Where each name ends in `names`.
    ends: Vec<usize>,
}

impl Unsorted {
    fn push(&mut self, name: &str) {
        self.names.push_str(name);
        self.ends.push(self.names.len());
    }

    /// The names as a sorted run (none if there are none), leaving the
    /// buffer empty.
    fn sort(&mut self) -> Option<SortedRun> {
        let mut start = 0;
        let names: Vec<&str> = self
            .ends
            .iter()
            .map(|&end| {
                let name = self.names.get(start..end).unwrap_or("");
                start = end;
                name
            })
            .collect();
        let run = (!names.is_empty()).then(|| SortedRun::new(names));
        self.names.clear();
        self.ends.clear();
        run
    }
}

/// Reads a [`SortedRun`]'s names in order.
struct RunCursor<'a> {
    bytes: &'a [u8],
    at: usize,
    name: Vec<u8>,
}

impl<'a> RunCursor<'a> {
    fn new(run: &'a SortedRun) -> RunCursor<'a> {
        RunCursor {
            bytes: &run.bytes,
            at: 0,
            name: Vec::new(),
        }
    }

    /// The next name, if any.
    fn advance(&mut self) -> Option<&[u8]> {
        let (shared, at) = read_leb128(self.bytes, self.at)?;
        let (rest, at) = read_leb128(self.bytes, at)?;
        let end = at.checked_add(rest)?;
        if shared > self.name.len() {
            return None;
        }
        self.name.truncate(shared);
        self.name.extend_from_slice(self.bytes.get(at..end)?);
        self.at = end;
        Some(&self.name)
    }
}

/// The current name of a sorted run in a merge: the smallest comes first
/// out of the (max-)heap, and of equal names the earlier run's.
struct Head {
    below: Vec<u8>,
    source: usize,
}

impl Ord for Head {
    fn cmp(&self, other: &Head) -> std::cmp::Ordering {
        path_order(&other.below, &self.below).then(other.source.cmp(&self.source))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Head {}

/// Unsigned LEB128: seven bits a byte, high bit set on all but the last.
fn push_leb128(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_leb128(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut n = 0usize;
    for shift in (0..usize::BITS).step_by(7) {
        let byte = *bytes.get(at)?;
        at += 1;
        n |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some((n, at));
        }
    }
    None
}

/// The order of two paths as `Path`'s (component by component), for paths
/// whose components are joined by single `/` and hold no `.` component, as
/// a directory walk builds them: the bytes compared with the separator
/// below every other byte.
fn path_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { u16::from(c) + 1 };
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((x, y)) => key(*x).cmp(&key(*y)),
        None => a.len().cmp(&b.len()),
    }
}

/// Read each input of `paths` (files, directories searched for report files,
/// `-` for standard input) in output order, one at a time, handing `f` its
/// name and its bytes or why it could not be read. `extract` reads its
/// inputs this way, so both commands take the same inputs.
pub(crate) fn for_each_input(
    paths: &[String],
    max_bytes: u64,
    mut f: impl FnMut(String, Result<Vec<u8>, InputFailure>),
) {
    let inputs = collect_inputs(paths, &globset::GlobSet::empty(), false);
    for (input, name) in inputs.iter() {
        let bytes = read_input(&inputs, input, &name, max_bytes);
        f(name, bytes);
    }
}

/// The inputs `paths` name, in output order: each argument in turn, the
/// report files of a directory in path order (those `globs` match, or with
/// a searched extension when `use_globs` is false).
pub(crate) fn collect_inputs(paths: &[String], globs: &globset::GlobSet, use_globs: bool) -> Inputs {
    let mut inputs = Inputs::default();
    for arg in paths {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(arg);
        if !path.is_dir() {
            // Named files are checked whatever their name; a missing one
            // fails when it is read.
            inputs.push_path(path.to_path_buf());
            continue;
        }
        let before = inputs.len();
        let wanted = |p: &Path| {
            if use_globs {
                globs.is_match(p)
            } else {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(nianbao_reader::InputFormat::is_searched_extension)
            }
        };
        walk(&mut inputs, arg, wanted);
        if inputs.len() == before {
            inputs.push_failed(
                arg.clone(),
                InputFailure {
                    code: "nianbao::io::no_reports".to_string(),
                    message: "no report files in this directory".to_string(),
                    help: Some(if use_globs {
                        "no file matches the --glob patterns".to_string()
                    } else {
                        let extensions: Vec<String> = nianbao_reader::InputFormat::searched_extensions()
                            .map(|e| format!(".{e}"))
                            .collect();
                        format!(
                            "reports are {} files; use --glob to choose others",
                            extensions.join(", ")
                        )
                    }),
                },
            );
        }
    }
    inputs
}

/// Add the files below directory `root` that are `wanted`, in path order
/// (as a walk visiting each directory's entries sorted by name would), with
/// the errors met on the way in their places.
fn walk(inputs: &mut Inputs, root: &str, wanted: impl Fn(&Path) -> bool) {
    // Not walkdir's sorting, which holds every entry of a directory
    // (100 000 paths): the walk streams, and sorts what it finds a run at
    // a time in one reused buffer.
    let mut walked = Walked {
        root: inputs.roots.len() as u32,
        runs: Vec::new(),
        others: Vec::new(),
    };
    inputs.roots.push(root.to_string());
    let mut unsorted = Unsorted::default();
    let mut found = 0;
    for entry in walkdir::WalkDir::new(root) {
        match entry {
            Err(e) => {
                let name = e
                    .path()
                    .map_or_else(|| root.to_string(), |p| p.display().to_string());
                let below = name.strip_prefix(root).unwrap_or(&name).to_string();
                walked
                    .others
                    .push((below, Input::Failed(inputs.failed.len() as u32)));
                inputs.failed.push((name, io_failure(e.to_string())));
            }
            Ok(entry) if entry.file_type().is_file() && wanted(entry.path()) => {
                match entry.path().to_str().and_then(|p| p.strip_prefix(root)) {
                    Some(below) => {
                        unsorted.push(below);
                        found += 1;
                        if unsorted.ends.len() == RUN {
                            walked.runs.extend(unsorted.sort());
                        }
                    }
                    None => {
                        walked
                            .others
                            .push((String::new(), Input::Path(inputs.paths.len() as u32)));
                        inputs.paths.push(entry.path().to_path_buf());
                    }
                }
            }
            Ok(_) => {}
        }
    }
    walked.runs.extend(unsorted.sort());
    walked
        .others
        .sort_by(|(a, _), (b, _)| path_order(a.as_bytes(), b.as_bytes()));
    let len = found + walked.others.len();
    if len > 0 {
        inputs.push_entry(Entry::Walked(inputs.walked.len() as u32), len);
        inputs.walked.push(walked);
    }
}

/// An input's bytes (`name` is its name, [`Inputs::name`]).
pub(crate) fn read_input(
    inputs: &Inputs,
    input: Input,
    name: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, InputFailure> {
    let mut bytes = Vec::new();
    let len = read_input_into(inputs, input, name, max_bytes, &mut bytes)?;
    bytes.truncate(len);
    Ok(bytes)
}

/// Bytes a read buffer starts with: a report file in one read.
const READ_BUFFER_START: usize = 64 << 10;

/// Read an input into `buffer`, reused from input to input: its bytes are
/// `buffer[..n]` for the `n` returned (the buffer's length is what has
/// been written in it so far, never less than `n`).
pub(crate) fn read_input_into(
    inputs: &Inputs,
    input: Input,
    name: &str,
    max_bytes: u64,
    buffer: &mut Vec<u8>,
) -> Result<usize, InputFailure> {
    let too_large = |len: u64| InputFailure {
        code: "nianbao::io::too_large".to_string(),
        message: format!("file is larger than {} MiB ({len} bytes)", max_bytes >> 20),
        help: Some("raise the limit with --max-size".to_string()),
    };
    let path = match input {
        Input::Failed(i) => {
            return Err(inputs
                .failed
                .get(i as usize)
                .map_or_else(|| io_failure("no input".to_string()), |(_, f)| f.clone()))
        }
        Input::Stdin => {
            buffer.clear();
            std::io::stdin()
                .lock()
                .take(max_bytes.saturating_add(1))
                .read_to_end(buffer)
                .map_err(|e| io_failure(format!("cannot read standard input: {e}")))?;
            if buffer.len() as u64 > max_bytes {
                return Err(too_large(buffer.len() as u64));
            }
            return Ok(buffer.len());
        }
        Input::Path(i) => inputs
            .paths
            .get(i as usize)
            .map_or(Path::new(""), PathBuf::as_path),
        Input::Found => Path::new(name),
    };
    // One open and reads until the end, no stat: at 100 000 files the
    // system calls count. A file larger than the limit (or growing past it
    // while being read) is read up to one byte past the limit and refused.
    let cannot_read = |e: std::io::Error| io_failure(format!("cannot read: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let limit = usize::try_from(max_bytes.saturating_add(1)).unwrap_or(usize::MAX);
    let mut filled = 0;
    loop {
        let end = buffer.len().min(limit);
        if filled == end {
            if end == limit {
                break;
            }
            // Not `clamp`: it panics on a limit below the start size.
            let grown = buffer.len().saturating_mul(2).max(READ_BUFFER_START).min(limit);
            buffer.resize(grown, 0);
            continue;
        }
        match file.read(buffer.get_mut(filled..end).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cannot_read(e)),
        }
    }
    if filled as u64 > max_bytes {
        // The size on disk, where it can be told.
        let len = file
            .metadata()
            .map_or(filled as u64, |m| m.len().max(filled as u64));
        return Err(too_large(len));
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names come out of a run in path order as they went in, with shared
    /// prefixes that end inside a character and names longer than one
    /// LEB128 byte can say.
    #[test]
    fn sorted_runs_give_back_their_names_in_order() {
        let mut names: Vec<String> = (0..300).rev().map(|i| format!("省/市{i:05}.txt")).collect();
        names.push(format!("省/{}", "长".repeat(100)));
        names.push(format!("省/{}", "长".repeat(100) + "a"));
        names.push("省/阳".to_string());
        names.push("省/陽".to_string());
        names.push("省-a".to_string());
        let run = SortedRun::new(names.iter().map(String::as_str).collect());
        let mut cursor = RunCursor::new(&run);
        let mut out = Vec::new();
        while let Some(name) = cursor.advance() {
            out.push(String::from_utf8(name.to_vec()).expect("UTF-8"));
        }
        names.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        assert_eq!(out, names);
        // Sorted names of a corpus take a fraction of their length.
        let full: usize = names.iter().take(300).map(String::len).sum();
        let first = SortedRun::new(names.iter().take(300).map(String::as_str).collect());
        assert!(first.bytes.len() * 2 < full, "{} of {full}", first.bytes.len());
    }

    #[test]
    fn leb128_round_trips() {
        for n in [0, 1, 127, 128, 255, 16_383, 16_384, usize::MAX] {
            let mut out = vec![9];
            push_leb128(&mut out, n);
            assert_eq!(read_leb128(&out, 1), Some((n, out.len())), "{n}");
        }
        assert_eq!(read_leb128(&[0x80, 0x80], 0), None, "cut short");
    }

    /// A directory of more files than a run holds comes out in path order
    /// (the runs merged), between the inputs named before and after it.
    #[test]
    fn a_directory_comes_out_in_path_order_across_runs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let count = RUN * 2 + 123;
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let mut expected = Vec::new();
        for i in 0..count {
            // Names whose order is not their creation order, one below a
            // subdirectory (which sorts after "sub-…" names).
            let name = match i % 3 {
                0 => format!("{:05}.txt", count - i),
                1 => format!("sub-{i:05}.txt"),
                _ => format!("sub/{i:05}.txt"),
            };
            std::fs::write(dir.path().join(&name), "").expect("write");
            expected.push(name);
        }
        std::fs::write(dir.path().join("skipped.tsv"), "").expect("write");
        expected.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        let root = dir.path().to_str().expect("UTF-8").to_string();
        let args = ["-".to_string(), root.clone(), "missing.txt".to_string()];
        let inputs = collect_inputs(&args, &globset::GlobSet::empty(), false);
        assert_eq!(inputs.len(), count + 2);
        let listed: Vec<(Input, String)> = inputs.iter().collect();
        assert_eq!(listed.len(), count + 2);
        assert_eq!(listed.first(), Some(&(Input::Stdin, STDIN_NAME.to_string())));
        assert_eq!(listed.last().map(|(_, n)| n.as_str()), Some("missing.txt"));
        let found: Vec<&str> = listed
            .iter()
            .filter(|(i, _)| *i == Input::Found)
            .map(|(_, n)| {
                n.strip_prefix(&root)
                    .and_then(|n| n.strip_prefix('/'))
                    .unwrap_or(n)
            })
            .collect();
        assert_eq!(found, expected);
        assert!(inputs.has_stdin());
    }

    /// A limit below the buffer's starting size reads up to one byte past
    /// it and refuses the file (no panic growing the buffer).
    #[test]
    fn a_file_over_a_small_limit_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("r.txt");
        std::fs::write(&file, "总计 12345").expect("write");
        let mut inputs = Inputs::default();
        inputs.push_path(file.clone());
        let (input, name) = inputs.iter().next().expect("one input");
        let mut buffer = Vec::new();
        let refused = read_input_into(&inputs, input, &name, 3, &mut buffer);
        assert_eq!(
            refused.err().map(|f| f.code),
            Some("nianbao::io::too_large".to_string())
        );
        let read = read_input_into(&inputs, input, &name, 64, &mut buffer);
        assert_eq!(read.ok(), Some("总计 12345".len()));
        assert_eq!(buffer.get(..6), Some("总计".as_bytes()));
    }

    /// Every path a walk can build from short names over characters that
    /// sort below, at and above the separator (with and without a leading
    /// separator) is ordered as `Path` orders it.
    #[test]
    fn found_paths_are_ordered_as_path_orders_them() {
        let alphabet = ["a", "-", ".", "/", "0", "é", " "];
        let mut names: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        names.sort();
        names.dedup();
        // As a walk builds them: names joined by one separator, no `.` or
        // `..` component, nothing after a last separator.
        let walked = |p: &&String| {
            let below = p.strip_prefix('/').unwrap_or(p);
            below.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        };
        let paths: Vec<&String> = names.iter().filter(walked).collect();
        assert!(paths.len() > 1000, "{}", paths.len());
        for a in &paths {
            for b in &paths {
                if a.starts_with('/') == b.starts_with('/') {
                    assert_eq!(
                        path_order(a.as_bytes(), b.as_bytes()),
                        Path::new(a.as_str()).cmp(Path::new(b.as_str())),
                        "{a:?} {b:?}"
                    );
                }
            }
        }
    }
}
