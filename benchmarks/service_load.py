"""Load on the CDS Hooks service: concurrent patient-view calls over loopback.

    python benchmarks/service_load.py                 # 20 clients, 60 s, 2 workers, no JWT
    python benchmarks/service_load.py --jwt           # every call with a fresh ES384 JWT
    python benchmarks/service_load.py --clients 5 --seconds 10

Starts `careflow serve` as its own process (so that the load generator never shares the
server's interpreter), waits for discovery, then `--clients` concurrent clients (asyncio,
httpx, one connection each) send patient-view calls with full prefetch, cycling through the
worked examples written as FHIR (careflow.fhir_in.to_bundle), for `--seconds`. Prints and
writes (benchmarks/results/service_load.json) the p50, p90 and p99 latency per call, the
throughput, the errors (any status but 200, or a response without cards) and the resident
memory of the server and its workers after the warm-up, every 10 s and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from common import EXAMPLES, RESULTS, ROOT

import careflow
from careflow.fhir_in import to_bundle
from careflow.service.prefetch import KEYS

ISS = "https://load.test"


def prefetches() -> list[tuple[str, dict[str, Any]]]:
    """(patient id, prefetch) for every worked example."""
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        found = [e["resource"] for e in to_bundle(careflow.read_patient(path))["entry"]]
        prefetch: dict[str, Any] = {}
        for rtype, key in KEYS.items():
            matches = [r for r in found if r["resourceType"] == rtype]
            if rtype == "Patient":
                prefetch[key] = matches[0]
            else:
                prefetch[key] = {"resourceType": "Bundle", "type": "searchset",
                                 "entry": [{"resource": r} for r in matches]} if matches \
                    else None
        out.append((str(found[0]["id"]), prefetch))
    return out


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """The processes a process started, from any of its threads."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(out))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> tuple[float, float]:
    """(server, workers) CPU seconds so far."""
    return cpu_seconds(pid), sum(cpu_seconds(w) for w in children(pid))


def memory(pid: int) -> dict[str, float]:
    workers = children(pid)
    return {"server_mb": round(rss_mb(pid), 1),
            "workers_mb": round(sum(rss_mb(w) for w in workers), 1),
            "workers": len(workers)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Signer:
    def __init__(self) -> None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import ec

        self.jwt = jwt
        self.key = ec.generate_private_key(ec.SECP384R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [dict(jwk, kid="load-1", alg="ES384", use="sig")]}

    def token(self, aud: str) -> str:
        now = int(time.time())
        return self.jwt.encode({"iss": ISS, "aud": aud, "exp": now + 60, "iat": now,
                                "jti": uuid.uuid4().hex}, self.key, algorithm="ES384",
                               headers={"kid": "load-1", "typ": "JWT"})


async def client(url: str, bodies: list[tuple[str, dict[str, Any]]], until: float, n: int,
                 signer: Signer | None, latencies: list[float], errors: list[str]) -> None:
    import httpx

    # TCP_NODELAY: without it the client's two writes (headers, then body) wait for the
    # server's delayed ACK, about 40 ms a call on Linux loopback, a cost of the client
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=1),
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    async with httpx.AsyncClient(timeout=30, transport=transport) as http:
        i = n
        while time.monotonic() < until:
            pid, prefetch = bodies[i % len(bodies)]
            i += 1
            body = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
                    "context": {"userId": "Practitioner/load", "patientId": pid},
                    "prefetch": prefetch}
            headers = {"Accept-Language": "ja"}
            if signer:
                headers["Authorization"] = f"Bearer {signer.token(url)}"
            start = time.perf_counter()
            try:
                r = await http.post(url, json=body, headers=headers)
                ok = r.status_code == 200 and "cards" in r.json()
                what = f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                ok, what = False, type(exc).__name__
            latencies.append(time.perf_counter() - start)
            if not ok:
                errors.append(what)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def drive(url: str, pid: int, clients: int, seconds: float,
                signer: Signer | None) -> dict[str, Any]:
    bodies = prefetches()
    warm_lat: list[float] = []
    warm_err: list[str] = []
    await client(url, bodies, time.monotonic() + 3, 0, signer, warm_lat, warm_err)
    start_mem = memory(pid)
    latencies: list[float] = []
    errors: list[str] = []
    samples = [start_mem]
    until = time.monotonic() + seconds

    async def sample() -> None:
        while time.monotonic() < until:
            await asyncio.sleep(10)
            samples.append(memory(pid))

    began = time.monotonic()
    cpu_start = cpu(pid)
    await asyncio.gather(sample(), *(client(url, bodies, until, n, signer, latencies, errors)
                                     for n in range(clients)))
    took = time.monotonic() - began
    cpu_end = cpu(pid)
    end_mem = memory(pid)
    ms = [x * 1000 for x in latencies]
    return {
        "clients": clients, "seconds": round(took, 1), "calls": len(ms),
        "throughput_per_s": round(len(ms) / took, 1),
        "p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "errors": len(errors), "error_kinds": sorted(set(errors)),
        "memory_start": start_mem, "memory_end": end_mem, "memory_samples": samples,
        "warmup_errors": len(warm_err),
        "cpu_ms_per_call": {
            "server": round((cpu_end[0] - cpu_start[0]) * 1000 / max(1, len(ms)), 1),
            "workers": round((cpu_end[1] - cpu_start[1]) * 1000 / max(1, len(ms)), 1)},
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--jwt", action="store_true", help="sign every call (ES384)")
    ap.add_argument("--out", type=Path, default=RESULTS / "service_load.json")
    args = ap.parse_args()

    signer = Signer() if args.jwt else None
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="careflow-load-"))
    settings: dict[str, Any] = {"base_url": base, "workers": args.workers,
                                "queue_limit": max(16, args.clients),
                                "audit_db": str(tmp / "audit.sqlite3")}
    if signer:
        settings["issuers"] = [{"iss": ISS, "jwks": signer.jwks}]
    cfg = tmp / "service.yaml"
    cfg.write_text(json.dumps(settings))  # JSON is YAML
    cmd = [sys.executable, "-m", "careflow.cli", "serve", "--port", str(port),
           "--config", str(cfg)] + ([] if signer else ["--dev-no-auth"])
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            try:
                headers = {"Authorization": f"Bearer {signer.token(base + '/cds-services')}"} \
                    if signer else {}
                if httpx.get(base + "/cds-services", headers=headers).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the service did not start")
            time.sleep(0.2)
        url = f"{base}/cds-services/careflow-patient-view"
        result = asyncio.run(drive(url, server.pid, args.clients, args.seconds, signer))
    finally:
        server.terminate()
        server.wait(30)
    result.update(workers=args.workers, jwt=bool(signer), cpus=os.cpu_count(),
                  careflow=careflow.__version__,
                  date=time.strftime("%Y-%m-%d", time.gmtime()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{result['clients']} clients, {result['seconds']} s, {result['workers']} workers, "
          f"JWT {'on' if signer else 'off'}: {result['calls']} calls, "
          f"{result['throughput_per_s']}/s")
    print(f"latency p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
          f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms")
    print(f"errors {result['errors']} {result['error_kinds'] or ''}".rstrip())
    c = result["cpu_ms_per_call"]
    print(f"CPU per call: server {c['server']} ms, workers {c['workers']} ms "
          f"(load average {result['load_average']:.1f} on {result['cpus']} CPUs)")
    s, e = result["memory_start"], result["memory_end"]
    print(f"memory server {s['server_mb']} -> {e['server_mb']} MB, "
          f"workers {s['workers_mb']} -> {e['workers_mb']} MB ({e['workers']} processes)")


if __name__ == "__main__":
    main()
