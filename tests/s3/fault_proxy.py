#!/usr/bin/env python3
"""An HTTP proxy in front of s3rver that produces the faults a real S3 server gives and s3rver
cannot (Python standard library only). Everything it does not fault is forwarded unchanged to
the upstream server, the Host and Authorization headers included (only the hop-by-hop headers
Connection, Keep-Alive and Expect are not): a client signs its requests for the proxy's
host:port, and the upstream sees that same Host header.

    fault_proxy.py --upstream http://127.0.0.1:PORT --mode MODE [--count K] --port-file F
                   [--log F] [--min-range BYTES]
                   [--access-key ID --secret-key KEY --region R --clock-offset S]

Modes ("object GETs" are GET requests of object data: a path /bucket/key with a key; with
--min-range BYTES only those whose Range asks for at least BYTES, or that have no Range):
  pass      forward everything (with --log: a record of the requests, e.g. to prove multipart)
  503       the first K object GETs get 503 SlowDown (an S3 error document), then pass through
  500       the first K requests of any kind get 500 InternalError
  reset     the first K object GETs get the status line, the headers and part of the body, then
            a TCP reset (SO_LINGER 0)
  truncate  the first K object GETs get the full Content-Length but only part of the body, then
            the connection closes (FIN)
  sigv4     verify each request's AWS Signature Version 4 (Authorization header) against
            --access-key/--secret-key/--region, as S3 does and s3rver does not: a wrong
            signature gets 403 SignatureDoesNotMatch, an unknown key 403 InvalidAccessKeyId, a
            date more than 15 minutes off 403 RequestTimeTooSkewed, a payload whose SHA-256
            differs from x-amz-content-sha256 400 XAmzContentSHA256Mismatch. With
            --clock-offset 3600 the proxy's clock runs an hour ahead: every signature has expired
--count K (default 1) or --count all. The port (a free loopback port) goes to --port-file once
the proxy listens. --log F gets one tab-separated line per request: method, path, query,
status, what the proxy did, Range header. Credentials are never logged.
"""

import argparse
import datetime
import hashlib
import hmac
import http.client
import http.server
import os
import re
import socket
import struct
import threading
import urllib.parse

BODY_CHUNK = 1 << 16


class Faults:
    """How many faults are left; shared by the handler threads."""

    def __init__(self, mode, count):
        self.mode = mode
        self.left = count  # None: every matching request
        self.lock = threading.Lock()
        self.injected = 0

    def take(self):
        with self.lock:
            if self.left is not None:
                if self.left <= 0:
                    return False
                self.left -= 1
            self.injected += 1
            return True


def error_xml(code, message, resource):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<Resource>{resource}</Resource><RequestId>fault-proxy</RequestId></Error>"
    ).encode()


# ---- SigV4 verification --------------------------------------------------------------------

def uri_encode(text, safe):
    return urllib.parse.quote(text, safe=safe)


