#!/usr/bin/env python3
"""A demo origin: answers every GET with its name and the address the request came from.

The relays and gateways of the demos connect from their own loopback address, so the
reply says which node carried the request. Usage: demo-origin.py NAME IP PORT
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{self.server.name} served {self.client_address[0]}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write(f"{self.server.name}: {self.client_address[0]} {fmt % args}\n")


def main():
    name, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    server = ThreadingHTTPServer((ip, port), Handler)
    server.name = name
    server.serve_forever()


if __name__ == "__main__":
    main()
