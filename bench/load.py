"""Requests per second of one URL: wrk when the machine has it, a small asyncio client if not.

wrk is the reference (`wrk -t2 -c8`); the fallback opens a connection per request as wrk does
against gunicorn's sync workers (they close every connection), and counts only 200s.
"""

import asyncio
import re
import shutil
import subprocess
import time
from urllib.parse import urlsplit

THREADS, CONNECTIONS = 2, 8


class LoadError(RuntimeError):
    pass


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def requests_per_second(url: str, headers: dict[str, str], duration: float) -> float:
    if tool() == "wrk":
        return _wrk(url, headers, duration)
    return asyncio.run(_python(url, headers, duration))


def _wrk(url, headers, duration):
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration:g}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise LoadError(f"{url}: {match[1]} responses were not 2xx/3xx\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


async def _python(url, headers, duration):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    deadline = time.monotonic() + duration
    done, failed = [0], [0]

    async def client():
        while time.monotonic() < deadline:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(request)
            await writer.drain()
            response = await reader.read()
            writer.close()
            if response[9:12] == b"200":
                done[0] += 1
            else:
                failed[0] += 1

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
    if failed[0]:
        raise LoadError(f"{url}: {failed[0]} responses were not 200")
    return done[0] / (time.monotonic() - started)