def canonical_query(raw_query):
    pairs = []
    for item in raw_query.split("&") if raw_query else []:
        key, _, value = item.partition("=")
        pairs.append((uri_encode(urllib.parse.unquote(key), "-_.~"),
                      uri_encode(urllib.parse.unquote(value), "-_.~")))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def verify_sigv4(method, raw_path, headers, body, access_key, secret_key, region, clock_offset):
    """Returns None when the request is signed right, else (status, code, message)."""
    auth = headers.get("Authorization")
    if not auth:
        return 403, "AccessDenied", "Anonymous access is not allowed by the proxy (sigv4 mode)"
    match = re.fullmatch(
        r"AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/s3/aws4_request,\s*"
        r"SignedHeaders=([a-z0-9;\-]+),\s*Signature=([0-9a-f]{64})", auth.strip())
    if not match:
        return 400, "AuthorizationHeaderMalformed", "The authorization header is malformed"
    key_id, date, cred_region, signed_names, signature = match.groups()
    if key_id != access_key:
        return 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist"
    if cred_region != region:
        return 400, "AuthorizationHeaderMalformed", f"the region '{cred_region}' is wrong; expecting '{region}'"
    amz_date = headers.get("x-amz-date", "")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        return 403, "AccessDenied", "AWS authentication requires a valid x-amz-date header"
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=clock_offset)
    if abs((now - when).total_seconds()) > 900:
        return 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large"
    if amz_date[:8] != date:
        return 403, "SignatureDoesNotMatch", "The credential date does not match x-amz-date"
    payload_hash = headers.get("x-amz-content-sha256")
    if not payload_hash:
        return 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"
    names = signed_names.split(";")
    present = {name.lower() for name in headers.keys()}
    for required in ["host", "x-amz-date", "x-amz-content-sha256"] + [
            name for name in present if name.startswith("x-amz-")]:
        if required not in names:
            return 403, "AccessDenied", f"The header '{required}' must be signed"
    if names != sorted(names):
        return 403, "SignatureDoesNotMatch", "SignedHeaders are not sorted"
    canonical_headers = ""
    for name in names:
        values = headers.get_all(name)
        if values is None:
            return 403, "SignatureDoesNotMatch", f"The signed header '{name}' is missing"
        value = ",".join(re.sub(r"\s+", " ", v.strip()) for v in values)
        canonical_headers += f"{name}:{value}\n"
    path, _, query = raw_path.partition("?")
    canonical_request = "\n".join([
        method,
        uri_encode(urllib.parse.unquote(path), "/-_.~"),
        canonical_query(query),
        canonical_headers,
        signed_names,
        payload_hash,
    ])
    scope = f"{date}/{region}/s3/aws4_request"
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope,
        hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ("AWS4" + secret_key).encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return 403, "SignatureDoesNotMatch", (
            "The request signature we calculated does not match the signature you provided")
    if re.fullmatch(r"[0-9a-f]{64}", payload_hash):
        if hashlib.sha256(body).hexdigest() != payload_hash:
            return 400, "XAmzContentSHA256Mismatch", (
                "The provided 'x-amz-content-sha256' header does not match what was computed")
    elif payload_hash not in ("UNSIGNED-PAYLOAD",):
        return 400, "InvalidArgument", f"x-amz-content-sha256 '{payload_hash}' is not supported by the proxy"
    return None


