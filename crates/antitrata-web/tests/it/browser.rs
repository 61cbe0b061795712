//! End-to-end in a real browser: Debian's Chromium, headless, driven through ChromeDriver.
//!
//! Runs when `ANTITRATA_TEST_CHROMEDRIVER` names a chromedriver (CI installs Debian's and sets it),
//! or when `/usr/bin/chromedriver` exists. Every public page is loaded on a 320-px-wide screen:
//! nothing may overflow sideways, the stylesheet must load under the CSP, and the numbers must be
//! tap-to-dial links.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use antitrata_store::{DatabaseUrl, Store};
use antitrata_web::{AppState, WebConfig};
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::{FixedClock, public_pages, seeded_store};

const CHROMIUM: &str = "/usr/bin/chromium";

pub(crate) fn chromedriver() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ANTITRATA_TEST_CHROMEDRIVER") {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "ANTITRATA_TEST_CHROMEDRIVER={} does not exist",
            path.display()
        );
        return Some(path);
    }
    let default = PathBuf::from("/usr/bin/chromedriver");
    if default.exists() {
        Some(default)
    } else {
        antitrata_store::testing::not_run(
            "the browser tests (no chromedriver; set ANTITRATA_TEST_CHROMEDRIVER)",
        );
        None
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fit_a_320_px_phone_in_chromium() {
    let Some(driver_path) = chromedriver() else {
        return;
    };

    // The real server on a real socket.
    let store = seeded_store(&DatabaseUrl::SqliteMemory).await;
    let served = Served::start(&store, FixedClock::new()).await;
    let base = served.base.clone();

    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    client.set_window_size(320, 640).await.unwrap();

    for page in public_pages() {
        client.goto(&format!("{base}{page}")).await.unwrap();
        let metrics = client
            .execute(
                "const e = document.querySelector('header');
                 return [window.innerWidth, document.documentElement.scrollWidth,
                         getComputedStyle(e).borderBottomStyle, document.title];",
                vec![],
            )
            .await
            .unwrap();
        let viewport = metrics[0].as_u64().unwrap();
        let content = metrics[1].as_u64().unwrap();
        assert!(viewport <= 320, "window is {viewport} px wide");
        assert!(
            content <= viewport,
            "{page} is {content} px wide on a {viewport}-px screen"
        );
        assert_eq!(
            metrics[2], "solid",
            "{page}: the stylesheet did not apply (blocked by the CSP?)"
        );
        assert!(
            !metrics[3].as_str().unwrap().is_empty(),
            "{page} has no title"
        );
        // A country page (not the index, not a content page) dials.
        if page.len() > 4 && !page.contains("/guide/") {
            let link = client.find(Locator::Css("a[href^='tel:']")).await.unwrap();
            let href = link.attr("href").await.unwrap().unwrap();
            assert!(href.len() > 4, "{page}: empty tel link");
        }
    }

    // A screenshot of the Guatemala page for people to look at (target/screenshots/).
    client.goto(&format!("{base}/es/gt")).await.unwrap();
    screenshot(&client, "es-gt-320").await;

    browser.stop().await;
    served.stop().await;
}

/// A visitor whose browser speaks the language of one RCM country lands on `/` with a cheap
/// phone's screen: their country comes first, and its name and dialable emergency number are on
/// the first screen, without scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_shows_the_visitors_country_and_its_emergency_number_on_the_first_screen() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory).await;
    let served = Served::start(&store, FixedClock::new()).await;
    for (languages, lang, country, name) in [
        ("es-GT,es", "es", "gt", "Guatemala"),
        ("en-US,en", "en", "us", "United States"),
        ("fr-CA,fr", "fr", "ca", "Canada"),
    ] {
        let browser = Browser::start_speaking(&driver_path, Some(languages)).await;
        let client = browser.client.clone();
        client.goto(&format!("{}/", served.base)).await.unwrap();
        set_viewport(&client, 360, 640).await;
        let url = client.current_url().await.unwrap();
        assert_eq!(url.path(), format!("/{lang}/"), "{languages}");
        let first = client
            .find(Locator::Css("ul.countries > li:first-child"))
            .await
            .unwrap();
        assert_eq!(
            first.attr("id").await.unwrap().as_deref(),
            Some("your-country")
        );
        let link = first.find(Locator::Css("a.country")).await.unwrap();
        assert_eq!(link.text().await.unwrap(), name, "{languages}");
        assert_eq!(
            link.attr("href").await.unwrap().unwrap(),
            format!("/{lang}/{country}")
        );
        let emergency = first.find(Locator::Css("a.emergency-tel")).await.unwrap();
        assert!(
            emergency
                .attr("href")
                .await
                .unwrap()
                .unwrap()
                .starts_with("tel:"),
            "{languages}"
        );
        // Inside the window as first shown: the visitor does not scroll to find it.
        let (_, top, _, height) = emergency.rectangle().await.unwrap();
        let window: f64 = client
            .execute("return window.innerHeight;", vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap();
        assert!(
            top + height <= window,
            "{languages}: the emergency number ends at {} px of {window}",
            top + height
        );
        screenshot(&client, &format!("index-{languages}-360").replace(',', "_")).await;
        browser.stop().await;
    }
    served.stop().await;
}

/// A visitor on a shared phone opens their country's page, reads the warning signs, and leaves
/// at once with the Escape key: the tab goes to a neutral site, and Back does not return to the
/// page they read, whose history entry was replaced. The quick exit is on the first screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_reads_the_warning_signs_and_leaves_at_once() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory).await;
    let served = Served::start(&store, FixedClock::new()).await;
    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    set_viewport(&client, 360, 640).await;
    client
        .goto(&format!("{}/es/gt", served.base))
        .await
        .unwrap();
    let exit = client.find(Locator::Id("quick-exit")).await.unwrap();
    assert_eq!(exit.text().await.unwrap(), "Salir de este sitio");
    let (_, top, _, height) = exit.rectangle().await.unwrap();
    assert!(
        top + height <= 640.0,
        "the quick exit ends at {} px",
        top + height
    );

    client
        .find(Locator::Css("a[href='/es/guide/warning-signs']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(&client, "/es/guide/warning-signs").await;
    let heading = client.find(Locator::Css("h1")).await.unwrap();
    assert!(
        heading.text().await.unwrap().contains("Señales de alerta"),
        "the page has its title"
    );
    let sections = client
        .find_all(Locator::Css("article.guide h2"))
        .await
        .unwrap();
    assert!(sections.len() >= 3, "{} sections", sections.len());
    screenshot(&client, "es-warning-signs-360").await;

    // Escape leaves: the tab is no longer on the site.
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    let mut left = false;
    for _ in 0..100 {
        let url = client.current_url().await.unwrap();
        if !url.as_str().starts_with(&served.base) {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(left, "Escape did not leave the site");
    // Back goes to the country page: the warning signs are no longer in the tab's history.
    client.back().await.unwrap();
    wait_for_path(&client, "/es/gt").await;

    // The link itself leaves the same way.
    client
        .find(Locator::Id("quick-exit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut left = false;
    for _ in 0..100 {
        if !client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&served.base)
        {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(left, "the quick exit did not leave the site");
    client.back().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let url = client.current_url().await.unwrap();
    assert!(
        !url.as_str().starts_with(&format!("{}/es/gt", served.base)),
        "Back returned to the page left: {url}"
    );

    browser.stop().await;
    served.stop().await;
}

/// Waits until the tab shows `path` on the site.
async fn wait_for_path(client: &fantoccini::Client, path: &str) {
    for _ in 0..100 {
        if client.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the tab never showed {path}: {}",
        client.current_url().await.unwrap()
    );
}

/// Sizes the window so that the page itself (the viewport, without the browser's own bars) is
/// `width` × `height` CSS pixels, as on a phone of that screen.
async fn set_viewport(client: &fantoccini::Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let inner = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let extra = |i: usize, want: u32| want + (want - inner[i].as_u64().unwrap() as u32);
    client
        .set_window_size(extra(0, width), extra(1, height))
        .await
        .unwrap();
    let inner = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    assert_eq!(
        (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap()),
        (u64::from(width), u64::from(height))
    );
}

/// The application served on a free loopback port until [`Served::stop`].
pub(crate) struct Served {
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    pub(crate) async fn start(store: &Store, clock: Arc<FixedClock>) -> Served {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(antitrata_web::serve(
            listener,
            AppState::new(
                store.clone(),
                WebConfig::default(),
                crate::support::test_runtime(clock),
            ),
            async move {
                let _ = stopped.await;
            },
        ));
        Served { base, stop, server }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.unwrap().unwrap();
    }
}

/// Headless Chromium driven through a ChromeDriver of its own, with a fresh profile.
pub(crate) struct Browser {
    pub client: fantoccini::Client,
    driver: tokio::process::Child,
    profile: PathBuf,
}

impl Browser {
    pub(crate) async fn start(driver_path: &std::path::Path) -> Browser {
        Browser::start_speaking(driver_path, None).await
    }

    /// A browser whose `Accept-Language` is `languages` (`es-GT,es`), as its user set it.
    pub(crate) async fn start_speaking(
        driver_path: &std::path::Path,
        languages: Option<&str>,
    ) -> Browser {
        let port = free_port();
        let driver = tokio::process::Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile_dir();
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run", format!("--user-data-dir={}", profile.display()),
                    // No request leaves the machine: another host's name does not resolve.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            }
        });
        let mut capabilities = capabilities;
        if let Some(languages) = languages {
            capabilities["goog:chromeOptions"]["prefs"] =
                json!({ "intl": { "accept_languages": languages } });
        }
        let client = connect(port, capabilities).await;
        Browser {
            client,
            driver,
            profile,
        }
    }

    pub(crate) async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        self.driver.kill().await.unwrap();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Saves a screenshot of the current page as `target/screenshots/<name>.png` for people to
/// look at.
pub(crate) async fn screenshot(client: &fantoccini::Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
}

async fn connect(port: u16, capabilities: serde_json::Value) -> fantoccini::Client {
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    // ChromeDriver takes a moment to listen.
    for _ in 0..50 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("cannot start a Chromium session through chromedriver: {last_error:?}");
}

fn tempfile_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("antitrata-chromium-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
