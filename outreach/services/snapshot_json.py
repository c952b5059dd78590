"""Whatever the dashboard-building function returns, as JSON and back, unchanged.

A stored dashboard must be the live one, and the sections other people add later must
join it without changes here, so this knows no figure: it writes the Python values a
dashboard is made of (dicts, lists, tuples, numbers, text, dates and times, dataclasses,
named tuples) as JSON, tagging what JSON has no word for, and reads them back equal.

Tags are one-key objects whose key starts with "~" ({"~t": [...]} is a tuple); a dict whose
keys are not all text, or that has a key starting with "~", is written as pairs. A value of
any other type is refused (TypeError) when the figures are stored, never guessed at: the
worker logs it and the page computes live, so a new section with a new kind of value shows
up as a failing snapshot test rather than as wrong figures.

One of the code's own registered things (an instrument, with its scoring function) is kept
by name, {"~reg": module, "k": key}, when it is the very object in its module's REGISTRY (the
project's registries: metrics, exports, instruments), and looked up again on the way back.

Reading back makes only dataclasses and named tuples of this package (outreach.*): the JSON
comes from our own database, but it still never names arbitrary code to run."""
import dataclasses
from collections.abc import Mapping
import importlib
import json
import math
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum

from markupsafe import Markup

PACKAGE = __name__.split(".")[0]


def dumps(value, *, lazy_depth: int = 2) -> str:
    """`value` as JSON text. Its dicts down to `lazy_depth` levels are kept part by part,
    each part as its own JSON text, so that `loads` reads only the parts a page looks at:
    the platform dashboard keeps about 1 MB, mostly per-session lists the page never shows."""
    return _text(_pack(value, lazy_depth))


def _text(plain) -> str:
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _is_plain_dict(v) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) and not k.startswith("~") for k in v)


def _pack(v, depth):
    if depth > 0 and _is_plain_dict(v):
        return {"~lazy": {k: _pack(x, depth - 1) for k, x in v.items()}}
    return _text(encode(v))


def loads(text: str):
    """What `dumps` wrote: parts kept one by one come back as a Lazy mapping."""
    return _unpack(json.loads(text))


def _unpack(part):
    if isinstance(part, dict) and "~lazy" in part and len(part) == 1:
        return Lazy(part["~lazy"])
    if isinstance(part, str):
        return decode(json.loads(part))
    return decode(part)  # written without parts (lazy_depth=0)


class Lazy(Mapping):
    """A read-only dict whose values are read from their JSON when first looked at. Equal
    to a dict with equal items (Mapping's own ==); templates read it as they read a dict."""

    __slots__ = ("_parts", "_read")

    def __init__(self, parts: dict):
        self._parts, self._read = parts, {}

    def __getitem__(self, key):
        if key not in self._read:
            self._read[key] = _unpack(self._parts[key])
        return self._read[key]

    def __iter__(self):
        return iter(self._parts)

    def __len__(self):
        return len(self._parts)

    def __repr__(self):
        return f"Lazy({list(self._parts)})"


def _path(cls) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def encode(v):
    """`v` as plain JSON values (see the module's docstring)."""
    if v is None or isinstance(v, (bool, str)) and not isinstance(v, Markup):
        return v
    if isinstance(v, Enum):
        return {"~e": _path(type(v)), "v": encode(v.value)}
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"~f": repr(v)}
    if isinstance(v, Markup):
        return {"~m": str(v)}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        return {"~nt": _path(type(v)), "v": [encode(x) for x in v]}
    if isinstance(v, tuple):
        return {"~t": [encode(x) for x in v]}
    if isinstance(v, Lazy):
        v = dict(v.items())
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("~") for k in v):
            return {k: encode(x) for k, x in v.items()}
        return {"~d": [[encode(k), encode(x)] for k, x in v.items()]}
    if isinstance(v, datetime):  # before date: a datetime is a date
        return {"~dt": v.isoformat()}
    if isinstance(v, date):
        return {"~date": v.isoformat()}
    if isinstance(v, time):
        return {"~time": v.isoformat()}
    if isinstance(v, timedelta):
        return {"~td": [v.days, v.seconds, v.microseconds]}
    if isinstance(v, Decimal):
        return {"~dec": str(v)}
    if isinstance(v, (set, frozenset)):
        return {"~set" if isinstance(v, set) else "~fset": [encode(x) for x in sorted(v, key=repr)]}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        key = _registered(v)
        if key is not None:
            return {"~reg": type(v).__module__, "k": key}
        fields = {f.name: encode(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init}
        return {"~dc": _path(type(v)), "v": fields}
    raise TypeError(f"a dashboard snapshot cannot store a {type(v).__module__}.{type(v).__qualname__}")


def _registered(v):
    """The key `v` has in its module's REGISTRY, if it is the very object kept there."""
    registry = getattr(sys.modules.get(type(v).__module__), "REGISTRY", None)
    if isinstance(registry, dict):
        for key, item in registry.items():
            if item is v and isinstance(key, str):
                return key
    return None


def _module(name: str):
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        raise ValueError(f"a snapshot names a module outside {PACKAGE}: {name}")
    return importlib.import_module(name)


def _class(path: str):
    module, _, qualname = path.partition(":")
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        raise ValueError(f"a snapshot names a class outside {PACKAGE}: {path}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if len(v) == 1 or (len(v) == 2 and ("v" in v or "k" in v)):
        tag = next((k for k in v if k.startswith("~")), None)
        if tag is not None:
            return _TAGS[tag](v)
    return {k: decode(x) for k, x in v.items()}


def _dataclass(v):
    cls = _class(v["~dc"])
    if not dataclasses.is_dataclass(cls):
        raise ValueError(f"not a dataclass: {v['~dc']}")
    return cls(**{k: decode(x) for k, x in v["v"].items()})


def _named_tuple(v):
    cls = _class(v["~nt"])
    if not (isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")):
        raise ValueError(f"not a named tuple: {v['~nt']}")
    return cls(*[decode(x) for x in v["v"]])


def _enum(v):
    cls = _class(v["~e"])
    if not (isinstance(cls, type) and issubclass(cls, Enum)):
        raise ValueError(f"not an enum: {v['~e']}")
    return cls(decode(v["v"]))


_TAGS = {
    "~reg": lambda v: _module(v["~reg"]).REGISTRY[v["k"]],
    "~t": lambda v: tuple(decode(x) for x in v["~t"]),
    "~d": lambda v: {decode(k): decode(x) for k, x in v["~d"]},
    "~f": lambda v: float(v["~f"]),
    "~m": lambda v: Markup(v["~m"]),
    "~dt": lambda v: datetime.fromisoformat(v["~dt"]),
    "~date": lambda v: date.fromisoformat(v["~date"]),
    "~time": lambda v: time.fromisoformat(v["~time"]),
    "~td": lambda v: timedelta(days=v["~td"][0], seconds=v["~td"][1], microseconds=v["~td"][2]),
    "~dec": lambda v: Decimal(v["~dec"]),
    "~set": lambda v: {decode(x) for x in v["~set"]},
    "~fset": lambda v: frozenset(decode(x) for x in v["~fset"]),
    "~dc": _dataclass,
    "~nt": _named_tuple,
    "~e": _enum,
}
