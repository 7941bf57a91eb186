"""The channel between the judge and the student's process. Runs INSIDE both sandboxes.

Standard library only. A frame is a 4-byte big-endian length and that many bytes of
JSON. Values cross as data only, in a tagged JSON form that decodes to plain builtins
(None, bool, int, float, str, list, tuple, dict, set, frozenset, bytes, complex), so
nothing the student's process sends can run code or compare equal by trickery in the
judge. Anything else the student returns stays in the student's process and crosses as
a reference ({"$r": id}), which the judge can only call, iterate or read attributes of.
"""

import json
import os
import struct

HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 100

_loads = json.loads
_dumps = json.dumps
_read = os.read
_write = os.write


class ChannelClosed(Exception):
    """The other side closed the channel (its process ended)."""


class BadFrame(Exception):
    """Bytes that are not a frame we accept: too large, not JSON, not a known shape."""


def write_frame(fd, message):
    data = _dumps(message, separators=(",", ":")).encode("utf-8", "surrogatepass")
    data = HEADER.pack(len(data)) + data
    while data:
        data = data[_write(fd, data) :]


class FrameReader:
    """Reads frames from a fd, keeping partial bytes across interrupted reads."""

    def __init__(self, fd, limit=MAX_FRAME_BYTES):
        self.fd = fd
        self.limit = limit
        self.buffer = bytearray()

    def pending(self):
        """A complete frame is already buffered."""
        return self._complete() is not None

    def read(self):
        """The next frame's JSON value. Raises ChannelClosed, BadFrame."""
        while True:
            size = self._complete()
            if size is not None:
                data = bytes(self.buffer[HEADER.size : HEADER.size + size])
                del self.buffer[: HEADER.size + size]
                try:
                    return _loads(data.decode("utf-8", "surrogatepass"))
                except (ValueError, RecursionError):
                    raise BadFrame("not JSON") from None
            chunk = _read(self.fd, 65536)
            if not chunk:
                raise ChannelClosed()
            self.buffer += chunk

    def _complete(self):
        if len(self.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        if size > self.limit:
            raise BadFrame(f"a frame of {size} bytes (limit {self.limit})")
        return size if len(self.buffer) >= HEADER.size + size else None


def encode(value, refs=None, depth=0):
    """`value` as tagged JSON. Non-data values become references when `refs` (a
    callable registering an object and returning its id) is given, else TypeError."""
    if depth > MAX_DEPTH:
        raise ValueError("the value is nested too deeply")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode(v, refs, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"$t": [encode(v, refs, depth + 1) for v in value]}
    if isinstance(value, frozenset):
        return {"$fs": [encode(v, refs, depth + 1) for v in value]}
    if isinstance(value, set):
        return {"$s": [encode(v, refs, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"$d": [[encode(k, refs, depth + 1), encode(v, refs, depth + 1)]
                       for k, v in value.items()]}
    if isinstance(value, bytes | bytearray):
        return {"$b": bytes(value).hex()}
    if isinstance(value, complex):
        return {"$c": [value.real, value.imag]}
    ref = getattr(value, "_wire_ref", None)
    if isinstance(ref, int) and type(value).__name__ == "Remote":
        return {"$r": ref}
    if refs is None:
        raise TypeError(f"a {type(value).__name__} cannot be passed to the student's code")
    return {"$r": refs(value), "type": type(value).__name__}


def decode(value, remote):
    """Plain builtins from tagged JSON; `remote(id, type_name)` makes a reference's
    stand-in. Raises BadFrame for anything not of the shapes `encode` makes."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [decode(v, remote) for v in value]
    if type(value) is not dict or len(value) not in (1, 2):
        raise BadFrame("not a value")
    try:
        if "$t" in value:
            return tuple(decode(v, remote) for v in value["$t"])
        if "$s" in value:
            return {decode(v, remote) for v in value["$s"]}
        if "$fs" in value:
            return frozenset(decode(v, remote) for v in value["$fs"])
        if "$d" in value:
            return {decode(k, remote): decode(v, remote) for k, v in value["$d"]}
        if "$b" in value:
            return bytes.fromhex(value["$b"])
        if "$c" in value:
            real, imag = value["$c"]
            return complex(float(real), float(imag))
        if "$r" in value and type(value["$r"]) is int:
            return remote(value["$r"], str(value.get("type", "object")))
    except BadFrame:
        raise
    except (TypeError, ValueError, RecursionError):
        raise BadFrame("not a value") from None
    raise BadFrame("not a value")


MESSAGE_MAX_CHARS = 2000


def limit_message(exc, timeout_class, timeout, memory_mb):
    """The student-facing message for a time or memory limit hit, else None."""
    if isinstance(exc, timeout_class):
        return f"Took longer than {timeout:g} s (time limit)."
    if isinstance(exc, MemoryError):
        return f"Ran out of memory (limit {memory_mb} MB)."
    return None


def truncated(text):
    if len(text) > MESSAGE_MAX_CHARS:
        return text[: MESSAGE_MAX_CHARS - 15] + " ... (truncated)"
    return text
