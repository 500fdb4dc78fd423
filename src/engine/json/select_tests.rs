use super::select::{Elem, Event, Paths, Selector};
use super::{ErrorKind, JsonError};

#[derive(Clone, Debug)]
enum E {
    K(&'static str),
    I(usize),
    Any,
}
use E::*;

struct Set(Vec<Vec<E>>);

impl Paths for Set {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn len(&self, p: usize) -> usize {
        self.0[p].len()
    }
    fn elem(&self, p: usize, depth: usize) -> Option<Elem<'_>> {
        self.0[p].get(depth).map(|e| match e {
            K(k) => Elem::Key(k.as_bytes()),
            I(i) => Elem::Index(*i),
            Any => Elem::Any,
        })
    }
}

/// Runs the selector over `doc` cut at `cuts`, collecting the bytes of
/// every selected value per path, as the glue does.
fn select(doc: &[u8], paths: &Set, cuts: &[usize]) -> Result<Vec<Vec<String>>, JsonError> {
    let mut s = Selector::new(paths.count());
    let mut out: Vec<Vec<String>> = vec![Vec::new(); paths.count()];
    let mut open: Vec<Option<Vec<u8>>> = vec![None; paths.count()];
    let mut from = 0;
    for &to in cuts.iter().chain(core::iter::once(&doc.len())) {
        let piece = &doc[from..to];
        let mut pos = 0;
        let mut span_from: Vec<usize> = vec![0; paths.count()];
        while let Some(ev) = s.next(paths, piece, &mut pos)? {
            match ev {
                Event::Start(p) => {
                    assert!(open[p].is_none());
                    open[p] = Some(Vec::new());
                    span_from[p] = pos - 1;
                }
                Event::End(p) => {
                    let mut v = open[p].take().expect("end without start");
                    v.extend_from_slice(&piece[span_from[p]..pos]);
                    out[p].push(String::from_utf8(v).unwrap());
                }
            }
        }
        assert_eq!(pos, piece.len());
        for (p, o) in open.iter_mut().enumerate() {
            if let Some(v) = o {
                v.extend_from_slice(&piece[span_from[p]..]);
            }
        }
        from = to;
    }
    while let Some(ev) = s.finish(paths)? {
        let Event::End(p) = ev else {
            panic!("start at the end")
        };
        out[p].push(String::from_utf8(open[p].take().unwrap()).unwrap());
    }
    assert!(s.is_done());
    assert_eq!(s.active(), 0);
    Ok(out)
}

/// The same selection at every two-piece split, every three-piece split
/// of short documents, and byte by byte.
fn select_every_split(doc: &str, paths: &Set) -> Result<Vec<Vec<String>>, JsonError> {
    let doc = doc.as_bytes();
    let whole = select(doc, paths, &[]);
    for a in 0..=doc.len() {
        assert_eq!(select(doc, paths, &[a]), whole, "cut at {a}");
        if doc.len() <= 40 {
            for b in a..=doc.len() {
                assert_eq!(select(doc, paths, &[a, b]), whole, "cuts at {a}, {b}");
            }
        }
    }
    let bytes: Vec<usize> = (1..doc.len()).collect();
    assert_eq!(select(doc, paths, &bytes), whole);
    whole
}

fn one(doc: &str, path: Vec<E>) -> Vec<String> {
    select_every_split(doc, &Set(vec![path])).unwrap().remove(0)
}

const FORECAST: &str = r#"{"lat": 40.7, "current": {"temp": 21.5, "weather": [{"id": 800, "main": "Clear"}]},
 "daily": [{"max": 25, "min": 14, "note": "sun\"ny \u00e9"}, {"max": -3.5e1, "min": null},
           {"min": 1, "max": {"a": [1, 2]}}, [true]],
 "caf\u00e9": "x", "daily2": 0}"#;

