//! The two faces a printed agreement uses, Helvetica and Helvetica-Bold: two of the standard
//! fonts every PDF reader has, so nothing is embedded. Text is written in WinAnsiEncoding
//! (Windows-1252), which holds every letter of German and the agreement's signs (§, „“, –, €).
//!
//! The advance widths, in thousandths of the font size, of codes 32 to 255 are those of Adobe's
//! Core 14 font metrics (Helvetica.afm, Helvetica-Bold.afm, 1997); a code WinAnsiEncoding leaves
//! unused is 0.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The font's name in the PDF: a standard font, known to every reader.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
        }
    }

    /// The width of `text` set at `size` points.
    pub fn width(self, text: &[u8], size: f32) -> f32 {
        let table = match self {
            Face::Regular => &HELVETICA,
            Face::Bold => &HELVETICA_BOLD,
        };
        let units: u32 = text
            .iter()
            .map(|&b| u32::from(b.checked_sub(32).map_or(0, |i| table[usize::from(i)])))
            .sum();
        units as f32 * size / 1000.0
    }
}

/// A character in WinAnsiEncoding; one it does not hold is printed as `?`.
pub fn encode(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        '\u{2010}' | '\u{2011}' => b'-',
        '\u{202f}' | '\u{2009}' => b' ',
        _ => b'?',
    }
}

const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222,
    333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 556, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278,
    500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_letters_and_the_agreements_signs_are_held() {
        let text: Vec<u8> = "§ 2 (3) Schuldnerberatung „Übersicht“ – Größe 12 €"
            .chars()
            .map(encode)
            .collect();
        assert!(!text.contains(&b'?'));
        assert_eq!(encode('ä'), 0xe4);
        assert_eq!(encode('„'), 0x84);
        assert_eq!(encode('→'), b'?');
        // An M is wider than an i, bold wider than regular.
        assert!(Face::Regular.width(b"M", 10.0) > Face::Regular.width(b"i", 10.0));
        assert!(Face::Bold.width(b"Kassel", 10.0) > Face::Regular.width(b"Kassel", 10.0));
        assert_eq!(Face::Regular.width(b" ", 1000.0), 278.0);
    }
}
