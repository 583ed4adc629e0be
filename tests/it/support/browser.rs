//! A headless Chromium driven over W3C WebDriver (chromedriver), for tests of what a person
//! sees: pages opened at a given viewport, keyboard focus walked with Tab, screenshots under
//! `target/screenshots/`, and axe-core's accessibility checks. `bash tests/tools.sh`
//! installs Chromium, chromedriver and axe-core. Only loopback and `data:` pages are opened:
//! Chromium is started with every host name but `localhost` and `127.*` unresolvable.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

/// The key WebDriver uses for an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long chromedriver has to answer `/status` with `ready` after it starts.
const DRIVER_START: Duration = Duration::from_secs(20);
/// How often polls (driver readiness, `wait_for`) look again.
const POLL: Duration = Duration::from_millis(50);
/// The longest one WebDriver command may take: page loads and scripts have their own,
/// shorter limits inside the browser (set at session creation), so this only catches a
/// driver that stopped answering.
const COMMAND: Duration = Duration::from_secs(60);

/// One Chromium at a time across the whole test binary: it is the heaviest thing the tests
/// run (several processes, hundreds of MB), and on a two-core machine parallel browsers
/// make page loads slow enough to turn deadlines into flakes.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// WebDriver's codes for keys that are not text (the spec's "normalized key values").
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const SHIFT: &str = "\u{E008}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const SPACE: &str = "\u{E00D}";
    pub const ARROW_LEFT: &str = "\u{E012}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_RIGHT: &str = "\u{E014}";
    pub const ARROW_DOWN: &str = "\u{E015}";
}

/// How to start the browser. [`Options::new`] gives the defaults for a viewport size.
#[derive(Clone, Debug)]
pub struct Options {
    /// The viewport, in CSS pixels.
    pub width: u32,
    pub height: u32,
    /// The browser's language (`--lang`), which is what pages see in `Accept-Language`.
    pub lang: String,
    /// More Chromium arguments.
    pub args: Vec<String>,
}

impl Options {
    pub fn new(width: u32, height: u32) -> Options {
        Options {
            width,
            height,
            lang: "en-US".into(),
            args: Vec::new(),
        }
    }
}

/// An error WebDriver answered with (`no such element`, `javascript error`, …).
#[derive(Debug)]
pub struct WebDriverError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

/// The HTTP side of one session: cheap to clone, shared by the browser and its elements.
#[derive(Clone)]
struct Wire {
    http: reqwest::Client,
    /// `http://127.0.0.1:port/session/<id>`.
    session: String,
}

impl Wire {
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        send(&self.http, method, &format!("{}{path}", self.session), body).await
    }

    /// Like `send`, but a failure fails the test, naming what was being done.
    async fn must(&self, method: Method, path: &str, body: Option<Value>, what: &str) -> Value {
        self.send(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("browser: {what}: {e}"))
    }

    async fn get(&self, path: &str, what: &str) -> Value {
        self.must(Method::GET, path, None, what).await
    }

    async fn post(&self, path: &str, body: Value, what: &str) -> Value {
        self.must(Method::POST, path, Some(body), what).await
    }

    fn element(&self, value: &Value, what: &str) -> Element {
        let id = value[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("browser: {what}: not an element: {value}"));
        Element {
            wire: self.clone(),
            id: id.to_string(),
        }
    }

    fn elements(&self, value: &Value, what: &str) -> Vec<Element> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("browser: {what}: not a list: {value}"))
            .iter()
            .map(|v| self.element(v, what))
            .collect()
    }
}

/// One WebDriver request; the answer's `value`, or the error it carries.
async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let mut req = http.request(method, url);
    // WebDriver wants a JSON body on every POST, `{}` when there is nothing to say.
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.map_err(|e| WebDriverError {
        error: "no answer".into(),
        message: format!("{url}: {e}"),
    })?;
    let status = res.status();
    let text = res.text().await.map_err(|e| WebDriverError {
        error: "no answer".into(),
        message: format!("{url}: {e}"),
    })?;
    let mut json: Value = serde_json::from_str(&text).map_err(|_| WebDriverError {
        error: "not JSON".into(),
        message: format!("{url} answered {status}: {text}"),
    })?;
    let value = json["value"].take();
    if status.is_success() {
        return Ok(value);
    }
    Err(WebDriverError {
        error: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_string(),
        message: value["message"].as_str().unwrap_or(&text).to_string(),
    })
}

