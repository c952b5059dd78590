"""Videos for Chromium's fake camera (--use-file-for-fake-video-capture): a y4m
file showing QR codes one after another, with blank frames between so the
scanner sees each pass leave and come back.

By default a code sits small in the middle of a 640x480 picture, the easy case.
`Framing` shows it as a phone at the door sees it: the printed pass on a dark
background (a hand, a coat), in a portrait picture, as wide as the frame or a
share of it, with only the quiet zone the card's edge leaves, turned, and
slightly out of focus."""
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from outreach.services import passes
from outreach.services.passes import qr_png

WIDTH, HEIGHT, FPS = 640, 480, 10
PORTRAIT = (480, 640)  # a phone held upright; its camera's picture is taller than wide

BACKGROUND = (58, 52, 48)
CARD = (246, 246, 242)
INK = (20, 20, 20)


@dataclass(frozen=True)
class Framing:
    """How the pass sits in the picture.

    share: the code with its quiet zone, as a share of the picture's width (1.0 fills it);
    quiet_modules: the white margin left around the code, in modules (a printed pass has 4,
      a phone held close to a card sees the card's edge two modules away);
    angle: degrees the pass is turned; blur: pixels of focus blur."""
    share: float = 1.0
    quiet_modules: int = 2
    angle: float = 0.0
    blur: float = 0.8
    size: tuple[int, int] = PORTRAIT


def _modules(text: str) -> list[list[bool]]:
    # The pass's own QR settings (version, error correction), without its printed quiet zone.
    code = passes._qr(text)
    matrix, border = code.get_matrix(), code.border
    return [row[border:len(row) - border] for row in matrix[border:len(matrix) - border]]


def _card(text: str, framing: Framing, width: int) -> Image.Image:
    """The pass card: the code with `quiet_modules` of white around it, a name above and a line below."""
    modules = _modules(text)
    count = len(modules) + 2 * framing.quiet_modules
    module = width * framing.share / count
    side = round(module * count)
    q = framing.quiet_modules
    code = Image.new("RGB", (count, count), CARD)
    code.putdata([INK if 0 <= y - q < len(modules) and 0 <= x - q < len(modules) and modules[y - q][x - q] else CARD
                  for y in range(count) for x in range(count)])
    code = code.resize((side, side), Image.NEAREST)
    # The card runs on above and below the code (the name, the hint), as on the printed pass.
    above, below = round(side * 0.35), round(side * 0.25)
    card = Image.new("RGB", (side, above + side + below), CARD)
    card.paste(code, (0, above))
    draw = ImageDraw.Draw(card)
    draw.rectangle([side * 0.2, above * 0.3, side * 0.8, above * 0.65], fill=INK)
    draw.rectangle([side * 0.15, above + side + below * 0.3, side * 0.85, above + side + below * 0.5], fill=(90, 90, 90))
    return card


def _picture(text: str | None, framing: Framing | None) -> Image.Image:
    if framing is None:
        canvas = Image.new("RGB", (WIDTH, HEIGHT), (235, 235, 235))
        if text is not None:
            side = 400
            qr = Image.open(io.BytesIO(qr_png(text))).convert("RGB").resize((side, side), Image.NEAREST)
            canvas.paste(qr, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
        return canvas
    width, height = framing.size
    canvas = Image.new("RGB", framing.size, BACKGROUND)
    if text is not None:
        card = _card(text, framing, width).convert("RGBA")
        if framing.angle:
            card = card.rotate(framing.angle, resample=Image.BICUBIC, expand=True)
        canvas.paste(card, ((width - card.width) // 2, (height - card.height) // 2), card)
    if framing.blur:
        canvas = canvas.filter(ImageFilter.GaussianBlur(framing.blur))
    return canvas


def _frame(picture: Image.Image) -> bytes:
    y, cb, cr = picture.convert("YCbCr").split()
    half = (picture.width // 2, picture.height // 2)
    return b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()


def write_video(path: Path, scenes: list[tuple[str | None, float]], framing: Framing | None = None) -> Path:
    """scenes: (text to show as a QR, or None for blank; seconds). The file loops."""
    width, height = framing.size if framing else (WIDTH, HEIGHT)
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for text, seconds in scenes:
            frame = _frame(_picture(text, framing))
            for _ in range(max(1, round(seconds * FPS))):
                fh.write(frame)
    return path


def picture(text: str | None, framing: Framing | None = None) -> Image.Image:
    """One frame of the video as a picture, to look at."""
    return _picture(text, framing)


def camera_args(video: Path) -> list[str]:
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
