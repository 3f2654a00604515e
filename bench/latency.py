#!/usr/bin/env python3
"""bench/latency.py HOST:PORT CONNECTIONS MAILS [KB] [RCPT]

Opens CONNECTIONS SMTP sessions at once (asyncio) and sends MAILS mails of KB KiB over them (each
session sends its share one after the other, MAIL/RCPT/DATA pipelined), timing every 250 from the
end of data ("." CRLF written) to the reply. Prints mails/s over the whole run and the latency
percentiles p50, p90, p99 and the maximum, in milliseconds, as one line:

    mails=5000 connections=100 seconds=3.21 rate=1557 p50=41.2 p90=80.3 p99=150.9 max=210.4 failed=0

Bounded: every session gives up after 120 s without an answer.
"""
import asyncio
import sys
import time


async def session(host, port, count, body, rcpt, latencies, failures):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 120)
    except (OSError, asyncio.TimeoutError):
        failures.append("connect")
        return

    async def reply():
        while True:
            line = await asyncio.wait_for(reader.readline(), 120)
            if not line:
                raise ConnectionError("closed")
            if line[3:4] != b"-":
                return line

    try:
        if not (await reply()).startswith(b"220"):
            failures.append("greeting")
            return
        writer.write(b"EHLO latency.bench.test\r\n")
        await reply()
        for _ in range(count):
            writer.write(f"MAIL FROM:<sender@bench.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n".encode())
            codes = [await reply() for _ in range(3)]
            if not codes[2].startswith(b"354"):
                failures.append(codes[-1][:40])
                writer.write(b"RSET\r\n")
                await reply()
                continue
            writer.write(body)
            await writer.drain()
            started = time.monotonic()
            answer = await reply()
            if answer.startswith(b"250"):
                latencies.append(time.monotonic() - started)
            else:
                failures.append(answer[:40])
        writer.write(b"QUIT\r\n")
        await writer.drain()
        writer.close()
    except (OSError, ConnectionError, asyncio.TimeoutError) as error:
        failures.append(type(error).__name__)


async def main():
    host, port = sys.argv[1].rsplit(":", 1)
    connections, mails = int(sys.argv[2]), int(sys.argv[3])
    kb = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    rcpt = sys.argv[5] if len(sys.argv) > 5 else "bench@example.test"
    line = b"The quick brown fox jumps over the lazy dog, timed to its 250.\r\n"
    head = b"From: sender@bench.test\r\nTo: " + rcpt.encode() + b"\r\nSubject: latency\r\n\r\n"
    body = head + line * max(1, (kb * 1024 - len(head)) // len(line)) + b".\r\n"
    shares = [mails // connections + (1 if index < mails % connections else 0) for index in range(connections)]
    latencies, failures = [], []
    started = time.monotonic()
    await asyncio.gather(*(session(host, int(port), share, body, rcpt, latencies, failures)
                           for share in shares if share > 0))
    seconds = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def percentile(p):
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    print(f"mails={len(latencies)} connections={connections} seconds={seconds:.2f} "
          f"rate={len(latencies) / seconds:.0f} p50={percentile(50):.1f} p90={percentile(90):.1f} "
          f"p99={percentile(99):.1f} max={ordered[-1] * 1000:.1f} failed={len(failures)}")
    if failures:
        print(f"failures (first 5): {failures[:5]}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
