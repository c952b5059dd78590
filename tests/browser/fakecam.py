"""Videos for Chromium's fake camera (--use-file-for-fake-video-capture): a y4m
file showing QR codes one after another, with blank frames between so the
scanner sees each pass leave and come back."""
import io
from pathlib import Path

from PIL import Image

from outreach.services.passes import qr_png

WIDTH, HEIGHT, FPS = 640, 480, 10


def _frame(image: Image.Image | None) -> bytes:
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (235, 235, 235))
    if image is not None:
        side = 400
        qr = image.convert("RGB").resize((side, side), Image.NEAREST)
        canvas.paste(qr, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    return b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()


def write_video(path: Path, scenes: list[tuple[str | None, float]]) -> Path:
    """scenes: (text to show as a QR, or None for blank; seconds). The file loops."""
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for text, seconds in scenes:
            image = Image.open(io.BytesIO(qr_png(text))) if text else None
            frame = _frame(image)
            for _ in range(max(1, round(seconds * FPS))):
                fh.write(frame)
    return path


def camera_args(video: Path) -> list[str]:
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
