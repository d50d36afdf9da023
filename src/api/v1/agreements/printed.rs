//! The agreement as a document, laid out as the seed is (title block, Präambel, the sections
//! with their paragraphs, the signature block), so HMSI can file what was signed.

use chrono::NaiveDate;

use crate::domain::agreement::{
    Agreement, AgreementStatus, Obligation, Party, Recipient, Signature,
};
use crate::domain::traeger::TraegerContent;
use crate::printing::{Block, Face, Properties, render};

const HMSI: &str = "Hessisches Ministerium für Soziales und Integration";

fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn status(s: AgreementStatus) -> &'static str {
    match s {
        AgreementStatus::Draft => "Entwurf, von niemandem unterzeichnet",
        AgreementStatus::SignedByOne => {
            "von einer Seite unterzeichnet, die zweite Unterschrift steht aus"
        }
        AgreementStatus::InForce => "in Kraft",
        AgreementStatus::Superseded => "abgelöst durch eine spätere Fassung",
    }
}

fn party(p: Party) -> &'static str {
    match p {
        Party::Hmsi => "HMSI",
        Party::Traeger => "kommunaler Träger",
    }
}

fn recipient(r: Recipient) -> &'static str {
    match r {
        Recipient::Jobcenter => "Jobcenter",
        Recipient::Hmsi => "HMSI",
        Recipient::Traeger => "kommunaler Träger",
    }
}

/// A text of paragraphs (separated by a blank line; `- ` starts an item of a list) as blocks.
fn paragraphs(text: &str, size: f32) -> Vec<Block> {
    let mut out = Vec::new();
    for paragraph in text.split("\n\n") {
        for (i, line) in paragraph.lines().enumerate() {
            let after = if i == 0 { size * 0.8 } else { size * 0.25 };
            out.push(match line.strip_prefix("- ") {
                Some(item) => Block::new(format!("– {item}"), Face::Regular, size)
                    .indented(14.0)
                    .after(after),
                None => Block::new(line, Face::Regular, size).after(after),
            });
        }
    }
    out
}

/// An obligation: its paragraph, then what the service keeps of it in a small line.
fn obligation(o: &Obligation) -> Vec<Block> {
    let c = &o.content;
    let mut out = match &c.text_de {
        Some(text) => paragraphs(text, 10.0),
        None => vec![Block::new(
            format!("{} {}", c.section, c.title_de),
            Face::Regular,
            10.0,
        )],
    };
    let mut facts = vec![
        format!("Pflicht {}", o.id),
        format!("liefert: {}", party(c.delivered_by)),
    ];
    if !c.recipients.is_empty() {
        let to: Vec<&str> = c.recipients.iter().map(|r| recipient(*r)).collect();
        facts.push(format!("an: {}", to.join(", ")));
    }
    if let Some(due) = c.due {
        facts.push(format!("Frist: {}", date(due)));
    }
    if !c.indicators.is_empty() {
        let codes: Vec<&str> = c.indicators.iter().map(|i| i.as_str()).collect();
        facts.push(format!("Kennzahlen: {}", codes.join(", ")));
    }
    out.push(
        Block::new(facts.join(" · "), Face::Regular, 8.0)
            .indented(14.0)
            .after(3.0),
    );
    out
}

/// The number of a paragraph that starts `(n)`; 0 for one that has none, which comes first.
fn number(text: &str) -> u32 {
    text.strip_prefix('(')
        .and_then(|rest| rest.split_once(')'))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(0)
}

/// Whether the obligation stands in the section (`§ 2 (3)` in `§ 2`, `§ 4` in `§ 4`).
fn within(o: &Obligation, section: &str) -> bool {
    let s = &o.content.section;
    s == section
        || s.strip_prefix(section)
            .is_some_and(|rest| rest.starts_with(' '))
}

/// A party's signature, kept on one page: place and date, the party, who signed.
fn signature_block(name: &str, signed: Option<&Signature>) -> Vec<Block> {
    let mut out = Vec::new();
    let line = match signed {
        Some(s) => format!("{}, den {}", s.place, date(s.signed_on)),
        None => "______________________, den ______________".to_owned(),
    };
    out.push(Block::new(line, Face::Regular, 10.0).after(22.0));
    out.push(Block::new(name, Face::Bold, 10.0).after(4.0));
    match signed {
        Some(s) => {
            for p in &s.signatories {
                out.push(Block::new(&p.name, Face::Regular, 10.0).after(14.0));
                out.push(Block::new(&p.function, Face::Regular, 9.0).after(1.0));
            }
        }
        None => out.push(Block::new("(noch nicht unterzeichnet)", Face::Regular, 9.0).after(14.0)),
    }
    let last = out.len() - 1;
    out.into_iter()
        .enumerate()
        .map(|(i, b)| if i < last { b.heading() } else { b })
        .collect()
}

