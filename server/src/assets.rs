//! Serving the browser app: from a directory during development, or from files
//! embedded in the binary by `build.rs` for a release.

use std::path::PathBuf;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_assets.rs"));
}

/// Where the app's files come from.
#[derive(Clone, Debug)]
pub enum Assets {
    /// Compiled into the binary.
    Embedded,
    /// A directory on disk (`app/dist`).
    Dir(PathBuf),
}

impl Assets {
    /// `dist` when given; otherwise the embedded app, or `app/dist` when none is embedded.
    pub fn choose(dist: Option<PathBuf>) -> Self {
        match dist {
            Some(dir) => Self::Dir(dir),
            None if !embedded::EMBEDDED.is_empty() => Self::Embedded,
            None => Self::Dir(PathBuf::from("app/dist")),
        }
    }

    /// Whether the app's page can be served.
    pub fn has_app(&self) -> bool {
        match self {
            Self::Embedded => true,
            Self::Dir(dir) => dir.join("index.html").is_file(),
        }
    }

    /// A router serving the files, with `index.html` for page paths such as `/c/DEMO`.
    pub fn service(self) -> Router {
        match self {
            Self::Dir(dir) => {
                let index = dir.join("index.html");
                let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(ServeFile::new(index));
                Router::new().fallback_service(files)
            }
            Self::Embedded => Router::new().fallback(serve_embedded),
        }
    }
}

async fn serve_embedded(uri: Uri, headers: HeaderMap) -> Response {
    let path = match uri.path() {
        "/" => "/index.html",
        other => other,
    };
    let is_page = !path.rsplit('/').next().unwrap_or("").contains('.');
    let path = if is_page { "/index.html" } else { path };
    let accepts = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let find = |p: &str| embedded::EMBEDDED.iter().find(|(url, _)| *url == p).map(|(_, bytes)| *bytes);
    let encoded = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| accepts.split(',').any(|c| c.trim().split(';').next() == Some(coding)))
        .find_map(|(coding, suffix)| find(&format!("{path}{suffix}")).map(|bytes| (Some(coding), bytes)));
    let Some((coding, body)) = encoded.or_else(|| find(path).map(|bytes| (None, bytes))) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}
