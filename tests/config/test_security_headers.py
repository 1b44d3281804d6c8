"""The headers and cookies every page is served with, on the production settings the suite
runs on."""

import json
import re

import pytest
from django.test import Client, override_settings


def policy(response) -> dict[str, list[str]]:
    directives = (d.strip().split() for d in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


def nonce_of(response) -> str:
    (value,) = [v for v in policy(response)["script-src"] if v.startswith("'nonce-")]
    return value.removeprefix("'nonce-").removesuffix("'")


@pytest.mark.django_db
def test_the_content_security_policy_allows_no_inline_script_no_plugin_no_framing(client):
    response = client.get("/")

    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert csp["script-src"][1].startswith("'nonce-")
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_new_nonce_for_every_response(client):
    assert nonce_of(client.get("/")) != nonce_of(client.get("/"))


def test_every_script_is_our_own_static_file_with_the_pages_nonce_and_no_style_attribute(
    member_client, private_pages
):
    for url in private_pages:
        response = member_client.get(url)
        html = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        if "<html" in html:
            assert scripts, url
            nonce = nonce_of(response)
        for tag in scripts:
            assert re.search(r'src="/static/[^"]+\.js"', tag), (url, tag)
            if "nonce=" in tag:
                assert f'nonce="{nonce}"' in tag, (url, tag)
        # The CSP refuses style attributes (a nonce cannot cover them).
        assert " style=" not in html, url
        assert "<style" not in html, url


@pytest.mark.django_db
def test_htmx_injects_no_indicator_style_and_runs_no_eval(client):
    html = client.get("/").content.decode()

    (config,) = re.findall(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert json.loads(config)["includeIndicatorStyles"] is False
    assert json.loads(config)["allowEval"] is False


@pytest.mark.django_db
def test_django_htmx_debug_script_carries_the_nonce_in_development(client):
    with override_settings(DEBUG=True):
        response = client.get("/")

    html = response.content.decode()
    (tag,) = re.findall(r"<script [^>]*django-htmx\.js[^>]*>", html)
    assert f'nonce="{nonce_of(response)}"' in tag


@pytest.mark.django_db
def test_hsts_for_a_year_with_subdomains_and_preload_over_https(client):
    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_when_configured(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/messaging/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/messaging/"


@pytest.mark.django_db
def test_behind_the_tls_proxy_a_forwarded_https_request_is_not_redirected(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.django_db
def test_the_other_security_headers(client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_csrf_cookie_is_httponly_and_both_cookies_are_samesite_lax(member):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": member.email, "password": "inmail-demo-2026"}
    )

    assert response.status_code == 302
    session = client.cookies["sessionid"]
    csrf = client.get("/settings/").cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_htmx_sends_the_pages_token_in_the_x_csrftoken_header(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = client.get("/settings/").content.decode()
    (headers,) = re.findall(r"<body hx-headers='([^']+)'>", html)
    token = json.loads(headers)["X-CSRFToken"]

    refused = client.post("/premium/open-profile/", headers={"HX-Request": "true"})
    accepted = client.post(
        "/premium/open-profile/", headers={"HX-Request": "true", "X-CSRFToken": token}
    )

    assert refused.status_code == 403
    assert accepted.status_code != 403
