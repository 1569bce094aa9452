"""Helpers that read a PNG the way a chat client would: size from IHDR, pixels decoded."""

from __future__ import annotations

import io
import struct

import numpy as np
from matplotlib.image import imread

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, which the PNG spec requires to come first."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, chunk_type = struct.unpack(">I4s", data[8:16])
    assert chunk_type == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pixels(data: bytes) -> np.ndarray:
    return imread(io.BytesIO(data), format="png")


def ink_share(data: bytes) -> float:
    """Share of pixels that are not the white background."""
    rgb = pixels(data)[..., :3]
    return float((rgb.min(axis=2) < 0.97).mean())
