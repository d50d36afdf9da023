//! A file sent as a response body, read in pieces off the worker threads: a workbook written to
//! a temporary file leaves without being held in memory.

use std::io::Read;

use actix_web::web::{self, Bytes};

/// Bytes read at a time.
const PIECE: usize = 64 * 1024;

/// The rest of `file`, piece by piece.
pub fn stream(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = web::block(move || {
            let mut piece = vec![0; PIECE];
            let n = file.read(&mut piece)?;
            piece.truncate(n);
            Ok::<_, std::io::Error>((piece, file))
        })
        .await;
        match read {
            Ok(Ok((piece, _))) if piece.is_empty() => None,
            Ok(Ok((piece, file))) => Some((Ok(Bytes::from(piece)), Some(file))),
            Ok(Err(e)) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
        }
    })
}