/// A headless Chromium and the chromedriver that drives it. Dropping it ends both.
pub struct Browser {
    wire: Wire,
    driver: Child,
    /// Chromium's own process, killed directly if ending the session fails.
    browser_pid: Option<i32>,
    driver_addr: SocketAddr,
    session_id: String,
    // The last fields drop last: the profile folder outlives the processes writing to it,
    // and the next test's browser starts only when this one is gone.
    profile: tempfile::TempDir,
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts a browser whose viewport is `width` × `height` CSS pixels, in English.
    pub async fn start(width: u32, height: u32) -> Browser {
        Self::start_with(Options::new(width, height)).await
    }

    pub async fn start_with(options: Options) -> Browser {
        let (driver_path, chromium) = tools();
        let guard = ONE_BROWSER.lock().await;
        let profile = tempfile::tempdir().expect("a temporary browser profile");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(COMMAND)
            .build()
            .expect("an HTTP client");
        let (driver, driver_addr) = start_driver(&driver_path, profile.path(), &http).await;

        let mut args = vec![
            "--headless=new".to_string(),
            // Tests run as root in containers, where Chromium's sandbox cannot start.
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            // Containers often have a small /dev/shm; Chromium then crashes on big pages.
            "--disable-dev-shm-usage".into(),
            format!("--window-size={},{}", options.width, options.height),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--lang={}", options.lang),
            // Tests reach loopback servers and data: pages only: no proxy, no lookups of
            // other hosts, none of Chromium's own background traffic.
            "--no-proxy-server".into(),
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.*".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-domain-reliability".into(),
            "--disable-sync".into(),
            "--no-pings".into(),
            "--no-first-run".into(),
            "--disable-features=Translate,OptimizationHints,MediaRouter".into(),
        ];
        args.extend(options.args.iter().cloned());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
            "pageLoadStrategy": "normal",
            "timeouts": {"implicit": 0, "pageLoad": 30_000, "script": 30_000},
        }}});
        let created = send(
            &http,
            Method::POST,
            &format!("http://{driver_addr}/session"),
            Some(capabilities),
        )
        .await;
        let mut browser = Browser {
            wire: Wire {
                http,
                session: String::new(),
            },
            driver,
            browser_pid: None,
            driver_addr,
            session_id: String::new(),
            profile,
            _one_at_a_time: guard,
        };
        let created = created.unwrap_or_else(|e| {
            panic!(
                "browser: Chromium did not start ({}): {e}\n{}",
                chromium.display(),
                browser.driver_log()
            )
        });
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("browser: a session without an id: {created}"));
        browser.session_id = id.to_string();
        browser.wire.session = format!("http://{driver_addr}/session/{id}");
        browser.browser_pid = created["capabilities"]["goog:processID"]
            .as_i64()
            .and_then(|pid| i32::try_from(pid).ok());
        browser.set_size(options.width, options.height).await;
        browser
    }

    /// Makes the viewport `width` × `height` CSS pixels. The window is resized too, but
    /// Chromium keeps windows at least 500 pixels wide and takes part of the height for its
    /// (invisible) toolbar, so the viewport itself is set through the DevTools protocol:
    /// layout, media queries and screenshots then see exactly this size.
    pub async fn set_size(&self, width: u32, height: u32) {
        self.wire
            .post(
                "/window/rect",
                json!({"width": width, "height": height}),
                "resize the window",
            )
            .await;
        self.wire
            .post(
                "/goog/cdp/execute",
                json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                    "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
                }}),
                "set the viewport",
            )
            .await;
    }

    /// Opens `url` and waits until it has loaded (or the 30 s page-load limit passes).
    pub async fn goto(&self, url: &str) {
        self.wire
            .post("/url", json!({"url": url}), &format!("open {url}"))
            .await;
    }

    pub async fn current_url(&self) -> String {
        string(self.wire.get("/url", "read the URL").await)
    }

    pub async fn title(&self) -> String {
        string(self.wire.get("/title", "read the title").await)
    }

    /// The page's current DOM, serialized.
    pub async fn source(&self) -> String {
        string(self.wire.get("/source", "read the source").await)
    }

    /// The first element matching `css`; fails the test if there is none.
    pub async fn find(&self, css: &str) -> Element {
        self.try_find(css)
            .await
            .unwrap_or_else(|| panic!("browser: no element matches `{css}`"))
    }

    /// The first element matching `css`, if any.
    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let what = format!("find `{css}`");
        match self
            .wire
            .send(Method::POST, "/element", Some(by_css(css)))
            .await
        {
            Ok(v) => Some(self.wire.element(&v, &what)),
            Err(e) if e.error == "no such element" => None,
            Err(e) => panic!("browser: {what}: {e}"),
        }
    }

    /// Every element matching `css`, in document order.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let what = format!("find all `{css}`");
        let v = self.wire.post("/elements", by_css(css), &what).await;
        self.wire.elements(&v, &what)
    }

    /// Polls until an element matches `css`, failing the test after `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "browser: no element matched `{css}` within {timeout:?} (at {})",
                self.current_url().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `script` as the body of a function with `args` as `arguments`, and returns
    /// what it returns. Elements go in and come out as WebDriver references
    /// ([`Element::to_json`], [`Browser::element_from`]).
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.wire
            .post(
                "/execute/sync",
                json!({"script": script, "args": args}),
                "run a script",
            )
            .await
    }

    /// Like [`Browser::execute`], for a script that finishes by calling its last argument
    /// with the result (within the 30 s script limit).
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.wire
            .post(
                "/execute/async",
                json!({"script": script, "args": args}),
                "run an asynchronous script",
            )
            .await
    }

    /// The element a script returned.
    pub fn element_from(&self, value: &Value) -> Element {
        self.wire.element(value, "a script's element")
    }

    /// Presses and releases each key in turn, on whatever has focus: text, or the codes in
    /// [`keys`] (`press(keys::TAB)`).
    pub async fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for key in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        self.key_actions(actions, &format!("press {keys:?}")).await;
    }

    /// Holds the keys down together, then releases them: `chord(&[keys::SHIFT, keys::TAB])`.
    pub async fn chord(&self, keys: &[&str]) {
        let down = keys.iter().map(|k| json!({"type": "keyDown", "value": k}));
        let up = keys
            .iter()
            .rev()
            .map(|k| json!({"type": "keyUp", "value": k}));
        self.key_actions(
            down.chain(up).collect(),
            &format!("press {keys:?} together"),
        )
        .await;
    }

    async fn key_actions(&self, actions: Vec<Value>, what: &str) {
        self.wire
            .post(
                "/actions",
                json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
                what,
            )
            .await;
        // Nothing stays held for the next action.
        self.wire
            .must(Method::DELETE, "/actions", None, "release keys")
            .await;
    }

    /// The element that has keyboard focus (`body` when nothing does), described.
    pub async fn active_element(&self) -> Focused {
        let v = self
            .execute(
                "const e = document.activeElement || document.body;
                 return {element: e, tag: e.tagName.toLowerCase(),
                         text: (e.innerText || '').trim(),
                         attributes: Object.fromEntries(Array.from(e.attributes, a => [a.name, a.value]))};",
                vec![],
            )
            .await;
        Focused {
            element: self.element_from(&v["element"]),
            tag: string(v["tag"].clone()),
            text: string(v["text"].clone()),
            attributes: serde_json::from_value(v["attributes"].clone())
                .unwrap_or_else(|e| panic!("browser: the focused element's attributes: {e}")),
        }
    }

    /// Saves what the viewport shows as `target/screenshots/<name>.png` and returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let encoded = string(self.wire.get("/screenshot", "take a screenshot").await);
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("a screenshot in base64");
        let dir = target_dir().join("screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("a screenshot written");
        path
    }

    /// Runs axe-core on the page and returns the rules it breaks.
    pub async fn axe(&self) -> Vec<Violation> {
        // Every navigation starts a new document, so axe is put in again when it is absent.
        let present = self.execute("return typeof window.axe === 'object';", vec![]);
        if present.await != Value::Bool(true) {
            self.execute(axe_source(), vec![]).await;
        }
        let out = self
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']}).then(r => done({violations:
                   r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                     helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({
                       target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)),
                       html: n.html, failureSummary: n.failureSummary}))}))}),
                   e => done({error: String(e)}));",
                vec![],
            )
            .await;
        if let Some(error) = out.get("error") {
            panic!("browser: axe failed: {error}");
        }
        serde_json::from_value(out["violations"].clone())
            .unwrap_or_else(|e| panic!("browser: axe's results: {e}: {out}"))
    }

    /// Fails the test, listing them, if the page breaks any of axe-core's rules with
    /// impact `serious` or `critical`. `page_name` says which page in the message.
    pub async fn assert_accessible(&self, page_name: &str) {
        let violations = self.axe().await;
        assert_no_serious(page_name, &violations);
    }

    /// What chromedriver logged so far, to explain a failure to start.
    fn driver_log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("chromedriver.log"))
            .map(|log| format!("chromedriver's log:\n{log}"))
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session makes chromedriver close Chromium and all its processes. Drop
        // cannot await, so this is one plain blocking HTTP request.
        let ended = !self.session_id.is_empty()
            && delete_blocking(self.driver_addr, &format!("/session/{}", self.session_id));
        if !ended && let Some(pid) = self.browser_pid {
            // SAFETY: kill(2) on a pid this browser's driver started; no memory is involved.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE path` to chromedriver without an async runtime; whether it answered 2xx.
fn delete_blocking(addr: SocketAddr, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return false;
    };
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let request = format!("DELETE {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    // chromedriver answers once Chromium has quit, and may keep the connection open after
    // (whatever `Connection: close` says): the status line is all that is waited for.
    let mut answer = Vec::new();
    let mut buf = [0u8; 256];
    while !answer.contains(&b'\n') {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    answer.starts_with(b"HTTP/1.1 2") || answer.starts_with(b"HTTP/1.0 2")
}

/// An element of the current page. It goes stale when the page changes.
#[derive(Clone)]
pub struct Element {
    wire: Wire,
    id: String,
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Element({})", self.id)
    }
}

impl PartialEq for Element {
    fn eq(&self, other: &Element) -> bool {
        self.id == other.id
    }
}

impl Element {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{rest}", self.id)
    }

    /// The reference to pass this element to a script.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    pub async fn click(&self) {
        self.wire
            .post(&self.path("/click"), json!({}), "click an element")
            .await;
    }

    /// The text a person sees in it (rendered, whitespace collapsed).
    pub async fn text(&self) -> String {
        string(
            self.wire
                .get(&self.path("/text"), "read an element's text")
                .await,
        )
    }

    /// Its tag name, lower case.
    pub async fn tag(&self) -> String {
        string(
            self.wire
                .get(&self.path("/name"), "read an element's tag")
                .await,
        )
        .to_lowercase()
    }

    /// An attribute's value; `None` when the element has no such attribute.
    pub async fn attr(&self, name: &str) -> Option<String> {
        let v = self
            .wire
            .get(
                &self.path(&format!("/attribute/{name}")),
                &format!("read attribute {name}"),
            )
            .await;
        v.as_str().map(str::to_string)
    }

    /// Types `text` into it (focusing it first); may hold codes from [`keys`].
    pub async fn send_keys(&self, text: &str) {
        self.wire
            .post(
                &self.path("/value"),
                json!({"text": text}),
                "type into an element",
            )
            .await;
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) {
        self.wire
            .post(&self.path("/clear"), json!({}), "clear an element")
            .await;
    }

    /// The first element inside this one matching `css`; fails the test if there is none.
    pub async fn find(&self, css: &str) -> Element {
        let what = format!("find `{css}` in an element");
        let v = self
            .wire
            .post(&self.path("/element"), by_css(css), &what)
            .await;
        self.wire.element(&v, &what)
    }
}

