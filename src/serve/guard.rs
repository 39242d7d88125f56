//! What every request passes before a page sees it, and what every response carries.
//!
//! - On a loopback address, a request whose `Host` is not a loopback name or address is
//!   refused (421): a foreign page cannot reach the server through DNS rebinding.
//! - With a token (any other address, or `--token`): the token from the address to open
//!   (`?token=…`, compared in constant time) is kept in an HttpOnly, SameSite=Strict cookie,
//!   and the address is cleaned of it; a request without it is refused (401).
//! - A state-changing request is POST only and must come from the page itself: its `Origin`
//!   must be the server's own, or `null` from a same-origin page as Fetch Metadata says
//!   (`Sec-Fetch-Site: same-origin`; browsers send `Origin: null` for the forms of a page whose
//!   `Referrer-Policy` is `no-referrer`) (CSRF); other methods are refused (405).
//! - Every response: a Content-Security-Policy allowing only the page's own resources,
//!   `nosniff`, `Referrer-Policy: no-referrer`, frames from the same origin only.

use super::state::App;
use crate::error::{Error, Result};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The cookie that keeps the token.
const COOKIE: &str = "kyotei_token";

/// The Content-Security-Policy of every response.
const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'";

/// A new access token: 32 random bytes, hex.
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Serve(format!("トークンを作れません（{e}）")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The middleware: refuses what must be refused, then adds the security headers.
pub async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let mut response = match check(&app, &req) {
        Ok(()) => next.run(req).await,
        Err(refused) => refused,
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn check(app: &App, req: &Request) -> std::result::Result<(), Response> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if app.loopback && !is_loopback_host(host) {
        return Err(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "このページは、このコンピューターの中（localhost・127.0.0.1）からだけ開けます",
        ));
    }
    if let Some(token) = &app.token {
        let from_query = query_token(req.uri().query().unwrap_or(""));
        if let Some(t) = &from_query
            && same(t, token)
            && req.method() == Method::GET
        {
            return Err(welcome(req, token));
        }
        if !cookie_token(req.headers()).is_some_and(|t| same(&t, token)) {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "このページを開くにはトークンが必要です。kyotei serve が表示したアドレス（?token=… を含むもの）を開いてください",
            ));
        }
    }
    match *req.method() {
        Method::GET | Method::HEAD => Ok(()),
        Method::POST => {
            if same_origin(req.headers(), host) {
                Ok(())
            } else {
                Err(refuse(
                    StatusCode::FORBIDDEN,
                    "ほかのページからの操作は受け付けません。kyotei のページのボタンから操作してください",
                ))
            }
        }
        _ => Err(refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "この操作は受け付けません",
        )),
    }
}

/// Whether a POST comes from the page itself: its `Origin` is `http://<Host>`, or, from a
/// page of ours (whose `Referrer-Policy: no-referrer` makes the browser send `Origin: null`
/// for its forms), `Origin: null` with `Sec-Fetch-Site: same-origin`, which only the browser
/// sets and a page of another site cannot. A request with neither is refused.
fn same_origin(headers: &HeaderMap, host: &str) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match get(header::ORIGIN) {
        Some(o) if o == format!("http://{host}") => true,
        Some("null") => {
            get(header::HeaderName::from_static("sec-fetch-site")) == Some("same-origin")
        }
        _ => false,
    }
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || port.starts_with(':') => ip,
            _ => return false,
        },
        None => host.split(':').next().unwrap_or(""),
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Constant-time equality (a different length is unequal, as `subtle` says).
fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn query_token(query: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_string())
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The token was right: keep it in a cookie and go to the same address without it.
fn welcome(req: &Request, token: &str) -> Response {
    let rest: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("token="))
        .collect();
    let mut to = req.uri().path().to_string();
    if !rest.is_empty() {
        to.push('?');
        to.push_str(&rest.join("&"));
    }
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// A refusal, as a small page in Japanese.
fn refuse(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>kyotei: {}</title></head><body><main><h1>開けません</h1><p>{message}</p></main></body></html>\n",
        status.as_u16()
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "localhost",
            "localhost:8421",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.1.2.3:9",
            "[::1]",
            "[::1]:8421",
            "LOCALHOST:1",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:8421",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "10.0.0.1:8421",
            "[::2]:1",
            "[::1]x",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn a_post_must_come_from_the_page_itself() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let host = "127.0.0.1:8421";
        assert!(same_origin(
            &with(&[("origin", "http://127.0.0.1:8421")]),
            host
        ));
        assert!(same_origin(
            &with(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            host
        ));
        for refused in [
            with(&[]),
            with(&[("origin", "http://evil.example")]),
            with(&[("origin", "http://127.0.0.1:8422")]),
            with(&[("origin", "https://127.0.0.1:8421")]),
            with(&[("origin", "null")]),
            with(&[("origin", "null"), ("sec-fetch-site", "cross-site")]),
            with(&[("sec-fetch-site", "same-origin")]),
        ] {
            assert!(!same_origin(&refused, host), "{refused:?}");
        }
    }

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same(&a, &a) && !same(&a, &b) && !same(&a, "x"));
    }
}
