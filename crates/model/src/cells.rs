//! [`Cells`]: a row's cells keyed by column id.
//!
//! A template row has at most a dozen columns, and readers build hundreds of
//! rows per report: a vector searched in order costs less than hashing each
//! id, allocates once per row, and keeps the order cells were read in (the
//! template's). Deserialising caps a row at [`Cells::MAX`] cells, so a JSON
//! report cannot make the linear search quadratic in its size.

use crate::report::{Cell, Id};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A row's cells keyed by column id, in the order inserted (the template's
/// column order for a reader). Equality is a map's: the same ids with equal
/// cells, in any order.
#[derive(Debug, Clone, Default)]
pub struct Cells {
    entries: Vec<(Id, Cell)>,
}

impl Cells {
    /// More cells than any template row has columns, by far; JSON rows with
    /// more are refused when deserialised.
    pub const MAX: usize = 64;

    pub fn new() -> Cells {
        Cells::default()
    }

    pub fn with_capacity(n: usize) -> Cells {
        Cells {
            entries: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, column: &str) -> Option<usize> {
        self.entries.iter().position(|(id, _)| id == column)
    }

    /// Set `column`'s cell. A column already present keeps its place and
    /// gets the new cell; the old one is returned.
    pub fn insert(&mut self, column: Id, cell: Cell) -> Option<Cell> {
        match self.position(&column) {
            Some(i) => self.entries.get_mut(i).map(|(_, c)| std::mem::replace(c, cell)),
            None => {
                self.entries.push((column, cell));
                None
            }
        }
    }

    /// Append the cell of a column not present yet, without the search
    /// [`Cells::insert`] makes: for a reader filling a row from its schema's
    /// columns, which are distinct. Checked in debug builds.
    pub fn push_distinct(&mut self, column: Id, cell: Cell) {
        debug_assert!(!self.contains_key(&column), "column {column} already present");
        self.entries.push((column, cell));
    }

    pub fn get(&self, column: &str) -> Option<&Cell> {
        self.entries.iter().find(|(id, _)| id == column).map(|(_, c)| c)
    }

    pub fn get_mut(&mut self, column: &str) -> Option<&mut Cell> {
        self.entries
            .iter_mut()
            .find(|(id, _)| id == column)
            .map(|(_, c)| c)
    }

    /// `column`'s position, id and cell.
    pub fn get_full(&self, column: &str) -> Option<(usize, &Id, &Cell)> {
        let i = self.position(column)?;
        self.entries.get(i).map(|(id, c)| (i, id, c))
    }

    /// The cell at `index` (in insertion order), with its id.
    pub fn get_index(&self, index: usize) -> Option<(&Id, &Cell)> {
        self.entries.get(index).map(|(id, c)| (id, c))
    }

    pub fn contains_key(&self, column: &str) -> bool {
        self.position(column).is_some()
    }

    /// Remove `column`'s cell; the cells after it move up.
    pub fn shift_remove(&mut self, column: &str) -> Option<Cell> {
        let i = self.position(column)?;
        Some(self.entries.remove(i).1)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Id, &Cell)> + ExactSizeIterator {
        self.entries.iter().map(|(id, c)| (id, c))
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&Id, &mut Cell)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(id, c)| (&*id, c))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Id> + ExactSizeIterator {
        self.entries.iter().map(|(id, _)| id)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Cell> + ExactSizeIterator {
        self.entries.iter().map(|(_, c)| c)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Cell> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, c)| c)
    }
}

impl PartialEq for Cells {
    fn eq(&self, other: &Cells) -> bool {
        self.len() == other.len() && self.iter().all(|(id, c)| other.get(id) == Some(c))
    }
}

impl Eq for Cells {}

impl Extend<(Id, Cell)> for Cells {
    fn extend<I: IntoIterator<Item = (Id, Cell)>>(&mut self, iter: I) {
        for (id, cell) in iter {
            self.insert(id, cell);
        }
    }
}

