"""A 1x1 red PNG and a short WAV tone, built with the standard library: the fixtures' image and audio bytes."""

import io
import math
import struct
import wave
import zlib


def red_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8 bits per channel, RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then red
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tone_wav(milliseconds: int = 50, hertz: int = 440, rate: int = 8000) -> bytes:
    frames = rate * milliseconds // 1000
    samples = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * hertz * n / rate))) for n in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()


PNG = red_pixel_png()
WAV = tone_wav()
