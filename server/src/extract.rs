//! `AppJson`: a JSON body extractor whose every failure is an [`ApiError`], so
//! clients always get the one error shape, with the offending field named.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON request body.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else if timed_out(&rejection) {
                ApiError::BodyTimeout
            } else {
                ApiError::MalformedJson(rejection.body_text())
            }
        })?;
        parse(&bytes).map(AppJson)
    }
}

/// Whether reading the body failed because the client sent it too slowly (the
/// body-read timeout of `serve`).
fn timed_out(rejection: &axum::extract::rejection::BytesRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(err) = cause {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = err.source();
    }
    false
}

/// Path parameters whose every failure is an [`ApiError`]: a segment that cannot be
/// what the route expects (`/api/v1/cases/abc`) names nothing, so it is 404 like an
/// unknown id, in the one error shape.
pub struct AppPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match RawPathParams::from_request_parts(parts, state).await {
            // Not UTF-8 (`/api/v1/campaigns/%FF`): names nothing, like an unknown id.
            Err(_) => return Err(ApiError::NotFound(parts.uri.path().to_owned())),
            Ok(raw) => {
                if let Some((name, _)) = raw.iter().find(|(_, value)| value.chars().any(refused_char)) {
                    return Err(control_characters(name));
                }
            }
        }
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(ApiError::NotFound(parts.uri.path().to_owned()))
            }
            Err(other) => Err(ApiError::Internal(anyhow::anyhow!("path parameters: {}", other.body_text()))),
        }
    }
}

/// Characters no text of this API may hold: C0 controls other than tab, line feed
/// and carriage return, DEL, and C1 controls. PostgreSQL cannot store U+0000 at all
/// (it answered 500 where SQLite stored it), and the others are invisible, break CSV
/// and terminals, and mean nothing in a name, a note or a cohort value. Refused at
/// the boundary, so both engines answer the same 422.
pub fn refused_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn control_characters(field: &str) -> ApiError {
    ApiError::invalid("invalid_text", field, "text may not contain control characters (such as U+0000)")
}

/// Whether a JSON body may hold a refused character: raw JSON cannot carry C0
/// controls inside strings, so only `\u00XX` escapes, a raw DEL or a raw C1 (UTF-8
/// `C2 80`–`C2 9F`) can. A cheap scan, so ordinary bodies are parsed once.
fn may_hold_refused(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\\u" || (w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))) || bytes.contains(&0x7F)
}

/// The path of the first string (or key) holding a refused character, as
/// `results[0].answers.x`.
fn refused_text_at(value: &serde_json::Value, path: &str) -> Option<String> {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        serde_json::Value::String(text) => text.chars().any(refused_char).then(|| path.to_owned()),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| refused_text_at(item, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.chars().any(refused_char) {
                Some(join(&key.escape_default().to_string()))
            } else {
                refused_text_at(item, &join(key))
            }
        }),
        _ => None,
    }
}

/// Parses a body: bad JSON is 400, JSON of the wrong shape is 422 naming the field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if may_hold_refused(bytes) {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Some(field) = refused_text_at(&value, "") {
                return Err(control_characters(&field));
            }
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let field = err.path().to_string();
        let inner = err.into_inner();
        // serde_json calls `null` or `{}` where an enum is expected a syntax error
        // ("expected value"): if the body is well-formed JSON, the fault is the field.
        let well_formed = || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::invalid("invalid_field", if field == "." { String::new() } else { field }, inner.to_string())
            }
            serde_json::error::Category::Syntax if well_formed() => ApiError::invalid(
                "invalid_field",
                if field == "." { String::new() } else { field },
                "this field has a value of the wrong type",
            ),
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_of_the_wrong_type_is_422_naming_it() {
        for body in [&br#"{"name":"x","kind":null}"#[..], br#"{"name":"x","kind":{}}"#, br#"{"name":"x","kind":7}"#] {
            match parse::<instruments::wire::staff::NewOrganization>(body) {
                Err(ApiError::Invalid { field, .. }) => assert_eq!(field, "kind", "{}", String::from_utf8_lossy(body)),
                other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }

    #[test]
    fn control_characters_are_found_where_they_are() {
        let value: serde_json::Value = serde_json::from_str(r#"{"a":[{"b":"ok"},{"c":"x\u0000"}]}"#).unwrap();
        assert_eq!(refused_text_at(&value, "").as_deref(), Some("a[1].c"));
        assert!(!refused_char('\t') && !refused_char('\n') && !refused_char('中'));
        assert!(refused_char('\u{0}') && refused_char('\u{7f}') && refused_char('\u{85}'));
    }
}