impl FromIterator<(Id, Cell)> for Cells {
    fn from_iter<I: IntoIterator<Item = (Id, Cell)>>(iter: I) -> Cells {
        let mut cells = Cells::new();
        cells.extend(iter);
        cells
    }
}

impl<'a> IntoIterator for &'a Cells {
    type Item = (&'a Id, &'a Cell);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Id, Cell)>, fn(&'a (Id, Cell)) -> (&'a Id, &'a Cell)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(id, c)| (id, c))
    }
}

impl IntoIterator for Cells {
    type Item = (Id, Cell);
    type IntoIter = std::vec::IntoIter<(Id, Cell)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Serialize for Cells {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (id, cell) in self {
            map.serialize_entry(id, cell)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Cells {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cells, D::Error> {
        struct CellsVisitor;
        impl<'de> Visitor<'de> for CellsVisitor {
            type Value = Cells;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "a map from column ids to cells (at most {} cells)", Cells::MAX)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cells, A::Error> {
                let mut cells = Cells::new();
                while let Some((id, cell)) = map.next_entry::<String, Cell>()? {
                    cells.insert(id.into(), cell);
                    if cells.len() > Cells::MAX {
                        return Err(serde::de::Error::custom(format!(
                            "a row has more than {} cells; no template row has more than a dozen columns",
                            Cells::MAX
                        )));
                    }
                }
                Ok(cells)
            }
        }
        d.deserialize_map(CellsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CellValue;
    use crate::span::Span;

    fn cell(n: i64) -> Cell {
        Cell {
            value: CellValue::Integer(n),
            span: Span::new(n as usize, 1),
            inferred: None,
        }
    }

    #[test]
    fn insert_keeps_the_first_place_of_a_column_and_returns_the_old_cell() {
        let mut cells = Cells::new();
        assert_eq!(cells.insert("a".into(), cell(1)), None);
        assert_eq!(cells.insert("b".into(), cell(2)), None);
        assert_eq!(cells.insert("a".into(), cell(3)), Some(cell(1)));
        let order: Vec<(&str, i64)> = cells
            .iter()
            .map(|(id, c)| (&**id, c.span.offset as i64))
            .collect();
        assert_eq!(order, [("a", 3), ("b", 2)]);
        assert_eq!(
            cells.get_full("b").map(|(i, id, _)| (i, id.to_string())),
            Some((1, "b".into()))
        );
        assert_eq!(cells.shift_remove("a"), Some(cell(3)));
        assert_eq!(cells.get_index(0).map(|(id, _)| id.to_string()), Some("b".into()));
    }

    #[test]
    fn equality_ignores_order_like_a_map() {
        let ab: Cells = [("a".into(), cell(1)), ("b".into(), cell(2))]
            .into_iter()
            .collect();
        let ba: Cells = [("b".into(), cell(2)), ("a".into(), cell(1))]
            .into_iter()
            .collect();
        let other: Cells = [("a".into(), cell(1)), ("b".into(), cell(5))]
            .into_iter()
            .collect();
        assert_eq!(ab, ba);
        assert_ne!(ab, other);
    }

    #[test]
    fn json_round_trips_in_order_and_refuses_oversized_rows() {
        let json = r#"{"total":{"value":{"kind":"integer","value":7},"span":{"offset":0,"len":1}},"natural":{"value":{"kind":"blank"},"span":{"offset":2,"len":0}}}"#;
        let cells: Cells = serde_json::from_str(json).expect("valid cells");
        assert_eq!(
            cells.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
            ["total", "natural"]
        );
        assert_eq!(serde_json::to_string(&cells).expect("serialises"), json);

        let many: String = (0..=Cells::MAX)
            .map(|i| format!(r#""c{i}":{{"value":{{"kind":"blank"}},"span":{{"offset":0,"len":0}}}}"#))
            .collect::<Vec<_>>()
            .join(",");
        let err = serde_json::from_str::<Cells>(&format!("{{{many}}}")).expect_err("too many cells");
        assert!(err.to_string().contains("more than 64 cells"), "{err}");
    }
}
