# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Photos that Sametime clients can show: what to do with one photo, and the re-encoding when asked to.

HCL's business-card guidance (docs/photos.md, "Resizing photos"): a photo must be under 45 KB (10 KB or less
recommended), JPEG or GIF, and the PhotoURL must be http to serve every client type.

`plan_photo` decides per photo: keep the bytes, re-encode them (opt-in `resize`), skip, or refuse. Re-encoding needs
Pillow, an optional controller-side dependency imported only when a photo has to be re-encoded, so this file imports
without it (and stays Python 3.6 compatible like every module_utils file).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import io
import warnings

MAX_PHOTO_BYTES = 46080  # HCL: under 45 KB
RECOMMENDED_PHOTO_BYTES = 10240  # HCL: 10 KB or less recommended
# Decision (no HCL figure): 150 px is sharper than Active Directory's 96 px thumbnail on a high-density business
# card, and a 150 px portrait at quality 85 is typically well under the 10 KB recommendation.
MAX_EDGE = 150
MIN_EDGE = 32  # below this a face is no longer recognisable: refuse rather than serve a smudge
QUALITIES = (85, 75, 65, 55, 45, 35)
EDGE_SHRINK = 0.8  # each step when the lowest quality still does not fit
# Decision: 24 megapixels covers a 6000x4000 camera picture; larger headers are refused before any pixel is decoded
# (a 50000x50000 header would otherwise ask for gigabytes).
MAX_SOURCE_PIXELS = 24000000
KEPT_FORMATS = ('jpeg', 'gif')  # what clients show (HCL)
# The decoders Pillow may use: photo formats only. Pillow's other plugins include EPS, which runs Ghostscript.
DECODED_FORMATS = ('JPEG', 'PNG', 'GIF', 'BMP', 'TIFF', 'WEBP')
PILLOW_INSTALL = 'pip install Pillow'

KEEP, RESIZE, SKIP, REFUSE = 'keep', 'resize', 'skip', 'refuse'

PhotoPlan = collections.namedtuple('PhotoPlan', 'action payload reason')

FORMAT_NAMES = {
    'jpeg': 'JPEG', 'gif': 'GIF', 'png': 'PNG', 'bmp': 'BMP', 'tiff': 'TIFF', 'webp': 'WebP', 'heif': 'HEIF',
    'avif': 'AVIF', 'jpeg2000': 'JPEG 2000',
}


class PillowMissing(Exception):
    """resize is on and Pillow cannot be imported: a set-up error of the controller, not a property of one photo."""


def pillow_missing_message(exc=None):
    text = ('the option resize needs the Python library Pillow on the controller (the Python that runs the module): '
            '%s' % PILLOW_INSTALL)
    return '%s (import failed: %s)' % (text, exc) if exc else text


def import_pillow():
    """(Image, ImageOps) or PillowMissing with the option and the install command."""
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        raise PillowMissing(pillow_missing_message(exc))
    return Image, ImageOps


def sniff_format(data):
    """'jpeg', 'gif', 'png', 'bmp', 'tiff', 'webp', 'heif', 'avif', 'jpeg2000' or None, from the magic bytes."""
    data = bytes(data[:16])
    if data.startswith(b'\xff\xd8\xff'):
        return 'jpeg'
    if data.startswith((b'GIF87a', b'GIF89a')):
        return 'gif'
    if data.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'png'
    if data.startswith(b'BM'):
        return 'bmp'
    if data.startswith((b'II*\x00', b'MM\x00*')):
        return 'tiff'
    if data.startswith(b'RIFF') and data[8:12] == b'WEBP':
        return 'webp'
    if data[4:8] == b'ftyp':
        brand = data[8:12]
        if brand in (b'avif', b'avis'):
            return 'avif'
        if brand in (b'heic', b'heix', b'hevc', b'hevx', b'heim', b'heis', b'mif1', b'msf1'):
            return 'heif'
    if data.startswith((b'\x00\x00\x00\x0cjP  \r\n\x87\n', b'\xff\x4f\xff\x51')):
        return 'jpeg2000'
    return None


