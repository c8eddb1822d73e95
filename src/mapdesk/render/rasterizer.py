"""Aggregate very many points per pixel with numpy (as datashader does) into an RGBA image.

Above :data:`EXACT_POINT_LIMIT` visible points, painting every symbol costs more than a frame
(Qt needs ~6 us per antialiased marker); instead points are counted per pixel, each pixel
gets the count-weighted mean colour of its points' categories and an opacity growing with the
log of its count, and every non-empty pixel is stamped with the marker's footprint as long as
that stays cheap (fewer stamps at higher density, like datashader's ``dynspread``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from mapdesk.render import palettes
from mapdesk.render.symbols import colors_to_rgba, marker_mask

#: Visible points above which a layer is rasterised instead of painted symbol by symbol.
#: 100,000 exact antialiased markers take ~0.6 s; the rasterizer draws them in < 25 ms.
EXACT_POINT_LIMIT = 50_000
#: Upper bound of (non-empty pixels x footprint pixels) written when stamping markers.
STAMP_BUDGET = 1_000_000
#: Opacity of a pixel holding a single point (denser pixels go up to 1).
MIN_ALPHA = 0.6
#: Up to this many points, a pixel's colour blends all its points' categories.
BLEND_LIMIT = 250_000
#: Up to this many points, pixels are found by sorting keys rather than counting over every
#: pixel of the frame (which costs ~10 ms at full HD whatever the number of points).
SORT_LIMIT = 300_000


@dataclass
class RasterResult:
    bgra: np.ndarray          # (h, w, 4) uint8 premultiplied, Qt's ARGB32 byte order (a view)
    buffer: np.ndarray        # the padded uint32 buffer owning the memory
    stride_px: int            # pixels per row of ``buffer``
    offset_px: int            # index of pixel (0, 0) in ``buffer``
    n_points: int             # points aggregated (in view, visible categories)
    n_pixels: int             # non-empty pixels before stamping
    stamp_diameter_px: float  # footprint actually used

    @property
    def rgba(self) -> np.ndarray:
        """The image as straight-order RGBA (premultiplied), a copy (for inspection)."""
        return self.bgra[..., [2, 1, 0, 3]]


def rasterize_points(px: np.ndarray, py: np.ndarray, width: int, height: int, *,
                     codes: np.ndarray | None = None, colors: list[str] | None = None,
                     opacity: float = 1.0, marker: str = "circle", diameter_px: float = 4.0,
                     mode: str = "category", ramp: str = "density",
                     prefiltered: bool = False) -> RasterResult:
    """Aggregate points at pixel coordinates ``(px, py)`` into a ``width`` x ``height`` image.

    Parameters
    ----------
    codes, colors
        Per-point index into ``colors`` (``-1``: not drawn). ``None``: one colour.
    mode
        ``"category"``: each pixel is the count-weighted mean of its points' colours with an
        opacity growing with log(count). ``"density"``: the colour comes from ramp ``ramp``
        by log(count) (for a single-colour layer seen as a density surface).
    prefiltered
        The caller already dropped points outside the view (by more than the marker radius)
        and points with negative codes.
    diameter_px
        The marker size; a pixel is stamped with that footprint while the number of writes
        stays within :data:`STAMP_BUDGET`, otherwise with a smaller one (down to 1 pixel).
    """
    colors = colors or [palettes.DEFAULT_POINT_COLOR]
    pal = colors_to_rgba(colors)
    # Footprint first: points up to its radius outside the view still touch the edge pixels.
    fx, fy = marker_mask(marker, diameter_px)
    r = int(max(np.abs(fx).max(), np.abs(fy).max()))
    pad = 2 * r  # points up to r outside, stamped up to r further
    stride = width + 2 * pad
    rows = height + 2 * pad
    # Mask in floats first: at world zoom pixel coordinates overflow int32.
    if not prefiltered:
        m = (px > -r - 1) & (px < width + r) & (py > -r - 1) & (py < height + r)
        if codes is not None:
            m &= codes >= 0
        if not m.all():
            px, py = px[m], py[m]
            codes = codes[m] if codes is not None else None
    # Truncation instead of floor: a point less than a pixel left of/above the view lands on
    # the edge pixel, which is where its marker would show anyway.
    flat = py.astype(np.int32)
    flat += pad
    flat *= stride
    flat += px.astype(np.int32)
    flat += pad
    np.clip(flat, 0, stride * rows - 1, out=flat)
    npix = stride * rows
    k_colors = len(colors)
    single = codes is None or k_colors == 1
    sorted_codes = None
    if 0 < flat.size <= SORT_LIMIT:
        # Few points for the frame: sort (pixel, category) keys (numpy's vectorised sort of
        # int64 is ~2 ms per 100k) instead of several passes over every pixel of the frame.
        bits = max(1, int(k_colors - 1).bit_length()) if not single else 0
        key = flat.astype(np.int64)
        if bits:
            key <<= bits
            key |= codes
        key.sort()
        pix = key >> bits if bits else key
        starts = np.flatnonzero(np.r_[True, pix[1:] != pix[:-1]])
        nz = pix[starts]
        c = np.diff(np.r_[starts, key.size])
        if bits:
            sorted_codes = (key & ((1 << bits) - 1)).astype(np.intp)
    else:
        count = np.bincount(flat, minlength=npix)
        nz = np.flatnonzero(count > 0)
        c = count[nz]
    cmax = int(c.max()) if c.size else 1
    # Opacity by log(count) as a lookup table over the (small) range of counts.
    steps = np.arange(cmax + 1, dtype=np.float64)
    t_lut = np.log1p(np.maximum(steps - 1, 0)) / np.log1p(cmax - 1) if cmax > 1 else np.zeros(cmax + 1)
    alpha_lut = (MIN_ALPHA + (1 - MIN_ALPHA) * t_lut) * float(opacity)
    colors_idx = 0
    if not single and codes.size:
        lo, hi = int(codes.min()), int(codes.max())   # two cheap passes, no counting
        if lo == hi:
            single = True
            colors_idx = lo
    if mode == "density" or single:
        if mode == "density":
            ramp_rgb = colors_to_rgba(palettes.ramp(ramp, 64))[:, :3]
            lut_rgb = ramp_rgb[np.minimum((t_lut * 63).astype(int), 63)]
        else:
            lut_rgb = np.broadcast_to(pal[colors_idx, :3], (cmax + 1, 3))
        packed = _pack(lut_rgb, alpha_lut)[c]
    elif sorted_codes is not None:
        # Count-weighted mean colour per pixel (datashader's blend): the 8-bit channels of
        # each point's colour packed in one int64 (21 bits each), summed per pixel run.
        rgb8 = np.round(pal[:, :3] * 255).astype(np.int64)
        word = (rgb8[:, 0] << 42) | (rgb8[:, 1] << 21) | rgb8[:, 2]
        if cmax < (1 << 21) // 255:
            total = np.add.reduceat(word[sorted_codes], starts)
            rgb = np.column_stack([(total >> 42) & 0x1FFFFF, (total >> 21) & 0x1FFFFF,
                                   total & 0x1FFFFF]).astype(np.float64) / 255.0
        else:
            rgb = np.column_stack([np.add.reduceat(pal[sorted_codes, ch], starts) for ch in range(3)])
        rgb /= c[:, None]
        packed = _pack(rgb, alpha_lut[c])
    else:
        if flat.size <= BLEND_LIMIT:
            # Count-weighted mean colour of the categories in each pixel (datashader's blend).
            # Only entries at ``nz`` are written and read: a reused, unzeroed buffer will do.
            slot = _scratch(npix, "slot", np.int32, zero=False)
            slot[nz] = np.arange(nz.size, dtype=np.int32)
            s = slot[flat]
            rgb = np.empty((nz.size, 3))
            for ch in range(3):
                # np.take from a contiguous per-channel table: 3x faster than pal[codes, ch]
                w = np.take(np.ascontiguousarray(pal[:, ch]), codes)
                rgb[:, ch] = np.bincount(s, weights=w, minlength=nz.size)
            rgb /= c[:, None]
            packed = _pack(rgb, alpha_lut[c])
        else:
            # Very many points: blending costs ~80 ms per million; a pixel shows the category
            # of one of its points instead, through a (category, count) lookup table.
            pix = _scratch(npix, "pix", np.int16, zero=False)   # read only where written
            pix[flat] = codes
            table = np.stack([_pack(np.broadcast_to(pal[i, :3], (cmax + 1, 3)), alpha_lut)
                              for i in range(k_colors)])
            packed = table[pix[nz], c]
    buf = _scratch(npix, "buf", np.uint32)
    used_d = diameter_px
    if fx.size * nz.size > STAMP_BUDGET:
        # Dense: shrink the footprint until the writes fit the budget.
        d = diameter_px
        while d > 1.5:
            d = d * 0.75
            fx, fy = marker_mask(marker, d)
            if fx.size * nz.size <= STAMP_BUDGET:
                break
        if fx.size * nz.size > STAMP_BUDGET:
            fx, fy = np.array([0]), np.array([0])
            d = 1.0
        used_d = d
    # The centre offset goes last so every point's own pixel keeps its own colour.
    order = np.argsort(-(fx * fx + fy * fy), kind="stable")
    for k in order:
        buf[nz + (fy[k] * stride + fx[k])] = packed
    offset = pad * stride + pad
    view = buf.reshape(rows, stride)[pad:pad + height, pad:pad + width]
    bgra = view.view(np.uint8).reshape(height, width, 4)
    return RasterResult(bgra=bgra, buffer=buf, stride_px=stride, offset_px=offset,
                        n_points=int(flat.size), n_pixels=int(nz.size), stamp_diameter_px=used_d)


def result_to_qimage(res: RasterResult, copy: bool = True):
    """A ``QImage`` of the result; ``copy=False`` shares the numpy buffer (draw it at once,
    before the next rasterisation on this thread reuses the buffer)."""
    from PySide6.QtGui import QImage

    h, w = res.bgra.shape[:2]
    mem = res.buffer[res.offset_px:]
    # ARGB32 premultiplied is the painter's native format: no conversion when blending.
    img = QImage(mem.data, w, h, res.stride_px * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return img.copy() if copy else img


_local = threading.local()


def _scratch(npix: int, name: str, dtype, zero: bool = True) -> np.ndarray:
    """A buffer reused per thread (fresh 8 MB arrays cost page faults), zeroed if asked."""
    buf = getattr(_local, name, None)
    if buf is None or buf.size != npix:
        buf = np.zeros(npix, dtype=dtype)
        setattr(_local, name, buf)
    elif zero:
        buf.fill(0)
    return buf


def _pack(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Premultiplied ARGB32 (0xAARRGGBB, Qt's native pixel) per row."""
    a = np.asarray(alpha, dtype=np.float32)
    pre = np.asarray(rgb, dtype=np.float32) * (a[:, None] * 255)
    pre += 0.5
    pre = pre.astype(np.uint32)
    out = (a * 255 + 0.5).astype(np.uint32)
    out <<= 8
    out |= pre[:, 0]
    out <<= 8
    out |= pre[:, 1]
    out <<= 8
    out |= pre[:, 2]
    return out