#[test]
fn selects_by_key_index_and_wildcard() {
    assert_eq!(one(FORECAST, vec![K("current"), K("temp")]), ["21.5"]);
    assert_eq!(one(FORECAST, vec![K("lat")]), ["40.7"]);
    assert_eq!(
        one(FORECAST, vec![K("daily"), Any, K("max")]),
        ["25", "-3.5e1", "{\"a\": [1, 2]}"]
    );
    assert_eq!(one(FORECAST, vec![K("daily"), I(1), K("min")]), ["null"]);
    assert_eq!(one(FORECAST, vec![K("daily"), I(3), I(0)]), ["true"]);
    assert_eq!(
        one(FORECAST, vec![K("daily"), I(0), K("note")]),
        [r#""sun\"ny \u00e9""#]
    );
    assert_eq!(
        one(FORECAST, vec![K("current"), K("weather"), I(0)]),
        [r#"{"id": 800, "main": "Clear"}"#]
    );
    assert_eq!(one(FORECAST, vec![K("café")]), ["\"x\""]);
    assert_eq!(one(FORECAST, vec![K("daily2")]), ["0"]);
    assert_eq!(one(FORECAST, vec![Any, K("temp")]), ["21.5"]);
}

#[test]
fn no_match_selects_nothing() {
    for path in [
        vec![K("nope")],
        vec![K("lat"), K("x")],
        vec![K("daily"), I(9)],
        vec![K("daily"), K("max")],
        vec![K("current"), I(0)],
        vec![K("curren")],
        vec![K("currentt")],
    ] {
        assert!(one(FORECAST, path.clone()).is_empty(), "{path:?}");
    }
}

#[test]
fn empty_path_selects_the_document() {
    assert_eq!(one(" [1, {\"a\": 2}] ", vec![]), ["[1, {\"a\": 2}]"]);
    assert_eq!(one(" 42 ", vec![]), ["42"]);
    assert_eq!(one("42", vec![]), ["42"]);
    assert_eq!(one("\"s\"", vec![]), ["\"s\""]);
}

#[test]
fn several_paths_in_one_pass_including_nested_ones() {
    let paths = Set(vec![
        vec![K("current")],
        vec![K("current"), K("weather"), Any, K("main")],
        vec![K("daily"), Any, K("min")],
        vec![K("current")],
        vec![K("nothing")],
    ]);
    let got = select_every_split(FORECAST, &paths).unwrap();
    assert_eq!(
        got[0],
        [r#"{"temp": 21.5, "weather": [{"id": 800, "main": "Clear"}]}"#]
    );
    assert_eq!(got[1], ["\"Clear\""]);
    assert_eq!(got[2], ["14", "null", "1"]);
    assert_eq!(got[3], got[0]);
    assert!(got[4].is_empty());
}

#[test]
fn escaped_keys_match_their_decoded_text() {
    let doc = r#"{"t\u0065mp": 1, "\ud83d\ude00": 2, "a\/b": 3, "a/b": 4, "\"q\"": 5}"#;
    assert_eq!(one(doc, vec![K("temp")]), ["1"]);
    assert_eq!(one(doc, vec![K("\u{1f600}")]), ["2"]);
    assert_eq!(one(doc, vec![K("a/b")]), ["3", "4"]);
    assert_eq!(one(doc, vec![K("\"q\"")]), ["5"]);
    // Beyond the first astral plane the pair's offset reaches bit 16.
    let doc = r#"{"\ud840\udc00": 6, "\udbff\udfff": 7}"#;
    assert_eq!(one(doc, vec![K("\u{20000}")]), ["6"]);
    assert_eq!(one(doc, vec![K("\u{10ffff}")]), ["7"]);
}

#[test]
fn wildcard_over_an_object_takes_every_member() {
    assert_eq!(
        one(
            r#"{"a": {"v": 1}, "b": [], "c": {"v": [2]}}"#,
            vec![Any, K("v")]
        ),
        ["1", "[2]"]
    );
    assert_eq!(one(r#"[[1, 2], [3], []]"#, vec![Any, Any]), ["1", "2", "3"]);
}

#[test]
fn errors_keep_their_offset_whatever_the_split() {
    let paths = Set(vec![vec![K("a")]]);
    let e = select_every_split(r#"{"a": [1, 2,, 3]}"#, &paths).unwrap_err();
    assert_eq!(
        e,
        JsonError {
            kind: ErrorKind::Syntax,
            offset: 12
        }
    );
    let e = select_every_split(r#"{"a": 1"#, &paths).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Truncated);
    let e = select_every_split(r#"{"a": 1} x"#, &paths).unwrap_err();
    assert_eq!(
        e,
        JsonError {
            kind: ErrorKind::Syntax,
            offset: 9
        }
    );
}

#[test]
fn deep_documents_are_refused_even_when_unselected() {
    let deep = format!("{{\"a\": 1, \"b\": {}{}}}", "[".repeat(70), "]".repeat(70));
    let e = select(deep.as_bytes(), &Set(vec![vec![K("a")]]), &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooDeep);
}

#[test]
fn thirty_two_paths_at_once() {
    let doc: String = format!(
        "[{}]",
        (0..40)
            .map(|i| format!("{{\"v\": {i}}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let paths = Set((0..32).map(|i| vec![I(i), K("v")]).collect());
    let got = select(doc.as_bytes(), &paths, &[]).unwrap();
    for (i, g) in got.iter().enumerate() {
        assert_eq!(g, &[i.to_string()]);
    }
}

#[test]
fn state_is_small_and_fixed() {
    // The glue keeps a selector inside a Python object for iter_json.
    assert!(
        core::mem::size_of::<Selector>() <= 600,
        "{}",
        core::mem::size_of::<Selector>()
    );
}