/// The focused element, as [`Browser::active_element`] found it.
#[derive(Debug)]
pub struct Focused {
    pub element: Element,
    /// Lower case: `a`, `button`, `input`, `body`.
    pub tag: String,
    pub text: String,
    pub attributes: BTreeMap<String, String>,
}

impl Focused {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// A rule of axe-core that the page breaks, and where.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The rule, e.g. `image-alt`, `label`, `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    pub help: String,
    pub help_url: String,
    pub nodes: Vec<ViolationNode>,
}

/// One element that breaks a rule.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationNode {
    /// CSS selectors that find it (one per frame or shadow root on the way).
    pub target: Vec<String>,
    pub html: String,
    pub failure_summary: Option<String>,
}

impl Violation {
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

/// Panics, listing each one readably, if any of `violations` is serious or critical.
pub fn assert_no_serious(page_name: &str, violations: &[Violation]) {
    let serious: Vec<&Violation> = violations.iter().filter(|v| v.is_serious()).collect();
    if serious.is_empty() {
        return;
    }
    let mut report = format!(
        "{page_name}: {} serious or critical accessibility violation(s):\n",
        serious.len()
    );
    for v in serious {
        report.push_str(&format!(
            "\n- {} ({}): {}\n  {}\n",
            v.id,
            v.impact.as_deref().unwrap_or("?"),
            v.help,
            v.help_url
        ));
        for node in &v.nodes {
            report.push_str(&format!(
                "    at {}: {}\n",
                node.target.join(" "),
                node.html
            ));
            if let Some(summary) = &node.failure_summary {
                for line in summary.lines() {
                    report.push_str(&format!("      {line}\n"));
                }
            }
        }
    }
    panic!("{report}");
}

/// A `data:` URL holding this HTML, for pages a test writes itself.
pub fn data_url(html: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(html);
    format!("data:text/html;charset=utf-8;base64,{encoded}")
}

fn by_css(css: &str) -> Value {
    json!({"using": "css selector", "value": css})
}

fn string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => panic!("browser: expected a string, got {other}"),
    }
}

