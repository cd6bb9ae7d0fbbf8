//! A layered (Sugiyama-style) layout of a directed graph, left to right: cycles are
//! broken by reversing the edges a depth-first search finds going back, each node sits
//! in the column of its longest path from a source, and the nodes of each column are
//! ordered by the barycenter of their neighbours over a few sweeps to cut crossings.
//! Pure geometry: what the nodes mean is the caller's business.

/// Sizes of the drawing, in SVG user units.
pub const NODE_HEIGHT: f32 = 40.0;
const COLUMN_GAP: f32 = 90.0;
const ROW_GAP: f32 = 14.0;
const MARGIN: f32 = 12.0;
/// Width per character of a label (12 px bold sans-serif, a generous average).
const CHAR_WIDTH: f32 = 7.6;
const MIN_WIDTH: f32 = 96.0;
/// Sweeps of the barycenter ordering: more rarely changes anything.
const SWEEPS: usize = 8;

/// Where a node is drawn: its top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub x: f32,
    pub y: f32,
    pub width: f32,
}

/// The layout of a graph: one place per node, and the size of the drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub places: Vec<Place>,
    pub width: f32,
    pub height: f32,
}

/// Lays out `widths.len()` nodes (each as wide as its longest label, in characters)
/// joined by `edges` (from, to). Self-loops and duplicate edges are allowed.
pub fn layout(chars: &[usize], edges: &[(usize, usize)]) -> Layout {
    let n = chars.len();
    if n == 0 {
        return Layout {
            places: Vec::new(),
            width: 0.0,
            height: 0.0,
        };
    }
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .collect();
    let acyclic = break_cycles(n, &edges);
    let layer = layers(n, &acyclic);
    let columns = order(n, &layer, &acyclic);
    let widths: Vec<f32> = chars
        .iter()
        .map(|&c| (c as f32 * CHAR_WIDTH + 20.0).max(MIN_WIDTH))
        .collect();
    place(&columns, &widths)
}

/// The edges with every back edge of a depth-first search reversed: a DAG.
fn break_cycles(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        out_edges[a].push(b);
    }
    // 0 = not seen, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    let mut back = std::collections::HashSet::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = out_edges[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {
                        back.insert((v, w));
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    edges
        .iter()
        .map(|&(a, b)| {
            if back.contains(&(a, b)) {
                (b, a)
            } else {
                (a, b)
            }
        })
        .collect()
}

/// Column of each node: the length of the longest path that reaches it.
fn layers(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        indegree[b] += 1;
        out_edges[a].push(b);
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &w in &out_edges[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    layer
}

/// The nodes of each column, top to bottom.
fn order(n: usize, layer: &[usize], dag: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let depth = layer.iter().copied().max().unwrap_or(0) + 1;
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for v in 0..n {
        columns[layer[v]].push(v);
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        preds[b].push(a);
        succs[a].push(b);
    }
    // Position of each node in its column, scaled to 0..1 so columns of different
    // heights compare.
    let mut pos = vec![0f32; n];
    let update = |columns: &Vec<Vec<usize>>, pos: &mut Vec<f32>| {
        for col in columns {
            let len = col.len().max(1) as f32;
            for (i, &v) in col.iter().enumerate() {
                pos[v] = (i as f32 + 0.5) / len;
            }
        }
    };
    update(&columns, &mut pos);
    for sweep in 0..SWEEPS {
        let neighbours = if sweep % 2 == 0 { &preds } else { &succs };
        for col in columns.iter_mut() {
            let keys: Vec<(usize, f32)> = col
                .iter()
                .map(|&v| {
                    let ns = &neighbours[v];
                    let key = if ns.is_empty() {
                        pos[v]
                    } else {
                        ns.iter().map(|&w| pos[w]).sum::<f32>() / ns.len() as f32
                    };
                    (v, key)
                })
                .collect();
            let mut sorted = keys;
            // Stable: ties keep the order they had.
            sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
            *col = sorted.into_iter().map(|(v, _)| v).collect();
        }
        update(&columns, &mut pos);
    }
    columns
}

fn place(columns: &[Vec<usize>], widths: &[f32]) -> Layout {
    let mut places = vec![
        Place {
            x: 0.0,
            y: 0.0,
            width: 0.0
        };
        widths.len()
    ];
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0) as f32;
    let height = tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + 2.0 * MARGIN;
    let mut x = MARGIN;
    for col in columns {
        let col_width = col.iter().map(|&v| widths[v]).fold(0f32, f32::max);
        let used = col.len() as f32 * (NODE_HEIGHT + ROW_GAP) - ROW_GAP;
        let top = MARGIN + (height - 2.0 * MARGIN - used) / 2.0;
        for (i, &v) in col.iter().enumerate() {
            places[v] = Place {
                x,
                y: top + i as f32 * (NODE_HEIGHT + ROW_GAP),
                width: widths[v],
            };
        }
        x += col_width + COLUMN_GAP;
    }
    Layout {
        places,
        width: x - COLUMN_GAP + MARGIN,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_goes_left_to_right() {
        let l = layout(&[4, 4, 4], &[(0, 1), (1, 2)]);
        assert!(l.places[0].x < l.places[1].x);
        assert!(l.places[1].x < l.places[2].x);
    }

    #[test]
    fn a_cycle_still_gets_every_node_placed_apart() {
        let l = layout(&[4, 4, 4], &[(0, 1), (1, 2), (2, 0)]);
        let mut xs: Vec<f32> = l.places.iter().map(|p| p.x).collect();
        xs.dedup();
        assert_eq!(xs.len(), 3, "{l:?}");
    }

    #[test]
    fn nodes_of_one_column_do_not_overlap() {
        let edges: Vec<(usize, usize)> = (1..6).map(|i| (0, i)).collect();
        let l = layout(&[4; 6], &edges);
        let mut ys: Vec<f32> = l.places[1..].iter().map(|p| p.y).collect();
        ys.sort_by(f32::total_cmp);
        for w in ys.windows(2) {
            assert!(w[1] - w[0] >= NODE_HEIGHT, "{ys:?}");
        }
        assert!(l.height >= 5.0 * NODE_HEIGHT);
    }

    #[test]
    fn barycenter_uncrosses_two_parallel_edges() {
        // 0→3 and 1→2 cross when column 1 keeps its first order (2 above 3).
        let l = layout(&[4; 4], &[(0, 3), (1, 2)]);
        let p = &l.places;
        assert_eq!(p[0].y < p[1].y, p[3].y < p[2].y, "{l:?}");
    }

    #[test]
    fn bad_edges_and_the_empty_graph_are_harmless() {
        assert!(layout(&[], &[(0, 1)]).places.is_empty());
        let l = layout(&[3], &[(0, 0), (0, 7)]);
        assert_eq!(l.places.len(), 1);
        assert!(l.width > 0.0 && l.height > 0.0);
    }
}
