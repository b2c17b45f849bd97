//! Point 6: passwords, lockout, sessions, tokens, rate limit.

use reqwest::Method;
use serde_json::json;

use crate::common::{spawn, ADMIN_PASSWORD};

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_for_the_right_password() {
    let t = spawn().await;
    for i in 0..4 {
        let r = t
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "admin", "password": format!("wrong-{i}")})),
            )
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.code(), "invalid_credentials");
    }
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": "wrong-5"})),
        )
        .await;
    assert_eq!(r.status, 423);
    assert_eq!(r.code(), "account_locked");
    assert!(r.body["locked_until"].is_string());
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 423, "the right password is refused while locked");
    // The lock is written in the audit log.
    let auditor = {
        // Tokens issued before the lock still work (the admin's test token).
        t.post("/api/v1/users", &t.admin, json!({"username": "auditor1", "password": "auditor-pass-1", "display_name": "审计", "roles": [{"role": "auditor"}]})).await.expect(201);
        t.login("auditor1", "auditor-pass-1").await
    };
    let log = t
        .get("/api/v1/audit?action=auth.login_failed", &auditor)
        .await
        .expect(200);
    assert_eq!(log["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn unknown_users_and_empty_fields_get_clear_answers() {
    let t = spawn().await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "nobody", "password": "whatever-123"})),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "", "password": ""})),
        )
        .await;
    assert_eq!(r.status, 400);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["username", "password"]);
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": 5})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "username");
}

#[tokio::test]
async fn login_is_rate_limited_per_address() {
    let t = spawn().await;
    let mut limited = 0;
    for i in 0..40 {
        let r = t
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": format!("ghost{i}"), "password": "x-password-1"})),
            )
            .await;
        if r.status == 429 {
            assert_eq!(r.code(), "rate_limited");
            limited += 1;
        }
    }
    assert!(
        limited > 0,
        "40 quick logins from one address were never limited"
    );
}

#[tokio::test]
async fn password_change_enforces_policy_and_ends_other_sessions() {
    let t = spawn().await;
    let other = t.login("admin", ADMIN_PASSWORD).await;
    let r = t
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&t.admin),
            Some(json!({"current_password": ADMIN_PASSWORD, "password": "short"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "password");
    let r = t
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&t.admin),
            Some(json!({"current_password": "wrong-one-1", "password": "a-new-password-1"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "current_password");
    let r = t
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&t.admin),
            Some(json!({"current_password": ADMIN_PASSWORD, "password": "a-new-password-1"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        t.get("/api/v1/me", &other).await.status,
        401,
        "the other session ended"
    );
    assert_eq!(
        t.get("/api/v1/me", &t.admin).await.status,
        200,
        "this session goes on"
    );
    t.login("admin", "a-new-password-1").await;
}

#[tokio::test]
async fn api_tokens_can_be_created_used_and_revoked() {
    let t = spawn().await;
    let b = t
        .post("/api/v1/me/tokens", &t.admin, json!({"name": "统计脚本"}))
        .await
        .expect(201);
    let token = b["token"].as_str().unwrap().to_owned();
    let id = b["id"].as_str().unwrap().to_owned();
    assert_eq!(
        t.get("/api/v1/me", &token).await.expect(200)["username"],
        "admin"
    );
    let list = t.get("/api/v1/me/tokens", &t.admin).await.expect(200);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "统计脚本" && x.get("token").is_none()));
    let r = t
        .call(
            Method::DELETE,
            &format!("/api/v1/me/tokens/{id}"),
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(t.get("/api/v1/me", &token).await.status, 401);
    let r = t
        .post("/api/v1/me/tokens", &t.admin, json!({"name": ""}))
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn logout_ends_the_token() {
    let t = spawn().await;
    let tok = t.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(
        t.post("/api/v1/auth/logout", &tok, json!({})).await.status,
        204
    );
    assert_eq!(t.get("/api/v1/me", &tok).await.status, 401);
}

#[tokio::test]
async fn page_writes_from_another_site_are_refused() {
    let t = spawn().await;
    let form = [("username", "admin"), ("password", ADMIN_PASSWORD)];
    // A login form posted from another site is refused before the password is even checked.
    let r = t
        .http
        .post(t.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");
    assert!(body["detail"].as_str().unwrap().contains("其他网站"));

    // The same form from Wushe's own page logs in.
    let r = t
        .http
        .post(t.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("wushe_session="))
        .expect("session cookie");

    // Logging out from another site (Origin of a different host, no fetch metadata) is refused and the
    // session lives on.
    let r = t
        .http
        .post(t.url("/logout"))
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let me = t
        .http
        .get(t.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    // From its own origin it works, and the session is gone.
    let r = t
        .http
        .post(t.url("/logout"))
        .header("cookie", &cookie)
        .header("origin", t.base.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let me = t
        .http
        .get(t.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
}
