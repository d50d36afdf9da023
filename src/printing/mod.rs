//! Documents printed to PDF, for filing what was signed: paragraphs set on A4 pages in the
//! standard fonts every reader has (nothing embedded), with a footer on every page. PDF is
//! written with `pdf-writer`; what goes on the page is the caller's.

pub mod charts;
mod fonts;
mod layout;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

pub use fonts::Face;
pub use layout::{Align, Block};

/// The document's title and author, as a reader's document properties show them.
pub struct Properties<'a> {
    pub title: &'a str,
    pub author: &'a str,
}

const FONT_NAMES: [(Face, &[u8]); 2] = [(Face::Regular, b"F1"), (Face::Bold, b"F2")];

fn font_name(face: Face) -> Name<'static> {
    let (_, name) = FONT_NAMES
        .iter()
        .find(|(f, _)| *f == face)
        .expect("every face has a name");
    Name(name)
}

/// The blocks as a PDF; `footer(page, pages)` is the line at the foot of each page.
pub fn render(
    properties: &Properties,
    blocks: &[Block],
    footer: impl Fn(usize, usize) -> String,
) -> Vec<u8> {
    let pages = layout::pages(blocks);
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let fonts = [Ref::new(4), Ref::new(5)];
    // Each page: its object, then its content stream.
    let page_ref = |i: usize| Ref::new(6 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(7 + 2 * i as i32);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    pdf.document_info(info)
        .title(TextStr(properties.title))
        .author(TextStr(properties.author))
        .creator(TextStr("zv-monitor"));
    for ((face, _), id) in FONT_NAMES.iter().zip(fonts) {
        pdf.type1_font(id)
            .base_font(Name(face.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, lines) in pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, layout::PAGE_WIDTH, layout::PAGE_HEIGHT))
            .parent(tree)
            .contents(content_ref(i));
        let mut resources = page.resources();
        let mut names = resources.fonts();
        for ((face, _), id) in FONT_NAMES.iter().zip(fonts) {
            names.pair(font_name(*face), id);
        }
        names.finish();
        resources.finish();
        page.finish();
        let mut content = Content::new();
        let foot = layout::footer(&footer(i + 1, pages.len()));
        for line in lines.iter().chain(std::iter::once(&foot)) {
            content
                .begin_text()
                .set_font(font_name(line.face), line.size)
                .next_line(line.x, line.y)
                .show(Str(&line.text))
                .end_text();
        }
        pdf.stream(content_ref(i), &content.finish());
    }
    pdf.finish()
}