def format_name(fmt, data=b''):
    if fmt:
        return FORMAT_NAMES.get(fmt, fmt)
    return 'unknown format (first bytes %s)' % ' '.join('%02x' % b for b in bytearray(data[:4]))


def kilobytes(count):
    return '%.1f KB' % (count / 1024.0)


def over_limit(size, limit):
    return '%s > %s limit (%d > %d bytes)' % (kilobytes(size), kilobytes(limit), size, limit)


def structure_problem(data, fmt):
    """Why the kept bytes would not be a whole file (None when they look whole); no decoding."""
    body = bytes(data).rstrip(b'\x00\r\n ')
    if fmt == 'jpeg' and not body.endswith(b'\xff\xd9'):
        return 'JPEG without end marker (truncated data?)'
    if fmt == 'gif' and not body.endswith(b'\x3b'):
        return 'GIF without trailer (truncated data?)'
    return None


def check_options(max_photo_bytes, max_edge):
    """Error text naming the option, or None."""
    if not isinstance(max_photo_bytes, int) or isinstance(max_photo_bytes, bool) or max_photo_bytes < 0:
        return 'max_photo_bytes must be 0 (no limit) or a positive number of bytes, got %r' % (max_photo_bytes,)
    if not isinstance(max_edge, int) or isinstance(max_edge, bool) or max_edge < MIN_EDGE:
        return 'max_edge must be a number of pixels of at least %d, got %r' % (MIN_EDGE, max_edge)
    return None


def plan_photo(data, max_photo_bytes=MAX_PHOTO_BYTES, resize=False, max_edge=MAX_EDGE, kept_formats=KEPT_FORMATS,
               max_source_pixels=MAX_SOURCE_PIXELS):
    """PhotoPlan(action, payload, reason) for one photo.

    keep:   a kept format (JPEG or GIF) within max_photo_bytes (0: no limit); payload is `data` itself.
    resize: only with resize=True, for an oversized photo or another format; payload is a baseline JPEG within
            max_photo_bytes, longest edge <= max_edge, aspect ratio kept, orientation applied, no metadata. Same input
            and Pillow version -> same bytes, so an unchanged source is not rewritten.
    skip:   resize=False and the photo is oversized or not JPEG/GIF; payload None, reason says which.
    refuse: empty or broken data, a format Pillow cannot decode, a decompression bomb, or no fit even at MIN_EDGE px
            and the lowest quality; payload None, reason says why (with the decoder's error).
    Raises ValueError for bad options and PillowMissing when a photo needs Pillow and it is not installed.
    """
    problem = check_options(max_photo_bytes, max_edge)
    if problem:
        raise ValueError(problem)
    if not data:
        return PhotoPlan(REFUSE, None, 'photo is empty')
    fmt = sniff_format(data)
    oversized = bool(max_photo_bytes) and len(data) > max_photo_bytes
    if fmt in kept_formats and not oversized:
        problem = structure_problem(data, fmt)
        if problem is None:
            return PhotoPlan(KEEP, data, 'already %s within the limit' % format_name(fmt))
        if not resize:
            return PhotoPlan(REFUSE, None, problem)
        # a decoder may still read it (trailing bytes after the end marker): re-encoding gives a clean file
    if not resize:
        return PhotoPlan(SKIP, None, _why(data, fmt, max_photo_bytes, kept_formats))
    return _reencode(data, fmt, max_photo_bytes, max_edge, max_source_pixels, kept_formats)


def _why(data, fmt, max_photo_bytes, kept_formats):
    """Why the bytes cannot be served as they are: the format, the size, or both."""
    reasons = []
    if fmt not in kept_formats:
        reasons.append('%s, clients show %s' % (format_name(fmt, data),
                                                ' or '.join(format_name(kept) for kept in kept_formats)))
    if max_photo_bytes and len(data) > max_photo_bytes:
        reasons.append(over_limit(len(data), max_photo_bytes))
    if not reasons:
        reasons.append(structure_problem(data, fmt) or format_name(fmt))
    return '; '.join(reasons)


