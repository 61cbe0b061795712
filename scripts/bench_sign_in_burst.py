#!/usr/bin/env python3
"""Sign-in burst for scripts/bench-sign-in-burst.sh: sets passwords for N accounts through their
setup links, then signs them in from N threads, over and over, until told to stop.

    bench_sign_in_burst.py setup BASE_URL LINKS_FILE
    bench_sign_in_burst.py burst BASE_URL EMAILS_FILE SECONDS

Only BASE_URL (loopback) is contacted. Prints one line of figures for the burst.
"""
import http.client
import re
import sys
import threading
import time
import urllib.parse

PASSWORD = "lamp-orbit-violet-cactus"


def connection(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)


def login_csrf(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    cookie = re.search(r"antitrata_login_csrf=([^;]+)", response.getheader("set-cookie") or "")
    token = re.search(r'name="csrf" value="([^"]+)"', body)
    if cookie is None or token is None:
        sys.exit(f"no login CSRF token on {path}: {response.status}")
    return cookie.group(1), token.group(1)


def post(conn, path, cookie, fields, address=None):
    body = urllib.parse.urlencode(fields)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "cookie": f"antitrata_login_csrf={cookie}",
    }
    if address:
        # The server trusts 127.0.0.1 as a proxy: each thread is a visitor of its own.
        headers["x-forwarded-for"] = address
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("retry-after")


def setup(base, links_file):
    for link in open(links_file).read().split():
        path = urllib.parse.urlsplit(link).path
        conn = connection(base)
        cookie, token = login_csrf(conn, path)
        status, _ = post(conn, path, cookie, {"csrf": token, "password": PASSWORD, "confirm": PASSWORD})
        if status != 200:
            sys.exit(f"setting a password answered {status}")
        conn.close()


def burst(base, emails_file, seconds):
    emails = open(emails_file).read().split()
    stop = time.monotonic() + seconds
    statuses = {}
    latencies = []
    lock = threading.Lock()

    def sign_in_again_and_again(n, email):
        conn = connection(base)
        address = f"10.1.0.{n + 1}"
        while time.monotonic() < stop:
            cookie, token = login_csrf(conn, "/console/login")
            started = time.monotonic()
            fields = {"csrf": token, "email": email, "password": PASSWORD}
            status, retry_after = post(conn, "/console/login", cookie, fields, address)
            took = time.monotonic() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(took)
            if retry_after:
                # Told the server is busy: come back when it says, as a person would.
                time.sleep(float(retry_after))

    threads = [threading.Thread(target=sign_in_again_and_again, args=(n, e)) for n, e in enumerate(emails)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0
    counts = " ".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
    print(f"sign-ins {len(latencies)} in {seconds} s ({counts}); sign-in p50 {p50:.0f} ms")


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    else:
        burst(sys.argv[2], sys.argv[3], float(sys.argv[4]))
