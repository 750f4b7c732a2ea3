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

    /// A router serving the files, with a page shell for page paths: `staff.html` for
    /// the staff app (see [`STAFF_PAGES`]), `index.html` for the rest (`/c/DEMO`).
    pub fn service(self) -> Router {
        match self {
            Self::Dir(dir) => {
                let index = dir.join("index.html");
                let staff = ServeFile::new(dir.join("staff.html"));
                let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(ServeFile::new(index));
                STAFF_PAGES
                    .iter()
                    .fold(Router::new(), |router, path| router.route_service(path, staff.clone()))
                    .fallback_service(files)
            }
            Self::Embedded => Router::new().fallback(serve_embedded),
        }
    }
}

/// Route patterns of the staff app's pages: its own shell, `staff.html`, with its own
/// bundle, so that none of it weighs on the respondent page.
const STAFF_PAGES: &[&str] = &["/staff", "/staff/", "/staff/{*page}", "/instruments", "/instruments/"];

/// The page shell for a page path (one without a file extension).
fn shell(path: &str) -> &'static str {
    let staff = path == "/staff" || path.starts_with("/staff/") || path == "/instruments" || path == "/instruments/";
    if staff {
        "/staff.html"
    } else {
        "/index.html"
    }
}

async fn serve_embedded(uri: Uri, headers: HeaderMap) -> Response {
    let path = match uri.path() {
        "/" => "/index.html",
        other => other,
    };
    let is_page = !path.rsplit('/').next().unwrap_or("").contains('.');
    let path = if is_page { shell(path) } else { path };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_pages_get_the_staff_shell_and_others_the_respondent_one() {
        for path in ["/staff", "/staff/", "/staff/org/1/campaign/SPRING", "/staff/invitation/abc", "/instruments"] {
            assert_eq!(shell(path), "/staff.html", "{path}");
        }
        for path in ["/", "/c/DEMO", "/staffroom", "/instruments/phq9", "/anything"] {
            assert_eq!(shell(path), "/index.html", "{path}");
        }
    }
}