# ---- The proxy -----------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as S3 clients expect
    server_version = "fault-proxy"

    def log_message(self, format, *args):  # the request log is ours (--log)
        pass

    def record(self, status, action):
        log = self.server.options.log_file
        if log is None:
            return
        path, _, query = self.path.partition("?")
        byte_range = self.headers.get("Range", "")
        with self.server.log_lock:
            log.write(f"{self.command}\t{path}\t{query}\t{status}\t{action}\t{byte_range}\n")
            log.flush()

    def is_object_get(self):
        path = urllib.parse.urlsplit(self.path).path
        segments = path.lstrip("/").split("/", 1)
        if self.command != "GET" or len(segments) != 2 or segments[1] == "":
            return False
        # --min-range: only downloads of at least that many bytes (a whole object counts).
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", "").strip())
        return not match or int(match.group(2)) - int(match.group(1)) + 1 >= self.server.options.min_range

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body, True
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(length) if length else b"", False

    def send_error_document(self, status, code, message):
        body = error_xml(code, message, urllib.parse.urlsplit(self.path).path)
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        if status == 503:
            self.send_header("Retry-After", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status, code)

    def upstream(self):
        conn = getattr(self, "_upstream", None)
        if conn is None:
            options = self.server.options
            conn = http.client.HTTPConnection(options.upstream_host, options.upstream_port,
                                              timeout=120)
            self._upstream = conn
        return conn

    def forward(self, body, was_chunked):
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in ("connection", "keep-alive", "proxy-connection", "expect")]
        if was_chunked:  # the body was decoded: send it with a length
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
            headers.append(("Content-Length", str(len(body))))
        for attempt in range(2):  # a kept-alive upstream connection may have closed
            conn = self.upstream()
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for key, value in headers:
                    conn.putheader(key, value)
                conn.endheaders(body if body else None)
                return conn.getresponse()
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                self._upstream = None
                if attempt == 1:
                    raise

    def handle_any(self):
        options = self.server.options
        faults = self.server.faults
        body, was_chunked = self.read_body()
        mode = faults.mode
        if mode == "500" and faults.take():
            return self.send_error_document(500, "InternalError",
                                            "We encountered an internal error. Please try again.")
        if mode == "503" and self.is_object_get() and faults.take():
            return self.send_error_document(503, "SlowDown", "Please reduce your request rate.")
        if mode == "sigv4":
            problem = verify_sigv4(self.command, self.path, self.headers, body,
                                   options.access_key, options.secret_key, options.region,
                                   options.clock_offset)
            if problem:
                return self.send_error_document(*problem)
        fault = None
        if mode in ("reset", "truncate") and self.is_object_get() and faults.take():
            fault = mode
        try:
            response = self.forward(body, was_chunked)
        except OSError as error:
            return self.send_error_document(502, "BadGateway", f"upstream: {error}")
        self.send_response_only(response.status, response.reason)
        length = response.getheader("Content-Length")
        chunked = length is None and self.command != "HEAD" and response.status not in (204, 304)
        for key, value in response.getheaders():
            if key.lower() in ("connection", "keep-alive", "transfer-encoding"):
                continue
            self.send_header(key, value)
        if chunked:  # unknown length: read it all, then send it with a length
            data = response.read()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return self.record(response.status, "pass")
        self.end_headers()
        remaining = int(length) if length and self.command != "HEAD" else 0
        # A fault cuts the body at half its length (at most 1 MiB in), after the headers.
        cut = min(remaining // 2, 1 << 20) if fault else remaining
        sent = 0
        while sent < cut:
            data = response.read(min(BODY_CHUNK, cut - sent))
            if not data:
                break
            self.wfile.write(data)
            sent += len(data)
        if not fault:
            response.read()  # ends the response (e.g. of a HEAD): the connection is reused
            return self.record(response.status, "pass")
        # Drop the upstream connection (the rest of its body is not read).
        response.close()
        if self._upstream is not None:
            self._upstream.close()
            self._upstream = None
        self.wfile.flush()
        self.record(response.status, f"{fault} after {sent} of {remaining} body bytes")
        self.close_connection = True
        if fault == "reset":
            # SO_LINGER on with a zero timeout: close() sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        else:
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_OPTIONS = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True, help="http://host:port of the S3 server")
    parser.add_argument("--mode", required=True,
                        choices=["pass", "503", "500", "reset", "truncate", "sigv4"])
    parser.add_argument("--count", default="1", help="faults to inject: a number or 'all'")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", help="request log (tab-separated)")
    parser.add_argument("--min-range", type=int, default=0,
                        help="fault only object GETs of at least this many bytes (Range header)")
    parser.add_argument("--access-key", default="S3RVER")
    parser.add_argument("--secret-key", default="S3RVER")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--clock-offset", type=float, default=0,
                        help="sigv4: seconds added to the proxy's clock (3600: every signature "
                             "is an hour old, i.e. expired)")
    options = parser.parse_args()
    upstream = urllib.parse.urlsplit(options.upstream)
    if upstream.scheme != "http" or not upstream.hostname or not upstream.port:
        parser.error(f"--upstream must be http://host:port, got '{options.upstream}'")
    options.upstream_host, options.upstream_port = upstream.hostname, upstream.port
    if options.count == "all":
        count = None
    elif options.count.isdigit():
        count = int(options.count)
    else:
        parser.error(f"--count must be a number or 'all', got '{options.count}'")
    options.log_file = open(options.log, "a") if options.log else None

    server = Server(("127.0.0.1", 0), Handler)
    server.options = options
    server.faults = Faults(options.mode, count)
    server.log_lock = threading.Lock()
    port = server.server_address[1]
    temporary = options.port_file + ".tmp"
    with open(temporary, "w") as out:
        out.write(f"{port}\n")
    os.replace(temporary, options.port_file)  # readers never see a partial file
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
