//! A linear pre-scan of a transaction file before serde_yaml sees it. serde_yaml needs more
//! than quadratic time to reject deeply nested flow collections (measured: 7.7 s at 60,000
//! levels, no answer within 20 s at 200,000), and it holds every parsing event of a file in
//! memory before reading any of it (about 130 bytes a value, 150 times the size of a file of
//! `- - - …`), so nesting, values and aliases are counted here in one pass, and a hostile
//! file is refused quickly with a located error.

use crate::limits::Limits;

/// The limit the scan found passed, and where.
pub enum Exceeded {
    Depth { offset: usize, limit: usize },
    Aliases { offset: usize, limit: usize },
    Nodes { offset: usize, limit: usize },
}

/// Scans for flow nesting (`[` and `{`), block nesting written on one line (`- - - x`),
/// values (scalars, collections and entries, an upper estimate of serde_yaml's events) and
/// aliases (`*name`). Quotes and comments are recognised only where YAML lets them start, so
/// `O'Brien` in a plain scalar is not a quote.
pub fn scan(text: &str, limits: &Limits) -> Result<(), Exceeded> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut aliases = 0usize;
    let mut nodes = 0usize;
    // Block collections opened on the current line (`- - ` or `? ? `).
    let mut compact = 0usize;
    let mut i = 0usize;
    // True where a new token may start: line start, after `: `, `- `, `[`, `{`, `,`, `? `.
    let mut token_start = true;
    let mut count_node = |offset: usize| {
        nodes += 1;
        if nodes > limits.max_yaml_nodes {
            Err(Exceeded::Nodes {
                offset,
                limit: limits.max_yaml_nodes,
            })
        } else {
            Ok(())
        }
    };
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                token_start = true;
                compact = 0;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' if token_start
                || bytes
                    .get(i.wrapping_sub(1))
                    .is_some_and(|c| *c == b' ' || *c == b'\t') =>
            {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' if token_start => {
                count_node(i)?;
                i = skip_quoted(bytes, i);
                token_start = false;
                continue;
            }
            b'[' | b'{' if token_start || depth > 0 => {
                count_node(i)?;
                depth += 1;
                if depth > limits.max_yaml_depth {
                    return Err(Exceeded::Depth {
                        offset: i,
                        limit: limits.max_yaml_depth,
                    });
                }
                token_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                token_start = false;
            }
            b',' if depth > 0 => token_start = true,
            b'*' if token_start => {
                count_node(i)?;
                aliases += 1;
                if aliases > limits.max_yaml_aliases {
                    return Err(Exceeded::Aliases {
                        offset: i,
                        limit: limits.max_yaml_aliases,
                    });
                }
                token_start = false;
            }
            b'-' | b'?' | b':'
                if bytes
                    .get(i + 1)
                    .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
                    || (b == b':' && depth > 0) =>
            {
                if b != b':' && token_start && depth == 0 {
                    // A block entry opened where a value starts: one level deeper on
                    // this line, and one more collection.
                    count_node(i)?;
                    compact += 1;
                    if compact > limits.max_yaml_depth {
                        return Err(Exceeded::Depth {
                            offset: i,
                            limit: limits.max_yaml_depth,
                        });
                    }
                }
                token_start = true;
            }
            _ => {
                if token_start {
                    count_node(i)?;
                }
                token_start = false;
            }
        }
        i += 1;
    }
    Ok(())
}

/// Index just past a quoted scalar starting at `start` (which may span lines).
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let quote = bytes.get(start).copied().unwrap_or(b'"');
    let mut i = start + 1;
    while let Some(&c) = bytes.get(i) {
        if quote == b'"' && c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_deep_flow_nesting_fast() {
        let text = format!("parties: {}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert!(matches!(
            scan(&text, &Limits::default()),
            Err(Exceeded::Depth { offset: 137, .. })
        ));
    }

    #[test]
    fn ignores_brackets_in_quotes_and_plain_scalars() {
        let text = "parties:\n  - name: \"[[[[\"\n    id: O'Brien [x]\n    n: '{{{'\n";
        assert!(scan(text, &Limits::default()).is_ok());
    }

    #[test]
    fn refuses_deep_block_nesting_on_one_line() {
        let text = format!("parties:\n{}x\n", "- ".repeat(200_000));
        assert!(matches!(
            scan(&text, &Limits::default()),
            Err(Exceeded::Depth { offset: 265, .. })
        ));
    }

    #[test]
    fn counts_values() {
        let limits = Limits {
            max_yaml_nodes: 6,
            ..Limits::default()
        };
        assert!(scan("a: [1, 2]\nb: c\n", &limits).is_ok());
        assert!(matches!(
            scan("a: [1, 2, 3]\nb: c\n", &limits),
            Err(Exceeded::Nodes { offset: 16, .. })
        ));
    }

    #[test]
    fn counts_aliases() {
        let text = format!("a: &a x\nb: [{}]\n", vec!["*a"; 20_000].join(", "));
        assert!(matches!(
            scan(&text, &Limits::default()),
            Err(Exceeded::Aliases { .. })
        ));
    }
}
