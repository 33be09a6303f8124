//! Any body posted to the evidence upload, read as `receive` reads it (actix-multipart's
//! parser, then each part's name, cleaned file name and content, the form fields described
//! by `describe`): never a panic, file names safe to show and store, types only among those
//! allowed, a description's dates in order and its references clean.
#![no_main]

use std::pin::pin;
use std::task::{Context, Poll};

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use bytes::Bytes;
use futures_util::task::noop_waker_ref;
use futures_util::{Stream, StreamExt, stream};
use libfuzzer_sys::fuzz_target;
use qualitrack::storage::{clean_name, sniff};
use qualitrack::services::evidence::describe;

/// The boundary the seeds use; the fuzzer learns it from them.
const BOUNDARY: &str = "fuzzboundary";

/// The body arrives in one chunk, so every poll is ready: a no-op waker is enough.
fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    let mut context = Context::from_waker(noop_waker_ref());
    match stream.poll_next_unpin(&mut context) {
        Poll::Ready(item) => item,
        Poll::Pending => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&format!("multipart/form-data; boundary={BOUNDARY}")).unwrap(),
    );
    let body = stream::iter([Ok::<_, PayloadError>(Bytes::copy_from_slice(data))]);
    let mut payload = pin!(Multipart::new(&headers, body));
    let mut fields = Vec::new();
    let mut file_names = Vec::new();
    while let Some(Ok(mut part)) = next(&mut payload) {
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(clean_name);
        let mut content = Vec::new();
        while let Some(Ok(chunk)) = next(&mut part) {
            content.extend_from_slice(&chunk);
        }
        match file_name {
            Some(file_name) => {
                assert!(!file_name.is_empty() && file_name.chars().count() <= 200);
                assert!(!file_name.starts_with('.'), "{file_name:?}");
                assert!(
                    !file_name.contains(['/', '\\', '"', '\'', ';'])
                        && !file_name.chars().any(char::is_control),
                    "{file_name:?}"
                );
                let head = &content[..content.len().min(8192)];
                if let Ok(content_type) = sniff(head, &file_name) {
                    assert!(!head.is_empty());
                    assert!(!content_type.is_empty());
                }
                file_names.push(file_name);
            }
            None if content.len() <= 4096 => {
                fields.push((name, String::from_utf8_lossy(&content).into_owned()));
            }
            None => {}
        }
    }
    let title = fields
        .iter()
        .find(|(n, _)| n == "title")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    for title in file_names.iter().chain([&title]) {
        let Ok(description) = describe(&fields, title) else {
            continue;
        };
        assert!(!description.title.trim().is_empty());
        if let (Some(from), Some(to)) = (description.effective_date, description.valid_until) {
            assert!(from <= to);
        }
        for support in &description.requirements {
            assert!(!support.requirement_ref.is_empty());
            assert!(
                !support
                    .requirement_ref
                    .contains(|c: char| c == ',' || c == ';' || c.is_whitespace())
            );
        }
    }
});
