//! A browser-like HTTP client for the web pages: it keeps cookies, sends forms with the
//! page's anti-forgery token, and does not follow redirects (tests assert them).

use std::collections::HashMap;
use std::sync::Mutex;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, COOKIE, HeaderMap, SET_COOKIE};

use super::TestServer;

pub struct WebClient {
    client: reqwest::Client,
    base: String,
    cookies: Mutex<HashMap<String, String>>,
    pub accept_language: Option<String>,
}

/// A response as a test reads it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    pub fn location(&self) -> String {
        self.header("location")
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type").starts_with("text/html")
    }
}

impl WebClient {
    pub fn new(s: &TestServer) -> WebClient {
        WebClient {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: s.url(""),
            cookies: Mutex::new(HashMap::new()),
            accept_language: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.cookies.lock().unwrap();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let expired = text.contains("Max-Age=0");
                if value.is_empty() || expired {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.to_string(), value.to_string());
    }

    async fn read(&self, res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        self.keep_cookies(&headers);
        let body = res.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    /// GET as a browser navigating (Accept: text/html).
    pub async fn get(&self, path: &str) -> Page {
        self.get_accepting(path, "text/html,application/xhtml+xml,*/*;q=0.8")
            .await
    }

    pub async fn get_accepting(&self, path: &str, accept: &str) -> Page {
        let mut req = self
            .client
            .get(format!("{}{}", self.base, path))
            .header(ACCEPT, accept)
            .header(COOKIE, self.cookie_header());
        if let Some(lang) = &self.accept_language {
            req = req.header("accept-language", lang);
        }
        self.read(req.send().await.expect("request")).await
    }

    /// POSTs a form with this browser's anti-forgery token (fetched with a GET of `/`
    /// first when the browser has none yet), unless `fields` name a `csrf` of their own.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        if self.cookie("copse_csrf").is_none() {
            self.get("/").await;
        }
        let token = self.cookie("copse_csrf").unwrap_or_default();
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            form.push(("csrf".into(), token));
        }
        self.post_raw(path, &form, &[]).await
    }

    /// POSTs exactly these fields, with extra headers.
    pub async fn post_raw(
        &self,
        path: &str,
        form: &[(String, String)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self
            .client
            .post(format!("{}{}", self.base, path))
            .header(ACCEPT, "text/html")
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).expect("a form"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.read(req.send().await.expect("request")).await
    }
}

/// A client logged in as `name` through the login form (the test password of
/// [`super::server::password_of`]).
pub async fn logged_in(s: &TestServer, name: &str) -> WebClient {
    let web = WebClient::new(s);
    let password = super::server::password_of(name);
    let page = web
        .post_form(
            "/login",
            &[("username", name), ("password", &password), ("next", "/")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(web.cookie("copse_session").is_some());
    web
}
