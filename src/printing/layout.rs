//! Paragraphs set on A4 pages: each broken into lines at spaces to fit the measure, lines moved
//! to the next page when the page is full, a paragraph's first lines kept with a heading.

use super::fonts::{Face, encode};

/// A4 in points, and the margins of a letter from a German ministry (DIN 5008 leaves 25 mm on
/// the left, 20 mm on the right).
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 71.0;
const RIGHT: f32 = 57.0;
const TOP: f32 = 64.0;
/// Room for the footer.
const BOTTOM: f32 = 72.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// One paragraph: its words, how they are set, and the room above it.
#[derive(Debug, Clone)]
pub struct Block {
    pub text: String,
    pub face: Face,
    pub size: f32,
    pub align: Align,
    /// Points from the left margin, for every line.
    pub indent: f32,
    pub space_before: f32,
    /// A heading: moved to the next page rather than left alone at the bottom of one.
    pub keep_with_next: bool,
}

impl Block {
    pub fn new(text: impl Into<String>, face: Face, size: f32) -> Self {
        Block {
            text: text.into(),
            face,
            size,
            align: Align::Left,
            indent: 0.0,
            space_before: size * 0.6,
            keep_with_next: false,
        }
    }

    pub fn centered(mut self) -> Self {
        self.align = Align::Center;
        self
    }

    pub fn indented(mut self, points: f32) -> Self {
        self.indent = points;
        self
    }

    pub fn after(mut self, points: f32) -> Self {
        self.space_before = points;
        self
    }

    pub fn heading(mut self) -> Self {
        self.keep_with_next = true;
        self
    }
}

/// One line as it is printed: where it starts (its baseline), how, and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub x: f32,
    pub y: f32,
    pub face: Face,
    pub size: f32,
    pub text: Vec<u8>,
}

/// The lines of a paragraph that fit `measure` points, broken at spaces; a word longer than
/// the measure stands on a line of its own.
fn broken(block: &Block, measure: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for word in block.text.split(' ').filter(|w| !w.is_empty()) {
        let word: Vec<u8> = word.chars().map(encode).collect();
        let mut candidate = current.clone();
        if !candidate.is_empty() {
            candidate.push(b' ');
        }
        candidate.extend_from_slice(&word);
        if current.is_empty() || block.face.width(&candidate, block.size) <= measure {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The room the lines of blocks `from..` need to stay together: a block kept with the next
/// goes whole with the following ones up to the first two lines of the first one not kept.
fn needed(blocks: &[Block], broken: &[Vec<Vec<u8>>], from: usize) -> f32 {
    let mut room = 0.0;
    for (k, block) in blocks.iter().enumerate().skip(from) {
        let leading = block.size * 1.35;
        if k > from {
            room += block.space_before;
        }
        if !block.keep_with_next {
            return room + leading * broken[k].len().min(2) as f32;
        }
        room += leading * broken[k].len() as f32;
    }
    room
}

/// The blocks set on pages; every page has at least one line.
pub fn pages(blocks: &[Block]) -> Vec<Vec<Line>> {
    let broken_all: Vec<Vec<Vec<u8>>> = blocks
        .iter()
        .map(|b| broken(b, PAGE_WIDTH - LEFT - RIGHT - b.indent))
        .collect();
    let mut pages: Vec<Vec<Line>> = vec![Vec::new()];
    let mut y = PAGE_HEIGHT - TOP;
    for (i, (block, lines)) in blocks.iter().zip(broken_all.iter().cloned()).enumerate() {
        let leading = block.size * 1.35;
        let on_page = !pages.last().is_some_and(Vec::is_empty);
        if on_page {
            y -= block.space_before;
        }
        // A block kept with the next is not left at the foot of a page without it.
        let room = needed(blocks, &broken_all, i);
        if on_page && y - room < BOTTOM && room < PAGE_HEIGHT - TOP - BOTTOM {
            pages.push(Vec::new());
            y = PAGE_HEIGHT - TOP;
        }
        for text in lines {
            if y - leading < BOTTOM {
                pages.push(Vec::new());
                y = PAGE_HEIGHT - TOP;
            }
            y -= leading;
            let x = match block.align {
                Align::Left => LEFT + block.indent,
                Align::Center => {
                    (PAGE_WIDTH + LEFT - RIGHT - block.face.width(&text, block.size)) / 2.0
                }
            };
            let face = block.face;
            let size = block.size;
            pages.last_mut().expect("there is a page").push(Line {
                x,
                y,
                face,
                size,
                text,
            });
        }
    }
    pages
}

/// The footer's line on a page: centered, small, below the text.
pub fn footer(text: &str) -> Line {
    let size = 8.0;
    let bytes: Vec<u8> = text.chars().map(encode).collect();
    Line {
        x: (PAGE_WIDTH + LEFT - RIGHT - Face::Regular.width(&bytes, size)) / 2.0,
        y: BOTTOM - 30.0,
        face: Face::Regular,
        size,
        text: bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_broken_to_the_measure_and_flow_onto_new_pages() {
        let words = "Schuldnerberatung ".repeat(400);
        let block = Block::new(words.trim(), Face::Regular, 10.0);
        let laid = pages(std::slice::from_ref(&block));
        assert!(laid.len() >= 2, "{} pages", laid.len());
        let measure = PAGE_WIDTH - LEFT - RIGHT;
        for line in laid.iter().flatten() {
            assert!(line.face.width(&line.text, line.size) <= measure + 0.01);
            assert!(line.y >= BOTTOM && line.y <= PAGE_HEIGHT - TOP);
        }
        let printed: usize = laid.iter().flatten().map(|l| l.text.len() + 1).sum();
        assert_eq!(printed, words.len(), "every word printed once");
        let centered = pages(&[Block::new("Präambel", Face::Bold, 12.0).centered()]);
        let line = &centered[0][0];
        let right = line.x + line.face.width(&line.text, line.size);
        assert!(((line.x - LEFT) - (PAGE_WIDTH - RIGHT - right)).abs() < 0.01);
    }

    #[test]
    fn a_heading_is_not_left_alone_at_the_bottom_of_a_page() {
        let filler = Block::new("x ".repeat(2500), Face::Regular, 10.0);
        let mut blocks = vec![filler];
        let laid = pages(&blocks);
        let last_y = laid.last().unwrap().last().unwrap().y;
        // Fill the page up to just above its bottom, then a heading and its paragraph.
        let gap = last_y - BOTTOM - 10.0 * 1.35;
        blocks.push(
            Block::new("§ 5", Face::Bold, 11.0)
                .after(gap.max(0.0))
                .heading(),
        );
        blocks.push(Block::new(
            "Kontinuierlicher Verbesserungsprozess",
            Face::Regular,
            10.0,
        ));
        let laid = pages(&blocks);
        let heading = laid
            .iter()
            .position(|p| p.iter().any(|l| l.text == b"\xa7 5"))
            .unwrap();
        assert_eq!(
            heading,
            laid.len() - 1,
            "the heading moved to the page of its text"
        );
    }
}
