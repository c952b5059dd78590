"""Which part of the camera picture the scanner should decode, and at what size.

Feeds pictures of a pass (tests/browser/fakecam.py: the card on a dark background, slightly out
of focus) to qr-scanner's decoder in headless Chromium, as the scanner would take them from a
phone camera's 720x1280 portrait picture, with the pass at shares of the picture's width from
"filling it" to "held far off". For each way of cutting the picture it prints whether the pass
was read (reads/tries) and the median time of one decode.

    .venv/bin/python bench/scanner_regions.py [--tries 7] [--size 720x1280]

Needs `make vendor` (qr-scanner in static/vendor/) and Chromium. Run it alone: the times are
CPU-bound. Headless Chromium on Linux has no BarcodeDetector, so this is qr-scanner's own
decoder (the one iPhones and desktop browsers use).
"""
import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.fakecam import Framing, picture  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGE = """<!doctype html><html><body><script type="module">
import QrScanner from "./qr-scanner.min.js";
window.decode = async (region, tries) => {
  const engine = window.engine || (window.engine = await QrScanner.createQrEngine());
  const img = new Image(); img.src = "frame.png?" + Math.random(); await img.decode();
  const canvas = document.createElement("canvas");
  const times = []; let reads = 0;
  for (let i = 0; i < tries; i++) {
    const t0 = performance.now();
    try { await QrScanner.scanImage(img, {scanRegion: region, qrEngine: engine, canvas, returnDetailedScanResult: true}); reads++; }
    catch (e) {}
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return [reads, times[tries >> 1]];
};
window.ready = true;
</script></body></html>"""

SHARES = [1.0, 0.75, 0.5, 0.3, 0.2, 0.17, 0.15, 0.14, 0.13, 0.12, 0.11, 0.1]
# A pass URL of the real length (a 32-character secret) on a short and a long host name: the long
# one needs a bigger QR version (more, smaller modules).
URLS = {"short host": "https://yc.example/p/" + "Ab3_" * 8,
        "long host": "https://outreach.example-city-council.org.uk/p/" + "Ab3_" * 8}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def regions(width, height):
    def whole(max_side):
        scale = min(1, max_side / max(width, height))
        return {"x": 0, "y": 0, "width": width, "height": height,
                "downScaledWidth": round(width * scale), "downScaledHeight": round(height * scale)}

    side = round(2 / 3 * min(width, height))
    centre = {"x": (width - side) // 2, "y": (height - side) // 2, "width": side, "height": side,
              "downScaledWidth": 400, "downScaledHeight": 400}
    return {"centre 2/3 at 400 (qr-scanner's default, before)": centre,
            "whole at 800": whole(800), "whole at 1024 (now)": whole(1024), "whole, full size": whole(10_000)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=7)
    parser.add_argument("--size", default="720x1280")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    vendor = ROOT / "static" / "vendor" / "qr-scanner"
    if not (vendor / "qr-scanner.min.js").exists():
        sys.exit("qr-scanner is missing from static/vendor/: run `make vendor`")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ("qr-scanner.min.js", "qr-scanner-worker.min.js"):
            shutil.copy(vendor / name, tmp / name)
        (tmp / "index.html").write_text(PAGE)
        handler = functools.partial(Quiet, directory=str(tmp))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
                page.wait_for_function("window.ready")
                cuts = regions(width, height)
                for host, url in URLS.items():
                    print(f"\n{width}x{height} picture, pass URL on a {host} ({len(url)} characters), {args.tries} "
                          "tries each: reads/tries, median ms per decode")
                    print(f"{'pass width':>11} | " + " | ".join(cuts))
                    for share in ([None] if host == "short host" else []) + SHARES:
                        picture(url if share else None, Framing(share=share or 1.0, size=(width, height))) \
                            .save(tmp / "frame.png")
                        cells = [page.evaluate("([r, n]) => decode(r, n)", [r, args.tries]) for r in cuts.values()]
                        label = "no pass" if share is None else f"{share:.3g}"
                        print(f"{label:>11} | " + " | ".join(f"{reads}/{args.tries} {ms:5.0f} ms".ljust(len(name))
                                                             for (reads, ms), name in zip(cells, cuts)))
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
