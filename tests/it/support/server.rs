//! A copse server running inside the test process on a loopback port.

use std::net::SocketAddr;

use copse::App;
use copse::accounts::{self, NewAccount, User};
use copse::config::Config;
use copse::server::Server;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::TestDb;

pub struct TestServer {
    pub app: App,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<copse::Result<()>>>,
    // Dropped last: the database outlives the server using it.
    pub db: TestDb,
}

impl TestServer {
    /// A server with the default configuration on a fresh database.
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    /// A server whose configuration is the defaults plus these `COPSE_*` variables.
    pub async fn start_with(env: &[(&str, &str)]) -> TestServer {
        let db = TestDb::new();
        let config = test_config(&db, env);
        let app = App::open(config).await.expect("app opens");
        let server = Server::bind(app.clone()).await.expect("server binds");
        let addr = server.local_addr().expect("bound address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        TestServer {
            app,
            addr,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
            db,
        }
    }

    /// A server that federates on loopback: development mode, its public domain being the
    /// `127.0.0.1:port` it listens on, so other test servers can reach its ids.
    pub async fn federating(env: &[(&str, &str)]) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let addr = listener.local_addr().expect("bound address");
        let domain = addr.to_string();
        let mut vars: Vec<(&str, &str)> = vec![("COPSE_DEV", "true"), ("COPSE_DOMAIN", &domain)];
        vars.extend_from_slice(env);
        let db = TestDb::new();
        let config = test_config(&db, &vars);
        let app = App::open(config).await.expect("app opens");
        let server = Server::with_listener(app.clone(), listener);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        TestServer {
            app,
            addr,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
            db,
        }
    }

    /// Stops serving (the port closes, background work stops), as if the process died;
    /// the database stays. [`TestServer::resume`] starts it again.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
        }
    }

    /// Starts a stopped server again on the same address and database.
    pub async fn resume(&mut self) {
        let config = (*self.app.config).clone();
        let app = App::open(config).await.expect("app reopens");
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .expect("the same port again");
        let server = Server::with_listener(app.clone(), listener);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.task = Some(tokio::spawn(server.run(async move {
            let _ = stopped.await;
        })));
        self.stop = Some(stop);
        self.app = app;
    }

    /// This server's public domain (`127.0.0.1:port` for federating test servers).
    pub fn domain(&self) -> String {
        self.app.config.domain.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends a request and returns the status and the body parsed as JSON (Null if empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body read");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, json)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Creates an active account directly, as `copse admin create-user` does.
    pub async fn create_user(&self, name: &str, admin: bool) -> User {
        accounts::create_by_admin(
            &self.app.db,
            NewAccount {
                username: name.into(),
                email: format!("{name}@example.org"),
                password: password_of(name),
                reason: None,
            },
            admin,
        )
        .await
        .expect("user created")
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn login(&self, name: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                serde_json::json!({"username": name, "password": password_of(name)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Number of rows in `users`, to check that failures stored nothing.
    pub async fn user_count(&self) -> i64 {
        use diesel::prelude::*;
        self.app
            .db
            .run(|c| {
                Ok(copse::db::schema::users::table
                    .count()
                    .get_result::<i64>(c)?)
            })
            .await
            .expect("count users")
    }
}

/// The password test accounts use.
pub fn password_of(name: &str) -> String {
    format!("{name}-long-password")
}

/// Defaults (rate limits off), a fresh data dir and database, a free loopback port, plus
/// `env`.
pub fn test_config(db: &TestDb, env: &[(&str, &str)]) -> Config {
    let data_dir = db.dir.path().to_string_lossy().to_string();
    let url = db.url_string();
    let mut vars: Vec<(String, String)> = vec![
        ("COPSE_DATA_DIR".into(), data_dir),
        ("COPSE_DATABASE_URL".into(), url),
        ("COPSE_BIND".into(), "127.0.0.1:0".into()),
        ("COPSE_DATABASE_POOL_SIZE".into(), "4".into()),
        // Tests make many requests from 127.0.0.1; those about rate limits turn them on.
        ("COPSE_RATE_LIMIT_ENABLED".into(), "false".into()),
    ];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_env(&|name| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("test configuration is valid")
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        self.app.db.close();
    }
}
