"""A raw SMTP client on a socket: for what smtplib will not send (pipelining, BDAT, bad input)."""
import socket
import ssl


class RawSession:
    def __init__(self, port: int, timeout: float = 20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def read_reply(self) -> bytes:
        """Reads one whole (possibly multi-line) reply; returns its lines joined, CRLFs kept."""
        lines = []
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed after {lines!r}")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            lines.append(line + b"\r\n")
            if len(line) < 4 or line[3:4] == b" ":
                return b"".join(lines)

    def read_replies(self, count: int):
        return [self.read_reply() for _ in range(count)]

    def command(self, line: str) -> bytes:
        self.send(line.encode() + b"\r\n")
        return self.read_reply()

    def start_tls(self, cafile: str):
        context = ssl.create_default_context(cafile=cafile)
        self.sock = context.wrap_socket(self.sock, server_hostname="fefaent.test")
        self.buffer = b""

    def closed_by_server(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, ssl.SSLError):
            return True

    def close(self):
        self.sock.close()