fn title_block(a: &Agreement, traeger: &TraegerContent) -> Vec<Block> {
    vec![
        Block::new(format!("Zielvereinbarung {}", a.year), Face::Bold, 18.0)
            .centered()
            .after(0.0),
        Block::new("zwischen", Face::Regular, 11.0)
            .centered()
            .after(16.0),
        Block::new(
            "dem Hessischen Ministerium für Soziales und Integration (HMSI)",
            Face::Bold,
            12.0,
        )
        .centered()
        .after(10.0),
        Block::new("und", Face::Regular, 11.0)
            .centered()
            .after(10.0),
        Block::new(traeger.with_article(true), Face::Bold, 12.0)
            .centered()
            .after(10.0),
        Block::new(
            format!("nach {} zu den {}", a.legal_basis, a.benefits),
            Face::Regular,
            10.0,
        )
        .centered()
        .after(14.0),
        Block::new(
            format!("{} · Stand: {}", a.id, status(a.status)),
            Face::Regular,
            8.0,
        )
        .centered()
        .after(10.0),
    ]
}

fn heading(text: &str, size: f32, after: f32) -> Block {
    Block::new(text, Face::Bold, size)
        .centered()
        .after(after)
        .heading()
}

/// The sections in order, each with its own paragraphs and its obligations by their numbers
/// (§ 5 (1) is an obligation, § 5 (2) the section's own words); then obligations that stand in
/// no section, and the targets.
fn body(a: &Agreement) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut placed = vec![false; a.obligations.len()];
    for s in &a.sections {
        blocks.push(heading(&s.section, 12.0, 22.0));
        if s.title_de != s.section {
            blocks.push(heading(&s.title_de, 11.0, 4.0));
        }
        let mut parts: Vec<(u32, Vec<Block>)> = s
            .text_de
            .as_deref()
            .unwrap_or_default()
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(|p| (number(p.trim_start()), paragraphs(p, 10.0)))
            .collect();
        for (i, o) in a.obligations.iter().enumerate() {
            if !placed[i] && within(o, &s.section) {
                placed[i] = true;
                let n = number(o.content.section[s.section.len()..].trim_start());
                parts.push((n, obligation(o)));
            }
        }
        parts.sort_by_key(|(n, _)| *n);
        blocks.extend(parts.into_iter().flat_map(|(_, b)| b));
    }
    let mut rest = a
        .obligations
        .iter()
        .zip(&placed)
        .filter(|(_, p)| !**p)
        .peekable();
    if rest.peek().is_some() {
        blocks.push(heading("Weitere Pflichten", 12.0, 22.0));
        blocks.extend(rest.flat_map(|(o, _)| obligation(o)));
    }
    if !a.targets.is_empty() {
        blocks.push(heading("Ziele", 12.0, 22.0));
        for t in &a.targets {
            let line = format!("{}: {}", t.indicator, t.value);
            blocks.push(Block::new(line, Face::Regular, 10.0));
        }
    }
    blocks
}

/// The agreement as a PDF, its Träger named as the registry names it.
pub fn pdf(a: &Agreement, traeger: &TraegerContent) -> Vec<u8> {
    let mut blocks = title_block(a, traeger);
    blocks.extend(body(a));
    let signed_by = |p: Party| a.signatures.iter().find(|s| s.party == p);
    blocks.extend(signature_block(HMSI, signed_by(Party::Hmsi)));
    blocks.extend(signature_block(&traeger.name, signed_by(Party::Traeger)));
    let title = format!("Zielvereinbarung {} – {}", a.year, traeger.name);
    let footer = |page: usize, pages: usize| {
        let (year, name, id) = (a.year, &traeger.name, &a.id);
        format!("Zielvereinbarung {year} · {name} · {id} · Seite {page} von {pages}")
    };
    let properties = Properties {
        title: &title,
        author: HMSI,
    };
    render(&properties, &blocks, footer)
}