def _reencode(data, fmt, max_photo_bytes, max_edge, max_source_pixels, kept_formats):
    Image, ImageOps = import_pillow()
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning (from 89 megapixels) becomes a refusal like its bomb error
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=DECODED_FORMATS)
        width, height = image.size
        if width * height > max_source_pixels:
            return PhotoPlan(REFUSE, None, 'decompression bomb? image of %dx%d pixels is over the %d-pixel limit'
                             % (width, height, max_source_pixels))
        if image.format == 'JPEG':
            # decode at 1/2, 1/4 or 1/8 scale when that still covers max_edge: less memory and time
            image.draft('RGB', (max_edge, max_edge))
        image.load()
        image = ImageOps.exif_transpose(image)
        image = _to_rgb(image, Image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return PhotoPlan(REFUSE, None, 'decompression bomb: %s' % exc)
    except Exception as exc:  # any decoder failure: the data is not a usable image (fail closed)
        return PhotoPlan(REFUSE, None, 'cannot decode %s: %s: %s' % (format_name(fmt, data), type(exc).__name__, exc))

    why = _why(data, fmt, max_photo_bytes, kept_formats)
    edge = min(max_edge, max(image.size))
    smallest = None
    while True:
        scaled = _scaled(image, edge, Image)
        for quality in QUALITIES:
            encoded = _encode_jpeg(scaled, quality)
            if not max_photo_bytes or len(encoded) <= max_photo_bytes:
                return PhotoPlan(RESIZE, encoded, '%s: re-encoded as JPEG %dx%d, quality %d, %s (was %s)'
                                 % (why, scaled.size[0], scaled.size[1], quality, kilobytes(len(encoded)),
                                    kilobytes(len(data))))
            smallest = len(encoded)
        if edge <= MIN_EDGE:
            return PhotoPlan(REFUSE, None, '%s: does not fit in %d bytes even at %d px and quality %d (%d bytes)'
                             % (why, max_photo_bytes, edge, QUALITIES[-1], smallest))
        edge = max(MIN_EDGE, int(edge * EDGE_SHRINK))


def _to_rgb(image, Image):
    """8-bit RGB; transparency flattened onto white (JPEG has no alpha), 16-bit and float scaled down."""
    mode = image.mode
    if mode in ('I', 'F') or mode.startswith('I;16'):
        # 16-bit samples: keep the high byte (Pillow's plain convert('L') would clip everything above 255 to white)
        image = image.convert('I') if mode != 'F' else image
        low, high = image.getextrema()
        scale = 1 / 256.0 if high > 255 else 1.0
        image = image.point(lambda value: value * scale).convert('L')
        mode = 'L'
    if mode == 'P':
        image = image.convert('RGBA' if 'transparency' in image.info else 'RGB')
        mode = image.mode
    if mode in ('RGBA', 'LA', 'PA', 'La', 'RGBa') or 'transparency' in image.info:
        rgba = image.convert('RGBA')
        background = Image.new('RGB', rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel('A'))
        return background
    if mode != 'RGB':
        image = image.convert('RGB')
    return image


def _scaled(image, edge, Image):
    width, height = image.size
    if max(width, height) <= edge:
        return image
    factor = edge / float(max(width, height))
    size = (max(1, int(round(width * factor))), max(1, int(round(height * factor))))
    return image.resize(size, getattr(Image, 'Resampling', Image).LANCZOS)


def _encode_jpeg(image, quality):
    # no exif/icc_profile arguments and an emptied info: no metadata travels with the pixels; explicit subsampling
    # and optimize/progressive settings so that the bytes do not depend on Pillow's defaults
    image.info = {}
    buf = io.BytesIO()
    image.save(buf, 'JPEG', quality=quality, subsampling=2, optimize=True, progressive=False)
    return buf.getvalue()


def https_template_warning(template):
    """Warning text when a photoURL template is https, else None."""
    if (template or '').strip().lower().startswith('https:'):
        return ('url_template %s is https: HCL documents that PhotoURL must be http, not https, to serve every client '
                'type (web and mobile clients through the Sametime Proxy, Connect and Notes embedded clients through '
                'ImagePath); clients that cannot fetch it show no photo' % template.strip())
    return None
