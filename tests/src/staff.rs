//! A signed-in staff member's HTTP client: keeps the session cookie and sends the
//! CSRF token on state-changing requests, as the staff app does.

use reqwest::{Method, Response};
use serde_json::Value;

use crate::TestApp;

/// A staff member's session against a running server.
pub struct StaffClient {
    /// Client with the session cookie.
    pub http: reqwest::Client,
    /// The session's CSRF token.
    pub csrf: String,
    /// The session cookie as a `Cookie` header value (`xinan_session=…`), for clients
    /// other than `http`.
    pub cookie: String,
    base: String,
}

impl StaffClient {
    /// Signs in with `email` and `password`.
    ///
    /// # Panics
    /// When sign-in fails.
    pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Self {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let response = http
            .post(app.url("/api/v1/session"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("sign in");
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            response.status().as_u16(),
            204,
            "sign-in of {email}: {}",
            response.text().await.unwrap_or_default()
        );
        let session: Value =
            http.get(app.url("/api/v1/session")).send().await.expect("session").json().await.expect("session JSON");
        let csrf = session["csrf_token"].as_str().expect("csrf token").to_owned();
        Self { http, csrf, cookie, base: app.base.clone() }
    }

    /// Sends a request with the CSRF header and, when given, a JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, None).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(Method::POST, path, Some(body)).await
    }

    /// GET that must succeed, as JSON.
    ///
    /// # Panics
    /// On a status other than 200.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }
}