/// chromedriver and Chromium, from `COPSE_CHROMEDRIVER` and `COPSE_CHROMIUM` or where
/// Debian's packages put them; fails the test saying how to install them.
fn tools() -> (PathBuf, PathBuf) {
    let driver = std::env::var_os("COPSE_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")).filter(|p| p.is_file()))
        .or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|dir| dir.join("chromedriver"))
                .find(|p| p.is_file())
        });
    let chromium = std::env::var_os("COPSE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    match driver {
        Some(driver) if driver.is_file() && chromium.is_file() => (driver, chromium),
        _ => panic!(
            "the browser tests need chromedriver (COPSE_CHROMEDRIVER, /usr/bin/chromedriver \
             or on PATH) and Chromium (COPSE_CHROMIUM or /usr/bin/chromium); \
             `bash tests/tools.sh` installs them"
        ),
    }
}

/// Starts chromedriver on a free loopback port and waits until it says it is ready.
async fn start_driver(path: &Path, dir: &Path, http: &reqwest::Client) -> (Child, SocketAddr) {
    let log_path = dir.join("chromedriver.log");
    // A port found free can be taken before chromedriver binds it; then it exits at once,
    // and another port is tried.
    for _ in 0..3 {
        let port = free_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::fs::File::create(&log_path).expect("chromedriver's log file");
        let err = log.try_clone().expect("chromedriver's log file");
        let mut child = Command::new(path)
            .arg(format!("--port={port}"))
            .arg("--log-level=WARNING")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver ({}) does not start: {e}", path.display()));
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            let status = send(http, Method::GET, &format!("http://{addr}/status"), None).await;
            if status.is_ok_and(|s| s["ready"] == true) {
                return (child, addr);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "chromedriver was not ready within {DRIVER_START:?}:\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }
    panic!(
        "chromedriver exited at start three times:\n{}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// `target/`: `CARGO_TARGET_DIR` when set (relative to the repository), else the
/// repository's own.
fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// axe-core's script, as `tests/tools.sh` installed it.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}); `bash tests/tools.sh` installs it",
                path.display()
            )
        })
    })
}

/// A phone's and a desktop's viewport, the widths every page is checked at.
pub const PHONE: (u32, u32) = (360, 800);
pub const DESKTOP: (u32, u32) = (1280, 900);

/// Checks the page showing now with axe at both widths, and writes its screenshots.
pub async fn look(browser: &Browser, name: &str) {
    for (w, h) in [PHONE, DESKTOP] {
        browser.set_size(w, h).await;
        browser
            .assert_accessible(&format!("the {name} page at {w}px"))
            .await;
        browser.screenshot(&format!("{name}-{w}")).await;
    }
}

/// The text of the page's `main` (empty while it loads): read in one script, so a page
/// that changes meanwhile cannot leave a stale element.
pub async fn main_text(browser: &Browser) -> String {
    browser
        .execute(
            "const m = document.querySelector('main'); return m ? m.innerText : '';",
            Vec::new(),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}
